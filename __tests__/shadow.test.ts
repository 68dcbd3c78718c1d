// Issue 24: shadow(candidate) beside whatever answers today (cors 2.8.6 or corsguard), on every stack:
// it changes no byte of any response, reports each request the candidate decides differently, and
// suggests the configuration the traffic asks for; parseOrigins reads CORS_ORIGINS-style text.
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import corsPackage from 'cors';
import {
  cors,
  CorsConfigError,
  parseOrigins,
  shadow,
  type ShadowEntry,
  type ShadowMiddleware,
} from '../lib/index.js';
import { FRAMEWORKS, type Middleware, close, listener, serve } from './helpers/frameworks.js';

const A = 'https://app.example.com';
const B = 'https://b.example.com';
const C = 'https://c.example.com';
const PARTNER = 'https://partner.example.org';

/** The shadow, then what answers today, as two app.use() lines. */
const chain =
  (first: Middleware, live: Middleware): Middleware =>
  (req, res, next) => {
    first(req, res, (err) => {
      if (err) next(err);
      else live(req, res, next);
    });
  };

/** Sends raw HTTP and returns the response's bytes, without its Date header. */
function raw(url: string, request: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.end(request);
    });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('end', () => {
      resolve(text.replace(/\r\nDate: [^\r]*/, ''));
    });
    socket.on('error', reject);
  });
}

const REQUESTS = (origin: string | undefined, preflight: boolean): string =>
  [
    preflight ? 'OPTIONS /things HTTP/1.1' : 'GET /things?x=1 HTTP/1.1',
    'Host: 127.0.0.1',
    'Connection: close',
    ...(origin === undefined ? [] : [`Origin: ${origin}`]),
    ...(preflight
      ? ['Access-Control-Request-Method: PUT', 'Access-Control-Request-Headers: content-type']
      : ['Cookie: session=1']),
    '',
    '',
  ].join('\r\n');

const ORIGINS = [A, B, PARTNER, 'null', 'https://a.example, https://b.example', undefined];

describe.each(FRAMEWORKS)('under %s', (framework) => {
  const LIVES: [string, () => Middleware][] = [
    [
      'cors 2.8.6 reflecting any origin with credentials',
      () => corsPackage({ origin: true, credentials: true }) as Middleware,
    ],
    [
      'cors 2.8.6 with a list',
      () => corsPackage({ origin: [A, B], credentials: true }) as Middleware,
    ],
    ['corsguard with a list', () => cors({ origin: [A, B, PARTNER], credentials: true })],
    [
      'cors 2.8.6 with its README’s whitelist function',
      () =>
        corsPackage({
          origin: (origin, callback) => {
            if (origin === undefined || [A, PARTNER].includes(origin)) callback(null, true);
            else callback(new Error('Not allowed by CORS'));
          },
          credentials: true,
        }) as Middleware,
    ],
  ];

  it.each(LIVES)('beside %s, every response is byte for byte the same', async (_what, makeLive) => {
    const live = makeLive();
    const candidate = shadow({ origin: [A, 'https://*.example.com'], credentials: true });
    const without = await serve(listener(framework, live));
    const withShadow = await serve(listener(framework, chain(candidate, live)));
    try {
      for (const origin of ORIGINS) {
        for (const preflight of [false, true]) {
          const request = REQUESTS(origin, preflight);
          expect({ origin, preflight, bytes: await raw(withShadow.url, request) }).toEqual({
            origin,
            preflight,
            bytes: await raw(without.url, request),
          });
        }
      }
      expect(candidate.report().requests).toBe(ORIGINS.length * 2);
    } finally {
      await close(without.server);
      await close(withShadow.server);
    }
  });

  it('beside cors reflecting any origin: reports what the candidate would refuse, and suggests', async () => {
    const live = corsPackage({ origin: true, credentials: true }) as Middleware;
    const entries: ShadowEntry[] = [];
    const candidate = shadow(
      { origin: [A], credentials: true },
      { onReport: (entry) => entries.push(entry) },
    );
    const { server, url } = await serve(listener(framework, chain(candidate, live)));
    try {
      for (const origin of [
        A,
        B,
        C,
        PARTNER,
        PARTNER,
        'null',
        'http://localhost:5173',
        'http://plain.example.org',
        'https://a.example, https://b.example',
        'https://x.tenant.s3.amazonaws.com',
        'https://y.tenant.s3.amazonaws.com',
        undefined,
      ]) {
        await raw(url, REQUESTS(origin, false));
      }
      await raw(url, REQUESTS(PARTNER, true));
    } finally {
      await close(server);
    }
    const report = candidate.report();
    expect(report.requests).toBe(13);
    expect(report.errors).toBe(0);
    const partner = report.disagreements.find((d) => d.origin === PARTNER)!;
    expect(partner).toMatchObject({ kind: 'would-refuse', count: 3, preflight: true });
    expect(partner.example).toMatchObject({ method: 'GET', path: '/things' });
    expect(partner.example.reason).toContain('origin-not-allowed');
    expect(report.disagreements.map((d) => d.origin).sort()).toEqual(
      [
        B,
        C,
        PARTNER,
        'http://localhost:5173',
        'null',
        'http://plain.example.org',
        'https://a.example, https://b.example',
        'https://x.tenant.s3.amazonaws.com',
        'https://y.tenant.s3.amazonaws.com',
      ].sort(),
    );
    expect(report.disagreements.every((d) => d.kind === 'would-refuse')).toBe(true);
    // Subdomains of one site collapse into a pattern under the site, never under a public suffix
    // (s3.amazonaws.com is one: the site is the tenant's bucket); the risky ones are left out.
    expect(report.suggestion).toEqual({
      origin: [A, 'https://*.example.com', 'https://*.tenant.s3.amazonaws.com', PARTNER],
      credentials: true,
    });
    expect(report.risky.map((r) => r.origin).sort()).toEqual(
      [
        'http://localhost:5173',
        'http://plain.example.org',
        'https://a.example, https://b.example',
        'null',
      ].sort(),
    );
    expect(() => cors(report.suggestion)).not.toThrow();
    expect(entries).toHaveLength(11);
  });

  it('beside a stricter corsguard: reports what the candidate would allow', async () => {
    const live = cors({ origin: [A], credentials: true });
    const candidate = shadow({ origin: [A, B], credentials: true });
    const { server, url } = await serve(listener(framework, chain(candidate, live)));
    try {
      await raw(url, REQUESTS(B, false));
      await raw(url, REQUESTS(B, true));
      await raw(url, REQUESTS(A, true));
    } finally {
      await close(server);
    }
    expect(candidate.report().disagreements).toEqual([
      {
        origin: B,
        kind: 'would-allow',
        count: 2,
        preflight: true,
        example: expect.objectContaining({ method: 'GET', path: '/things' }) as unknown,
      },
    ]);
  });
});

