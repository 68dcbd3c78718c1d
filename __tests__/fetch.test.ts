// Issue 25, first part: `corsguard/fetch`, the same policy for Fetch-API handlers. Checked against the
// Express middleware request by request (a property test over generated configurations and requests,
// the middleware on a real node:http server), and for what only a Fetch front has: preflights
// answered without the handler, Vary merged into the handler's Response, immutable Responses copied
// with their body streamed, errors as rejections.
import fc from 'fast-check';
import http from 'node:http';
import request from 'supertest';
import { CorsConfigError, CorsTimeoutError, cors as nodeCors, explainCors } from '../lib/index.js';
import { cors } from '../lib/fetch/index.js';

const A = 'https://app.example.com';
const EVIL = 'https://evil.example.net';
const API = 'http://api.example.test';

const handler =
  (body = 'hello') =>
  (): Response =>
    new Response(body, {
      status: 200,
      headers: { 'Content-Type': 'text/plain', Vary: 'Accept-Encoding' },
    });

const preflight = (origin: string, method = 'PUT', headers?: string) =>
  new Request(`${API}/things`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      ...(headers === undefined ? {} : { 'Access-Control-Request-Headers': headers }),
    },
  });

describe('corsguard/fetch', () => {
  it('answers a preflight without calling the handler', async () => {
    const guard = cors({ origin: [A], credentials: true, maxAge: 600 });
    let called = 0;
    const res = await guard(preflight(A, 'PUT', 'content-type'), () => {
      called++;
      return new Response('no');
    });
    expect(called).toBe(0);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'access-control-allow-origin': A,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET,HEAD,PUT,PATCH,POST,DELETE',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '600',
      vary: 'Origin, Access-Control-Request-Headers',
    });
  });

  it('adds the headers to the handler’s Response, merging Vary', async () => {
    const guard = cors({ origin: [A], exposedHeaders: ['X-Id'] });
    const res = await guard(new Request(`${API}/x`, { headers: { Origin: A } }), handler());
    expect(await res.text()).toBe('hello');
    expect(res.headers.get('access-control-allow-origin')).toBe(A);
    expect(res.headers.get('access-control-expose-headers')).toBe('X-Id');
    expect(res.headers.get('vary')).toBe('Accept-Encoding, Origin');
  });

  it('never adds a Vary field the handler already set, in any case', async () => {
    const guard = cors({ origin: [A] });
    const res = await guard(
      new Request(`${API}/x`, { headers: { Origin: A } }),
      () => new Response('x', { headers: { Vary: 'origin, Accept' } }),
    );
    expect(res.headers.get('vary')).toBe('origin, Accept');
  });

  it('gives a refused origin no CORS header, and still calls the handler', async () => {
    const guard = cors({ origin: [A] });
    const res = await guard(new Request(`${API}/x`, { headers: { Origin: EVIL } }), handler());
    expect(await res.text()).toBe('hello');
    expect([...res.headers.keys()].filter((n) => n.startsWith('access-control-'))).toEqual([]);
    expect(res.headers.get('vary')).toBe('Accept-Encoding, Origin');
    const refused = await guard(preflight(EVIL), handler());
    expect(refused.status).toBe(204);
    expect([...refused.headers.keys()].filter((n) => n.startsWith('access-control-'))).toEqual([]);
  });

  it('copies a Response whose headers are immutable, its body streamed', async () => {
    const guard = cors({ origin: [A] });
    const redirected = await guard(new Request(`${API}/old`, { headers: { Origin: A } }), () =>
      Response.redirect(`${API}/new`, 307),
    );
    expect(redirected.status).toBe(307);
    expect(redirected.headers.get('location')).toBe(`${API}/new`);
    expect(redirected.headers.get('access-control-allow-origin')).toBe(A);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const frozen = new Response(body, { status: 201, statusText: 'Made', headers: { Vary: '*' } });
    // A fetch() answer's headers are immutable; Response.error() and redirect() are the ones to make.
    Object.defineProperty(frozen, 'headers', {
      value: new Proxy(frozen.headers, {
        get(target, key) {
          if (key === 'set')
            return () => {
              throw new TypeError('immutable');
            };
          const value = Reflect.get(target, key) as unknown;
          return typeof value === 'function'
            ? (value as (...a: unknown[]) => unknown).bind(target)
            : value;
        },
      }),
    });
    const copied = await guard(new Request(`${API}/x`, { headers: { Origin: A } }), () => frozen);
    expect(copied).not.toBe(frozen);
    expect(copied.status).toBe(201);
    expect(copied.statusText).toBe('Made');
    expect(copied.headers.get('vary')).toBe('*');
    expect(await copied.text()).toBe('streamed');
  });

  it('rejects with the error the Express middleware passes to next(err)', async () => {
    const boom = new Error('database down');
    const failing = cors({
      origin: (_origin: string) => {
        throw boom;
      },
    });
    await expect(
      failing(new Request(`${API}/x`, { headers: { Origin: A } }), handler()),
    ).rejects.toBe(boom);
    const slow = cors({
      origin: (_origin: string) => new Promise<boolean>(() => undefined),
      originTimeout: 20,
    });
    await expect(
      slow(new Request(`${API}/x`, { headers: { Origin: A } }), handler()),
    ).rejects.toBeInstanceOf(CorsTimeoutError);
  });

  it('reads function origins in every style', async () => {
    for (const origin of [
      (o: string) => o === A,
      async (o: string) => Promise.resolve(o === A),
      (o: string, cb: (err: unknown, allow?: boolean) => void) => {
        setImmediate(() => {
          cb(null, o === A);
        });
      },
    ]) {
      const guard = cors({ origin });
      const res = await guard(new Request(`${API}/x`, { headers: { Origin: A } }), handler());
      expect(res.headers.get('access-control-allow-origin')).toBe(A);
    }
  });

  it("refuses methods: 'auto' (no route table) and an options delegate, and what cors() refuses", () => {
    expect(() => cors({ methods: 'auto' })).toThrow(/a Fetch handler has none/);
    expect(() => cors((() => null) as never)).toThrow(
      /an options delegate receives a Node request/,
    );
    expect(() => cors({ origin: '*', credentials: true })).toThrow(CorsConfigError);
  });

  it('explainCors answers for a Request as the guard decides', () => {
    const explained = explainCors({ origin: [A] }, preflight(A));
    expect(explained.statusCode).toBe(204);
    expect(explained.headers['access-control-allow-origin']).toBe(A);
    expect(
      explainCors({ origin: [A] }, new Request(`${API}/x?y=1`, { headers: { Origin: EVIL } }))
        .decision,
    ).toMatchObject({
      allowed: false,
      reason: 'origin-not-allowed',
    });
  });
});

