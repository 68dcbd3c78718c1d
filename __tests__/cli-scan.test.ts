// `corsguard scan` against live local servers with planted misconfigurations: cors 2.8.6 configured
// the ways its README and popular answers show, hand-written broken servers, and corsguard. The scan
// must find every planted misconfiguration, and nothing on a strict corsguard configuration.
import type http from 'node:http';
import type { ScanResult } from '../lib/cli/scan.js';
import {
  APP,
  type Started,
  cli,
  cors,
  corsPackage,
  startExpress,
  startHandler,
  startSplitting,
} from './helpers/cli.js';

const servers: Record<string, Started> = {};

/** Hand-written servers, each with one mistake. */
const BROKEN: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => void> = {
  // Reflects its list's origins, without Vary.
  noVary: (req, res) => {
    if (req.headers.origin === APP) res.setHeader('Access-Control-Allow-Origin', APP);
    res.end();
  },
  starWithCredentials: (_req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.end();
  },
  // CORS headers on GET and POST routes, no OPTIONS route at all.
  preflight404: (req, res) => {
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') res.statusCode = 404;
    else if (req.headers.origin === APP) res.setHeader('Access-Control-Allow-Origin', APP);
    res.end();
  },
  acahWithoutContentType: (req, res) => {
    res.setHeader('Vary', 'Origin');
    if (req.headers.origin === APP) {
      res.setHeader('Access-Control-Allow-Origin', APP);
      res.setHeader('Access-Control-Allow-Headers', 'X-Requested-With');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT');
    }
    res.statusCode = req.method === 'OPTIONS' ? 204 : 200;
    res.end();
  },
  // CORS headers on the GET route only; OPTIONS answered 204 by something else.
  preflightWithoutCors: (req, res) => {
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') res.statusCode = 204;
    else if (req.headers.origin === APP) res.setHeader('Access-Control-Allow-Origin', APP);
    res.end();
  },
  // Answers preflights with whatever method they ask for.
  reflectsMethod: (req, res) => {
    res.setHeader('Vary', 'Origin');
    if (req.headers.origin === APP) {
      res.setHeader('Access-Control-Allow-Origin', APP);
      const method = req.headers['access-control-request-method'];
      if (method !== undefined) res.setHeader('Access-Control-Allow-Methods', method);
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
    }
    res.end();
  },
};

beforeAll(async () => {
  const whitelist = [APP, 'null']; // 'null' "for local testing from file://", as answers suggest
  const express = {
    // corsguard, strict: a list, credentials, the headers and methods named.
    strict: (app: import('express').Express) =>
      app.use(
        cors({
          origin: [APP],
          credentials: true,
          methods: ['GET', 'POST', 'PUT'],
          allowedHeaders: ['Content-Type', 'Authorization'],
        }),
      ),
    // corsguard, a public API.
    public: (app: import('express').Express) => app.use(cors()),
    // corsguard, a pattern for every subdomain.
    pattern: (app: import('express').Express) =>
      app.use(cors({ origin: ['https://*.example.com'], allowedHeaders: ['Content-Type'] })),
    // cors: "reflect the request origin" with credentials, from its README.
    reflect: (app: import('express').Express) =>
      app.use(corsPackage({ origin: true, credentials: true })),
    // cors without credentials, reflecting any origin.
    reflectPlain: (app: import('express').Express) => app.use(corsPackage({ origin: true })),
    // cors: the README's whitelist function.
    whitelist: (app: import('express').Express) =>
      app.use(
        corsPackage({
          origin: (origin, callback) => {
            if (whitelist.includes(origin!)) callback(null, true);
            else callback(new Error('Not allowed by CORS'));
          },
          credentials: true,
        }),
      ),
    // cors: a RegExp without $ (and with unescaped dots).
    regexp: (app: import('express').Express) =>
      app.use(corsPackage({ origin: /^https:\/\/app.example.com/, credentials: true })),
    // cors: a function trusting anything that ends with the domain.
    endsWith: (app: import('express').Express) =>
      app.use(
        corsPackage({
          origin: (origin, callback) => {
            callback(null, origin?.endsWith('example.com') === true);
          },
          credentials: true,
        }),
      ),
    // cors: subdomains, any port and http: trusted, with credentials.
    loose: (app: import('express').Express) =>
      app.use(
        corsPackage({
          origin: /^https?:\/\/([a-z0-9-]+\.)*app\.example\.com(:\d+)?$/,
          credentials: true,
        }),
      ),
  };
  for (const [name, configure] of Object.entries(express)) {
    servers[name] = await startExpress(configure);
  }
  for (const [name, handler] of Object.entries(BROKEN)) servers[name] = await startHandler(handler);
  servers.splitting = await startSplitting();
});

afterAll(async () => {
  for (const server of Object.values(servers)) await server.close();
});

async function scan(
  name: string,
  ...args: string[]
): Promise<{ status: number; result: ScanResult }> {
  const ran = await cli('scan', servers[name]!.url, '--json', ...args);
  return { status: ran.status, result: JSON.parse(ran.stdout) as ScanResult };
}

const ids = (result: ScanResult): string[] =>
  result.findings.map((f) => `${f.severity} ${f.id}`).sort();

