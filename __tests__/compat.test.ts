// Request by request against the cors package 2.8.6: for valid configurations corsguard sends what
// cors sends, except for the deliberate differences listed in the README's "Migrating from cors",
// each applied below as one named rule. A difference not covered by a rule fails the test.
import corsPackage, { type CorsOptions as TheirOptions } from 'cors';
import { cors, type CorsOptions } from '../lib/index.js';
import type { Middleware } from './helpers/frameworks.js';
import { type MockRequest, type Outcome, run } from './helpers/mock.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

type Options = CorsOptions & TheirOptions;

/** cors() without the compile-time checks, for the configurations the types already refuse. */
const untypedCors = cors as unknown as (options: unknown) => unknown;

const CONFIGS: [string, Options][] = [
  ['defaults', {}],
  ["origin '*'", { origin: '*' }],
  ['one exact origin', { origin: APP }],
  ['origin true', { origin: true }],
  ['origin false', { origin: false }],
  ['a RegExp', { origin: /^https:\/\/app\.example\.com$/ }],
  ['a list', { origin: [APP, /^https:\/\/b\.example$/] }],
  [
    'a list with every option',
    {
      origin: [APP],
      credentials: true,
      exposedHeaders: ['X-Id'],
      maxAge: 600,
      allowedHeaders: ['Content-Type', 'X-Trace'],
      methods: ['GET', 'POST'],
    },
  ],
  ['optionsSuccessStatus 200', { origin: [APP], optionsSuccessStatus: 200 }],
  ['maxAge 0', { origin: [APP], maxAge: 0 }],
  // A string of digits, as an environment variable gives it: both send Access-Control-Max-Age: 600.
  ['maxAge "600"', { origin: [APP], maxAge: '600' as unknown as number }],
  ['preflightContinue', { origin: [APP], preflightContinue: true }],
  [
    'a function',
    {
      origin: (origin: string | undefined, cb: (err: Error | null, allow?: boolean) => void) => {
        cb(null, origin === APP);
      },
    },
  ],
];

const REQUESTS: [string, MockRequest][] = [
  ['GET without Origin', { method: 'GET' }],
  ['GET from the allowed origin', { method: 'GET', headers: { Origin: APP } }],
  ['GET from another origin', { method: 'GET', headers: { Origin: EVIL } }],
  ['POST from the allowed origin', { method: 'POST', headers: { Origin: APP } }],
  [
    'preflight from the allowed origin',
    {
      method: 'OPTIONS',
      headers: {
        Origin: APP,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type,x-trace',
      },
    },
  ],
  [
    'preflight from another origin',
    {
      method: 'OPTIONS',
      headers: {
        Origin: EVIL,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type',
      },
    },
  ],
];

interface Seen {
  via: Outcome['via'];
  status: number;
  headers: Record<string, string>;
}

const seen = ({ via, status, headers }: Outcome): Seen => ({
  via,
  status,
  headers: { ...headers },
});
const accessControl = (h: Record<string, string>) =>
  Object.keys(h).filter((k) => k.startsWith('access-control-'));

/** The deliberate differences, applied to what cors sent, give what corsguard must send. */
function expectedFrom(corsSaw: Seen, options: Options, req: MockRequest): Seen {
  const out: Seen = { ...corsSaw, headers: { ...corsSaw.headers } };
  const h = out.headers;
  const origin = req.headers?.Origin;
  const preflight = req.method === 'OPTIONS';
  const staticConfig =
    options.origin === undefined || options.origin === '*' || typeof options.origin === 'string';
  const dynamic = !staticConfig && options.origin !== false;
  const allowed = h['access-control-allow-origin'] !== undefined;
  const vary = (h.vary ?? '').split(', ').filter((v) => v !== '');
  // 1. (README item 4) One exact origin is static: the same headers for everyone, so no Vary: Origin.
  if (typeof options.origin === 'string' && options.origin !== '*')
    vary.splice(vary.indexOf('Origin'), 1);
  // 2. (item 2) A refused origin gets no Access-Control-* header at all (cors still sent credentials, methods...).
  if (!allowed) for (const k of accessControl(h)) Reflect.deleteProperty(h, k);
  // 3. (item 2) A refused preflight does not vary on the request headers it never reflected.
  if (preflight && !allowed && vary.includes('Access-Control-Request-Headers'))
    vary.splice(vary.indexOf('Access-Control-Request-Headers'), 1);
  // 4. (item 6) Access-Control-Expose-Headers means nothing on a preflight, so it is not sent there.
  if (preflight) Reflect.deleteProperty(h, 'access-control-expose-headers');
  // 5. (item 5) RFC 9110 §8.6: a 204 carries no Content-Length.
  if (out.status === 204) Reflect.deleteProperty(h, 'content-length');
  // 6. (item 4) A configuration that depends on the origin says so with Vary: Origin on every response,
  //    refused or without Origin too (cors forgot it when a function refused).
  if (dynamic && !vary.includes('Origin')) vary.unshift('Origin');
  // 7. (item 3) A refused preflight is answered by the middleware (cors let a function's refusal fall through to
  //    the application, usually a 404 that the browser reports as a failed preflight anyway).
  if (
    dynamic &&
    preflight &&
    origin !== undefined &&
    !allowed &&
    corsSaw.via === 'next' &&
    options.preflightContinue !== true
  ) {
    out.via = 'end';
    out.status = options.optionsSuccessStatus ?? 204;
  }
  if (vary.length > 0) h.vary = vary.join(', ');
  else Reflect.deleteProperty(h, 'vary');
  return out;
}

