// Every decision typed, observable and explained: one case per refusal reason, each checked through
// the decision corsDecision() reads, the onDecision option, the 'corsguard:decision' channel, the
// NODE_DEBUG line, and explainCors agreeing with what the middleware actually sent.
import { spawnSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import {
  cors,
  corsDecision,
  CorsConfigError,
  explainCors,
  type CorsDecision,
  type CorsOptions,
  type CorsOptionsDelegate,
  type CorsRefusalReason,
  type StaticCorsOptions,
} from '../lib/index.js';
import { run } from './helpers/mock.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';
/** A request described for explainCors, with one value per header (as the tables need). */
interface Described {
  method?: string;
  url?: string;
  headers?: Record<string, string | undefined>;
}

const preflight = (origin: string, extra: Record<string, string> = {}): Described => ({
  method: 'OPTIONS',
  url: '/things',
  headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', ...extra },
});
const get = (origin?: string): Described => ({
  method: 'GET',
  url: '/things',
  headers: origin === undefined ? {} : { Origin: origin },
});

type Options = CorsOptions | CorsOptionsDelegate;

const REFUSALS: [CorsRefusalReason, Options, Described, string, RegExp][] = [
  [
    'origin-not-allowed',
    { origin: [APP] },
    get(EVIL),
    EVIL,
    /add "https:\/\/evil\.example\.net" to the origin option \(allowed: https:\/\/app\.example\.com\)/,
  ],
  [
    'invalid-origin',
    { origin: [APP] },
    get(`${APP}, ${EVIL}`),
    `${APP}, ${EVIL}`,
    /two Origin headers joined/,
  ],
  [
    'method-not-allowed',
    { origin: [APP], methods: ['GET', 'POST'] },
    preflight(APP),
    'PUT',
    /add "PUT" to the methods option \(allowed: GET, POST\)/,
  ],
  [
    'invalid-request-method',
    { origin: [APP] },
    preflight(APP, { 'Access-Control-Request-Method': 'P(UT' }),
    'P(UT',
    /is not a method name/,
  ],
  [
    'header-not-allowed',
    { origin: [APP], allowedHeaders: ['Content-Type'] },
    preflight(APP, { 'Access-Control-Request-Headers': 'content-type,x-foo' }),
    'x-foo',
    /add "x-foo" to the allowedHeaders option \(allowed: Content-Type\)/,
  ],
  [
    'invalid-request-headers',
    { origin: [APP] },
    preflight(APP, { 'Access-Control-Request-Headers': 'x-a, "x-b"' }),
    'x-a, "x-b"',
    /is not a list of header names/,
  ],
  [
    'origin-resolver-error',
    {
      origin: (_origin) => {
        throw new Error('database down');
      },
    },
    get(APP),
    'database down',
    /the origin function failed: database down/,
  ],
  [
    'options-delegate-error',
    (_req, cb) => {
      cb(new Error('no tenant'));
    },
    get(APP),
    'no tenant',
    /the options delegate failed: no tenant/,
  ],
  [
    'invalid-configuration',
    (_req: unknown) => ({ origin: `${APP}/` }),
    get(APP),
    '',
    /the options delegate gave invalid options/,
  ],
  [
    'invalid-configuration',
    { origin: (_origin) => `${APP}/` },
    get(APP),
    '',
    /the origin function gave an invalid answer/,
  ],
  ['cors-disabled', { origin: false }, get(APP), APP, /CORS is off/],
];

/** An Express app that answers with the decision later handlers read, and collects onDecision calls. */
function appFor(options: Options, seen: CorsDecision[]) {
  const app = express();
  const withListener =
    typeof options === 'function'
      ? options
      : { ...options, onDecision: (d: CorsDecision) => seen.push(d) };
  app.use(cors(withListener as CorsOptions));
  app.use((req, res) => {
    res.json({ decision: corsDecision(req) ?? null });
  });
  app.use(
    (err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ decision: corsDecision(req) ?? null, error: (err as Error).message });
    },
  );
  return app;
}

function send(app: express.Express, r: Described) {
  let test =
    r.method === 'OPTIONS' ? request(app).options(r.url ?? '/') : request(app).get(r.url ?? '/');
  for (const [name, value] of Object.entries(r.headers ?? {}))
    if (value !== undefined) test = test.set(name, value);
  return test;
}

const corsHeaders = (headers: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(headers).filter(([k]) => k.startsWith('access-control-') || k === 'vary'),
  );