describe('the shadow itself', () => {
  it('is validated as cors(options) is, and refuses a delegate', () => {
    expect(() => shadow({ origin: '*', credentials: true })).toThrow(CorsConfigError);
    expect(() => shadow((() => null) as never)).toThrow(/not an options delegate/);
    expect(() => shadow({ origin: [A] }, { maxOrigins: 0 })).toThrow(/maxOrigins/);
  });

  /** Runs the shadow and a live answer on minimal objects, as node:http would hand them over. */
  function exchange(mw: ShadowMiddleware, origin: string, acao: string | undefined): void {
    const req = { method: 'GET', url: '/x', headers: { origin } } as unknown as IncomingMessage;
    const res = Object.assign(new EventEmitter(), {
      statusCode: 200,
      getHeaders: () => (acao === undefined ? {} : { 'access-control-allow-origin': acao }),
    }) as unknown as ServerResponse;
    mw(req, res, () => undefined);
    res.emit('finish');
  }

  it('keeps its memory flat under a million random origins (maxOrigins bounds the report)', () => {
    const mw = shadow({ origin: [A] }, { maxOrigins: 100 });
    const gc = (global as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1_000_000; i++) {
      const origin = `https://${Math.random().toString(36).slice(2)}.example.net`;
      exchange(mw, origin, origin); // the live policy reflects everyone
    }
    gc?.();
    const report = mw.report();
    expect(report.requests).toBe(1_000_000);
    expect(report.disagreements.length).toBeLessThanOrEqual(200);
    expect(report.otherOrigins).toBeGreaterThan(999_000);
    if (gc !== undefined)
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(16 * 1024 * 1024);
  }, 120_000);

  it('publishes each disagreement on corsguard:shadow, and survives a throwing onReport', () => {
    const seen: unknown[] = [];
    const listener = (message: unknown): void => {
      seen.push(message);
    };
    subscribe('corsguard:shadow', listener);
    try {
      const mw = shadow(
        { origin: [A] },
        {
          onReport: () => {
            throw new Error('metrics down');
          },
        },
      );
      exchange(mw, PARTNER, PARTNER);
      exchange(mw, A, A);
      expect(seen).toEqual([
        {
          entry: expect.objectContaining({ origin: PARTNER, kind: 'would-refuse' }) as unknown,
          req: expect.anything() as unknown,
        },
      ]);
      expect(mw.report().errors).toBe(0);
    } finally {
      unsubscribe('corsguard:shadow', listener);
    }
  });

  it('counts, never raises, what throws inside it, and always calls next()', () => {
    const mw = shadow({ origin: [A] });
    const req = { method: 'GET', url: '/x', headers: { origin: A } } as unknown as IncomingMessage;
    const res = Object.assign(new EventEmitter(), {
      statusCode: 200,
      getHeaders: () => {
        throw new Error('a framework’s odd response');
      },
    }) as unknown as ServerResponse;
    let nexts = 0;
    mw(req, res, () => nexts++);
    res.emit('finish');
    const broken = {
      get headers(): never {
        throw new Error('no headers');
      },
    } as unknown as IncomingMessage;
    mw(broken, res, () => nexts++);
    expect(nexts).toBe(2);
    expect(mw.report().errors).toBe(2);
  });

  it('leaves nothing on the request for corsDecision() or a later corsguard', async () => {
    const { corsDecision } = await import('../lib/index.js');
    const mw = shadow({ origin: [A] });
    const req = {
      method: 'GET',
      url: '/x',
      headers: { origin: PARTNER },
    } as unknown as IncomingMessage;
    mw(
      req,
      Object.assign(new EventEmitter(), { statusCode: 200, getHeaders: () => ({}) }) as never,
      () => undefined,
    );
    expect(corsDecision(req)).toBeUndefined();
  });
});

