// Issue 20, "Fail closed on every answer user code gives": answers are values, read fresh, and judged
// by the rules the same value gets when built statically.
//
// Written as users write the code: an allow-list array refreshed in place by a timer or an admin
// endpoint, one options object shared by a delegate and edited, a Redis reply passed straight through.
// Each case runs on real servers under Express 5, Express 4 and node:http.
import type { RequestListener } from 'node:http';
import request from 'supertest';
import { cors, CorsConfigError, type CustomOrigin } from '../lib/index.js';
import { appWith, listener, type Middleware } from './helpers/frameworks.js';
import { run } from './helpers/mock.js';

const A = 'https://a.example';
const B = 'https://b.example';
const C = 'https://c.example';
const STACKS = ['express5', 'express4', 'node:http'] as const;

/** Where origin functions run: the Node stacks, and corsguard/fetch (served on Node by @hono/node-server). */
const ORIGIN_STACKS = [...STACKS, 'corsguard/fetch'] as const;

interface Answer {
  status: number;
  acao: string | undefined;
  acac: string | undefined;
  body: string;
}

/** One request through `mw` under `stack`: the status and the CORS answer. */
async function ask(
  stack: (typeof STACKS)[number],
  mw: Middleware,
  origin: string,
  preflight = false,
): Promise<Answer> {
  return askApp(listener(stack, mw), origin, preflight);
}

/** One request to an application: the status and the CORS answer. */
async function askApp(app: RequestListener, origin: string, preflight = false): Promise<Answer> {
  const res = preflight
    ? await request(app)
        .options('/')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'PUT')
    : await request(app).get('/').set('Origin', origin);
  return {
    status: res.status,
    acao: res.headers['access-control-allow-origin'],
    acac: res.headers['access-control-allow-credentials'],
    body: res.text,
  };
}

describe.each(ORIGIN_STACKS)('an allow-list edited in place, under %s', (stack) => {
  it('an array a callback answers with: a removed origin is refused on the next request, an added one allowed', async () => {
    const allowed = [A, B];
    // What a refresh job does to a shared array: `allowed.splice(0, allowed.length, ...rows)`.
    const mw = appWith(stack, {
      origin: (_origin, cb) => {
        cb(null, allowed);
      },
      credentials: true,
    });
    expect((await askApp(mw, B)).acao).toBe(B);
    allowed.splice(allowed.indexOf(B), 1);
    const revoked = await askApp(mw, B);
    expect(revoked.acao).toBeUndefined();
    expect(revoked.acac).toBeUndefined();
    expect((await askApp(mw, B, true)).acao).toBeUndefined();
    allowed.push(C);
    expect((await askApp(mw, C)).acao).toBe(C);
    expect((await askApp(mw, C, true)).acao).toBe(C);
    allowed[0] = 'https://*.example.org';
    expect((await askApp(mw, A)).acao).toBeUndefined();
    expect((await askApp(mw, 'https://x.example.org')).acao).toBe('https://x.example.org');
  });

  it('an array refreshed in place by a timer, as a cache of a database table is', async () => {
    const allowed: string[] = [A, B];
    const rows = [[A], [A, C], [C]];
    let tick = 0;
    const refresh = (): void => {
      allowed.length = 0;
      allowed.push(...rows[tick++ % rows.length]!);
    };
    const mw = appWith(stack, { origin: async (_origin) => Promise.resolve(allowed) });
    expect((await askApp(mw, B)).acao).toBe(B);
    for (let i = 0; i < 3; i++) {
      refresh();
      for (const origin of [A, B, C]) {
        expect((await askApp(mw, origin)).acao).toBe(allowed.includes(origin) ? origin : undefined);
      }
    }
  });

  it('clearOriginCache is not needed: the cached array answer is read afresh', async () => {
    const allowed = [A, B];
    const mw = appWith(stack, {
      origin: (_origin, cb) => {
        cb(null, allowed);
      },
    });
    expect((await askApp(mw, A)).acao).toBe(A);
    allowed.shift();
    expect((await askApp(mw, A)).acao).toBeUndefined();
  });

  it('a RegExp answer changed in place by RegExp.prototype.compile is read afresh', async () => {
    const re = /^https:\/\/a\.example$/;
    const mw = appWith(stack, {
      origin: (_origin, cb) => {
        cb(null, re);
      },
    });
    expect((await askApp(mw, A)).acao).toBe(A);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the in-place change under test
    re.compile('^https:\\/\\/b\\.example$');
    expect((await askApp(mw, A)).acao).toBeUndefined();
    expect((await askApp(mw, B)).acao).toBe(B);
  });
});