describe.each(REFUSALS)('a refusal for %s', (reason, options, req, value, message) => {
  it('is the decision later handlers read, the onDecision call and the channel message', async () => {
    const seen: CorsDecision[] = [];
    const published: unknown[] = [];
    const subscriber = (message: unknown) => published.push(message);
    subscribe('corsguard:decision', subscriber);
    try {
      const res = await send(appFor(options, seen), req);
      const decision = (res.body as { decision: CorsDecision | null }).decision ?? seen[0];
      expect(decision).toMatchObject({ allowed: false, reason, origin: req.headers?.Origin });
      if (value !== '') expect(decision).toMatchObject({ value });
      expect((decision as { message: string }).message).toMatch(message);
      if (typeof options !== 'function') {
        expect(seen).toHaveLength(1);
        expect(seen[0]).toMatchObject({ reason });
      }
      expect(published).toHaveLength(1);
      expect(published[0]).toMatchObject({ decision: { reason } });
      expect((published[0] as { req: IncomingMessage }).req.url).toBe('/things');
    } finally {
      unsubscribe('corsguard:decision', subscriber);
    }
  });

  it('is what explainCors says, with the headers and status the middleware sent', async () => {
    const res = await send(appFor(options, []), req);
    const explained = await explainCors(options as CorsOptions, req);
    expect(explained.decision).toMatchObject({ allowed: false, reason });
    expect(explained.headers).toEqual(corsHeaders(res.headers as Record<string, string>));
    if (explained.statusCode !== null) expect(res.status).toBe(explained.statusCode);
    else expect(res.status).toBe(200);
  });
});

describe('an allowed request', () => {
  it.each<[string, Described, string]>([
    ['not a CORS request', get(), 'not-cors'],
    ['an actual request', get(APP), 'actual'],
    ['a preflight', preflight(APP, { 'Access-Control-Request-Headers': 'x-foo' }), 'preflight'],
  ])('%s is allowed with its kind', async (_what, req, kind) => {
    const seen: CorsDecision[] = [];
    const res = await send(appFor({ origin: [APP] }, seen), req);
    expect(seen).toEqual([{ kind, allowed: true, origin: req.headers?.Origin }]);
    const explained = explainCors({ origin: [APP] }, req);
    expect(explained.decision).toEqual(seen[0]);
    expect(explained.headers).toEqual(corsHeaders(res.headers as Record<string, string>));
    expect(explained.statusCode).toBe(kind === 'preflight' ? 204 : null);
  });

  it.each<[string, StaticCorsOptions, Described]>([
    [
      'a safelisted method not in the list',
      { origin: [APP], methods: [] },
      preflight(APP, { 'Access-Control-Request-Method': 'POST' }),
    ],
    [
      'any method with "*"',
      { origin: [APP], methods: '*' },
      preflight(APP, { 'Access-Control-Request-Method': 'PURGE' }),
    ],
    [
      'a header listed in another case',
      { allowedHeaders: ['X-Foo'] },
      preflight(APP, { 'Access-Control-Request-Headers': 'x-foo' }),
    ],
    [
      'any header with "*"',
      { allowedHeaders: '*' },
      preflight(APP, { 'Access-Control-Request-Headers': 'x-foo,x-bar' }),
    ],
    [
      'an empty element in the list',
      { allowedHeaders: ['x-a'] },
      preflight(APP, { 'Access-Control-Request-Headers': 'x-a,,x-a' }),
    ],
  ])('a preflight asking for %s is allowed', (_what, options, req) => {
    expect(explainCors(options, req).decision.allowed).toBe(true);
  });

  it('a preflight asking for Authorization is refused by allowedHeaders "*", which never covers it', () => {
    const { decision } = explainCors(
      { allowedHeaders: '*' },
      preflight(APP, { 'Access-Control-Request-Headers': 'authorization' }),
    );
    expect(decision).toMatchObject({ reason: 'header-not-allowed', value: 'authorization' });
    expect((decision as { message: string }).message).toMatch(/never covers Authorization/);
  });

  it('one exact origin is static, but a mismatch is still reported as refused', () => {
    const explained = explainCors({ origin: APP }, get(EVIL));
    expect(explained.headers['access-control-allow-origin']).toBe(APP);
    expect(explained.decision).toMatchObject({ allowed: false, reason: 'origin-not-allowed' });
  });
});

describe('refusal details', () => {
  it('says "none" when the configuration allows nothing of the kind', () => {
    const { decision } = explainCors({ methods: [] }, preflight(APP));
    expect((decision as { message: string }).message).toMatch(/\(allowed: none\)/);
  });

  it('records a failed preflight as a preflight, with a non-Error thrown value as its text', async () => {
    const explained = await explainCors(
      {
        origin: (_origin) => {
          throw 'nope' as unknown as Error;
        },
      },
      preflight(APP),
    );
    expect(explained.decision).toMatchObject({
      kind: 'preflight',
      reason: 'origin-resolver-error',
      value: 'nope',
    });
    expect(explained.error).toBe('nope');
  });

  it('records a request without Origin as not-cors when its delegate fails, and it still fails', async () => {
    const boom = new Error('no tenant');
    const explained = await explainCors(() => Promise.reject(boom), get());
    expect(explained.error).toBe(boom);
    expect(explained.decision).toEqual({ kind: 'not-cors', allowed: true, origin: undefined });
  });
});

