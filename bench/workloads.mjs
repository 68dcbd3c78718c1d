// The workloads of the performance targets: for each, the corsguard options, the equivalent `cors` options, the
// requests, and the floor: a hand-written middleware that sets exactly the headers corsguard sets for
// that workload, from precomputed strings (or the request's own value where corsguard reflects it),
// and nothing else: no lookup, no validation, no Vary merge. run.mjs checks before measuring that
// the floor's response is byte for byte corsguard's, so the floor cannot drift from lib/.
import express from 'express';
import { actualHeaders, preflightHeaders, requestSpec } from './requests.mjs';

const ACAO = 'Access-Control-Allow-Origin';
const ACAC = 'Access-Control-Allow-Credentials';
const ACAM = 'Access-Control-Allow-Methods';
const ACAH = 'Access-Control-Allow-Headers';
const ACMA = 'Access-Control-Max-Age';
const VARY = 'Vary';

/** Deterministic PRNG (mulberry32), so every run and every candidate sees the same requests. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(random, list) {
  return list[Math.floor(random() * list.length)];
}

/** Number of request variants per workload; chunks walk through them from different offsets. */
const VARIANTS = 512;

function specs(seed, make) {
  const random = prng(seed);
  return Array.from({ length: VARIANTS }, (_, i) => make(random, i));
}

const APP = 'https://app.example.com';
const TEN = [
  APP,
  'https://admin.example.com',
  'https://www.example.com',
  'https://example.com',
  'https://partner.example.org',
  'https://dashboard.example.io',
  'https://staging.example.com',
  'https://beta.example.com',
  'http://localhost:3000',
  'http://localhost:5173',
];
// Deploy previews, e.g. https://pr-1234.preview.example.net
const PREVIEW = /^https:\/\/pr-\d+\.preview\.example\.net$/;
const LIST = [...TEN, PREVIEW];
/** Request origins for the list: the ten in turn, and one in eleven a preview matched by the RegExp. */
const listOrigin = (random, i) =>
  i % 11 === 10
    ? `https://pr-${1000 + Math.floor(random() * 9000)}.preview.example.net`
    : TEN[i % 11];

const WORDS = ['shop', 'store', 'portal', 'app', 'console', 'studio', 'docs', 'status'];
const TLDS = ['com', 'org', 'net', 'io', 'dev'];
const THOUSAND = Array.from(
  { length: 1000 },
  (_, i) => `https://${WORDS[i % WORDS.length]}${i}.customer${i % 37}.${TLDS[i % TLDS.length]}`,
);
const TENANTS = 100;
const PATTERNS = Array.from({ length: TENANTS }, (_, n) => `https://*.tenant${n}.example.com`);
// What a `cors` user writes for the same patterns: one anchored RegExp each.
const PATTERN_REGEXPS = Array.from(
  { length: TENANTS },
  (_, n) => new RegExp(`^https:\\/\\/(?:[a-z0-9-]+\\.)+tenant${n}\\.example\\.com$`),
);

const METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';
const LISTED_HEADERS = ['Content-Type', 'Authorization', 'X-Request-Id'];
const PREFLIGHT_OPTIONS = { origin: LIST, credentials: true, maxAge: 600 };

// Floors. `reflect` ones copy the request's Origin (corsguard reflects the origin it matched).
function floorStatic(value) {
  return function floorStaticOrigin(_req, res, next) {
    res.setHeader(ACAO, value);
    next();
  };
}
function floorReflect(req, res, next) {
  res.setHeader(VARY, 'Origin');
  res.setHeader(ACAO, req.headers.origin);
  next();
}
function floorVaryOnly(_req, res, next) {
  res.setHeader(VARY, 'Origin');
  next();
}
function floorPreflightListed(req, res) {
  res.setHeader(VARY, 'Origin');
  res.setHeader(ACAO, req.headers.origin);
  res.setHeader(ACAC, 'true');
  res.setHeader(ACAM, METHODS);
  res.setHeader(ACAH, 'Content-Type,Authorization,X-Request-Id');
  res.setHeader(ACMA, '600');
  res.statusCode = 204;
  res.end();
}
function floorPreflightReflect(req, res) {
  res.setHeader(VARY, 'Origin, Access-Control-Request-Headers');
  res.setHeader(ACAO, req.headers.origin);
  res.setHeader(ACAC, 'true');
  res.setHeader(ACAM, METHODS);
  res.setHeader(ACAH, req.headers['access-control-request-headers']);
  res.setHeader(ACMA, '600');
  res.statusCode = 204;
  res.end();
}

