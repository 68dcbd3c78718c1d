// The Fetch front against the Express middleware, request by request: one configuration and one
// request through both must give the same CORS headers, preflight status, body-or-not and decision.
// fetch.property.test.ts runs it over generated configurations and requests; fetch.test.ts runs the
// rarer combinations as a table, every time (the unit suite's coverage never rests on a generator).
import fc from 'fast-check';
import http from 'node:http';
import request from 'supertest';
import { cors as nodeCors } from '../../lib/index.js';
import { cors } from '../../lib/fetch/index.js';

export const A = 'https://app.example.com';
export const EVIL = 'https://evil.example.net';
const API = 'http://api.example.test';
const JOINED = `${A}, https://b.example.com`;
const ORIGINS = [A, 'https://b.example.com', EVIL, 'null', 'http://localhost:3000', JOINED, ''];
const callback = (o: string | undefined, cb: (e: Error | null, allow?: boolean) => void) => {
  cb(null, o === A);
};
const promised = async (o: string | undefined) => {
  await Promise.resolve();
  return o?.endsWith('.example.com') === true ? o : false;
};
const returned = (o: string | undefined) => o === 'https://b.example.com';
export const failing = (_o: string | undefined, cb: (e: Error | null, allow?: boolean) => void) => {
  setImmediate(() => {
    cb(new Error('lookup failed'));
  });
};
export const options = fc.record(
  {
    origin: fc.constantFrom<unknown>(
      '*',
      true,
      false,
      A,
      [A, 'https://*.example.com'],
      [/^https:\/\/b\.example\.com$/],
      callback,
      promised,
      returned,
      failing,
    ),
    credentials: fc.boolean(),
    methods: fc.constantFrom('GET,POST', ['PUT', 'PATCH'], undefined, '*', []),
    allowedHeaders: fc.constantFrom(undefined, ['Content-Type'], 'X-A,X-B', '*', []),
    exposedHeaders: fc.constantFrom(undefined, ['X-Id']),
    maxAge: fc.constantFrom(undefined, 600),
    optionsSuccessStatus: fc.constantFrom(undefined, 200),
    preflightContinue: fc.boolean(),
    privateNetworkAccess: fc.boolean(),
  },
  { requiredKeys: [] },
);
export const requests = fc.record({
  origin: fc.option(fc.constantFrom(...ORIGINS), { nil: undefined }),
  method: fc.constantFrom('OPTIONS', 'GET', 'POST'),
  acrm: fc.option(fc.constantFrom('PUT', 'PATCH', 'DELETE', 'GET', 'bad method'), {
    nil: undefined,
  }),
  acrh: fc.constantFrom(undefined, 'content-type', 'x-a,x-b', 'authorization', 'x y'),
  acrpn: fc.boolean(),
});

export type Given = Record<string, unknown>;
export interface Sent {
  origin?: string | undefined;
  method: string;
  acrm?: string | undefined;
  acrh?: string | undefined;
  acrpn: boolean;
}

/** The configuration and request through both, with the same answer expected. */
export const agree = async (given: Given, req: Sent): Promise<void> => {
  const decisions: { node: unknown[]; fetch: unknown[] } = { node: [], fetch: [] };
  const opts = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  let middleware: ReturnType<typeof nodeCors>;
  try {
    middleware = nodeCors({
      ...opts,
      onDecision: (d: unknown) => decisions.node.push(d),
    } as never);
  } catch (err) {
    expect(() => cors(opts as never)).toThrow((err as Error).message);
    return;
  }
  const guard = cors({
    ...opts,
    onDecision: (d: unknown) => decisions.fetch.push(d),
  });
  const server = http.createServer((r, s) => {
    middleware(r, s, (err?: unknown) => {
      // As Express's final handler does with next(err).
      if (err !== undefined) s.statusCode = 500;
      s.end(err === undefined ? 'app' : '');
    });
  });
  const headers: Record<string, string> = {};
  if (req.origin !== undefined) headers.Origin = req.origin;
  if (req.acrm !== undefined) headers['Access-Control-Request-Method'] = req.acrm;
  if (req.acrh !== undefined) headers['Access-Control-Request-Headers'] = req.acrh;
  if (req.acrpn) headers['Access-Control-Request-Private-Network'] = 'true';
  let call =
    request(server)[req.method === 'OPTIONS' ? 'options' : req.method === 'GET' ? 'get' : 'post'](
      '/things',
    );
  for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
  const express = await call;
  const handled = { called: false };
  let fetched: Response;
  try {
    fetched = await guard(new Request(`${API}/things`, { method: req.method, headers }), () => {
      handled.called = true;
      return new Response('app');
    });
  } catch (err) {
    // next(err) on Express: its default handler's 500; the same error, the same decision.
    expect((err as Error).message).toBe('lookup failed');
    expect(express.status).toBe(500);
    expect(decisions.fetch).toEqual(decisions.node);
    return;
  }
  const answered = !handled.called;
  const cors_ = (h: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(h).filter(
        ([n]) =>
          n.startsWith('access-control-') || n === 'vary' || (answered && n === 'content-length'),
      ),
    );
  expect(cors_(Object.fromEntries(fetched.headers))).toEqual(
    cors_(express.headers as Record<string, string>),
  );
  expect(fetched.status).toBe(express.status);
  expect(answered ? '' : 'app').toBe(express.text);
  expect(decisions.fetch).toEqual(decisions.node);
  expect(decisions.fetch).toHaveLength(1);
};
