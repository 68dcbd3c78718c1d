// Every claim the README and the guides (docs/) make about the cors package (what it does, sends, accepts or refuses),
// checked against the real cors 2.8.6. Each `it` is one claim, named after the README's words; the
// section it stands in is the describe. A claim that turns out false is fixed in the README, not here.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import corsPackage from 'cors';
import express from 'express';
import request from 'supertest';
import { cors } from '../lib/index.js';
import type { Middleware } from './helpers/frameworks.js';
import { type MockRequest, run, settle } from './helpers/mock.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

/** The cors package's middleware for `options`, typed as the mock runner takes it. */
const theirs = (options?: unknown): Middleware =>
  (corsPackage as unknown as (options?: unknown) => Middleware)(options);

/** corsguard without the compile-time checks, for configurations its types refuse. */
const untypedCors = cors as unknown as (options?: unknown) => Middleware;

const get = (origin?: string): MockRequest => ({
  method: 'GET',
  headers: origin === undefined ? {} : { Origin: origin },
});
const preflight = (origin: string, headers: Record<string, string> = {}): MockRequest => ({
  method: 'OPTIONS',
  headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', ...headers },
});
const accessControl = (headers: Record<string, string>): string[] =>
  Object.keys(headers).filter((name) => name.startsWith('access-control-'));

describe('the cors package the claims are checked against', () => {
  it('is cors 2.8.6 ("measures corsguard, `cors` 2.8.6, ...")', () => {
    const pkg = createRequire(__filename)('cors/package.json') as { version: string };
    expect(pkg.version).toBe('2.8.6');
  });
});

describe('the introduction', () => {
  it('"a drop-in replacement for the `cors` package (same options ...)": corsguard takes every option cors reads', () => {
    const source = readFileSync(
      path.join(path.dirname(require.resolve('cors')), 'index.js'),
      'utf8',
    );
    const read = [...new Set([...source.matchAll(/options\.(\w+)/g)].map((m) => m[1]!))].sort();
    expect(read).toEqual([
      'allowedHeaders',
      'credentials',
      'exposedHeaders',
      'headers',
      'maxAge',
      'methods',
      'optionsSuccessStatus',
      'origin',
      'preflightContinue',
    ]);
    const valid: Record<string, unknown> = {
      allowedHeaders: ['X-A'],
      credentials: true,
      exposedHeaders: ['X-B'],
      headers: ['X-A'],
      maxAge: 600,
      methods: ['GET'],
      optionsSuccessStatus: 200,
      origin: [APP],
      preflightContinue: true,
    };
    for (const name of read) {
      const options = name === 'credentials' ? { credentials: true, origin: [APP] } : {};
      expect(typeof untypedCors({ ...options, [name]: valid[name] })).toBe('function');
    }
  });
});