describe('corsDecision', () => {
  it('is undefined for a request no corsguard middleware has seen', () => {
    expect(corsDecision({ headers: {} } as unknown as IncomingMessage)).toBeUndefined();
  });

  it('leaves no string-keyed property on the request', async () => {
    const req = { method: 'GET', url: '/', headers: { origin: APP } };
    const before = Object.keys(req);
    await run(cors({ origin: [APP] }), req);
    expect(Object.keys(req)).toEqual(before);
    expect(JSON.stringify(req)).toBe(
      JSON.stringify({ method: 'GET', url: '/', headers: { origin: APP } }),
    );
  });

  it('reads a header value that is not a string (from a stack other than node:http) as invalid', () => {
    const req = {
      method: 'OPTIONS',
      headers: {
        origin: APP,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': ['x-a'],
      },
    };
    const mw = cors({ origin: [APP] });
    mw(
      req as unknown as IncomingMessage,
      {
        headersSent: false,
        getHeader: () => undefined,
        setHeader: () => undefined,
        end: () => undefined,
      } as never,
      () => undefined,
    );
    expect(corsDecision(req as unknown as IncomingMessage)).toMatchObject({
      reason: 'invalid-request-headers',
      value: '["x-a"]',
    });
  });

  it("is readable from a plain node:http handler, and leaves the request's string keys alone", async () => {
    const mw = cors({ origin: [APP] });
    const seen: unknown[] = [];
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const keys = Object.keys(req).length;
      mw(req, res, () => {
        seen.push(
          corsDecision(req),
          Object.keys(req).length === keys,
          JSON.stringify(Object.keys(req)),
        );
        res.end('ok');
      });
    };
    await request(handler).get('/').set('Origin', EVIL);
    expect(seen[0]).toMatchObject({ allowed: false, reason: 'origin-not-allowed' });
    expect(seen[1]).toBe(true);
    expect(seen[2]).not.toContain('corsguard');
  });

  it('is worked out once and then kept', async () => {
    const req = {
      method: 'GET',
      url: '/',
      headers: { origin: EVIL },
    } as unknown as IncomingMessage;
    await run(cors({ origin: [APP] }), req as never);
    expect(corsDecision(req)).toBe(corsDecision(req));
  });
});