// Route-aware preflights: Express 5 applications of 3 and of 300 routes, the routes of the requested
// path (/api/items/:id: GET, PUT, DELETE) registered last, after every other route. Under the
// node:http stack there is no application (no req.app): 'auto' is then the default list, and the
// floor follows.
const ROUTE_METHODS = 'GET,HEAD,PUT,DELETE';
function routedApp(routes) {
  const app = express();
  const handler = (_req, res) => {
    res.end();
  };
  for (let n = 0; n < routes - 3; n++) app.get(`/api/r${String(n)}/:id`, handler);
  app.get('/api/items', handler);
  app.post('/api/items', handler);
  app.route('/api/items/:id').get(handler).put(handler).delete(handler);
  return app;
}
const APP_3 = routedApp(3);
const APP_300 = routedApp(300);
const routedSpecs = (seed, app) =>
  specs(seed, (_random, i) =>
    requestSpec(
      'OPTIONS',
      `/api/items/${String(i % 50)}`,
      preflightHeaders(TEN[i % TEN.length], 'PUT', 'content-type'),
      app,
    ),
  );
function floorPreflightAuto(req, res) {
  const routed = req.app !== undefined;
  if (routed) res.setHeader('Allow', 'GET, HEAD, PUT, DELETE');
  res.setHeader(VARY, 'Origin, Access-Control-Request-Headers');
  res.setHeader(ACAO, req.headers.origin);
  res.setHeader(ACAM, routed ? ROUTE_METHODS : METHODS);
  res.setHeader(ACAH, req.headers['access-control-request-headers']);
  res.statusCode = 204;
  res.end();
}
function floorPreflightRouteList(req, res) {
  res.setHeader(VARY, 'Origin, Access-Control-Request-Headers');
  res.setHeader(ACAO, req.headers.origin);
  res.setHeader(ACAM, ROUTE_METHODS);
  res.setHeader(ACAH, req.headers['access-control-request-headers']);
  res.statusCode = 204;
  res.end();
}

const TEN_SET = new Set(TEN);
/** A synchronous origin function as `cors` users write it (callback style); both packages accept it. */
function originFromTable(origin, callback) {
  callback(null, TEN_SET.has(origin));
}

/** The same table, asked as a database driver is: the answer comes in a Promise. */
async function originFromTableAsync(origin) {
  return TEN_SET.has(origin);
}
/** A bus that does nothing, for the row showing that the request path never touches it. */
const IDLE_BUS = {
  publish() {},
  subscribe() {
    return () => {};
  },
};
// Longer than any run: an answer expiring mid-run would be asked again, and answered later than
// the timed loop.
const LONG_TTL = 3_600_000;

/**
 * Each workload: `key`, `label`, the options for corsguard (`options`) and for cors (`corsOptions`),
 * `specs` (request variants), `floor`, and flags: `shared` (the same options mean the same thing in
 * cors, so it counts in the geometric mean), `equivalent` (cors gets equivalent options, not the
 * same ones), `aux` (a reference point for another target, not one of the target workloads),
 * `pending` (not measurable yet: the capability has not landed), `perRequest` (the candidates build
 * their middleware for every request, see inprocess.mjs), `prime` (corsguard answers these
 * requests later than the call the first time: each variant is sent once, and answered, before
 * measuring, so every timed request is answered from the cache; left out of the memory check).
 */
