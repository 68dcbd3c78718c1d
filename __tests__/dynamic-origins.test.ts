// A function origin that asks a database: time-limited, cached, shared between concurrent requests.
import { spawnSync } from 'node:child_process';
import v8 from 'node:v8';
import vm from 'node:vm';
import { OriginCache } from '../lib/core/cache.js';
import {
  cors,
  corsDecision,
  CorsConfigError,
  CorsTimeoutError,
  type CorsOptions,
  type CustomOrigin,
} from '../lib/index.js';
import { run } from './helpers/mock.js';

const APP = 'https://app.example.com';
const get = (origin: string) => ({ method: 'GET', url: '/', headers: { Origin: origin } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const acao = (headers: Record<string, string>) => headers['access-control-allow-origin'];

describe('originTimeout', () => {
  it('fails a function that never answers with a 503 CorsTimeoutError within the limit, and ignores a late answer', async () => {
    let answer: (allow: boolean) => void = () => undefined;
    const mw = cors({
      origin: (_origin, callback) => {
        answer = (allow) => {
          callback(null, allow);
        };
      },
      originTimeout: 50,
    });
    const started = Date.now();
    const out = await run(mw, get(APP));
    const took = Date.now() - started;
    expect(out.err).toBeInstanceOf(CorsTimeoutError);
    expect(out.err).toMatchObject({ code: 'CORS_ORIGIN_TIMEOUT', status: 503, timeout: 50 });
    expect(took).toBeGreaterThanOrEqual(45);
    expect(took).toBeLessThan(1000);
    expect(out.headers).toEqual({});
    answer(true);
    await sleep(10);
    expect(out.nextCalls).toBe(1);
  });

  it('records the refusal as origin-resolver-timeout', async () => {
    const req = get(APP);
    const mw = cors({
      origin: (_origin) => new Promise<boolean>(() => undefined),
      originTimeout: 20,
    });
    const out = await run(mw, req);
    expect(out.err).toBeInstanceOf(CorsTimeoutError);
  });

  it('leaves nothing pending once the function answered in time', async () => {
    const timers = jest.spyOn(global, 'clearTimeout');
    try {
      const out = await run(
        cors({ origin: (_origin) => Promise.resolve(true), originTimeout: 10_000 }),
        get(APP),
      );
      expect(acao(out.headers)).toBe(APP);
      expect(timers).toHaveBeenCalledTimes(1);
    } finally {
      timers.mockRestore();
    }
  });

  it('with 0, sets no timer at all', async () => {
    const timers = jest.spyOn(global, 'setTimeout');
    try {
      await run(cors({ origin: (_origin) => true, originTimeout: 0 }), get(APP));
      expect(timers).not.toHaveBeenCalled();
    } finally {
      timers.mockRestore();
    }
  });

  it('keeps the server answering other requests while one lookup hangs', async () => {
    const mw = cors({
      origin: (o) => (o === APP ? new Promise<boolean>(() => undefined) : true),
      originTimeout: 100,
    });
    const hanging = run(mw, get(APP));
    const other = await run(mw, get('https://other.example'));
    expect(acao(other.headers)).toBe('https://other.example');
    expect((await hanging).err).toBeInstanceOf(CorsTimeoutError);
  });

  it.each([-1, 1.5, '100', 2 ** 31, Number.NaN])('refuses %p', (originTimeout) => {
    expect(() =>
      cors({ origin: (_origin) => true, originTimeout: originTimeout as number }),
    ).toThrow(/originTimeout: expected a whole number of milliseconds/);
  });
});

describe('an options delegate with a time limit', () => {
  it('fails with a CorsTimeoutError when the delegate does not answer in time', async () => {
    const mw = cors((_req) => new Promise<CorsOptions>(() => undefined), { originTimeout: 30 });
    const req = get(APP);
    const out = await run(mw, req);
    expect(out.err).toBeInstanceOf(CorsTimeoutError);
    expect((out.err as Error).message).toMatch(/the options delegate did not answer within 30 ms/);
  });

  it('ignores an answer that comes after the limit', async () => {
    let answer: () => void = () => undefined;
    const mw = cors(
      (_req, callback) => {
        answer = () => {
          callback(null, { origin: [APP] });
        };
      },
      { originTimeout: 20 },
    );
    const out = await run(mw, get(APP));
    answer();
    await sleep(10);
    expect(out.err).toBeInstanceOf(CorsTimeoutError);
    expect(out.nextCalls).toBe(1);
    expect(out.headers).toEqual({});
  });

  it('takes the default limit, or none with 0, for an answer still to come', async () => {
    const later = (_req: unknown, callback: (err: unknown, options: object) => void): void => {
      setImmediate(() => {
        callback(null, { origin: [APP] });
      });
    };
    const timers = jest.spyOn(global, 'setTimeout');
    try {
      await run(cors(later), get(APP));
      expect(timers).toHaveBeenLastCalledWith(expect.any(Function), 5000);
      timers.mockClear();
      await run(cors(later, { originTimeout: 0 }), get(APP));
      expect(timers).not.toHaveBeenCalled();
      // A synchronous answer needs no timer at all.
      await run(
        cors((_req) => ({ origin: [APP] })),
        get(APP),
      );
      expect(timers).not.toHaveBeenCalled();
    } finally {
      timers.mockRestore();
    }
  });

  it.each<[unknown, RegExp]>([
    ['fast', /expected \{ originTimeout \}/],
    [{ timeout: 5 }, /timeout: unknown setting/],
    [{ originTimeout: -5 }, /originTimeout: expected a whole number/],
  ])('refuses the settings %p', (settings, message) => {
    expect(() => cors((_req) => ({}), settings as never)).toThrow(message);
  });

  it('ignores settings given with plain options, as cors ignores a second argument', async () => {
    const untyped = cors as (...args: unknown[]) => ReturnType<typeof cors>;
    // Settings a delegate would refuse are not even read after plain options.
    const mw = untyped({ origin: [APP] }, { originTimeout: -1, anything: true });
    expect(acao((await run(mw, get(APP))).headers)).toBe(APP);
    expect(() => untyped((_req: unknown) => null, { originTimeout: -1 })).toThrow(/originTimeout/);
  });
});

describe('originCache', () => {
  const counting = (answer: (origin: string) => boolean | Promise<boolean>) => {
    const calls: string[] = [];
    const fn: CustomOrigin = (origin) => {
      calls.push(origin);
      return answer(origin);
    };
    return { fn, calls };
  };

  it('lets 50 concurrent requests for one new origin share one call', async () => {
    const { fn, calls } = counting(async () => {
      await sleep(20);
      return true;
    });
    const mw = cors({ origin: fn, originCache: { ttl: 60_000 } });
    const outs = await Promise.all(Array.from({ length: 50 }, () => run(mw, get(APP))));
    expect(calls).toEqual([APP]);
    expect(outs.every((out) => acao(out.headers) === APP)).toBe(true);
  });

  it('keeps refusals too, and asks again after ttl', async () => {
    const { fn, calls } = counting((o) => o === APP);
    const mw = cors({ origin: fn, originCache: { ttl: 40 } });
    for (let i = 0; i < 3; i++) {
      expect(acao((await run(mw, get(APP))).headers)).toBe(APP);
      expect(acao((await run(mw, get('https://evil.example'))).headers)).toBeUndefined();
    }
    expect(calls).toEqual([APP, 'https://evil.example']);
    await sleep(60);
    await run(mw, get(APP));
    expect(calls).toEqual([APP, 'https://evil.example', APP]);
  });

  it('takes clearOriginCache(origin) and clearOriginCache() into account on the next request', async () => {
    let allowed = true;
    const { fn, calls } = counting(() => allowed);
    const mw = cors({ origin: fn, originCache: { ttl: 60_000 } });
    await run(mw, get(APP));
    await run(mw, get('https://b.example'));
    allowed = false;
    mw.clearOriginCache(APP);
    expect(acao((await run(mw, get(APP))).headers)).toBeUndefined();
    expect(acao((await run(mw, get('https://b.example'))).headers)).toBe('https://b.example');
    mw.clearOriginCache();
    expect(acao((await run(mw, get('https://b.example'))).headers)).toBeUndefined();
    expect(calls).toEqual([APP, 'https://b.example', APP, 'https://b.example']);
  });

  it('does not store an answer asked for before a clear', async () => {
    let allowed = true;
    const mw = cors({
      origin: async () => {
        const answer = allowed;
        await sleep(20);
        return answer;
      },
      originCache: { ttl: 60_000 },
    });
    const inFlight = run(mw, get(APP));
    allowed = false;
    mw.clearOriginCache(APP);
    expect(acao((await inFlight).headers)).toBe(APP);
    expect(acao((await run(mw, get(APP))).headers)).toBeUndefined();
  });

  it('starts a fresh lookup for a request that comes after a clear, even while one is in flight', async () => {
    let allowed = false;
    let calls = 0;
    const mw = cors({
      origin: async () => {
        calls++;
        const answer = allowed;
        await sleep(30);
        return answer;
      },
      originCache: { ttl: 60_000 },
    });
    const before = run(mw, get(APP));
    await sleep(5);
    allowed = true; // the row is added...
    mw.clearOriginCache(APP); // ...and the cache told
    const after = run(mw, get(APP));
    expect(acao((await before).headers)).toBeUndefined();
    expect(acao((await after).headers)).toBe(APP);
    expect(acao((await run(mw, get(APP))).headers)).toBe(APP);
    expect(calls).toBe(2);
  });

  it("clearing one origin does not stop another origin's lookup from being cached", async () => {
    const calls: string[] = [];
    const mw = cors({
      origin: async (origin) => {
        calls.push(origin);
        await sleep(20);
        return true;
      },
      originCache: { ttl: 60_000 },
    });
    const b = run(mw, get('https://b.example'));
    mw.clearOriginCache(APP);
    await b;
    await run(mw, get('https://b.example'));
    expect(calls).toEqual(['https://b.example']);
  });

  it('does not keep errors, timeouts or invalid answers', async () => {
    let mode: 'throw' | 'hang' | 'invalid' | 'ok' = 'throw';
    const calls: string[] = [];
    const mw = cors({
      origin: (_origin) => {
        calls.push(mode);
        if (mode === 'throw') throw new Error('db down');
        if (mode === 'hang') return new Promise<boolean>(() => undefined);
        return mode === 'invalid' ? 'not an origin' : true;
      },
      originCache: { ttl: 60_000 },
      originTimeout: 20,
    });
    expect((await run(mw, get(APP))).err).toEqual(new Error('db down'));
    mode = 'hang';
    expect((await run(mw, get(APP))).err).toBeInstanceOf(CorsTimeoutError);
    mode = 'invalid';
    expect((await run(mw, get(APP))).err).toBeInstanceOf(CorsConfigError);
    mode = 'ok';
    expect(acao((await run(mw, get(APP))).headers)).toBe(APP);
    expect(acao((await run(mw, get(APP))).headers)).toBe(APP);
    expect(calls).toEqual(['throw', 'hang', 'invalid', 'ok']);
  });

  it('passes one failure to every request that shared the call, each with its own decision', async () => {
    const boom = new Error('db down');
    const mw = cors({
      origin: async () => {
        await sleep(10);
        throw boom;
      },
      originCache: { ttl: 60_000 },
    });
    const reqs = [get(APP), get(APP), get(APP)];
    const outs = await Promise.all(reqs.map((req) => run(mw, req)));
    expect(outs.map((out) => out.err)).toEqual([boom, boom, boom]);
  });

  it('keeps at most max entries whatever the traffic: 10,000 origins with max 100', async () => {
    const { fn, calls } = counting(() => true);
    const mw = cors({ origin: fn, originCache: { ttl: 60_000, max: 100 } });
    for (let i = 0; i < 10_000; i++) await run(mw, get(`https://t${String(i)}.example`));
    expect(calls).toHaveLength(10_000);
    // The newest 100 are still cached; the first one went long ago.
    await run(mw, get('https://t9999.example'));
    await run(mw, get('https://t9900.example'));
    expect(calls).toHaveLength(10_000);
    await run(mw, get('https://t0.example'));
    expect(calls).toHaveLength(10_001);
  });

  it.each<[unknown, RegExp]>([
    [{ ttl: 0 }, /originCache\.ttl: expected how long/],
    [{ ttl: 1000, max: 0 }, /originCache\.max: expected the most answers/],
    [{ ttl: 1000, size: 5 }, /originCache\.size: unknown option/],
    [60_000, /originCache: expected \{ ttl, max \}/],
    [null, /originCache: expected \{ ttl, max \}/],
  ])('refuses %p', (originCache, message) => {
    expect(() => cors({ origin: (_origin) => true, originCache: originCache as never })).toThrow(
      message,
    );
  });

  it('is refused when the origin is not a function', () => {
    expect(() => cors({ origin: [APP], originCache: { ttl: 1000 } })).toThrow(
      /origin is not a function/,
    );
  });
});

describe('clearOriginCache', () => {
  it('exists, and does nothing, on every middleware that caches nothing', () => {
    for (const mw of [cors(), cors({ origin: [APP] }), cors({ origin: (_origin) => true })]) {
      expect(() => {
        mw.clearOriginCache();
        mw.clearOriginCache(APP);
      }).not.toThrow();
    }
  });

  it('on a delegate middleware, clears the caches of the options it returned', async () => {
    let allowed = true;
    const calls: string[] = [];
    const options: CorsOptions = {
      origin: (origin) => {
        calls.push(origin);
        return allowed;
      },
      originCache: { ttl: 60_000 },
    };
    const mw = cors((_req) => options);
    await run(mw, get(APP));
    await run(mw, get(APP));
    expect(calls).toEqual([APP]);
    allowed = false;
    mw.clearOriginCache(APP);
    expect(acao((await run(mw, get(APP))).headers)).toBeUndefined();
    expect(calls).toEqual([APP, APP]);
  });

  it('on a delegate middleware, still clears live caches after options objects were collected', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const calls: string[] = [];
    const kept: CorsOptions = {
      origin: (origin) => {
        calls.push(origin);
        return true;
      },
      originCache: { ttl: 60_000 },
    };
    const state = { collected: false };
    const registry = new FinalizationRegistry(() => {
      state.collected = true;
    });
    let answers = 0;
    const mw = cors((_req) => {
      answers++;
      if (answers === 1) {
        const once: CorsOptions = { origin: (_o) => true, originCache: { ttl: 60_000 } };
        registry.register(once, 'once');
        return once;
      }
      // Other contents, enough to push `once` out of the delegate's bounded cache of compilations.
      if (answers <= 301) return { origin: [APP], maxAge: answers };
      return kept;
    });
    await run(mw, get(APP)); // compiles a caching handler for `once`, which nobody keeps
    for (let i = 0; i < 300; i++) await run(mw, get(APP));
    await run(mw, get(APP)); // and one for `kept`
    for (let i = 0; i < 20 && !state.collected; i++) {
      await sleep(5);
      gc();
    }
    expect(state.collected).toBe(true);
    // The handler compiled for `once` goes with it (a collection or two later).
    for (let i = 0; i < 3; i++) {
      await sleep(5);
      gc();
    }
    mw.clearOriginCache(APP);
    await run(mw, get(APP));
    expect(calls).toEqual([APP, APP]);
  });
});

describe('OriginCache', () => {
  it('never holds more than max entries, dropping the oldest first', () => {
    const cache = new OriginCache(60_000, 3);
    for (const o of ['a', 'b', 'c', 'd']) cache.set(o, o, 0);
    expect(cache.size).toBe(3);
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('d', 1)).toBe('d');
  });

  it('keeps a refusal as null, distinct from a miss', () => {
    const cache = new OriginCache(100, 10);
    cache.set('x', null, 0);
    expect(cache.get('x', 50)).toBeNull();
    expect(cache.get('y', 50)).toBeUndefined();
  });

  it('forgets an entry at its expiry', () => {
    const cache = new OriginCache(100, 10);
    cache.set('x', 'x', 0);
    expect(cache.get('x', 99)).toBe('x');
    expect(cache.get('x', 100)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('refreshes an entry set again without growing', () => {
    const cache = new OriginCache(100, 2);
    cache.set('a', 'a', 0);
    cache.set('b', 'b', 0);
    cache.set('a', null, 10);
    expect(cache.size).toBe(2);
    expect(cache.get('a', 105)).toBeNull();
    expect(cache.get('b', 105)).toBeUndefined();
  });
});

describe('the decision of a timed-out lookup', () => {
  it('says origin-resolver-timeout', async () => {
    const req = { method: 'GET', url: '/', headers: { origin: APP } };
    await run(
      cors({ origin: (_origin) => new Promise<boolean>(() => undefined), originTimeout: 10 }),
      req,
    );
    // run() lower-cases header names into its own request object, so decide from an explicit one
    const mw = cors({
      origin: (_origin) => new Promise<boolean>(() => undefined),
      originTimeout: 10,
    });
    const explicit = { method: 'GET', url: '/', headers: { origin: APP } };
    await new Promise<void>((resolve) => {
      mw(
        explicit as never,
        { headersSent: false, getHeader: () => undefined, setHeader: () => undefined } as never,
        () => {
          resolve();
        },
      );
    });
    expect(corsDecision(explicit as never)).toMatchObject({
      allowed: false,
      reason: 'origin-resolver-timeout',
    });
  });
});

describe("an options delegate's answer", () => {
  const preflight = {
    method: 'OPTIONS',
    headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'PUT' },
  };

  it('fails closed when a one-parameter delegate returns undefined: never the defaults', async () => {
    const out = await run(
      cors((req) => (req.headers.origin === APP ? { origin: [APP] } : undefined)),
      preflight,
    );
    expect(out.via).toBe('next');
    expect(out.err).toBeInstanceOf(CorsConfigError);
    expect((out.err as CorsConfigError).message).toContain('null for the defaults');
    expect(out.headers).toEqual({});
  });

  it.each<[string, unknown, RegExp]>([
    ['a Map', new Map(), /called back with a Map object, not an options object/],
    ['an array', [APP], /called back with an array of 1/],
    ['a string', APP, /called back with "https:\/\/app\.example\.com"/],
  ])('fails closed on %s given to the callback', async (_what, answer, message) => {
    const out = await run(
      cors((_req, callback) => {
        callback(null, answer as never);
      }),
      preflight,
    );
    expect(out.err).toBeInstanceOf(CorsConfigError);
    expect((out.err as Error).message).toMatch(message);
    expect(out.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('names what a wrapper returned (the Database of a callback-style client) when it times out', async () => {
    class Database {
      readonly filename = 'origins.db';
    }
    const out = await run(
      cors((..._args: unknown[]) => new Database() as never, { originTimeout: 50 }),
      preflight,
    );
    expect(out.err).toBeInstanceOf(CorsTimeoutError);
    expect((out.err as Error).message).toMatch(
      /what it returned \(a Database object\) was ignored/,
    );
    expect(out.headers).toEqual({});
  });

  it.each<[string, Parameters<typeof cors>[0]]>([
    ['a one-parameter delegate returning null', (_req: unknown) => null],
    [
      'callback(null) with no options',
      (_req: unknown, callback: (err: unknown) => void) => {
        callback(null);
      },
    ],
  ])('takes %s for the defaults, as cors does', async (_what, delegate) => {
    const out = await run(cors(delegate as never), get('https://evil.example'));
    expect(out.err).toBeUndefined();
    expect(acao(out.headers)).toBe('*');
  });
});

describe('an options delegate naming the request’s own origin', () => {
  type Callback = (err: unknown, options?: CorsOptions) => void;
  const reflectOwn = cors((req, callback: Callback) => {
    // As tutorials write it: reflect the origin after the delegate's own check.
    callback(null, { origin: req.headers.origin, credentials: true });
  });

  it('reflects Origin: null instead of failing on it', async () => {
    const out = await run(reflectOwn, get('null'));
    expect(out.err).toBeUndefined();
    expect(acao(out.headers)).toBe('null');
    expect(out.headers['access-control-allow-credentials']).toBe('true');
    expect(out.headers.vary).toBe('Origin');
  });

  it('takes a request without Origin for what it is, not a 500', async () => {
    const out = await run(reflectOwn, { method: 'GET', headers: {} });
    expect(out.err).toBeUndefined();
    expect(out.headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
  ])('refuses an origin left %s (an allow-map miss): no 500, never "*"', async (_what, missing) => {
    const allowed = new Map([[APP, APP]]);
    const mw = cors((req, callback: Callback) => {
      const origin = req.headers.origin;
      callback(null, {
        origin: (origin === undefined ? undefined : (allowed.get(origin) ?? missing)) as never,
      });
    });
    const refused = await run(mw, get('https://evil.example'));
    expect(refused.err).toBeUndefined();
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const sameOriginPost = await run(mw, { method: 'POST', headers: {} });
    expect(sameOriginPost.err).toBeUndefined();
    expect(acao((await run(mw, get(APP))).headers)).toBe(APP);
  });

  it('still refuses a malformed Origin it was handed', async () => {
    const out = await run(reflectOwn, get('https://app.example.com, https://evil.example'));
    expect(out.err).toBeUndefined();
    expect(out.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('emits no reflect-any warning for a delegate (it checks the origin itself)', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const mw = cors((_req: unknown, callback: Callback) => {
        callback(null, { origin: true, credentials: true });
      });
      const out = await run(mw, get(APP));
      expect(acao(out.headers)).toBe(APP);
      await run(mw, get(APP));
      expect(warn).not.toHaveBeenCalled();
      // Static options still warn.
      cors({ origin: true, credentials: true });
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('says so once under NODE_DEBUG=corsguard instead', () => {
    const script = `
      const cors = require(${JSON.stringify(require.resolve('../dist/cjs/cjs.js'))});
      const mw = cors((req, cb) => cb(null, { origin: true, credentials: true }));
      const res = { getHeader() {}, setHeader() {}, removeHeader() {} };
      for (let i = 0; i < 3; i++) mw({ method: 'GET', url: '/', headers: { origin: 'https://a.example' } }, res, () => {});
    `;
    const { stderr, status } = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, NODE_DEBUG: 'corsguard' },
      encoding: 'utf8',
    });
    expect(status).toBe(0);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/options delegate answered origin: true with credentials: true/);
    expect(stderr).not.toContain('Warning');
  });
});
