// Issue 25, first part: `corsguard/fetch`, the same policy for Fetch-API handlers. Checked against the
// Express middleware request by request (a table here, generated configurations and requests in
// fetch.property.test.ts; the middleware on a real node:http server), and for what only a Fetch
// front has: preflights answered without the handler, Vary merged into the handler's Response,
// immutable Responses copied with their body streamed, errors as rejections.
import { Hono } from 'hono';
import http from 'node:http';
import request from 'supertest';
import { CorsConfigError, CorsTimeoutError, cors as nodeCors, explainCors } from '../lib/index.js';
import { cors } from '../lib/fetch/index.js';
import { A, EVIL, type Given, type Sent, agree, failing } from './helpers/agree.js';

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

  it('copies an immutable Response a preflight was passed on to (preflightContinue)', async () => {
    const guard = cors({ origin: [A], preflightContinue: true });
    const res = await guard(preflight(A), () => Response.redirect(`${API}/elsewhere`, 307));
    expect(res.status).toBe(307);
    expect(res.headers.get('access-control-allow-origin')).toBe(A);
    expect(res.headers.get('vary')).toBe('Origin, Access-Control-Request-Headers');
    const mutable = await guard(
      preflight(A),
      () => new Response('mine', { headers: { Vary: 'origin, Accept' } }),
    );
    expect(mutable.headers.get('vary')).toBe('origin, Accept, Access-Control-Request-Headers');
  });

  it('rejects with what onDecision threw, and sends nothing, whatever the origin option', async () => {
    const thrown = new Error('metrics down');
    for (const origin of [false, '*', A, [A], (o: string) => o === A]) {
      let called = false;
      const guard = cors({
        origin,
        onDecision: () => {
          throw thrown;
        },
      });
      await expect(
        guard(new Request(`${API}/x`, { headers: { Origin: A } }), () => {
          called = true;
          return new Response('app');
        }),
      ).rejects.toBe(thrown);
      expect(called).toBe(false);
    }
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
    const decisions: unknown[] = [];
    const told = cors({
      origin: (_origin: string) => Promise.reject(boom),
      onDecision: (d) => decisions.push(d),
    });
    await expect(told(preflight(A), handler())).rejects.toBe(boom);
    await expect(told(new Request(`${API}/x`, { headers: { Origin: A } }), handler())).rejects.toBe(
      boom,
    );
    expect(decisions).toEqual([
      expect.objectContaining({ kind: 'preflight', reason: 'origin-resolver-error', error: boom }),
      expect.objectContaining({ kind: 'actual', reason: 'origin-resolver-error', error: boom }),
    ]);
    const slow = cors({
      origin: (_origin: string) => new Promise<boolean>(() => undefined),
      originTimeout: 20,
    });
    await expect(
      slow(new Request(`${API}/x`, { headers: { Origin: A } }), handler()),
    ).rejects.toBeInstanceOf(CorsTimeoutError);
  });

  it('caches a function origin’s answers (originCache), cleared by clearOriginCache and by a bus', async () => {
    const subscribers: ((message: string) => void)[] = [];
    const bus = {
      publish(message: string) {
        for (const s of subscribers) s(message);
      },
      subscribe(onMessage: (message: string) => void) {
        subscribers.push(onMessage);
      },
    };
    const allowed = new Set([A]);
    let asked = 0;
    const origin = (o: string) => {
      asked++;
      return allowed.has(o);
    };
    const here = cors({ origin, originCache: { ttl: 60_000, bus } });
    const there = cors({ origin, originCache: { ttl: 60_000, bus } });
    const ask = async (guard: typeof here) =>
      (await guard(new Request(`${API}/x`, { headers: { Origin: A } }), handler())).headers.get(
        'access-control-allow-origin',
      );
    expect([await ask(here), await ask(here), await ask(there)]).toEqual([A, A, A]);
    expect(asked).toBe(2); // once per guard
    allowed.delete(A);
    expect(await ask(here)).toBe(A); // still cached
    here.clearOriginCache(A); // here, and there through the bus
    expect([await ask(here), await ask(there)]).toEqual([null, null]);
    expect(asked).toBe(4);
    // Other origin options cache nothing, and clearing does nothing.
    const listed = cors({ origin: [A] });
    listed.clearOriginCache();
    expect(await ask(listed)).toBe(A);
  });

  it('says what to pass when given something else than a Request, or no handler, or no Response', async () => {
    const guard = cors({ origin: [A] });
    const context = { req: { raw: new Request(`${API}/x`, { headers: { Origin: A } }) } };
    // app.use(guard) in Hono: the guard gets a Context and Hono's next.
    await expect(
      guard(context as never, () => Promise.resolve(undefined as never)),
    ).rejects.toThrow(
      /was given a Hono Context \(app.use\(guard\)\); as a Hono middleware, write app.use\(\(c, next\) => guard\(c.req.raw/,
    );
    await expect(guard({ url: '/x' } as never, handler())).rejects.toThrow(
      /takes a Fetch Request, got an object/,
    );
    await expect(guard(undefined as never, handler())).rejects.toThrow(
      /takes a Fetch Request, got undefined/,
    );
    // A Request-like object's own failure is passed on as it is.
    const odd = new Error('headers unavailable');
    const failing = {
      headers: {
        get: () => {
          throw odd;
        },
      },
    };
    await expect(guard(failing as never, handler())).rejects.toBe(odd);
    const get = new Request(`${API}/x`, { headers: { Origin: A } });
    // A guard written for preflights only still answers them, and says what a GET lacks.
    expect((await guard(preflight(A), undefined as never)).status).toBe(204);
    await expect(guard(get, undefined as never)).rejects.toThrow(/needs next, the handler/);
    for (const other of [cors({ origin: false }), cors({ origin: (o: string) => o === A })]) {
      await expect(other(get, () => undefined as never)).rejects.toThrow(
        /next\(request\) must return a Response, or a Promise of one; it gave undefined/,
      );
    }
    // An error of the application's own is passed on as it is.
    const mine = new Error('handler failed');
    await expect(
      guard(get, () => {
        throw mine;
      }),
    ).rejects.toBe(mine);
  });

  it('works as a Hono middleware in the form docs/fetch.md shows', async () => {
    const guard = cors({ origin: [A], credentials: true });
    const app = new Hono();
    app.use((c, next) =>
      guard(c.req.raw, async () => {
        await next();
        return c.res;
      }),
    );
    app.get('/api/hello', (c) => c.json({ hello: 'world' }, 200, { Vary: 'Accept' }));
    const allowed = await app.fetch(new Request(`${API}/api/hello`, { headers: { Origin: A } }));
    expect(await allowed.json()).toEqual({ hello: 'world' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(A);
    expect(allowed.headers.get('vary')).toBe('Accept, Origin');
    const answered = await app.fetch(preflight(A));
    expect(answered.status).toBe(204);
    expect(answered.headers.get('access-control-allow-credentials')).toBe('true');
    const refused = await app.fetch(new Request(`${API}/api/hello`, { headers: { Origin: EVIL } }));
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses hostile requests: a megabyte Origin, a megabyte header list, two Origin headers', async () => {
    const decisions: string[] = [];
    const guard = cors({
      origin: [A, 'https://*.example.com'],
      onDecision: (d) => decisions.push(d.allowed ? 'allowed' : d.reason),
    });
    const huge = `https://${'a.'.repeat(500_000)}example.com`;
    const hugeOrigin = await guard(
      new Request(`${API}/x`, { headers: { Origin: huge } }),
      handler(),
    );
    expect(hugeOrigin.headers.get('access-control-allow-origin')).toBeNull();
    const list = await guard(preflight(A, 'PUT', 'x-a,'.repeat(250_000)), handler());
    expect(list.headers.get('access-control-allow-headers')).toBeNull();
    const twice = new Headers({ Origin: A });
    twice.append('Origin', 'https://b.example.com');
    const joined = await guard(new Request(`${API}/x`, { headers: twice }), handler());
    expect(joined.headers.get('access-control-allow-origin')).toBeNull();
    expect(decisions).toEqual(['invalid-origin', 'invalid-request-headers', 'invalid-origin']);
  });

  it('builds from one options object reused and edited between two guards what each held when built', async () => {
    const options = { origin: [A], credentials: true };
    const ask = async (guard: ReturnType<typeof cors>, origin: string) =>
      (
        await guard(new Request(`${API}/x`, { headers: { Origin: origin } }), handler())
      ).headers.get('access-control-allow-origin');
    const first = cors(options);
    const node = nodeCors(options);
    options.origin.push('https://b.example.com');
    const second = cors(options);
    // The second guard is compiled from the edited content, never served the first one's.
    expect(await ask(second, 'https://b.example.com')).toBe('https://b.example.com');
    // The first keeps what it was built from, as the Express middleware built beside it does.
    const fromNode = await new Promise<string | undefined>((resolve) => {
      const server = http.createServer((r, s) => {
        node(r, s, () => s.end());
      });
      void request(server)
        .get('/x')
        .set('Origin', 'https://b.example.com')
        .then((res) => {
          resolve(res.headers['access-control-allow-origin']);
        });
    });
    expect(await ask(first, 'https://b.example.com')).toBe(fromNode ?? null);
    expect(await ask(first, A)).toBe(A);
    // cors(true), as engine.io passes it: the defaults.
    expect(await ask(cors(true as never), EVIL)).toBe('*');
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
    // A compile-time error too, as for the Express middleware.
    // @ts-expect-error -- origin '*' cannot be combined with credentials: true
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

describe('corsguard/fetch and the Express middleware agree', () => {
  // The rarer combinations, run every time; fetch.property.test.ts runs generated ones.
  const pf = (over: Partial<Sent> = {}): Sent => ({
    origin: A,
    method: 'OPTIONS',
    acrm: 'PUT',
    acrh: 'content-type',
    acrpn: true,
    ...over,
  });
  it.each<[string, Given, Sent]>([
    [
      'a continued preflight, reflected headers and private network',
      { origin: [A], preflightContinue: true, privateNetworkAccess: true },
      pf(),
    ],
    [
      'a continued preflight, listed headers and a status',
      {
        origin: A,
        preflightContinue: true,
        allowedHeaders: 'X-A,X-B',
        optionsSuccessStatus: 200,
        maxAge: 600,
        credentials: true,
      },
      pf({ acrpn: false }),
    ],
    [
      'a continued preflight of a refused origin',
      { origin: [A], preflightContinue: true },
      pf({ origin: EVIL }),
    ],
    [
      'a continued preflight with nothing to reflect',
      { origin: '*', preflightContinue: true, methods: [] },
      pf({ acrh: undefined, acrpn: false }),
    ],
    [
      'an answered preflight, private network',
      { origin: true, privateNetworkAccess: true, allowedHeaders: ['Content-Type'] },
      pf(),
    ],
    [
      'an answered preflight, private network not asked',
      { origin: [A], privateNetworkAccess: true },
      pf({ acrpn: false, acrh: 'x y' }),
    ],
    [
      'an answered preflight of a refused origin, status 200',
      { origin: [A], optionsSuccessStatus: 200 },
      pf({ origin: EVIL }),
    ],
    [
      'a request without Origin',
      { origin: [A], exposedHeaders: ['X-Id'] },
      { method: 'GET', acrpn: false },
    ],
    ['a failing function origin', { origin: failing }, pf({ method: 'POST' })],
  ])('%s', async (_label, given, req) => {
    await agree(given, req);
  });
});
