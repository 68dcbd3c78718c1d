// App, router and route level: the most specific corsguard decides, for preflights and actual
// requests alike, and methods: 'auto' answers with what the routes handle. Every case runs under
// Express 5 and Express 4; the stacks without a route table (Connect, node:http) come last.
// Sub-applications: __tests__/mounting.test.ts.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import connect from 'connect';
import express from 'express';
import express4 from 'express4';
import request from 'supertest';
import { cors, corsDecision, type CorsDecision } from '../lib/index.js';

const A = 'https://a.example';
const B = 'https://b.example';
const R = 'https://router.example';
const EVIL = 'https://evil.example';
const DEFAULT_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';

const VERSIONS = [
  [
    'Express 5',
    () => express(),
    () => express.Router(),
    () => express.Router({ mergeParams: true }),
  ],
  [
    'Express 4',
    () => express4(),
    () => express4.Router(),
    () => express4.Router({ mergeParams: true }),
  ],
] as const;

type App = ReturnType<typeof express>;

/** A handler that answers with the decision corsguard left on the request. */
const answer = (req: IncomingMessage, res: ServerResponse): void => {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ handler: true, decision: corsDecision(req) ?? null }));
};

function preflight(
  app: Parameters<typeof request>[0],
  path: string,
  origin: string,
  method: string,
) {
  return request(app)
    .options(path)
    .set('Origin', origin)
    .set('Access-Control-Request-Method', method)
    .set('Access-Control-Request-Headers', 'content-type');
}

const corsHeaders = (headers: Record<string, string>): string[] =>
  Object.keys(headers)
    .filter((name) => name.startsWith('access-control-'))
    .sort();