describe.each(CONFIGS)('with %s', (_name, options) => {
  it.each(REQUESTS)(
    'a %s gets what cors sends, less the documented differences',
    async (_what, req) => {
      const theirs = seen(await run(corsPackage(options), req));
      const ours = seen(await run(cors(options), req));
      expect(ours).toEqual(expectedFrom(theirs, options, req));
    },
  );
});

describe('configurations cors accepts and corsguard refuses when built (README items 15, 17, 18)', () => {
  const preflight = {
    method: 'OPTIONS',
    headers: { Origin: APP, 'Access-Control-Request-Method': 'PUT' },
  };

  it('{ credentials: true } with origin left out: cors sends * with credentials, which browsers reject', async () => {
    const theirs = await run(corsPackage({ credentials: true }), preflight);
    expect(theirs.headers['access-control-allow-origin']).toBe('*');
    expect(theirs.headers['access-control-allow-credentials']).toBe('true');
    expect(() => untypedCors({ credentials: true })).toThrow(/the origin option was left out/);
  });

  it('a maxAge string that is not decimal digits: cors sends it as it is', async () => {
    const theirs = await run(
      corsPackage({ origin: [APP], maxAge: 'abc' as unknown as number }),
      preflight,
    );
    expect(theirs.headers['access-control-max-age']).toBe('abc');
    expect(() => untypedCors({ origin: [APP], maxAge: 'abc' })).toThrow(
      /Number\(process\.env\.CORS_MAX_AGE\)/,
    );
  });

  it('a RegExp with an unescaped dot: cors lets it admit https://appxexample.com', async () => {
    const origin = /^https:\/\/app.example\.com$/;
    const stranger = { method: 'GET', headers: { Origin: 'https://appxexample.com' } };
    const theirs = await run(corsPackage({ origin }), stranger);
    expect(theirs.headers['access-control-allow-origin']).toBe('https://appxexample.com');
    expect(() => untypedCors({ origin })).toThrow(/escape it: \/\^https:\\\/\\\/app\\\.example/);
  });
});

describe('differences that are not header rewrites', () => {
  it('an OPTIONS request that is not a preflight goes to the application (cors answered it)', async () => {
    const req = { method: 'OPTIONS', headers: { Origin: APP } };
    expect((await run(corsPackage() as unknown as Middleware, req)).via).toBe('end');
    const ours = await run(cors(), req);
    expect(ours.via).toBe('next');
    expect(ours.headers['access-control-allow-origin']).toBe('*');
  });

  it('a function origin is not asked about requests without Origin (cors asked with undefined)', async () => {
    const asked: unknown[] = [];
    const origin = (o: string | undefined, cb: (e: null, allow: boolean) => void) => {
      asked.push(o);
      cb(null, true);
    };
    await run(corsPackage({ origin }), {});
    await run(cors({ origin }), {});
    expect(asked).toEqual([undefined]);
  });

  it('a malformed request header list is not reflected (cors reflected anything)', async () => {
    const req = {
      method: 'OPTIONS',
      headers: {
        Origin: APP,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'x-a, "x-b"',
      },
    };
    expect(
      (await run(corsPackage() as unknown as Middleware, req)).headers[
        'access-control-allow-headers'
      ],
    ).toBe('x-a, "x-b"');
    expect((await run(cors(), req)).headers['access-control-allow-headers']).toBeUndefined();
  });

  it('a malformed or doubled Origin is refused by origin: true (cors reflected it)', async () => {
    const req = { method: 'GET', headers: { Origin: 'https://a.example, https://b.example' } };
    expect(
      (await run(corsPackage({ origin: true }) as unknown as Middleware, req)).headers[
        'access-control-allow-origin'
      ],
    ).toBe('https://a.example, https://b.example');
    expect(
      (await run(cors({ origin: true }), req)).headers['access-control-allow-origin'],
    ).toBeUndefined();
  });
});