describe('Quick start', () => {
  it('"`cors()` with no options behaves like the `cors` package\'s defaults: any origin (`Access-Control-Allow-Origin: *`), no credentials"', async () => {
    for (const mw of [theirs(), cors()]) {
      const out = await run(mw, get(APP));
      expect(out.headers['access-control-allow-origin']).toBe('*');
      expect(out.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });
});

describe('Options: the forms of origin', () => {
  it('"an exact origin ... on its own, it is sent to every response, as `cors` does"', async () => {
    for (const req of [get(APP), get(EVIL), get(), preflight(EVIL)]) {
      const out = await run(theirs({ origin: APP }), req);
      expect(out.headers['access-control-allow-origin']).toBe(APP);
    }
  });

  it('"a function `(origin, callback)`, as in `cors`": the callback answers whether the origin is allowed', async () => {
    const origin = (o: string | undefined, cb: (err: null, allow: boolean) => void): void => {
      cb(null, o === APP);
    };
    expect((await run(theirs({ origin }), get(APP))).headers['access-control-allow-origin']).toBe(
      APP,
    );
    expect(
      (await run(theirs({ origin }), get(EVIL))).headers['access-control-allow-origin'],
    ).toBeUndefined();
  });

  it('"`(origin, callback) => ...`, as in `cors`: only `callback(err, answer)` answers; what the function returns is ignored"', async () => {
    let thenCalled = false;
    const thenable = {
      then(): void {
        thenCalled = true;
      },
    };
    const refuse = (_o: string | undefined, cb: (err: null, allow: boolean) => void): unknown => {
      cb(null, false);
      return true;
    };
    const allow = (_o: string | undefined, cb: (err: null, allow: boolean) => void): unknown => {
      cb(null, true);
      return thenable;
    };
    expect(
      (await run(theirs({ origin: refuse }), get(APP))).headers['access-control-allow-origin'],
    ).toBeUndefined();
    expect(
      (await run(theirs({ origin: allow }), get(APP))).headers['access-control-allow-origin'],
    ).toBe(APP);
    await settle();
    expect(thenCalled).toBe(false);
  });

  it('"Per-request options work as in `cors`: `cors((req, callback) => callback(null, options))`"', async () => {
    const delegate = theirs((_req: unknown, cb: (err: null, o: unknown) => void) => {
      cb(null, { origin: APP, credentials: true });
    });
    const out = await run(delegate, get(APP));
    expect(out.headers['access-control-allow-origin']).toBe(APP);
    expect(out.headers['access-control-allow-credentials']).toBe('true');
  });

  it('"`callback(null)` and `callback(null, null)` mean the defaults, as in `cors`"', async () => {
    const answers = [
      (cb: (err: null, o?: null) => void) => {
        cb(null);
      },
      (cb: (err: null, o?: null) => void) => {
        cb(null, null);
      },
    ];
    for (const answer of answers) {
      const delegate = theirs((_req: unknown, cb: (err: null, o?: null) => void) => {
        answer(cb);
      });
      const out = await run(delegate, get(APP));
      expect(out.headers['access-control-allow-origin']).toBe('*');
      expect(out.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });

  it('"so does a returned `null` (`cors` ignored return values)": cors never answers a delegate that only returns', async () => {
    let finished = false;
    void run(
      theirs(() => null),
      get(APP),
    ).then(() => {
      finished = true;
    });
    await settle();
    expect(finished).toBe(false);
    const ours = await run(
      cors((_req) => null),
      get(APP),
    );
    expect(ours.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('What a request gets', () => {
  it('"No `Origin` ... A static configuration (`\'*\'` or one exact origin) sends its headers as `cors` does"', async () => {
    for (const origin of ['*', APP]) {
      const ours = await run(cors({ origin }), get());
      const their = await run(theirs({ origin }), get());
      expect(their.headers['access-control-allow-origin']).toBe(origin);
      expect(ours.headers['access-control-allow-origin']).toBe(origin);
      expect(ours.via).toBe('next');
      expect(their.via).toBe('next');
    }
  });
});

/** An app with one route-level cors for `POST /orders`, with or without `app.options` for it. */
function ordersApp(withOptionsRoute: boolean): express.Express {
  const app = express();
  const shop = corsPackage({ origin: 'https://shop.example.org', methods: ['POST'] });
  if (withOptionsRoute) app.options('/orders', shop);
  app.post('/orders', shop, (_req, res) => {
    res.send('created');
  });
  return app;
}

const ordersPreflight = (app: express.Express) =>
  request(app)
    .options('/orders')
    .set('Origin', 'https://shop.example.org')
    .set('Access-Control-Request-Method', 'POST');

describe('Recipes, and App, router and route level', () => {
  it('"Per route: as with `cors`, a route that receives preflighted requests also answers `OPTIONS` for its path"', async () => {
    const answered = await ordersPreflight(ordersApp(true));
    expect(answered.status).toBe(204);
    expect(answered.headers['access-control-allow-origin']).toBe('https://shop.example.org');
    expect(answered.headers['access-control-allow-methods']).toBe('POST');
    // Without it, cors on the POST route never sees the preflight.
    const unanswered = await ordersPreflight(ordersApp(false));
    expect(unanswered.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('"The `cors` way, `app.options(\'/webhook\', sameCors)` before the route, works as well"', async () => {
    const app = express();
    const sameCors = corsPackage({ origin: ['https://b.example'] });
    app.options('/webhook', sameCors);
    app.post('/webhook', sameCors, (_req, res) => {
      res.send('ok');
    });
    const res = await request(app)
      .options('/webhook')
      .set('Origin', 'https://b.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://b.example');
  });
});

describe('Configurations refused when they are built', () => {
  it('"`\'*\'` inside an array (it matched nothing in `cors`)"', async () => {
    for (const origin of [APP, EVIL, 'null']) {
      const out = await run(theirs({ origin: ['*'] }), get(origin));
      expect(out.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it.each([undefined, null, ''])(
    '"`origin` given as `undefined`, `null` or `\'\'` (typically an unset environment variable: `cors` silently turned CORS off)": %p',
    async (origin) => {
      for (const req of [get(APP), preflight(APP)]) {
        const out = await run(theirs({ origin }), req);
        expect(out.via).toBe('next');
        expect(out.err).toBeUndefined();
        expect(accessControl(out.headers)).toEqual([]);
      }
    },
  );
});

describe('Migrating from cors', () => {
  it('1. "`cors` answered every `OPTIONS` with 204, hiding the application\'s own `OPTIONS` handling (and Express\'s `Allow`)"', async () => {
    const app = express();
    app.use(corsPackage());
    app.options('/own', (_req, res) => {
      res.send('the application');
    });
    app.get('/things', (_req, res) => {
      res.send('things');
    });
    for (const [url, origin] of [
      ['/own', undefined],
      ['/own', APP],
      ['/things', undefined],
    ] as const) {
      const req = request(app).options(url);
      const res = await (origin === undefined ? req : req.set('Origin', origin));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(res.headers.allow).toBeUndefined();
    }
    // Without cors, Express answers OPTIONS /things itself with Allow.
    const bare = express();
    bare.get('/things', (_req, res) => {
      res.send('things');
    });
    expect((await request(bare).options('/things')).headers.allow).toBe('GET, HEAD');
  });

  it('2. "`cors` still sent `Access-Control-Allow-Credentials`, `-Methods`, `-Headers`, `-Max-Age` and `-Expose-Headers` to origins a list or a RegExp refused"', async () => {
    for (const origin of [[APP], /^https:\/\/app\.example\.com$/]) {
      const options = {
        origin,
        credentials: true,
        methods: ['GET', 'PUT'],
        allowedHeaders: ['X-A'],
        maxAge: 600,
        exposedHeaders: ['X-B'],
      };
      const pre = await run(theirs(options), preflight(EVIL));
      expect(accessControl(pre.headers).sort()).toEqual([
        'access-control-allow-credentials',
        'access-control-allow-headers',
        'access-control-allow-methods',
        'access-control-expose-headers',
        'access-control-max-age',
      ]);
      const actual = await run(theirs(options), get(EVIL));
      expect(accessControl(actual.headers).sort()).toEqual([
        'access-control-allow-credentials',
        'access-control-expose-headers',
      ]);
    }
  });

  it('2. "Nor does a refused preflight get `Vary: Access-Control-Request-Headers`": cors sent it to a refused preflight', async () => {
    const out = await run(
      theirs({ origin: [APP] }),
      preflight(EVIL, { 'Access-Control-Request-Headers': 'x-a' }),
    );
    expect(out.headers['access-control-allow-origin']).toBeUndefined();
    expect(out.headers.vary).toBe('Origin, Access-Control-Request-Headers');
  });

  it('3. a refused preflight "falling through to the application when a function origin refuses"', async () => {
    const origin = (_o: string | undefined, cb: (err: null, allow: boolean) => void): void => {
      cb(null, false);
    };
    const out = await run(theirs({ origin }), preflight(EVIL));
    expect(out.via).toBe('next');
    expect(out.headers).toEqual({});
  });

  it('4. "`cors` left it [`Vary: Origin`] out when a function refused", and sent it with one exact origin string', async () => {
    const refuse = (_o: string | undefined, cb: (err: null, allow: boolean) => void): void => {
      cb(null, false);
    };
    expect((await run(theirs({ origin: refuse }), get(EVIL))).headers.vary).toBeUndefined();
    expect((await run(theirs({ origin: APP }), get(APP))).headers.vary).toBe('Origin');
    expect((await run(theirs({ origin: [APP] }), get())).headers.vary).toBe('Origin');
  });

  it('5. "No `Content-Length` on a 204": cors sent `Content-Length: 0` with its 204 (and with other statuses)', async () => {
    const noContent = await run(theirs({ origin: [APP] }), preflight(APP));
    expect(noContent.status).toBe(204);
    expect(noContent.headers['content-length']).toBe('0');
    const ok = await run(theirs({ origin: [APP], optionsSuccessStatus: 200 }), preflight(APP));
    expect(ok.status).toBe(200);
    expect(ok.headers['content-length']).toBe('0');
  });

  it('6. "No `Access-Control-Expose-Headers` on preflights": cors sent it there', async () => {
    const out = await run(theirs({ origin: [APP], exposedHeaders: ['X-Id'] }), preflight(APP));
    expect(out.headers['access-control-expose-headers']).toBe('X-Id');
  });

  it.each([
    ['a quoted name', 'x-a, "x-b"'],
    ['a name that is not a token', 'x-a\u00e9'],
    ['2,001 names in 8,003 characters', `${'x-a,'.repeat(2000)}x-b`],
  ])(
    '7. "Reflected request headers are validated ... `cors` reflected anything": %s',
    async (_what, list) => {
      const out = await run(theirs(), preflight(APP, { 'Access-Control-Request-Headers': list }));
      expect(out.headers['access-control-allow-headers']).toBe(list);
    },
  );

  it('8. "`cors` reflected `https://a.example, https://b.example` as it came" (origin: true)', async () => {
    const doubled = 'https://a.example, https://b.example';
    const out = await run(theirs({ origin: true }), get(doubled));
    expect(out.headers['access-control-allow-origin']).toBe(doubled);
  });

  it('9. "`cors` called it with `undefined`", and "Functions written for `cors` (`if (!origin) return cb(null, true)`) keep working"', async () => {
    const asked: unknown[] = [];
    const origin = (o: string | undefined, cb: (err: null, allow: boolean) => void): void => {
      asked.push(o);
      if (!o) {
        cb(null, true);
        return;
      }
      cb(null, o === APP);
    };
    await run(theirs({ origin }), get());
    expect(asked).toEqual([undefined]);
    expect((await run(cors({ origin }), get(APP))).headers['access-control-allow-origin']).toBe(
      APP,
    );
    expect((await run(cors({ origin }), get())).via).toBe('next');
  });

  it('10. "`cors` sent it [a string answered by a function origin] as `Access-Control-Allow-Origin` whatever the request\'s origin was"', async () => {
    const origin = (_o: string | undefined, cb: (err: null, allow: string) => void): void => {
      cb(null, APP);
    };
    for (const from of [APP, EVIL]) {
      expect(
        (await run(theirs({ origin }), get(from))).headers['access-control-allow-origin'],
      ).toBe(APP);
    }
  });

  it('11. "Invalid configurations throw ... instead of producing headers browsers reject": cors sends `*` with credentials', async () => {
    const explicit = await run(theirs({ origin: '*', credentials: true }), get(APP));
    expect(explicit.headers['access-control-allow-origin']).toBe('*');
    expect(explicit.headers['access-control-allow-credentials']).toBe('true');
  });

  it('11. "unknown option names are refused with a suggestion": cors ignores them without a word', async () => {
    const out = await run(theirs({ origin: [APP], credential: true }), get(APP));
    expect(out.headers['access-control-allow-origin']).toBe(APP);
    expect(out.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('12. "`methods: \'get, post\'` sends `GET,POST`": cors sent the string as written', async () => {
    const out = await run(theirs({ methods: 'get, post' }), preflight(APP));
    expect(out.headers['access-control-allow-methods']).toBe('get, post');
    const ours = await run(cors({ methods: 'get, post' }), preflight(APP));
    expect(ours.headers['access-control-allow-methods']).toBe('GET,POST');
  });

  it('12. "header lists are joined with `,`": cors joined an array with `,` too, and sent a string as written', async () => {
    const list = await run(theirs({ allowedHeaders: ['X-A', 'X-B'] }), preflight(APP));
    expect(list.headers['access-control-allow-headers']).toBe('X-A,X-B');
    const text = await run(theirs({ allowedHeaders: 'X-A, X-B' }), preflight(APP));
    expect(text.headers['access-control-allow-headers']).toBe('X-A, X-B');
    const ours = await run(cors({ allowedHeaders: 'X-A, X-B' }), preflight(APP));
    expect(ours.headers['access-control-allow-headers']).toBe('X-A,X-B');
  });

  it('12. "`allowedHeaders: \'\'` ... (`cors` read the empty string as \\"reflect\\")"', async () => {
    const out = await run(
      theirs({ allowedHeaders: '' }),
      preflight(APP, { 'Access-Control-Request-Headers': 'x-a' }),
    );
    expect(out.headers['access-control-allow-headers']).toBe('x-a');
    expect(out.headers.vary).toBe('Access-Control-Request-Headers');
  });

  it('13. "`cors` upper-cased the method first": a lower-case `options` was answered as a preflight', async () => {
    const out = await run(theirs(), {
      method: 'options',
      headers: { Origin: APP, 'Access-Control-Request-Method': 'PUT' },
    });
    expect(out.via).toBe('end');
    expect(out.status).toBe(204);
    expect(out.headers['access-control-allow-methods']).toBeDefined();
  });

  it.each([/^https:\/\/app\.example\.com$/g, /^https:\/\/app\.example\.com$/y])(
    '14. "a `g` or `y` flag no longer makes every other request fail" (in cors it did): %s',
    async (origin) => {
      const seen: (string | undefined)[] = [];
      const mw = theirs({ origin });
      for (let i = 0; i < 4; i++) {
        seen.push((await run(mw, get(APP))).headers['access-control-allow-origin']);
      }
      expect(seen).toEqual([APP, undefined, APP, undefined]);
    },
  );

  it('"`maxAge: 0` is sent as `Access-Control-Max-Age: 0`" by cors as by corsguard (so it is no difference)', async () => {
    for (const mw of [theirs({ maxAge: 0 }), cors({ maxAge: 0 })]) {
      expect((await run(mw, preflight(APP))).headers['access-control-max-age']).toBe('0');
    }
  });

  it('"a string of decimal digits (`\'600\'`) is that number, as `cors` accepts it"', async () => {
    for (const mw of [theirs({ maxAge: '600' }), untypedCors({ maxAge: '600' })]) {
      expect((await run(mw, preflight(APP))).headers['access-control-max-age']).toBe('600');
    }
  });

  it.each(['abc', '1.5', ' 600', '100000'])(
    '"`cors` sent any other `maxAge` string as it was written": %p',
    async (maxAge) => {
      const out = await run(theirs({ maxAge }), preflight(APP));
      expect(out.headers['access-control-max-age']).toBe(maxAge);
    },
  );

  it('"(and dropped `\'\'`)": cors sent no Access-Control-Max-Age for an empty maxAge string', async () => {
    const out = await run(theirs({ maxAge: '' }), preflight(APP));
    expect(out.headers['access-control-allow-origin']).toBe('*');
    expect(out.headers['access-control-max-age']).toBeUndefined();
  });

  it('"`cors({ credentials: true })` ... `cors` sent `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`"', async () => {
    for (const req of [get(APP), preflight(APP)]) {
      const out = await run(theirs({ credentials: true }), req);
      expect(out.headers['access-control-allow-origin']).toBe('*');
      expect(out.headers['access-control-allow-credentials']).toBe('true');
    }
  });

  it('"`cors` accepted `/^https:\\/\\/app.example\\.com$/`, which admits `https://appxexample.com`"', async () => {
    const out = await run(
      theirs({ origin: /^https:\/\/app.example\.com$/ }),
      get('https://appxexample.com'),
    );
    expect(out.headers['access-control-allow-origin']).toBe('https://appxexample.com');
  });

  describe('16. "With `cors`, an app-level `cors()` and a route-level one both set headers"', () => {
    it('"so the app\'s `*` ... leaked into a route that wanted to be stricter"', async () => {
      const app = express();
      app.use(corsPackage());
      app.get('/private', corsPackage({ origin: [APP] }), (_req, res) => {
        res.send('private');
      });
      const res = await request(app).get('/private').set('Origin', EVIL);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });

    it('"or credentials leaked into a route that wanted to be stricter"', async () => {
      const app = express();
      app.use(corsPackage({ origin: [APP], credentials: true }));
      app.get('/public', corsPackage({ origin: '*' }), (_req, res) => {
        res.send('public');
      });
      const res = await request(app).get('/public').set('Origin', APP);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-credentials']).toBe('true');
    });

    it('"and a route-level `cors()` needed its own `app.options(...)`": Express answers the preflight itself (200 and `Allow`, no CORS headers)', async () => {
      const app = express();
      app.post('/webhook', corsPackage({ origin: ['https://b.example'] }), (_req, res) => {
        res.send('ok');
      });
      const res = await request(app)
        .options('/webhook')
        .set('Origin', 'https://b.example')
        .set('Access-Control-Request-Method', 'POST');
      expect(res.status).toBe(200);
      expect(res.headers.allow).toBe('POST');
      expect(accessControl(res.headers as Record<string, string>)).toEqual([]);
    });
  });
});

describe('Performance', () => {
  it('"with 1,000 origins ... where `cors` scans": it reads the list entry by entry', async () => {
    const origins = Array.from({ length: 1000 }, (_, i) => `https://o${String(i)}.example`);
    const reads = new Set<string>();
    const watched = new Proxy(origins, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads.add(key);
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const out = await run(theirs({ origin: watched }), get(origins[999]));
    expect(out.headers['access-control-allow-origin']).toBe(origins[999]);
    expect(reads.size).toBe(1000);
  });

  it('"or 100 patterns, where `cors` scans": it tests each RegExp in turn', async () => {
    let tests = 0;
    class Counted extends RegExp {
      override test(value: string): boolean {
        tests++;
        return super.test(value);
      }
    }
    const patterns = Array.from(
      { length: 100 },
      (_, i) => new Counted(`^https://[a-z]+\\.p${String(i)}\\.example$`),
    );
    const out = await run(theirs({ origin: patterns }), get('https://a.p99.example'));
    expect(out.headers['access-control-allow-origin']).toBe('https://a.p99.example');
    expect(tests).toBe(100);
  });
});