describe.each(VERSIONS)('under %s', (_name, makeApp, makeRouter, makeMergingRouter) => {
  describe('app level A, route level B on POST /webhook', () => {
    let app: App;
    beforeEach(() => {
      app = makeApp();
      app.use(cors({ origin: [A], credentials: true, exposedHeaders: 'X-Total' }));
      app.post('/webhook', cors({ origin: [B] }), answer);
      app.get('/other', answer);
    });

    it("answers B's preflight for POST /webhook with the route's configuration", async () => {
      const res = await preflight(app, '/webhook', B, 'POST');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(B);
      expect(res.headers['access-control-allow-methods']).toBe(DEFAULT_METHODS);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it("refuses A's preflight for POST /webhook: the app level's allow-list does not apply there", async () => {
      const res = await preflight(app, '/webhook', A, 'POST');
      expect(res.status).toBe(204);
      expect(corsHeaders(res.headers)).toEqual([]);
      expect(res.headers.vary).toBe('Origin');
    });

    it('still answers preflights for other paths with the app level', async () => {
      const res = await preflight(app, '/other', A, 'PUT');
      expect(res.headers['access-control-allow-origin']).toBe(A);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect((await preflight(app, '/other', B, 'PUT')).headers).not.toHaveProperty(
        'access-control-allow-origin',
      );
    });

    it("gives the actual POST from B the route's headers only, and B's decision", async () => {
      const res = await request(app).post('/webhook').set('Origin', B);
      expect(res.headers['access-control-allow-origin']).toBe(B);
      expect(corsHeaders(res.headers)).toEqual(['access-control-allow-origin']);
      expect(res.headers.vary).toBe('Origin');
      expect(res.body).toEqual({
        handler: true,
        decision: { kind: 'actual', allowed: true, origin: B },
      });
    });

    it('takes back every header the app level set for A on POST /webhook (no leftovers)', async () => {
      const res = await request(app).post('/webhook').set('Origin', A);
      expect(corsHeaders(res.headers)).toEqual([]);
      expect(res.headers.vary).toBe('Origin');
      expect(res.body.decision).toMatchObject({ allowed: false, reason: 'origin-not-allowed' });
    });

    it('leaves the app level deciding the routes without a configuration of their own', async () => {
      const res = await request(app).get('/other').set('Origin', A);
      expect(res.headers['access-control-allow-origin']).toBe(A);
      expect(res.headers['access-control-expose-headers']).toBe('X-Total');
      expect(res.body.decision).toEqual({ kind: 'actual', allowed: true, origin: A });
    });
  });

  describe('app level cors() and a stricter route level on GET /private', () => {
    let app: App;
    beforeEach(() => {
      app = makeApp();
      app.use(cors({ exposedHeaders: ['X-Id'] }));
      app.get('/private', cors({ origin: [B] }), answer);
      app.get('/public', answer);
    });

    it('sends a refused origin no Access-Control-* header at all: the "*" does not survive', async () => {
      const res = await request(app).get('/private').set('Origin', EVIL);
      expect(res.status).toBe(200);
      expect(corsHeaders(res.headers)).toEqual([]);
      expect(res.headers.vary).toBe('Origin');
      expect(res.body.decision).toMatchObject({ allowed: false, origin: EVIL });
    });

    it('removes the "*" from requests without Origin too, adding Vary: Origin once', async () => {
      const res = await request(app).get('/private').set('Vary', 'Origin');
      expect(corsHeaders(res.headers)).toEqual([]);
      expect(res.headers.vary).toBe('Origin');
    });

    it('allows the listed origin, and keeps "*" for the other routes', async () => {
      const allowed = await request(app).get('/private').set('Origin', B);
      expect(allowed.headers['access-control-allow-origin']).toBe(B);
      expect(allowed.headers['access-control-expose-headers']).toBeUndefined();
      const open = await request(app).get('/public').set('Origin', EVIL);
      expect(open.headers['access-control-allow-origin']).toBe('*');
      expect(open.headers['access-control-expose-headers']).toBe('X-Id');
    });

    it('refuses the preflight of a refused origin for GET /private', async () => {
      const refused = await preflight(app, '/private', EVIL, 'GET');
      expect(corsHeaders(refused.headers)).toEqual([]);
      const allowed = await preflight(app, '/private', B, 'GET');
      expect(allowed.headers['access-control-allow-origin']).toBe(B);
    });
  });

  describe('router level, between app level and route level', () => {
    let app: App;
    beforeEach(() => {
      app = makeApp();
      const router = makeRouter();
      router.use(cors({ origin: [R] }));
      router.get('/items', answer);
      router.put('/items/:id', cors({ origin: [B] }), answer);
      app.use(cors({ origin: [A] }));
      app.use('/api', router);
      app.get('/home', answer);
    });

    it("decides the preflights for that router's routes", async () => {
      expect((await preflight(app, '/api/items', R, 'PUT')).headers).toMatchObject({
        'access-control-allow-origin': R,
      });
      expect(corsHeaders((await preflight(app, '/api/items', A, 'PUT')).headers)).toEqual([]);
    });

    it('gives way to a route level inside the router', async () => {
      expect((await preflight(app, '/api/items/7', B, 'PUT')).headers).toMatchObject({
        'access-control-allow-origin': B,
      });
      expect(corsHeaders((await preflight(app, '/api/items/7', R, 'PUT')).headers)).toEqual([]);
    });

    it('leaves the paths outside the router to the app level', async () => {
      expect((await preflight(app, '/home', A, 'PUT')).headers).toMatchObject({
        'access-control-allow-origin': A,
      });
      expect(corsHeaders((await preflight(app, '/home', R, 'PUT')).headers)).toEqual([]);
    });

    it('decides the actual requests the same way', async () => {
      const inRouter = await request(app).get('/api/items').set('Origin', R);
      expect(inRouter.headers['access-control-allow-origin']).toBe(R);
      const fromApp = await request(app).get('/api/items').set('Origin', A);
      expect(corsHeaders(fromApp.headers)).toEqual([]);
      const onRoute = await request(app).put('/api/items/7').set('Origin', B);
      expect(onRoute.headers['access-control-allow-origin']).toBe(B);
      expect(onRoute.body.decision).toEqual({ kind: 'actual', allowed: true, origin: B });
    });
  });

  describe("methods: 'auto'", () => {
    let app: App;
    beforeEach(() => {
      app = makeApp();
      app.use(cors({ origin: [A], methods: 'auto' }));
      app.get('/things', answer);
      app.post('/things', answer);
      app.delete('/things/:id', answer);
      app.route('/chain').get(answer).put(answer);
      app.all('/anything', answer);
      const users = makeRouter();
      const posts = makeMergingRouter();
      posts.get('/', answer);
      posts.post('/', answer);
      users.use('/:id/posts', posts);
      users.patch('/:id', answer);
      app.use('/users', users);
    });

    it('answers with the methods the routes handle for the path, HEAD with GET, in ACAM and Allow', async () => {
      const res = await preflight(app, '/things', A, 'POST');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(A);
      expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,POST');
      expect(res.headers.allow).toBe('GET, HEAD, POST');
    });

    it('refuses a method no route handles, naming what the routes handle', async () => {
      const res = await preflight(app, '/things', A, 'PUT');
      expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,POST');
      const decision = await decisionOf(app, '/things', A, 'PUT');
      expect(decision).toMatchObject({
        kind: 'preflight',
        allowed: false,
        reason: 'method-not-allowed',
        value: 'PUT',
        allows: ['GET', 'HEAD', 'POST'],
      });
    });

    it('refuses even a safelisted method when no route handles it', async () => {
      const decision = await decisionOf(app, '/things/3', A, 'POST');
      expect(decision).toMatchObject({ allowed: false, reason: 'method-not-allowed' });
      const res = await preflight(app, '/things/3', A, 'DELETE');
      expect(res.headers['access-control-allow-methods']).toBe('DELETE');
      expect(res.headers.allow).toBe('DELETE');
    });

    it('reads app.route() chains, app.all() and nested routers with parameters', async () => {
      const chain = await preflight(app, '/chain', A, 'PUT');
      expect(chain.headers['access-control-allow-methods']).toBe('GET,HEAD,PUT');
      const all = await preflight(app, '/anything', A, 'PATCH');
      expect(all.headers['access-control-allow-methods']).toBe('PATCH');
      expect(await decisionOf(app, '/anything', A, 'PATCH')).toMatchObject({ allowed: true });
      const nested = await preflight(app, '/users/7/posts', A, 'POST');
      expect(nested.headers['access-control-allow-methods']).toBe('GET,HEAD,POST');
      const param = await preflight(app, '/users/7', A, 'PATCH');
      expect(param.headers['access-control-allow-methods']).toBe('PATCH');
    });

    it('sends no methods and refuses every method for a path no route handles', async () => {
      const res = await preflight(app, '/nowhere', A, 'GET');
      expect(res.headers['access-control-allow-origin']).toBe(A);
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
      expect(res.headers.allow).toBeUndefined();
      expect(await decisionOf(app, '/nowhere', A, 'GET')).toMatchObject({
        reason: 'method-not-allowed',
        allows: [],
      });
    });

    it('keeps Allow but no Access-Control-* header for a refused origin', async () => {
      const res = await preflight(app, '/things', EVIL, 'POST');
      expect(corsHeaders(res.headers)).toEqual([]);
      expect(res.headers.allow).toBe('GET, HEAD, POST');
    });

    it('sees routes added after the first preflight, and methods added to an existing route', async () => {
      expect((await preflight(app, '/things', A, 'PATCH')).headers.allow).toBe('GET, HEAD, POST');
      app.patch('/things', answer);
      expect((await preflight(app, '/things', A, 'PATCH')).headers.allow).toBe(
        'GET, HEAD, POST, PATCH',
      );
      const late = app.route('/late');
      late.get(answer);
      expect((await preflight(app, '/late', A, 'PUT')).headers.allow).toBe('GET, HEAD');
      late.put(answer);
      expect((await preflight(app, '/late', A, 'PUT')).headers.allow).toBe('GET, HEAD, PUT');
    });

    it('takes a route level configuration with its own list or its own auto', async () => {
      app.post('/hook', cors({ origin: [B], methods: ['POST'] }), answer);
      app.put('/auto-hook', cors({ origin: [B], methods: 'auto' }), answer);
      expect((await preflight(app, '/hook', B, 'POST')).headers).toMatchObject({
        'access-control-allow-origin': B,
        'access-control-allow-methods': 'POST',
      });
      const auto = await preflight(app, '/auto-hook', B, 'PUT');
      expect(auto.headers['access-control-allow-methods']).toBe('PUT');
      expect(auto.headers.allow).toBe('PUT');
    });
  });

  describe('an OPTIONS request that is not a preflight', () => {
    it("gets Express's own Allow answer, with the CORS headers of an actual request", async () => {
      const app = makeApp();
      app.use(cors({ origin: [A], methods: 'auto' }));
      app.post('/things', answer);
      app.get('/things', answer);
      const res = await request(app).options('/things').set('Origin', A);
      expect(res.status).toBe(200);
      const allow = _name === 'Express 5' ? 'GET, HEAD, POST' : 'POST,GET,HEAD';
      expect(res.headers.allow).toBe(allow);
      expect(res.text).toBe(allow);
      expect(res.headers['access-control-allow-origin']).toBe(A);
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
    });
  });

  describe('a route level configuration without an app level one', () => {
    it('never sees the preflight: Express answers it, without CORS headers', async () => {
      const app = makeApp();
      app.post('/webhook', cors({ origin: [B] }), answer);
      const res = await preflight(app, '/webhook', B, 'POST');
      expect(res.status).toBe(200);
      expect(res.headers.allow).toBe('POST');
      expect(corsHeaders(res.headers)).toEqual([]);
    });

    it('decides with app.use(cors({ origin: false })) at app level: CORS off unless a route turns it on', async () => {
      const app = makeApp();
      app.use(cors({ origin: false }));
      app.post('/webhook', cors({ origin: [B] }), answer);
      app.get('/internal', answer);
      const pre = await preflight(app, '/webhook', B, 'POST');
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(B);
      const actual = await request(app).post('/webhook').set('Origin', B);
      expect(actual.headers['access-control-allow-origin']).toBe(B);
      expect(actual.body.decision).toEqual({ kind: 'actual', allowed: true, origin: B });
      const off = await preflight(app, '/internal', B, 'GET');
      expect(off.status).toBe(200); // Express's own OPTIONS answer
      expect(off.headers.allow).toMatch(/GET/);
      expect(corsHeaders(off.headers)).toEqual([]);
      const offActual = await request(app).get('/internal').set('Origin', B);
      expect(corsHeaders(offActual.headers)).toEqual([]);
      expect(offActual.body.decision).toMatchObject({ reason: 'cors-disabled' });
    });

    it('turns CORS off for one route under an open app level, leaving no header', async () => {
      const app = makeApp();
      app.use(cors());
      app.get('/internal', cors({ origin: false }), answer);
      const res = await request(app).get('/internal').set('Origin', B);
      expect(corsHeaders(res.headers)).toEqual([]);
      expect(res.body.decision).toMatchObject({ allowed: false, reason: 'cors-disabled' });
    });
  });

  describe('decisions', () => {
    it('reach only the deciding configuration, once per request, on onDecision and the channel', async () => {
      const appSeen: CorsDecision[] = [];
      const routeSeen: CorsDecision[] = [];
      const channel: CorsDecision[] = [];
      const listener = (message: unknown): void => {
        channel.push((message as { decision: CorsDecision }).decision);
      };
      const app = makeApp();
      app.use(cors({ origin: [A], onDecision: (d) => appSeen.push(d) }));
      app.post('/webhook', cors({ origin: [B], onDecision: (d) => routeSeen.push(d) }), answer);
      app.get('/other', answer);
      subscribe('corsguard:decision', listener);
      try {
        await preflight(app, '/webhook', B, 'POST');
        const actual = await request(app).post('/webhook').set('Origin', B);
        expect(actual.body.decision).toEqual({ kind: 'actual', allowed: true, origin: B });
        await request(app).get('/other').set('Origin', B);
      } finally {
        unsubscribe('corsguard:decision', listener);
      }
      expect(routeSeen.map((d) => [d.kind, d.allowed])).toEqual([
        ['preflight', true],
        ['actual', true],
      ]);
      expect(appSeen.map((d) => [d.kind, d.allowed])).toEqual([['actual', false]]);
      expect(channel.map((d) => [d.kind, d.allowed])).toEqual([
        ['preflight', true],
        ['actual', true],
        ['actual', false],
      ]);
    });

    it('end with the route level decision of a function origin, which the app level hands over', async () => {
      const app = makeApp();
      app.use(cors({ origin: [A] }));
      app.put('/hook', cors({ origin: (origin) => Promise.resolve(origin === B) }), answer);
      const pre = await preflight(app, '/hook', B, 'PUT');
      expect(pre.headers['access-control-allow-origin']).toBe(B);
      const actual = await request(app).put('/hook').set('Origin', B);
      expect(actual.headers['access-control-allow-origin']).toBe(B);
      expect(actual.body.decision).toEqual({ kind: 'actual', allowed: true, origin: B });
    });
  });

  describe('function origins', () => {
    it('hand preflights over at app level, and answer them inside an options delegate', async () => {
      const app = makeApp();
      app.use(cors({ origin: (origin) => origin === A }));
      app.put(
        '/hook',
        cors((_req, callback) => {
          callback(null, { origin: (o) => o === B });
        }),
        answer,
      );
      const res = await preflight(app, '/hook', B, 'PUT');
      expect(res.headers['access-control-allow-origin']).toBe(B);
      expect(corsHeaders((await preflight(app, '/hook', A, 'PUT')).headers)).toEqual([]);
    });
  });

  describe('options delegates', () => {
    it('are found at route level, and hand preflights over at app level', async () => {
      const app = makeApp();
      app.use(
        cors((_req, callback) => {
          callback(null, { origin: [A], methods: 'auto' });
        }),
      );
      app.put(
        '/hook',
        cors((_req, callback) => {
          callback(null, { origin: [B] });
        }),
        answer,
      );
      app.get('/things', answer);
      const hook = await preflight(app, '/hook', B, 'PUT');
      expect(hook.headers['access-control-allow-origin']).toBe(B);
      const things = await preflight(app, '/things', A, 'GET');
      expect(things.headers['access-control-allow-methods']).toBe('GET,HEAD');
      const actual = await request(app).put('/hook').set('Origin', A);
      expect(corsHeaders(actual.headers)).toEqual([]);
    });
  });

  describe('how the route table is followed', () => {
    let app: App;
    beforeEach(() => {
      app = makeApp();
      app.use(cors({ origin: [A], methods: 'auto' }));
    });

    it('serves HEAD with the GET routes, unless a route has its own HEAD', async () => {
      app.get('/g', answer);
      app.head('/h', cors({ origin: [B] }), answer);
      app.get('/h', answer);
      expect((await preflight(app, '/g', A, 'HEAD')).headers['access-control-allow-methods']).toBe(
        'GET,HEAD',
      );
      const own = await preflight(app, '/h', B, 'HEAD');
      expect(own.headers['access-control-allow-origin']).toBe(B);
      expect(own.headers['access-control-allow-methods']).toBe(DEFAULT_METHODS);
    });

    it('takes a corsguard in route.all() as the route level of every method', async () => {
      app
        .route('/y')
        .all(cors({ origin: [B] }))
        .get(answer);
      expect((await preflight(app, '/y', B, 'GET')).headers['access-control-allow-origin']).toBe(B);
      expect((await request(app).get('/y').set('Origin', B)).headers).toHaveProperty(
        'access-control-allow-origin',
        B,
      );
    });

    it('ignores a corsguard on a route the request never reaches, and counts each method once', async () => {
      app.get('/z', answer);
      app.get('/z', cors({ origin: [B] }), answer);
      const pre = await preflight(app, '/z', B, 'GET');
      expect(corsHeaders(pre.headers)).toEqual([]);
      expect(pre.headers.allow).toBe('GET, HEAD');
      expect(corsHeaders((await request(app).get('/z').set('Origin', B)).headers)).toEqual([]);
    });

    it('stops at a path a nested router cannot decode, as the router does', async () => {
      const router = makeRouter();
      router.get('/u/:id', answer);
      app.use('/api', router);
      app.use(cors({ origin: [B] }));
      const res = await preflight(app, '/api/u/%E0', A, 'GET');
      expect(res.headers['access-control-allow-origin']).toBe(A);
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
    });

    it('follows a router mounted without a path, and skips one whose pattern matches mid-path', async () => {
      const open = makeRouter();
      open.use(cors({ origin: [R] }));
      open.get('/open', answer);
      app.use(open);
      const odd = makeRouter();
      odd.use(cors({ origin: [B] }));
      odd.get('/y', answer);
      app.use(/api/, odd);
      expect((await preflight(app, '/open', R, 'GET')).headers['access-control-allow-origin']).toBe(
        R,
      );
      // /api/ matches inside /x/api/y, which is no prefix: neither router takes the request.
      const skipped = await preflight(app, '/x/api/y', R, 'GET');
      expect(skipped.headers['access-control-allow-origin']).toBe(R);
      const actual = await request(app).get('/x/api/y').set('Origin', R);
      expect(actual.status).toBe(404);
      expect(actual.headers['access-control-allow-origin']).toBe(R);
    });

    it(`trims a mount prefix that ends at a dot as ${_name} does`, async () => {
      const router = makeRouter();
      router.get('/.json', cors({ origin: [B] }), answer);
      app.use(/^\/api/, router);
      const byRoute = _name === 'Express 4';
      const pre = await preflight(app, '/api.json', B, 'GET');
      expect(pre.headers['access-control-allow-origin']).toBe(byRoute ? B : undefined);
      const actual = await request(app).get('/api.json').set('Origin', B);
      expect(actual.status).toBe(byRoute ? 200 : 404);
    });

    it('takes back nothing once the headers are sent', async () => {
      const early = makeApp();
      early.use(cors());
      early.get(
        '/flushed',
        (_req: IncomingMessage, res: ServerResponse, next: () => void) => {
          res.flushHeaders();
          next();
        },
        cors({ origin: false }),
        (_req: IncomingMessage, res: ServerResponse) => {
          res.end('done');
        },
      );
      const res = await request(early).get('/flushed').set('Origin', B);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.text).toBe('done');
    });
  });

  describe('preflightContinue on the deciding configuration', () => {
    it('passes the preflight on with its headers; corsguards met later let it be', async () => {
      const app = makeApp();
      app.use(cors({ origin: [A] }));
      app.get('/x', cors({ origin: [B], preflightContinue: true }), answer);
      app.use(cors({ origin: [EVIL] }));
      const res = await preflight(app, '/x', B, 'GET');
      expect(res.status).toBe(200); // Express's own OPTIONS answer
      expect(res.headers.allow).toMatch(/GET/);
      expect(res.headers['access-control-allow-origin']).toBe(B);
    });

    it('at router level, answers again when the request reaches it again', async () => {
      const app = makeApp();
      const router = makeRouter();
      router.use(cors({ origin: [R], preflightContinue: true }));
      router.get('/items', answer);
      app.use(cors({ origin: [A] }));
      app.use('/api', router);
      const res = await preflight(app, '/api/items', R, 'GET');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(R);
      expect(res.headers.vary).toBe('Origin, Access-Control-Request-Headers');
    });
  });
});

/** The decision a preflight ends with, read by a listener on the channel. */
async function decisionOf(
  app: Parameters<typeof request>[0],
  path: string,
  origin: string,
  method: string,
): Promise<CorsDecision | undefined> {
  let seen: CorsDecision | undefined;
  const listener = (message: unknown): void => {
    seen = (message as { decision: CorsDecision }).decision;
  };
  subscribe('corsguard:decision', listener);
  try {
    await preflight(app, path, origin, method);
  } finally {
    unsubscribe('corsguard:decision', listener);
  }
  return seen;
}

describe("methods: 'auto' as an option", () => {
  it('stands on its own: inside a list it is refused with a hint', () => {
    expect(() => cors({ methods: ['GET', 'auto'] })).toThrow(
      /"auto" \(methods from the application's routes\) stands on its own: write methods: 'auto'/,
    );
    expect(() => cors({ methods: 'AUTO' })).toThrow(/stands on its own/);
  });
});

describe('without a route table', () => {
  it("methods: 'auto' under Connect is the default list", async () => {
    const app = connect();
    app.use(cors({ origin: [A], methods: 'auto' }));
    app.use(answer);
    const res = await preflight(app, '/things', A, 'PUT');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-methods']).toBe(DEFAULT_METHODS);
    expect(res.headers.allow).toBeUndefined();
    expect(await decisionOf(app, '/things', A, 'PUT')).toMatchObject({ allowed: true });
    expect(await decisionOf(app, '/things', A, 'CUSTOM')).toMatchObject({
      reason: 'method-not-allowed',
    });
  });

  it("methods: 'auto' under node:http is the default list", async () => {
    const guard = cors({ methods: 'auto' });
    const server = http.createServer((req, res) => {
      guard(req, res, () => {
        answer(req, res);
      });
    });
    const res = await preflight(server, '/x', A, 'DELETE');
    expect(res.headers['access-control-allow-methods']).toBe(DEFAULT_METHODS);
  });

  it('lets the first of two corsguards decide preflights and actual requests alike under Connect', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const app = connect();
      app.use(cors({ origin: [A], exposedHeaders: ['X-First'] }));
      app.use('/private', cors({ origin: [B] }));
      app.use(answer);
      // The preflight is answered by the first one (it cannot see the second)...
      const pre = await preflight(app, '/private', A, 'PUT');
      expect(pre.headers['access-control-allow-origin']).toBe(A);
      // ...so the actual request is decided by it too: the invariant holds.
      const actual = await request(app).get('/private').set('Origin', A);
      expect(actual.headers['access-control-allow-origin']).toBe(A);
      expect(actual.headers['access-control-expose-headers']).toBe('X-First');
      const other = await request(app).get('/private').set('Origin', B);
      expect(corsHeaders(other.headers)).toEqual([]);
      await request(app).get('/private').set('Origin', A);
      const codes = warn.mock.calls.map((call) => (call[1] as { code?: string }).code);
      expect(codes).toEqual(['CORSGUARD_NO_ROUTE_TABLE']);
      expect(String(warn.mock.calls[0]![0])).toContain('options delegate');
    } finally {
      warn.mockRestore();
    }
  });

  it('answers preflights at the first corsguard under Connect, as configured', async () => {
    const app = connect();
    app.use(cors({ origin: [A] }));
    app.use('/private', cors({ origin: [B] }));
    const res = await preflight(app, '/private', A, 'PUT');
    expect(res.headers['access-control-allow-origin']).toBe(A);
  });
});