export const WORKLOADS = [
  {
    key: 'single',
    label: 'GET, one allowed origin',
    options: { origin: APP },
    corsOptions: { origin: APP },
    specs: specs(1, () => requestSpec('GET', '/api/items', actualHeaders(APP))),
    floor: floorStatic(APP),
    shared: true,
  },
  {
    key: 'list',
    label: 'GET, 10 origins + RegExp',
    options: { origin: LIST },
    corsOptions: { origin: LIST },
    specs: specs(2, (random, i) =>
      requestSpec('GET', '/api/items', actualHeaders(listOrigin(random, i))),
    ),
    floor: floorReflect,
    shared: true,
  },
  {
    key: 'exact1000',
    label: 'GET, 1,000 exact origins',
    options: { origin: THOUSAND },
    corsOptions: { origin: THOUSAND },
    specs: specs(3, (random) =>
      requestSpec('GET', '/api/items', actualHeaders(pick(random, THOUSAND))),
    ),
    floor: floorReflect,
    shared: true,
  },
  {
    key: 'patterns100',
    label: 'GET, 100 patterns',
    options: { origin: PATTERNS },
    corsOptions: { origin: PATTERN_REGEXPS },
    specs: specs(4, (random) => {
      const tenant = Math.floor(random() * TENANTS);
      const sub = pick(random, ['app', 'www', 'eu.app', 'admin', 'us-east-1.api']);
      return requestSpec(
        'GET',
        '/api/items',
        actualHeaders(`https://${sub}.tenant${tenant}.example.com`),
      );
    }),
    floor: floorReflect,
    equivalent: '100 anchored RegExps',
  },
  {
    key: 'oneInList',
    label: 'GET, one origin in a list',
    options: { origin: [APP] },
    corsOptions: { origin: [APP] },
    specs: specs(5, () => requestSpec('GET', '/api/items', actualHeaders(APP))),
    floor: floorReflect,
    aux: 'reference for the 1.1x target: same headers and code path as the 1,000 and patterns rows',
  },
  {
    key: 'perRequest',
    label: 'GET, 10 origins + RegExp, built per request',
    // The candidates build the middleware for each request from a new options object of this
    // content (inprocess.mjs, builtPerRequest), as frameworks that call cors per request do.
    options: {
      origin: LIST,
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['Content-Type'],
    },
    corsOptions: {
      origin: LIST,
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['Content-Type'],
    },
    perRequest: true,
    specs: specs(17, (random, i) =>
      requestSpec('GET', '/api/items', actualHeaders(listOrigin(random, i))),
    ),
    floor: floorReflect,
    aux: 'the per-request target compares it with the 10 origins + RegExp row',
  },
  {
    key: 'noOrigin',
    label: 'GET without Origin (list)',
    options: { origin: LIST },
    corsOptions: { origin: LIST },
    specs: specs(6, () => requestSpec('GET', '/api/items', actualHeaders(undefined))),
    floor: floorVaryOnly,
    shared: true,
  },
  {
    key: 'refused',
    label: 'GET, refused origin (list)',
    options: { origin: LIST },
    corsOptions: { origin: LIST },
    specs: specs(7, (random) =>
      requestSpec(
        'GET',
        '/api/items',
        actualHeaders(
          `https://${pick(random, WORDS)}${Math.floor(random() * 1e6)}.attacker.example`,
        ),
      ),
    ),
    floor: floorVaryOnly,
    shared: true,
  },
  {
    key: 'preflightListed',
    label: 'preflight, 3 configured headers',
    options: { ...PREFLIGHT_OPTIONS, allowedHeaders: LISTED_HEADERS },
    corsOptions: { ...PREFLIGHT_OPTIONS, allowedHeaders: LISTED_HEADERS },
    specs: specs(8, (random, i) =>
      requestSpec(
        'OPTIONS',
        '/api/items/42',
        preflightHeaders(TEN[i % TEN.length], 'PUT', 'authorization,content-type,x-request-id'),
      ),
    ),
    floor: floorPreflightListed,
    shared: true,
  },
  {
    key: 'preflightReflect',
    label: 'preflight, reflected headers',
    options: PREFLIGHT_OPTIONS,
    corsOptions: PREFLIGHT_OPTIONS,
    specs: specs(9, (random, i) =>
      requestSpec(
        'OPTIONS',
        '/api/items/42',
        preflightHeaders(TEN[i % TEN.length], 'PUT', 'content-type,x-request-id,x-trace-id'),
      ),
    ),
    floor: floorPreflightReflect,
    shared: true,
  },
  {
    key: 'functionSync',
    label: 'GET, sync origin function',
    options: { origin: originFromTable },
    corsOptions: { origin: originFromTable },
    specs: specs(10, (random, i) =>
      requestSpec('GET', '/api/items', actualHeaders(TEN[i % TEN.length])),
    ),
    floor: floorReflect,
    shared: true,
  },
  {
    key: 'functionCached',
    label: 'GET, origin function, cached',
    // Same function; corsguard keeps its answers (SPEC section 5). A build without originCache
    // refuses the option, and the row is then reported as not supported by that build.
    options: { origin: originFromTable, originCache: { ttl: 60_000 } },
    corsOptions: { origin: originFromTable },
    specs: specs(11, (random, i) =>
      requestSpec('GET', '/api/items', actualHeaders(TEN[i % TEN.length])),
    ),
    floor: floorReflect,
    equivalent: 'the same function, called on every request (cors has no cache)',
  },
  // An asynchronous origin function answered from the cache, without and with a bus for
  // clearOriginCache (which is subscribed to once, when the middleware is built, and never touched
  // per request). cors gets the synchronous callback function: cors has no cache, and an asynchronous
  // answer would come after the timed loop.
  {
    key: 'functionAsyncCached',
    label: 'GET, async origin function, cached',
    options: { origin: originFromTableAsync, originCache: { ttl: LONG_TTL } },
    corsOptions: { origin: originFromTable },
    specs: specs(15, (_random, i) =>
      requestSpec('GET', '/api/items', actualHeaders(TEN[i % TEN.length])),
    ),
    floor: floorReflect,
    prime: true,
    aux: 'the cached-function target compares it with the 10 origins + RegExp row',
  },
  {
    key: 'functionAsyncCachedBus',
    label: 'GET, async origin function, cached, with a bus',
    options: {
      origin: originFromTableAsync,
      originCache: { ttl: LONG_TTL, bus: IDLE_BUS },
    },
    corsOptions: { origin: originFromTable },
    specs: specs(16, (_random, i) =>
      requestSpec('GET', '/api/items', actualHeaders(TEN[i % TEN.length])),
    ),
    floor: floorReflect,
    prime: true,
    aux: 'compared with the same row without a bus',
  },
  // Route-aware preflights (SPEC section 7). cors has no 'auto': it gets the list a cors user writes
  // for that path. The 50 paths /api/items/0..49 stay in corsguard's per-application cache.
  {
    key: 'methodsAuto3',
    label: "preflight, methods: 'auto', 3 routes",
    options: { origin: LIST, methods: 'auto' },
    corsOptions: { origin: LIST, methods: ROUTE_METHODS },
    specs: routedSpecs(12, APP_3),
    floor: floorPreflightAuto,
    aux: 'route-aware preflights: compared with each other, not part of the performance targets',
  },
  {
    key: 'methodsAuto300',
    label: "preflight, methods: 'auto', 300 routes",
    options: { origin: LIST, methods: 'auto' },
    corsOptions: { origin: LIST, methods: ROUTE_METHODS },
    specs: routedSpecs(13, APP_300),
    floor: floorPreflightAuto,
    aux: 'route-aware preflights: compared with each other, not part of the performance targets',
  },
  {
    key: 'methodsListed300',
    label: 'preflight, methods listed, 300 routes',
    options: { origin: LIST, methods: ROUTE_METHODS },
    corsOptions: { origin: LIST, methods: ROUTE_METHODS },
    specs: routedSpecs(14, APP_300),
    floor: floorPreflightRouteList,
    aux: 'route-aware preflights: compared with each other, not part of the performance targets',
  },
];

