// Where corsguard keeps what it decided for a request: one private field on `req.headers`, set per
// request to a function of the middleware (or the decision, when somebody listens), from which
// corsDecision() works the decision out on demand.
import { spawnSync } from 'node:child_process';
import { IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import request from 'supertest';
import { cors, corsDecision, type CorsOptions } from '../lib/index.js';

const APP = 'https://app.example.com';

interface Sent {
  readonly req: IncomingMessage;
  readonly headers: Record<string, string>;
  readonly err: unknown;
}

/** Runs a middleware on a plain request whose headers object is `headers` (kept as given). */
function send(
  mw: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void,
  headers: Record<string, string>,
  method = 'GET',
): Sent {
  const set: Record<string, string> = {};
  const req = { method, url: '/', headers } as unknown as IncomingMessage;
  const res = {
    headersSent: false,
    statusCode: 200,
    getHeader: (name: string) => set[name.toLowerCase()],
    setHeader: (name: string, value: string) => {
      set[name.toLowerCase()] = value;
    },
    removeHeader: (name: string) => {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
      delete set[name.toLowerCase()];
    },
    end: () => undefined,
  } as unknown as ServerResponse;
  let err: unknown;
  mw(req, res, (e?: unknown) => {
    err = e;
  });
  return { req, headers: set, err };
}

describe('the decision kept for a request', () => {
  it('is invisible on req.headers: no key, and spread, JSON and new Headers() see only the request headers', () => {
    const headers = { origin: APP, accept: '*/*' };
    const { req } = send(cors({ origin: [APP] }), headers);
    expect(corsDecision(req)).toEqual({ kind: 'actual', allowed: true, origin: APP });
    expect(Reflect.ownKeys(headers)).toEqual(['origin', 'accept']);
    expect({ ...headers }).toStrictEqual({ origin: APP, accept: '*/*' });
    expect(JSON.stringify(headers)).toBe(`{"origin":"${APP}","accept":"*/*"}`);
    expect([...new Headers(headers).keys()]).toEqual(['accept', 'origin']);
  });

  it('is a Symbol-keyed property on a plain node:http request, no string key', () => {
    const req = new IncomingMessage(null as never);
    req.headers = { origin: APP };
    const mw = cors({ origin: [APP] });
    mw(req, { getHeader: () => undefined, setHeader: () => undefined } as never, () => undefined);
    expect(Object.keys(req)).not.toContain('corsguard.decision');
    expect(Object.getOwnPropertySymbols(req)).toContain(Symbol.for('corsguard.decision'));
    expect(Reflect.ownKeys(req.headers)).toEqual(['origin']);
    expect(corsDecision(req)).toEqual({ kind: 'actual', allowed: true, origin: APP });
  });

  it('is found after the request changed prototype, either way', () => {
    const res = { getHeader: () => undefined, setHeader: () => undefined } as never;
    // decided as a re-prototyped request (on its headers), read as a plain one
    const decided = send(cors({ origin: [APP] }), { origin: APP }).req;
    Object.setPrototypeOf(decided, IncomingMessage.prototype);
    expect(corsDecision(decided)).toMatchObject({ allowed: true });
    // decided as a plain request (on itself), read after Express re-prototyped it
    const req = new IncomingMessage(null as never);
    req.headers = { origin: 'https://evil.example' };
    cors({ origin: [APP] })(req, res, () => undefined);
    Object.setPrototypeOf(req, Object.create(IncomingMessage.prototype) as object);
    expect(corsDecision(req)).toMatchObject({ allowed: false, reason: 'origin-not-allowed' });
  });

  it('is there for a frozen headers object too', () => {
    const { req } = send(
      cors({ origin: [APP] }),
      Object.freeze({ origin: 'https://evil.example' }),
    );
    expect(corsDecision(req)).toMatchObject({ allowed: false, reason: 'origin-not-allowed' });
  });

  it('is undefined for a request no corsguard saw, and for something that is not a request', () => {
    expect(
      corsDecision({ headers: { origin: APP } } as unknown as IncomingMessage),
    ).toBeUndefined();
    expect(corsDecision({} as unknown as IncomingMessage)).toBeUndefined();
    expect(corsDecision({ headers: 'x' } as unknown as IncomingMessage)).toBeUndefined();
  });

  it('is worked out once: a second corsDecision() returns the same object', () => {
    const { req } = send(cors({ origin: [APP] }), { origin: APP });
    expect(corsDecision(req)).toBe(corsDecision(req));
  });

  it('lets a handler forward req.headers with fetch on a real Express 5 request', async () => {
    const app = express();
    app.use(cors({ origin: [APP] }));
    app.get('/', (req, res) => {
      res.json({
        forwarded: new Headers(req.headers as Record<string, string>).get('origin'),
        decision: corsDecision(req),
      });
    });
    const res = await request(app).get('/').set('Origin', APP);
    expect(res.body).toEqual({
      forwarded: APP,
      decision: { kind: 'actual', allowed: true, origin: APP },
    });
  });

  it('is read by another copy of corsguard in the process (the CommonJS and ES module builds)', () => {
    const script = `
      const { cors } = require(${JSON.stringify(require.resolve('../dist/cjs/cjs.js'))});
      import(${JSON.stringify(require.resolve('../dist/esm/index.js'))}).then((esm) => {
        const req = { method: 'GET', url: '/', headers: { origin: 'https://evil.example' } };
        const set = {};
        const res = { setHeader: (n, v) => { set[n.toLowerCase()] = v; }, getHeader: (n) => set[n.toLowerCase()],
          removeHeader: (n) => { delete set[n.toLowerCase()]; }, headersSent: false };
        cors({ origin: ['https://app.example.com'] })(req, res, () => {});
        process.stdout.write(esm.corsDecision(req).reason);
      });
    `;
    const { stdout, status } = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(status).toBe(0);
    expect(stdout).toBe('origin-not-allowed');
  });
});

describe('decisions of a function origin, worked out on demand', () => {
  it.each([
    ['true', (_o: string): boolean => true, { kind: 'actual', allowed: true, origin: APP }, APP],
    ['"*"', (_o: string): string => '*', { kind: 'actual', allowed: true, origin: APP }, '*'],
    [
      'false',
      (_o: string): boolean => false,
      { kind: 'actual', allowed: false, reason: 'origin-not-allowed' },
      undefined,
    ],
  ] as const)('answering %s', (_name, fn, decision, acao) => {
    const { req, headers } = send(cors({ origin: fn }), { origin: APP });
    expect(headers['access-control-allow-origin']).toBe(acao);
    expect(corsDecision(req)).toMatchObject(decision);
  });

  it('refuses a malformed origin without asking the function, with or without a cache', () => {
    for (const originCache of [undefined, { ttl: 1000 }]) {
      const fn = jest.fn(() => true);
      const options: CorsOptions =
        originCache === undefined ? { origin: fn } : { origin: fn, originCache };
      const { req, headers } = send(cors(options), { origin: 'https://a b.example' });
      expect(fn).not.toHaveBeenCalled();
      expect(headers['access-control-allow-origin']).toBeUndefined();
      expect(corsDecision(req)).toMatchObject({ allowed: false, reason: 'invalid-origin' });
    }
  });

  it('answers from the cache without asking again, and the decision says the same', () => {
    const fn = jest.fn((origin: string) => origin === APP);
    const mw = cors({ origin: fn, originCache: { ttl: 60_000 } });
    send(mw, { origin: APP });
    const { req, headers } = send(mw, { origin: APP });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(headers['access-control-allow-origin']).toBe(APP);
    expect(corsDecision(req)).toMatchObject({ allowed: true });
  });

  it('does not keep an answer given while the function cleared the cache', () => {
    const fn = jest.fn((_origin: string) => {
      mw.clearOriginCache();
      return true;
    });
    const mw = cors({ origin: fn, originCache: { ttl: 60_000 } });
    send(mw, { origin: APP });
    send(mw, { origin: APP });
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('fails closed on an invalid answer given later', async () => {
    const mw = cors({ origin: async () => Promise.resolve(42) });
    const req = { method: 'GET', url: '/', headers: { origin: APP } } as unknown as IncomingMessage;
    const res = {
      setHeader: () => undefined,
      getHeader: () => undefined,
    } as unknown as ServerResponse;
    const err = await new Promise((resolve) => {
      mw(req, res, resolve);
    });
    expect(err).toMatchObject({ name: 'CorsFunctionError', code: 'CORS_ORIGIN_INVALID_ANSWER' });
    expect(corsDecision(req)).toMatchObject({ allowed: false, reason: 'invalid-configuration' });
  });

  it('is not published by an app-level function origin when a route-level corsguard decides', async () => {
    const seen: string[] = [];
    const app = express();
    app.use(cors({ origin: (_origin) => true, onDecision: () => seen.push('app') }));
    app.get('/x', cors({ origin: [APP], onDecision: () => seen.push('route') }), (_req, res) => {
      res.end();
    });
    await request(app).get('/x').set('Origin', APP).expect('Access-Control-Allow-Origin', APP);
    expect(seen).toEqual(['route']);
  });
});