describe('corsguard/fetch and the Express middleware agree (property)', () => {
  const ORIGINS = [A, 'https://b.example.com', EVIL, 'null', 'http://localhost:3000'];
  const options = fc.record(
    {
      origin: fc.constantFrom<unknown>(
        '*',
        true,
        false,
        A,
        [A, 'https://*.example.com'],
        [/^https:\/\/b\.example\.com$/],
      ),
      credentials: fc.boolean(),
      methods: fc.constantFrom('GET,POST', ['PUT', 'PATCH'], undefined),
      allowedHeaders: fc.constantFrom(undefined, ['Content-Type'], 'X-A,X-B'),
      exposedHeaders: fc.constantFrom(undefined, ['X-Id']),
      maxAge: fc.constantFrom(undefined, 600),
      optionsSuccessStatus: fc.constantFrom(undefined, 200),
    },
    { requiredKeys: [] },
  );
  const requests = fc.record({
    origin: fc.option(fc.constantFrom(...ORIGINS), { nil: undefined }),
    preflight: fc.boolean(),
    method: fc.constantFrom('PUT', 'PATCH', 'DELETE'),
    acrh: fc.constantFrom(undefined, 'content-type', 'x-a,x-b'),
  });

  it('sends the same CORS headers and preflight status for the same configuration and request', async () => {
    await fc.assert(
      fc.asyncProperty(options, requests, async (given, req) => {
        const opts = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
        let middleware: ReturnType<typeof nodeCors>;
        try {
          middleware = nodeCors(opts as never);
        } catch (err) {
          expect(() => cors(opts as never)).toThrow((err as Error).message);
          return;
        }
        const guard = cors(opts);
        const server = http.createServer((r, s) => {
          middleware(r, s, () => s.end('app'));
        });
        const headers: Record<string, string> = {};
        if (req.origin !== undefined) headers.Origin = req.origin;
        if (req.preflight) headers['Access-Control-Request-Method'] = req.method;
        if (req.preflight && req.acrh !== undefined)
          headers['Access-Control-Request-Headers'] = req.acrh;
        let call = request(server)[req.preflight ? 'options' : 'get']('/things');
        for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
        const express = await call;
        const fetched = await guard(
          new Request(`${API}/things`, { method: req.preflight ? 'OPTIONS' : 'GET', headers }),
          () => new Response('app'),
        );
        const cors_ = (h: Record<string, string>) =>
          Object.fromEntries(
            Object.entries(h).filter(([n]) => n.startsWith('access-control-') || n === 'vary'),
          );
        expect(cors_(Object.fromEntries(fetched.headers))).toEqual(
          cors_(express.headers as Record<string, string>),
        );
        expect(fetched.status).toBe(express.status);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