// The memory check (memory.mjs): random requests through every workload's corsguard configuration,
// plus this origin function, which answers with strings: corsguard compiles each distinct answer once
// and keeps them in a bounded table, the one structure that fills with traffic.
export const MEMORY_ORIGIN_FUNCTION_STRING = (origin, callback) => {
  callback(null, origin.endsWith('.example.com') ? origin : false);
};

/** A random Origin: allowed, pattern subdomains, unknown hosts and ports, null, malformed, or none. */
export function randomOrigin(random) {
  const r = random();
  const label = Math.floor(random() * 2 ** 40).toString(36);
  if (r < 0.3) return `https://${label}.tenant${Math.floor(random() * TENANTS)}.example.com`;
  if (r < 0.55) return `https://${label}.example.org:${1 + Math.floor(random() * 65535)}`;
  if (r < 0.65) return pick(random, TEN);
  if (r < 0.7) return pick(random, THOUSAND);
  if (r < 0.75) return `https://pr-${label}.preview.example.net`;
  if (r < 0.8) return 'null';
  if (r < 0.85) return `HTTPS://${label}.Example.COM/path`; // malformed: refused
  if (r < 0.9) return `http://localhost:${Math.floor(random() * 65536)}`;
  return undefined; // no Origin
}

const REQUEST_HEADER_NAMES = ['content-type', 'authorization', 'x-request-id', 'x-trace-id'];

/** A random request spec for the memory check (random origin; one in three a preflight). */
export function randomSpec(random) {
  const origin = randomOrigin(random);
  if (origin !== undefined && random() < 0.33) {
    const extra = `x-${Math.floor(random() * 2 ** 32).toString(36)}`;
    const names = [pick(random, REQUEST_HEADER_NAMES), extra].sort().join(',');
    return {
      method: 'OPTIONS',
      url: '/api/items',
      pairs: preflightHeaders(origin, pick(random, ['PUT', 'DELETE', 'PATCH']), names),
    };
  }
  return { method: 'GET', url: '/api/items', pairs: actualHeaders(origin) };
}

/** The options of the loopback HTTP level (both packages): the preflight workload's configuration. */
export const HTTP_OPTIONS = { ...PREFLIGHT_OPTIONS, allowedHeaders: LISTED_HEADERS };
/** Origin and request headers the HTTP level sends. */
export const HTTP_ORIGIN = 'https://partner.example.org';
export const HTTP_REQUEST_HEADERS = 'authorization,content-type,x-request-id';