describe('corsguard scan', () => {
  it.each([
    ['strict', ['--origin', APP], []],
    ['strict', [], []],
    ['public', ['--origin', APP], []],
    ['pattern', ['--origin', APP], []],
    [
      'reflect',
      ['--origin', APP],
      [
        'high null-origin-trusted',
        'high reflects-any-origin',
        'medium reflects-request-headers-unvalidated',
        'medium reflects-unvalidated-origin',
      ],
    ],
    [
      'reflectPlain',
      [],
      [
        'medium null-origin-trusted',
        'medium reflects-any-origin',
        'medium reflects-request-headers-unvalidated',
        'medium reflects-unvalidated-origin',
      ],
    ],
    [
      'whitelist',
      ['--origin', APP],
      [
        'high null-origin-trusted',
        'medium missing-vary-origin',
        'medium reflects-request-headers-unvalidated',
      ],
    ],
    [
      'regexp',
      ['--origin', APP],
      [
        'high prefix-bypass',
        'high unescaped-dot-bypass',
        'high unescaped-dot-bypass',
        'medium other-port-trusted-with-credentials',
        'medium reflects-request-headers-unvalidated',
      ],
    ],
    [
      'endsWith',
      ['--origin', APP],
      [
        'high suffix-bypass',
        'high unescaped-dot-bypass',
        'medium http-origin-trusted-with-credentials',
        'medium missing-vary-origin',
        'medium reflects-request-headers-unvalidated',
        'medium subdomain-trusted-with-credentials',
      ],
    ],
    [
      'loose',
      ['--origin', APP],
      [
        'medium http-origin-trusted-with-credentials',
        'medium other-port-trusted-with-credentials',
        'medium reflects-request-headers-unvalidated',
        'medium subdomain-trusted-with-credentials',
      ],
    ],
    [
      'noVary',
      ['--origin', APP],
      ['low preflight-refuses-content-type', 'medium missing-vary-origin'],
    ],
    [
      'starWithCredentials',
      [],
      ['low preflight-refuses-content-type', 'low wildcard-with-credentials'],
    ],
    ['preflight404', ['--origin', APP], ['low preflight-not-ok']],
    ['preflightWithoutCors', ['--origin', APP], ['low preflight-fails']],
    ['acahWithoutContentType', ['--origin', APP], ['low preflight-refuses-content-type']],
    ['reflectsMethod', ['--origin', APP], ['low reflects-request-method']],
    [
      'splitting',
      [],
      [
        'high crlf-injection',
        'low preflight-refuses-content-type',
        'medium null-origin-trusted',
        'medium reflects-any-origin',
      ],
    ],
  ])('on %s %j finds %j', async (name, args, expected) => {
    const { status, result } = await scan(name, ...args);
    expect(ids(result)).toEqual(expected);
    expect(status).toBe(expected.length === 0 ? 0 : 1);
    expect(result.requests).toBeLessThanOrEqual(50);
  });

  it('sends at most 50 requests, one at a time, only GET and OPTIONS, with --delay between them', async () => {
    const server = servers.strict!;
    const before = server.seen.length;
    const started = Date.now();
    const { result } = await scan('strict', '--origin', APP, '--delay', '20');
    const seen = server.seen.slice(before);
    expect(seen).toHaveLength(result.requests);
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 * (result.requests - 1));
    expect(new Set(seen.map((s) => s.method))).toEqual(new Set(['GET', 'OPTIONS']));
    expect(seen.every((s) => s.headers.cookie === undefined)).toBe(true);
  });

  it('derives the probes from the trusted origin', async () => {
    const server = servers.strict!;
    const before = server.seen.length;
    await scan('strict', '--origin', 'https://app.example.com:8443');
    const origins = server.seen.slice(before).map((s) => s.headers.origin);
    expect(origins).toEqual(
      expect.arrayContaining([
        'https://app.example.com.corsguard-probe.example:8443',
        'https://evilexample.com:8443',
        'https://appxexample.com:8443',
        'https://app.examplexcom:8443',
        'https://corsguard-probe.app.example.com:8443',
        'https://app.example.com:8444',
        'http://app.example.com:8443',
        'null',
      ]),
    );
    const local = await scan('strict', '--origin', 'http://localhost:3000');
    expect(local.result.notes).toContain(
      'http://localhost:3000 is not allowed by the server (no matching Access-Control-Allow-Origin)',
    );
  });

  it('prints each finding with its evidence', async () => {
    const ran = await cli('scan', servers.reflect!.url, '--origin', APP);
    expect(ran.status).toBe(1);
    expect(ran.stdout).toContain(
      `corsguard scan: ${servers.reflect!.url} (trusted origin ${APP}),`,
    );
    expect(ran.stdout).toContain(
      '[high] reflects-any-origin: any origin is reflected in Access-Control-Allow-Origin with credentials',
    );
    expect(ran.stdout).toContain('  > Origin: https://corsguard-probe.example');
    expect(ran.stdout).toContain('  < Access-Control-Allow-Credentials: true');
    expect(ran.stdout).toMatch(/\n4 finding\(s\)\n$/);
    const clean = await cli('scan', servers.strict!.url);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toContain(
      'note: no origin was allowed, so the preflight probes were not sent',
    );
    expect(clean.stdout).toMatch(/\nno finding\n$/);
  });

  it('exits 2 when the server cannot be reached', async () => {
    const closed = await startHandler(() => undefined);
    await closed.close();
    const ran = await cli('scan', closed.url);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toContain('corsguard scan: network error');
  });
});
