// One table of requests, run against every origin form under Express 5, Express 4, Connect and
// plain node:http. Each configuration behaves as one of a few kinds; the table says, per kind,
// exactly what each request gets.
import request from 'supertest';
import { cors, type CorsOptions, type CorsOptionsDelegate } from '../lib/index.js';
import { FRAMEWORKS, type Middleware, listener } from './helpers/frameworks.js';

const ALLOWED = 'https://app.example.com';
const REFUSED = 'https://evil.example.net';
const ACRH = 'content-type,x-trace';
const METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';

type Kind = 'static-any' | 'static-exact' | 'reflect-any' | 'dynamic' | 'disabled';

const CONFIGS: [string, Kind, () => Middleware][] = [
  ['no options', 'static-any', () => cors()],
  ["origin: '*'", 'static-any', () => cors({ origin: '*' })],
  ['one exact origin', 'static-exact', () => cors({ origin: ALLOWED })],
  ['origin: true', 'reflect-any', () => cors({ origin: true })],
  ['origin: false', 'disabled', () => cors({ origin: false })],
  ['a pattern', 'dynamic', () => cors({ origin: 'https://*.example.com' })],
  ['a RegExp', 'dynamic', () => cors({ origin: /^https:\/\/app\.example\.com$/ })],
  [
    'an array',
    'dynamic',
    () => cors({ origin: ['https://x.example.org', ALLOWED, /^https:\/\/z\.example$/] }),
  ],
  [
    'a function answering by callback',
    'dynamic',
    () =>
      cors({
        origin: (origin, callback) => {
          setImmediate(() => {
            callback(null, origin === ALLOWED);
          });
        },
      }),
  ],
  [
    'a function returning a boolean',
    'dynamic',
    () => cors({ origin: (origin) => origin === ALLOWED }),
  ],
  [
    'a function returning a Promise',
    'dynamic',
    () => cors({ origin: (origin) => Promise.resolve(origin === ALLOWED) }),
  ],
  ['a function answering with a list', 'dynamic', () => cors({ origin: (_origin) => [ALLOWED] })],
  [
    'an options delegate',
    'dynamic',
    () => {
      const options: CorsOptions = { origin: [ALLOWED] };
      const delegate: CorsOptionsDelegate = (_req, callback) => {
        callback(null, options);
      };
      return cors(delegate);
    },
  ],
];

interface Expected {
  status: number;
  /** true when the application's own handler answered */
  app: boolean;
  acao?: string;
  acam?: string;
  acah?: string;
  vary?: string;
}

type Case =
  | 'no origin'
  | 'allowed'
  | 'refused'
  | 'preflight allowed'
  | 'preflight refused'
  | 'OPTIONS without ACRM'
  | 'OPTIONS without Origin';

const CASES: Case[] = [
  'no origin',
  'allowed',
  'refused',
  'preflight allowed',
  'preflight refused',
  'OPTIONS without ACRM',
  'OPTIONS without Origin',
];

function send(handler: ReturnType<typeof listener>, c: Case): request.Test {
  const agent = request(handler);
  switch (c) {
    case 'no origin':
      return agent.get('/r');
    case 'allowed':
      return agent.get('/r').set('Origin', ALLOWED);
    case 'refused':
      return agent.get('/r').set('Origin', REFUSED);
    case 'preflight allowed':
      return agent
        .options('/r')
        .set('Origin', ALLOWED)
        .set('Access-Control-Request-Method', 'PUT')
        .set('Access-Control-Request-Headers', ACRH);
    case 'preflight refused':
      return agent
        .options('/r')
        .set('Origin', REFUSED)
        .set('Access-Control-Request-Method', 'PUT')
        .set('Access-Control-Request-Headers', ACRH);
    case 'OPTIONS without ACRM':
      return agent.options('/r').set('Origin', ALLOWED);
    case 'OPTIONS without Origin':
      return agent.options('/r').set('Access-Control-Request-Method', 'PUT');
  }
}