describe('the report’s suggestion', () => {
  /** The report after each origin was reflected by the live policy (with credentials, cookies sent). */
  function reportAfter(options: Parameters<typeof shadow>[0], origins: string[]) {
    const mw = shadow(options);
    for (const origin of origins) {
      const req = {
        method: 'GET',
        url: '/x?q=1',
        headers: { origin, cookie: 'session=1' },
      } as unknown as IncomingMessage;
      const res = Object.assign(new EventEmitter(), {
        statusCode: 200,
        getHeaders: () => ({
          'access-control-allow-origin': origin,
          'access-control-allow-credentials': 'true',
          vary: ['Origin', 'Accept'],
          'x-empty': undefined,
        }),
      }) as unknown as ServerResponse;
      mw(req, res, () => undefined);
      res.emit('finish');
    }
    return mw.report();
  }

  it('extends a single origin into a list, with a pattern for subdomains on a port', () => {
    const report = reportAfter({ origin: A, credentials: true }, [
      'https://a.ports.example:8443',
      'https://b.ports.example:8443',
      'https://example.net',
      'https://192.0.2.1',
      'http://example.com:80',
    ]);
    expect(report.suggestion).toEqual({
      origin: [A, 'https://*.ports.example:8443', 'https://example.net', 'https://192.0.2.1'],
      credentials: true,
    });
    expect(report.risky).toEqual([
      { origin: 'http://example.com:80', reason: 'not an origin as browsers send it' },
    ]);
  });

  it.each<[string, Parameters<typeof shadow>[0]]>([
    ['origin left out (any origin)', {}],
    ["origin '*'", { origin: '*' }],
    ['a function origin', { origin: (o: string) => o === A }],
    ['origin: false', { origin: false }],
  ])('leaves %s as it is', (_what, options) => {
    const report = reportAfter(options, [PARTNER]);
    expect(report.suggestion).toEqual(options);
  });

  it('says why a credentialed request would break when the candidate drops credentials', () => {
    const report = reportAfter({ origin: [A] }, [A]);
    expect(report.disagreements).toEqual([
      expect.objectContaining({
        origin: A,
        kind: 'would-refuse',
        example: expect.objectContaining({
          reason: 'what the candidate answers would not pass the browser’s checks',
          path: '/x',
        }) as unknown,
      }),
    ]);
  });

  it('counts a preflight first seen as such', () => {
    const mw = shadow({ origin: [A] });
    const req = {
      method: 'OPTIONS',
      url: '/x',
      headers: { origin: PARTNER, 'access-control-request-method': 'PUT' },
    } as unknown as IncomingMessage;
    const res = Object.assign(new EventEmitter(), {
      statusCode: 204,
      getHeaders: () => ({
        'access-control-allow-origin': PARTNER,
        'access-control-allow-methods': 'PUT',
      }),
    }) as unknown as ServerResponse;
    mw(req, res, () => undefined);
    res.emit('finish');
    expect(mw.report().disagreements).toEqual([
      expect.objectContaining({
        origin: PARTNER,
        preflight: true,
        example: expect.objectContaining({ method: 'PUT' }) as unknown,
      }),
    ]);
  });
});

describe('parseOrigins (CORS_ORIGINS and the like)', () => {
  it.each<[string, string[]]>([
    ['https://a.example,https://b.example', ['https://a.example', 'https://b.example']],
    [
      ' https://a.example , https://*.b.example\n http://localhost:* ',
      ['https://a.example', 'https://*.b.example', 'http://localhost:*'],
    ],
    ['', []],
  ])('reads %p', (text, origins) => {
    expect(parseOrigins(text)).toEqual(origins);
    expect(() => cors({ origin: parseOrigins(text) })).not.toThrow();
  });

  it('names each bad entry and its position, with the spelling that fixes it', () => {
    let error: unknown;
    try {
      parseOrigins('https://a.example, https://B.example/, null, /.*/');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CorsConfigError);
    expect((error as CorsConfigError).issues).toEqual([
      expect.objectContaining({
        option: 'entry 2 of 4',
        value: 'https://B.example/',
        suggestion: 'https://b.example',
      }),
      expect.objectContaining({ option: 'entry 3 of 4', value: 'null' }),
      expect.objectContaining({ option: 'entry 4 of 4', value: '/.*/' }),
    ]);
  });

  it('refuses what is not text (an unset variable), saying what to decide', () => {
    expect(() => parseOrigins(undefined as never)).toThrow(/process\.env\.CORS_ORIGINS \?\? ''/);
  });
});