describe.each(STACKS)('one options object answered by a delegate and edited, under %s', (stack) => {
  it('an admin endpoint turning CORS off is obeyed on the next request, credentials included', async () => {
    const opts: { origin: boolean | string[]; credentials: boolean } = {
      origin: [A, B],
      credentials: true,
    };
    const mw = cors((_req, cb) => {
      cb(null, opts);
    });
    const before = await ask(stack, mw, A);
    expect(before.acao).toBe(A);
    expect(before.acac).toBe('true');
    opts.origin = false;
    const after = await ask(stack, mw, A);
    expect(after.acao).toBeUndefined();
    expect(after.acac).toBeUndefined();
    expect((await ask(stack, mw, A, true)).acao).toBeUndefined();
  });

  it('an origin pushed to or removed from the options’ own array', async () => {
    const opts = { origin: [A], credentials: true };
    const mw = cors((_req, cb) => {
      cb(null, opts);
    });
    expect((await ask(stack, mw, C)).acao).toBeUndefined();
    opts.origin.push(C);
    expect((await ask(stack, mw, C)).acao).toBe(C);
    opts.origin.splice(0, 1);
    expect((await ask(stack, mw, A)).acao).toBeUndefined();
  });

  it('an edit that makes the options invalid fails closed (no CORS headers, a CorsConfigError)', async () => {
    const opts: { origin: string | string[]; credentials: boolean } = {
      origin: [A],
      credentials: true,
    };
    const mw = cors((_req, cb) => {
      cb(null, opts);
    });
    expect((await ask(stack, mw, A)).acao).toBe(A);
    opts.origin = '*';
    const after = await ask(stack, mw, A);
    expect(after.status).toBe(500);
    expect(after.body).toBe('error:CORS_CONFIG_INVALID');
    expect(after.acao).toBeUndefined();
  });
});

describe.each(STACKS)('what a build would refuse is refused in an answer, under %s', (stack) => {
  it("'null' in an answered array is refused for every origin alike, Origin: null included", async () => {
    expect(() => cors({ origin: ['null', A], credentials: true })).toThrow(CorsConfigError);
    const mw = cors({
      origin: (_origin, cb) => {
        cb(null, ['null', A]);
      },
      credentials: true,
    });
    for (const origin of ['null', A, B]) {
      const seen = await ask(stack, mw, origin);
      expect(seen.status).toBe(500);
      expect(seen.body).toBe('error:CORS_CONFIG_INVALID');
      expect(seen.acao).toBeUndefined();
      expect(seen.acac).toBeUndefined();
    }
  });

  it.each<[string, unknown]>([
    ['a wildcard over a public suffix', ['https://*.com']],
    ['an unanchored RegExp', /example\.com$/],
    ['a RegExp with an unescaped dot', [/^https:\/\/a.example$/]],
    ["'*' inside a list", ['*', A]],
  ])('%s, refused for every origin alike', async (_what, answer) => {
    const mw = cors({
      origin: (_origin, cb) => {
        cb(null, answer as string[]);
      },
    });
    for (const origin of [A, B]) {
      const seen = await ask(stack, mw, origin);
      expect(seen.status).toBe(500);
      expect(seen.acao).toBeUndefined();
    }
  });

  it("the request's own origin as a string stays the function's decision (Origin: null included)", async () => {
    const mw = cors({
      origin: (origin, cb) => {
        cb(null, origin === 'null' || origin === A ? origin : false);
      },
      credentials: true,
    });
    expect((await ask(stack, mw, 'null')).acao).toBe('null');
    expect((await ask(stack, mw, A)).acao).toBe(A);
    expect((await ask(stack, mw, B)).acao).toBeUndefined();
  });
});

describe('options built anew for every request', () => {
  it('options built anew for every request with equal content are compiled once', async () => {
    let builds = 0;
    const origin: CustomOrigin = (o, cb) => {
      builds++;
      cb(null, o === A);
    };
    // A delegate answering a fresh object each time around one shared origin function.
    const mw = cors((_req, cb) => {
      cb(null, { origin, originCache: { ttl: 60_000 } });
    });
    for (let i = 0; i < 20; i++) await run(mw, { headers: { Origin: A } });
    // One compiled policy, so one cache: the origin was looked up once.
    expect(builds).toBe(1);
  });
});