const actual = (acao: string | undefined, vary: string | undefined): Expected => ({
  status: 200,
  app: true,
  ...(acao === undefined ? {} : { acao }),
  ...(vary === undefined ? {} : { vary }),
});
const preflight = (acao: string, vary: string): Expected => ({
  status: 204,
  app: false,
  acao,
  acam: METHODS,
  acah: ACRH,
  vary,
});
const refusedPreflight: Expected = { status: 204, app: false, vary: 'Origin' };

const EXPECTED: Record<Kind, Record<Case, Expected>> = {
  'static-any': {
    'no origin': actual('*', undefined),
    allowed: actual('*', undefined),
    refused: actual('*', undefined),
    'preflight allowed': preflight('*', 'Access-Control-Request-Headers'),
    'preflight refused': preflight('*', 'Access-Control-Request-Headers'),
    'OPTIONS without ACRM': actual('*', undefined),
    'OPTIONS without Origin': actual('*', undefined),
  },
  'static-exact': {
    'no origin': actual(ALLOWED, undefined),
    allowed: actual(ALLOWED, undefined),
    refused: actual(ALLOWED, undefined),
    'preflight allowed': preflight(ALLOWED, 'Access-Control-Request-Headers'),
    'preflight refused': preflight(ALLOWED, 'Access-Control-Request-Headers'),
    'OPTIONS without ACRM': actual(ALLOWED, undefined),
    'OPTIONS without Origin': actual(ALLOWED, undefined),
  },
  'reflect-any': {
    'no origin': actual(undefined, 'Origin'),
    allowed: actual(ALLOWED, 'Origin'),
    refused: actual(REFUSED, 'Origin'),
    'preflight allowed': preflight(ALLOWED, 'Origin, Access-Control-Request-Headers'),
    'preflight refused': preflight(REFUSED, 'Origin, Access-Control-Request-Headers'),
    'OPTIONS without ACRM': actual(ALLOWED, 'Origin'),
    'OPTIONS without Origin': actual(undefined, 'Origin'),
  },
  dynamic: {
    'no origin': actual(undefined, 'Origin'),
    allowed: actual(ALLOWED, 'Origin'),
    refused: actual(undefined, 'Origin'),
    'preflight allowed': preflight(ALLOWED, 'Origin, Access-Control-Request-Headers'),
    'preflight refused': refusedPreflight,
    'OPTIONS without ACRM': actual(ALLOWED, 'Origin'),
    'OPTIONS without Origin': actual(undefined, 'Origin'),
  },
  disabled: {
    'no origin': actual(undefined, undefined),
    allowed: actual(undefined, undefined),
    refused: actual(undefined, undefined),
    'preflight allowed': actual(undefined, undefined),
    'preflight refused': actual(undefined, undefined),
    'OPTIONS without ACRM': actual(undefined, undefined),
    'OPTIONS without Origin': actual(undefined, undefined),
  },
};

const ROWS = FRAMEWORKS.flatMap((framework) =>
  CONFIGS.flatMap(([name, kind, make]) =>
    CASES.map((c) => [framework, name, c, kind, make] as const),
  ),
);

describe.each(FRAMEWORKS)('under %s', (framework) => {
  const rows = ROWS.filter((row) => row[0] === framework);
  it.each(rows.map((row) => [row[1], row[2], row[3], row[4]] as const))(
    'with %s, a request "%s" gets its %s answer',
    async (_name, c, kind, make) => {
      const res = await send(listener(framework, make()), c);
      const want = EXPECTED[kind][c];
      const method = c.startsWith('preflight') || c.startsWith('OPTIONS') ? 'OPTIONS' : 'GET';
      expect(res.status).toBe(want.status);
      expect(res.text).toBe(want.app ? `app:${method}` : '');
      expect(res.headers['access-control-allow-origin']).toBe(want.acao);
      expect(res.headers['access-control-allow-methods']).toBe(want.acam);
      expect(res.headers['access-control-allow-headers']).toBe(want.acah);
      expect(res.headers.vary).toBe(want.vary);
      if (want.acao === undefined) {
        expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      }
      if (res.status === 204) expect(res.headers['content-length']).toBeUndefined();
    },
  );
});