describe('onDecision', () => {
  it('is validated when the middleware is built', () => {
    expect(() => cors({ onDecision: 'log' as never })).toThrow(CorsConfigError);
  });

  it.each<[string, CorsOptions]>([
    ['a static configuration', {}],
    ['a list', { origin: [APP] }],
    ['a function', { origin: (_origin) => true }],
    ['CORS turned off', { origin: false }],
  ])(
    'with %s, what it throws goes to next(err), and nothing is answered',
    async (_what, options) => {
      const boom = new Error('metrics down');
      const out = await run(
        cors({
          ...options,
          onDecision: () => {
            throw boom;
          },
        }),
        { method: 'OPTIONS', headers: { Origin: APP, 'Access-Control-Request-Method': 'PUT' } },
      );
      expect(out.via).toBe('next');
      expect(out.err).toBe(boom);
      expect(Object.keys(out.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    },
  );

  it('turns a falsy throw into an Error', async () => {
    const out = await run(
      cors({
        onDecision: () => {
          throw null as unknown as Error;
        },
      }),
      { headers: { Origin: APP } },
    );
    expect(out.err).toBeInstanceOf(Error);
  });

  it('is called once per decision, for every request', async () => {
    const seen: CorsDecision[] = [];
    const mw = cors({ origin: [APP], onDecision: (d) => seen.push(d) });
    await run(mw, get(APP));
    await run(mw, get(EVIL));
    await run(mw, get());
    expect(seen.map((d) => d.allowed)).toEqual([true, false, true]);
  });
});

describe('explainCors', () => {
  it('answers synchronously for static options and with a Promise for a function or a delegate', async () => {
    expect(explainCors(undefined, get(APP)).decision.allowed).toBe(true);
    const fromFunction = explainCors({ origin: (_origin) => Promise.resolve(true) }, get(APP));
    expect(fromFunction).toBeInstanceOf(Promise);
    expect((await fromFunction).headers['access-control-allow-origin']).toBe(APP);
    const fromDelegate = explainCors((_req) => ({ origin: [APP] }), get(APP));
    expect((await fromDelegate).decision.allowed).toBe(true);
  });

  it('reports the error and its status when the request fails', async () => {
    const boom = Object.assign(new Error('gone'), { status: 503 });
    const explained = await explainCors(
      {
        origin: (_origin) => {
          throw boom;
        },
      },
      get(APP),
    );
    expect(explained.error).toBe(boom);
    expect(explained.statusCode).toBe(503);
  });

  it('returns the configuration warnings instead of emitting them', () => {
    const emit = jest.spyOn(process, 'emitWarning');
    try {
      const explained = explainCors({ origin: true, credentials: true, maxAge: 9000 }, get(APP));
      expect(explained.warnings.map((w) => w.code)).toEqual([
        'CORSGUARD_REFLECT_ANY_WITH_CREDENTIALS',
        'CORSGUARD_MAX_AGE_ABOVE_CHROMIUM_CAP',
      ]);
      expect(emit).not.toHaveBeenCalled();
    } finally {
      emit.mockRestore();
    }
  });

  it('throws a CorsConfigError for invalid options, as cors() does', () => {
    expect(() => explainCors({ origin: '*', credentials: true }, get(APP))).toThrow(
      CorsConfigError,
    );
  });

  it('describes a request with defaults: GET /', () => {
    expect(explainCors({}, {}).decision).toEqual({
      kind: 'not-cors',
      allowed: true,
      origin: undefined,
    });
    expect(explainCors({}, { headers: { Origin: undefined } }).decision.kind).toBe('not-cors');
  });
});

describe('NODE_DEBUG=corsguard', () => {
  it('logs each refusal in one line naming the origin, the reason and the fix, and nothing else', () => {
    const child = path.join(__dirname, 'fixtures', 'debug-child.cjs');
    const { stdout, stderr, status } = spawnSync(process.execPath, [child], {
      env: { ...process.env, NODE_DEBUG: 'corsguard' },
      encoding: 'utf8',
    });
    expect(status).toBe(0);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    const reasons = lines.map((line) => /: ([a-z-]+); /.exec(line)?.[1]);
    expect(reasons).toEqual([
      'origin-not-allowed',
      'invalid-origin',
      'method-not-allowed',
      'invalid-request-method',
      'header-not-allowed',
      'invalid-request-headers',
      'origin-resolver-error',
      'options-delegate-error',
      'invalid-configuration',
      'cors-disabled',
      'invalid-origin',
    ]);
    // Issue 20 item 9: nothing from the request reaches the terminal raw (C0, DEL, C1).
    // eslint-disable-next-line no-control-regex -- the characters that must not appear
    expect(stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(lines[10]).toContain(
      '/things\\u009b2J from https://e\\x1b]0;pwned\\x07.example\\u009b31m',
    );
    for (const line of lines)
      expect(line).toMatch(
        /^CORSGUARD \d+: refused (actual|preflight) (GET|OPTIONS) \/things(\\u009b2J)? from /,
      );
    expect(lines[0]).toContain(
      `from ${EVIL}: origin-not-allowed; origin ${EVIL} is not allowed; add "${EVIL}" to the origin option`,
    );
    expect(lines[4]).toContain('add "x-foo" to the allowedHeaders option (allowed: content-type)');
    // callback(new Error(...)) is the cors README's way to refuse: say the clean one.
    expect(lines[6]).toContain(
      'the origin function failed: database down; an error goes to your error handler (a 500 unless it says otherwise): to refuse an origin cleanly, answer callback(null, false)',
    );
    expect(lines[7]).toContain('answer callback(null, { origin: false })');
  });

  it.each<[string, unknown, RegExp]>([
    ['no request at all', undefined, /expected a request description/],
    [
      'a string',
      'GET /',
      /expected a request description \{ method\?, url\?, headers\? \}, got "GET \/"/,
    ],
    ['a method that is not a string', { method: 7 }, /method must be a string/],
    ['a url that is not a string', { url: ['/'] }, /url must be a string/],
    ['headers that are not an object', { headers: 'Origin: x' }, /headers must be an object/],
    [
      'a header value that is a number',
      { headers: { Origin: 1 } },
      /header "Origin" must be a string/,
    ],
  ])('throws a clear TypeError for %s', (_what, described, message) => {
    expect(() => explainCors({}, described as never)).toThrow(TypeError);
    expect(() => explainCors({}, described as never)).toThrow(message);
  });

  it('throws a clear TypeError when the request is left out', () => {
    expect(() => (explainCors as (options: unknown) => unknown)({})).toThrow(
      /explainCors\(options, request\) takes the options and a request description/,
    );
  });

  it('explains a doubled Origin as the middleware sees it: joined, and refused as malformed', () => {
    const explained = explainCors({ origin: [APP] }, { headers: { Origin: [APP, EVIL] } });
    expect(explained.decision).toMatchObject({
      allowed: false,
      reason: 'invalid-origin',
      origin: `${APP}, ${EVIL}`,
    });
    expect(explained.headers['access-control-allow-origin']).toBeUndefined();
  });
});
