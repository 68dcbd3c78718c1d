// The facts about Express's router that lib/node/routes.ts relies on, checked on the installed Express 4
// and Express 5: when a release changes one of them, a test here fails and says which. Then the
// route table itself: its cache, its limits, and the shapes it must not trip over.
import { createRequire } from 'node:module';
import { METHODS, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import express4 from 'express4';
import request from 'supertest';
import { cors } from '../lib/index.js';
import { MAX_CACHED, MAX_CACHED_KEY } from '../lib/node/routes.js';

const R = 'https://router.example';
const A = 'https://a.example';
const DEFAULT_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';

type App = ReturnType<typeof express>;
interface AnyLayer {
  handle: unknown;
  route?: { methods: Record<string, unknown>; stack: AnyLayer[] } | undefined;
  method?: unknown;
  match: (path: string) => unknown;
  path?: unknown;
  params?: unknown;
}

const ok = (_req: IncomingMessage, res: ServerResponse): void => {
  res.end('ok');
};

/** The root stack, read the way lib/node/routes.ts reads it. */
function rootStack(app: App): AnyLayer[] {
  const internal = app as unknown as {
    _router?: { stack: AnyLayer[] };
    router: { stack: AnyLayer[] };
  };
  return (internal._router ?? internal.router).stack;
}

function preflight(app: App, path: string, origin: string, method: string) {
  return request(app)
    .options(path)
    .set('Origin', origin)
    .set('Access-Control-Request-Method', method);
}

/**
 * Calls the first middleware of `app` (its corsguard) directly with a request shaped as Express hands
 * it over, without Express dispatching it; returns the headers it set and whether it answered.
 */
function direct(
  app: App,
  url: string | undefined,
  headers: Record<string, string>,
  reqApp: unknown = app,
): { headers: Record<string, string>; ended: boolean } {
  const handler = rootStack(app).find((l) =>
    (l.handle as { name?: string }).name?.startsWith('corsguard'),
  )!.handle as (req: unknown, res: unknown, next: () => void) => void;
  const set: Record<string, string> = {};
  let ended = false;
  const req = { method: 'OPTIONS', url: url ?? '/x', originalUrl: url, app: reqApp, headers };
  const res = {
    headersSent: false,
    statusCode: 200,
    getHeader: (name: string) => set[name.toLowerCase()],
    setHeader: (name: string, value: string) => {
      set[name.toLowerCase()] = value;
    },
    removeHeader: (name: string) => {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a test double
      delete set[name.toLowerCase()];
    },
    end: () => {
      ended = true;
    },
  };
  handler(req, res, () => undefined);
  return { headers: set, ended };
}

describe('Express 5 (router 2.3)', () => {
  it('keeps the root router in app.router, and has no app._router', () => {
    const app = express();
    app.get('/x', ok);
    expect((app as unknown as { _router?: unknown })._router).toBeUndefined();
    expect(Array.isArray((app.router as unknown as { stack: unknown }).stack)).toBe(true);
  });

  it('matches with layer.match(path) returning { path, params } or false, leaving the layer alone', () => {
    const app = express();
    app.use('/api', express.Router());
    app.get('/users/:id', ok);
    const [mount, route] = rootStack(app);
    const before = { ...mount };
    expect(mount!.match('/api/items')).toMatchObject({ path: '/api', params: {} });
    expect(route!.match('/users/7')).toMatchObject({ path: '/users/7', params: { id: '7' } });
    expect(mount!.match('/elsewhere')).toBe(false);
    expect({ ...mount }).toEqual(before);
  });

  it("answers an OPTIONS request no route handles with the methods sorted and joined by ', '", async () => {
    const app = express();
    app.post('/x', ok);
    app.get('/x', ok);
    const res = await request(app).options('/x');
    expect(res.status).toBe(200);
    expect(res.headers.allow).toBe('GET, HEAD, POST');
  });

  it('trims a mount prefix only at a /', async () => {
    const app = express();
    const router = express.Router();
    router.get('/.json', ok);
    app.use(/^\/api/, router);
    expect((await request(app).get('/api.json')).status).toBe(404);
    expect((await request(app).get('/api/.json')).text).toBe('ok');
  });
});

describe('Express 4', () => {
  it('keeps the root router in app._router; reading app.router throws', () => {
    const app = express4();
    app.get('/x', ok);
    expect(Array.isArray((app as unknown as { _router: { stack: unknown } })._router.stack)).toBe(
      true,
    );
    expect(() => app.router).toThrow();
  });

  it('matches with layer.match(path) returning a boolean and storing layer.path and layer.params', () => {
    const app = express4();
    app.use('/api', express4.Router());
    app.get('/users/:id', ok);
    const [, , mount, route] = rootStack(app); // after Express 4's query and init middleware
    expect(mount!.match('/api/items')).toBe(true);
    expect(mount!.path).toBe('/api');
    expect(route!.match('/users/7')).toBe(true);
    expect(route!.params).toEqual({ id: '7' });
    expect(mount!.match('/elsewhere')).toBe(false);
    expect(mount!.path).toBeUndefined();
  });

  it("answers an OPTIONS request no route handles with the methods in order, joined by ','", async () => {
    const app = express4();
    app.post('/x', ok);
    app.get('/x', ok);
    const res = await request(app).options('/x');
    expect(res.status).toBe(200);
    expect(res.headers.allow).toBe('POST,GET,HEAD');
  });

  it('trims a mount prefix at a / or a .', async () => {
    const app = express4();
    const router = express4.Router();
    router.get('/.json', ok);
    app.use(/^\/api/, router);
    expect((await request(app).get('/api.json')).text).toBe('ok');
  });
});

describe.each([
  ['Express 5', () => express(), () => express.Router()],
  ['Express 4', () => express4(), () => express4.Router()],
] as const)('under %s', (_name, makeApp, makeRouter) => {
  const routes = (app: App): AnyLayer[] => rootStack(app).filter((l) => l.route !== undefined);

  it('gives middleware req.app (the application) and req.originalUrl (the whole path and query)', async () => {
    const app = makeApp();
    const router = makeRouter();
    let seen: { app: unknown; originalUrl: unknown; url: unknown } | undefined;
    router.use((req, _res, next) => {
      seen = { app: req.app, originalUrl: req.originalUrl, url: req.url };
      next();
    });
    app.use('/api', router);
    await request(app).get('/api/items?x=1');
    expect(seen).toEqual({ app, originalUrl: '/api/items?x=1', url: '/items?x=1' });
  });

  it('marks a sub-application with app.parent and hides it in a layer without a stack', () => {
    const app = makeApp();
    const sub = makeApp();
    app.use('/sub', sub);
    expect((app as unknown as { parent?: unknown }).parent).toBeUndefined();
    expect((sub as unknown as { parent?: unknown }).parent).toBe(app);
    const layer = rootStack(app).find((l) => l.route === undefined && l.handle !== sub);
    expect(rootStack(app).some((l) => l.handle === sub)).toBe(false);
    expect(layer).toBeDefined();
  });

  it('gives a sub-application app.parent and app.mountpath (the path as given)', () => {
    const app = makeApp();
    const [plain, param, list] = [makeApp(), makeApp(), makeApp()];
    app.use('/v2', plain);
    app.use('/v:ver', param);
    app.use(['/a', '/b'], list);
    expect([plain, param, list].map((s) => (s as unknown as { parent?: unknown }).parent)).toEqual([
      app,
      app,
      app,
    ]);
    expect([plain.mountpath, param.mountpath, list.mountpath]).toEqual([
      '/v2',
      '/v:ver',
      ['/a', '/b'],
    ]);
  });

  it('mounts a sub-application on the root router as one layer, a function named mounted_app', () => {
    const app = makeApp();
    const sub = makeApp();
    app.get('/x', ok);
    const before = rootStack(app).length;
    app.use('/v:ver', sub);
    const stack = rootStack(app);
    expect(stack).toHaveLength(before + 1);
    const layer = stack[stack.length - 1]!;
    expect(layer.route).toBeUndefined();
    expect(typeof layer.handle).toBe('function');
    expect((layer.handle as { name: string }).name).toBe('mounted_app');
    expect((layer.handle as { stack?: unknown }).stack).toBeUndefined();
    // Matched as any mounted layer: the part of the path the mount consumed.
    const result = layer.match('/v7/webhook');
    expect(result === true ? layer.path : (result as { path: string }).path).toBe('/v7');
  });

  it('gives the middleware of a sub-application req.app (the sub-application) and the whole path', async () => {
    const app = makeApp();
    const sub = makeApp();
    let seen: Record<string, unknown> | undefined;
    sub.use((req, _res, next) => {
      seen = { app: req.app, originalUrl: req.originalUrl, baseUrl: req.baseUrl };
      next();
    });
    sub.get('/webhook', ok);
    app.use('/v:ver', sub);
    await request(app).get('/v7/webhook?x=1');
    expect(seen).toEqual({ app: sub, originalUrl: '/v7/webhook?x=1', baseUrl: '/v7' });
  });

  it('mounts a router as a layer without route whose handle has a stack array', () => {
    const app = makeApp();
    const router = makeRouter();
    router.get('/a', ok);
    app.use('/api', router);
    const layer = rootStack(app).find((l) => l.handle === router)!;
    expect(layer.route).toBeUndefined();
    expect((layer.handle as { stack: unknown }).stack).toBeInstanceOf(Array);
  });

  it('describes routes by route.methods (lower case) and route.stack layers with a lower-case method', () => {
    const app = makeApp();
    app.route('/chain').get(ok).post(ok);
    const [route] = routes(app);
    expect({ ...route!.route!.methods }).toEqual({ get: true, post: true });
    expect(route!.route!.stack.map((l) => l.method)).toEqual(['get', 'post']);
  });

  it('marks route.all() with methods._all and layers without a method', () => {
    const app = makeApp();
    app.route('/all').all(ok);
    const [route] = routes(app);
    expect(route!.route!.methods._all).toBe(true);
    expect(route!.route!.stack.map((l) => l.method)).toEqual([undefined]);
  });

  it('registers app.all() as every method of http.METHODS, one layer each', () => {
    const app = makeApp();
    app.all('/everything', ok);
    const [route] = routes(app);
    expect(Object.keys(route!.route!.methods).sort()).toEqual(
      METHODS.map((m) => m.toLowerCase()).sort(),
    );
  });

  it('throws from layer.match on a parameter with bad percent-encoding', () => {
    const app = makeApp();
    app.get('/users/:id', ok);
    const [route] = routes(app);
    expect(() => route!.match('/users/%E0')).toThrow(URIError);
  });

  it('leaves every layer as it found it after a preflight walked the table', () => {
    const app = makeApp();
    app.use(cors({ origin: [A], methods: 'auto' }));
    app.get('/users/:id', ok);
    const stack = rootStack(app);
    for (const layer of stack) {
      layer.path = 'as found';
      layer.params = { as: 'found' };
    }
    const res = direct(app, '/users/7', { origin: A, 'access-control-request-method': 'GET' });
    expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD');
    for (const layer of stack) {
      expect(layer.path).toBe('as found');
      expect(layer.params).toEqual({ as: 'found' });
    }
  });

  it('decides a preflight whose path cannot be decoded with the corsguards met before it', async () => {
    const app = makeApp();
    app.use(cors({ origin: [A], methods: 'auto' }));
    app.get('/users/:id', ok);
    app.use(cors({ origin: [R] }));
    const res = await preflight(app, '/users/%E0', A, 'GET');
    expect(res.headers['access-control-allow-origin']).toBe(A);
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
  });

  describe('the cache of answers', () => {
    /** Counts the calls of layer.match on the application's routes. */
    function counting(app: App): { calls: number } {
      const counter = { calls: 0 };
      for (const layer of routes(app)) {
        const match = layer.match.bind(layer);
        layer.match = (path: string) => {
          counter.calls++;
          return match(path);
        };
      }
      return counter;
    }

    it('walks the routes once per method and path', async () => {
      const app = makeApp();
      app.use(cors({ origin: [A], methods: 'auto' }));
      app.get('/x', ok);
      app.get('/y', ok);
      const counter = counting(app);
      await preflight(app, '/x', A, 'GET');
      const walked = counter.calls;
      expect(walked).toBeGreaterThan(0);
      await preflight(app, '/x?query=ignored', A, 'GET');
      expect(counter.calls).toBe(walked);
      await preflight(app, '/x', A, 'PUT');
      expect(counter.calls).toBe(walked * 2);
    });

    it(`keeps at most ${String(MAX_CACHED)} answers, dropping the oldest first`, async () => {
      const app = makeApp();
      const guard = cors({ origin: [A], methods: 'auto' });
      app.use(guard);
      app.get('/p/:n', ok);
      const counter = counting(app);
      const agent = request.agent(app);
      const send = (path: string) =>
        agent.options(path).set('Origin', A).set('Access-Control-Request-Method', 'GET');
      await send('/p/first');
      const once = counter.calls;
      for (let i = 0; i < MAX_CACHED - 1; i++) await send(`/p/${String(i)}`);
      await send('/p/first');
      expect(counter.calls).toBe(once * MAX_CACHED);
      await send('/p/one-more');
      await send('/p/first');
      expect(counter.calls).toBe(once * (MAX_CACHED + 2));
    }, 60_000);

    it(`walks a method and path longer than ${String(MAX_CACHED_KEY)} characters every time`, async () => {
      const app = makeApp();
      app.use(cors({ origin: [A], methods: 'auto' }));
      app.get('/p/:n', ok);
      const counter = counting(app);
      const long = `/p/${'x'.repeat(MAX_CACHED_KEY)}`;
      await preflight(app, long, A, 'GET');
      const once = counter.calls;
      await preflight(app, long, A, 'GET');
      expect(counter.calls).toBe(once * 2);
    });
  });

  it('recognises corsguards from the CommonJS build and the ES module build alike', async () => {
    const require = createRequire(__filename);
    const built = require('../dist/cjs/cjs.js') as typeof cors;
    const app = makeApp();
    app.use(cors({ origin: [A] }));
    app.put('/hook', built({ origin: [R] }), ok);
    const res = await preflight(app, '/hook', R, 'PUT');
    expect(res.headers['access-control-allow-origin']).toBe(R);
    const actual = await request(app).put('/hook').set('Origin', A);
    expect(actual.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('shapes the route table does not trip over', () => {
  /** An Express 5 app whose corsguard answers preflights before Express meets the odd layers. */
  function withLayers(...layers: unknown[]): App {
    const app = express();
    app.use(cors({ origin: [A], methods: 'auto' }));
    app.get('/x', ok);
    rootStack(app).push(...(layers as AnyLayer[]));
    return app;
  }
  const matchesAll = (path: string) => ({ path: '', params: {}, input: path });

  it('skips a layer without match or handle, a match with no path, and routes without methods or stack', async () => {
    const app = withLayers(
      { handle: ok },
      { match: matchesAll },
      { handle: ok, match: () => ({ params: {} }) },
      { handle: ok, match: matchesAll, route: { stack: [] } },
      { handle: ok, match: matchesAll, route: { methods: null, stack: [] } },
    );
    const res = await preflight(app, '/x', A, 'GET');
    expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD');
  });

  it('takes a route layer without a method as one for every method', async () => {
    const app = withLayers({
      handle: ok,
      match: matchesAll,
      route: { methods: { get: true }, stack: [{ handle: ok, method: undefined }] },
    });
    const res = await preflight(app, '/x', A, 'PATCH');
    expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,PATCH');
  });

  it('sends back only a method name when an .all() route handles everything', async () => {
    const app = express();
    app.use(cors({ origin: [A], methods: 'auto' }));
    app.all('/any', ok);
    const res = await preflight(app, '/any', A, 'P(UT');
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBe(A);
  });

  it('reads the router 2.0-2.2 form of layer.match (a boolean, the match left on the layer)', () => {
    const app = express();
    const router = express.Router();
    router.use(cors({ origin: [R], methods: 'auto' }));
    router.get('/items/:id', ok);
    app.use(cors({ origin: [A] }));
    app.use('/api', router);
    const layers = [...rootStack(app), ...(router.stack as unknown as AnyLayer[])];
    for (const layer of layers) {
      const match = layer.match.bind(layer);
      layer.match = (path: string) => {
        const result = match(path) as false | { path: string; params: unknown };
        layer.path = result === false ? undefined : result.path;
        layer.params = result === false ? undefined : result.params;
        return result !== false;
      };
    }
    // Router 2.3's own dispatch needs the object form: the corsguard is called directly.
    const res = direct(app, '/api/items/3', { origin: R, 'access-control-request-method': 'GET' });
    expect(res).toEqual({
      ended: true,
      headers: {
        allow: 'GET, HEAD',
        vary: 'Origin, Access-Control-Request-Headers',
        'access-control-allow-origin': R,
        'access-control-allow-methods': 'GET,HEAD',
      },
    });
    expect(layers.every((l) => l.path === undefined && l.params === undefined)).toBe(true);
  });

  it('survives a router mounted inside itself', async () => {
    const app = express();
    const router = express.Router();
    router.use('/again', router);
    router.get('/x', cors({ origin: [R] }), ok);
    app.use(cors({ origin: [A] }));
    app.use('/r', router);
    const res = await preflight(app, '/r/again/again/x', R, 'GET');
    expect(res.headers['access-control-allow-origin']).toBe(R);
  });

  it('stops 32 routers deep', async () => {
    const app = express();
    app.use(cors({ origin: [A] }));
    let parent = app as unknown as ReturnType<typeof express.Router>;
    for (let depth = 0; depth < 33; depth++) {
      const child = express.Router();
      parent.use('/d', child);
      parent = child;
    }
    parent.get('/x', cors({ origin: [R] }), ok);
    const deep = `${'/d'.repeat(33)}/x`;
    const res = await preflight(app, deep, R, 'GET');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect((await request(app).get(deep).set('Origin', R)).headers).toHaveProperty(
      'access-control-allow-origin',
      R,
    );
  });

  it('reads req.url when there is no req.originalUrl', () => {
    const app = express();
    app.use(cors({ origin: [A], methods: 'auto' }));
    app.put('/x', ok);
    const res = direct(app, undefined, { origin: A, 'access-control-request-method': 'PUT' });
    expect(res.headers['access-control-allow-methods']).toBe('PUT');
  });

  it('answers as configured for an application whose router has no stack', () => {
    const app = express();
    app.use(cors({ origin: [A], methods: 'auto' }));
    const odd = Object.assign(() => undefined, { router: {} });
    const res = direct(app, '/x', { origin: A, 'access-control-request-method': 'PUT' }, odd);
    expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,PUT,PATCH,POST,DELETE');
  });

  it('leaves an absolute-form request target to the corsguard that sees it', () => {
    const app = express();
    app.use(cors({ origin: [A], methods: 'auto' }));
    app.get('/x', cors({ origin: [R] }), ok);
    const res = direct(app, 'http://api.example/x', {
      origin: A,
      'access-control-request-method': 'GET',
    });
    expect(res.ended).toBe(true);
    expect(res.headers['access-control-allow-origin']).toBe(A);
    expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,PUT,PATCH,POST,DELETE');
  });

  it('lists the methods of the routes met before a sub-application, the configured list past it', async () => {
    const app = express();
    const sub = express();
    sub.put('/y', ok);
    app.use(cors({ origin: [A], methods: 'auto' }));
    app.get('/v2/x', ok);
    app.use(/^\/api/, express());
    app.get('/apix', ok);
    app.use('/v2', sub);
    expect((await preflight(app, '/v2/x', A, 'GET')).headers['access-control-allow-methods']).toBe(
      'GET,HEAD',
    );
    // /^\/api/ matches /apix, but the router does not enter a mount that ends mid-segment.
    expect((await preflight(app, '/apix', A, 'GET')).headers['access-control-allow-methods']).toBe(
      'GET,HEAD',
    );
    expect((await preflight(app, '/v2/y', A, 'PUT')).headers['access-control-allow-methods']).toBe(
      DEFAULT_METHODS,
    );
  });

  it.each([
    ['Express 5', () => express()],
    ['Express 4', () => express4()],
  ] as const)(
    'skips, under %s, a mount whose pattern ends mid-segment when working out a sub-application’s path',
    async (_name, makeApp) => {
      const app = makeApp();
      const sub = makeApp();
      sub.use(cors({ origin: [A], methods: 'auto' }));
      sub.put('/y', ok);
      app.use(/^\/api/, makeApp());
      app.use(/^\/apix/, sub);
      const res = await preflight(app, '/apix/y', A, 'PUT');
      expect(res.headers['access-control-allow-methods']).toBe('PUT');
    },
  );

  it('answers as configured in a sub-application whose mount path cannot be decoded', () => {
    const app = express();
    const sub = express();
    sub.use(cors({ origin: [A], methods: 'auto' }));
    sub.put('/x', cors({ origin: [R] }), ok);
    app.use('/v:ver', sub);
    const res = direct(sub, '/v%E0/x', { origin: A, 'access-control-request-method': 'PUT' });
    expect(res.ended).toBe(true);
    expect(res.headers['access-control-allow-origin']).toBe(A);
    expect(res.headers['access-control-allow-methods']).toBe(DEFAULT_METHODS);
  });

  it('stops 32 sub-applications up (a sub-application made its own parent)', () => {
    const app = express();
    const sub = express();
    sub.use(cors({ origin: [A], methods: 'auto' }));
    sub.put('/x', cors({ origin: [R] }), ok);
    app.use('/s', sub);
    (sub as unknown as { parent: unknown }).parent = sub;
    const res = direct(sub, '/s/x', { origin: A, 'access-control-request-method': 'PUT' });
    expect(res.headers['access-control-allow-origin']).toBe(A);
    expect(res.headers['access-control-allow-methods']).toBe(DEFAULT_METHODS);
  });

  describe('a corsguard that sees a request a second time', () => {
    /** Calls the first corsguard of `app` twice with one actual request; the headers after each. */
    function twice(
      app: App,
      reqApp: unknown,
      method: string | undefined,
      url = '/x',
    ): Record<string, string>[] {
      const handler = rootStack(app).find((l) =>
        (l.handle as { name?: string }).name?.startsWith('corsguard'),
      )!.handle as (req: unknown, res: unknown, next: () => void) => void;
      const req = { method, url, originalUrl: url, app: reqApp, headers: { origin: A } };
      const set: Record<string, string> = {};
      const res = {
        headersSent: false,
        getHeader: (name: string) => set[name.toLowerCase()],
        setHeader: (name: string, value: string) => {
          set[name.toLowerCase()] = value;
        },
        removeHeader: (name: string) => {
          // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a test double
          delete set[name.toLowerCase()];
        },
      };
      const seen: Record<string, string>[] = [];
      for (let i = 0; i < 2; i++) {
        let passed = false;
        set['access-control-allow-origin'] = 'left by another';
        handler(req, res, () => {
          passed = true;
        });
        expect(passed).toBe(true);
        seen.push({ ...set });
      }
      return seen;
    }

    it('takes over as usual in an application whose router has no stack', () => {
      const app = express();
      app.use(cors({ origin: [A] }));
      const odd = Object.assign(() => undefined, { router: {} });
      const [, second] = twice(app, odd, 'GET');
      expect(second!['access-control-allow-origin']).toBe(A);
    });

    it('takes over as usual, in an application that mounts one, where the path cannot be looked up', () => {
      const app = express();
      app.use(cors({ origin: [A] }));
      app.use('/v2', express());
      const [, second] = twice(app, app, 'GET', 'http://api.example/v2/x');
      expect(second!['access-control-allow-origin']).toBe(A);
    });

    it('leaves alone, in a sub-application, a request without a method it cannot look up', () => {
      const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      try {
        const app = express();
        const sub = express();
        sub.use(cors({ origin: [A] }));
        app.use('/s', sub);
        const [first, second] = twice(sub, sub, undefined);
        expect(first!['access-control-allow-origin']).toBe(A);
        expect(second!['access-control-allow-origin']).toBe('left by another');
        expect(warn).toHaveBeenCalledWith(expect.stringContaining("mounted at '/s'"), {
          type: 'CorsguardWarning',
          code: 'CORSGUARD_SUBAPP_SHADOWED',
        });
      } finally {
        warn.mockRestore();
      }
    });
  });
});
