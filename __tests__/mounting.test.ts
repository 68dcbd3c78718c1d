// Mounting: a preflight and its actual request are decided by the same configuration, however the
// routes are mounted (app, Router, nested Routers, app.route, sub-applications, mount paths with
// parameters), on Express 4 and Express 5. Each layout is written the way users write it, with two
// configurations told apart by their Max-Age (preflights) and Expose-Headers (actual responses).
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import express4 from 'express4';
import request from 'supertest';
import { cors, corsDecision, type CorsOptions } from '../lib/index.js';

const A = 'https://a.example';
const B = 'https://b.example';
const EVIL = 'https://evil.example';

const CONFIG = {
  A: { origin: [A], exposedHeaders: 'X-Config-A', maxAge: 100 },
  B: { origin: [B], exposedHeaders: 'X-Config-B', maxAge: 200 },
} as const satisfies Record<string, CorsOptions>;
type Name = keyof typeof CONFIG;
const ORIGIN: Record<Name, string> = { A, B };

type App = ReturnType<typeof express>;
type Router = ReturnType<typeof express.Router>;
interface Version {
  readonly app: () => App;
  readonly router: () => Router;
}
const VERSIONS: readonly (readonly [string, Version])[] = [
  ['Express 5', { app: () => express(), router: () => express.Router() }],
  ['Express 4', { app: () => express4(), router: () => express4.Router() }],
];

/** The route handler: answers with the decision corsguard left on the request. */
const handler = (req: IncomingMessage, res: ServerResponse): void => {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ handler: true, decision: corsDecision(req) ?? null }));
};
const a = (): ReturnType<typeof cors> => cors(CONFIG.A);
const b = (): ReturnType<typeof cors> => cors(CONFIG.B);

interface Layout {
  readonly name: string;
  /** The path of the POST route. */
  readonly path: string;
  /** The configuration that decides POST `path`. */
  readonly decides: Name;
  /** Corsguards that leave the request alone, and say so once (CORSGUARD_SUBAPP_SHADOWED). */
  readonly shadowed: number;
  /** Text each warning holds (where the shadowed corsguard is mounted). */
  readonly names?: string;
  readonly build: (v: Version) => App;
}

const LAYOUTS: readonly Layout[] = [
  {
    name: 'app level A, route level B',
    path: '/webhook',
    decides: 'B',
    shadowed: 0,
    build: (v) => {
      const app = v.app();
      app.use(a());
      app.post('/webhook', b(), handler);
      return app;
    },
  },
  {
    name: "app level A, route level B, next to a sub-application at '/v1'",
    path: '/webhook',
    decides: 'B',
    shadowed: 0,
    build: (v) => {
      const app = v.app();
      const legacy = v.app();
      legacy.post('/webhook', handler);
      app.use('/v1', legacy);
      app.use(a());
      app.post('/webhook', b(), handler);
      return app;
    },
  },
  {
    name: 'app level A, B on a route of a Router',
    path: '/v2/webhook',
    decides: 'B',
    shadowed: 0,
    build: (v) => {
      const app = v.app();
      const api = v.router();
      api.post('/webhook', b(), handler);
      app.use(a());
      app.use('/v2', api);
      return app;
    },
  },
  {
    name: 'router level A on a Router the request passes through to an app route',
    path: '/v2/webhook',
    decides: 'A',
    shadowed: 0,
    build: (v) => {
      const app = v.app();
      const api = v.router();
      api.use(a());
      api.get('/other', handler);
      app.use('/v2', api);
      app.post('/v2/webhook', handler);
      return app;
    },
  },
  {
    name: 'nested Routers: A on the outer one, B on a route of the inner one',
    path: '/v2/inner/webhook',
    decides: 'B',
    shadowed: 0,
    build: (v) => {
      const app = v.app();
      const outer = v.router();
      const inner = v.router();
      inner.post('/webhook', b(), handler);
      outer.use(a());
      outer.use('/inner', inner);
      app.use('/v2', outer);
      return app;
    },
  },
  {
    name: "a Router mounted at '/t/:tenant' on a Router",
    path: '/t/acme/webhook',
    decides: 'B',
    shadowed: 0,
    build: (v) => {
      const app = v.app();
      const tenants = v.router();
      const tenant = v.router();
      tenant.post('/webhook', b(), handler);
      tenants.use('/t/:tenant', tenant);
      app.use(a());
      app.use(tenants);
      return app;
    },
  },
  {
    name: 'app.route() with B on its POST',
    path: '/webhook',
    decides: 'B',
    shadowed: 0,
    build: (v) => {
      const app = v.app();
      app.use(a());
      app.route('/webhook').get(handler).post(b(), handler);
      return app;
    },
  },
  {
    name: "a sub-application at '/v2': A on it, B on its route (issue 11, item 7)",
    path: '/v2/webhook',
    decides: 'B',
    shadowed: 0,
    build: (v) => {
      const app = v.app();
      const legacy = v.app();
      const sub = v.app();
      legacy.post('/webhook', handler);
      sub.use(a());
      sub.post('/webhook', b(), handler);
      app.use('/v1', legacy);
      app.use('/v2', sub);
      return app;
    },
  },
  {
    name: "a sub-application at '/v:ver'",
    path: '/v7/webhook',
    decides: 'B',
    shadowed: 0,
    build: (v) => {
      const app = v.app();
      const sub = v.app();
      sub.use(a());
      sub.post('/webhook', b(), handler);
      app.use('/v:ver', sub);
      return app;
    },
  },
  {
    name: 'a sub-application mounted at two paths',
    path: '/v3/webhook',
    decides: 'B',
    shadowed: 0,
    build: (v) => {
      const app = v.app();
      const sub = v.app();
      sub.use(a());
      sub.post('/webhook', b(), handler);
      app.use(['/v2', '/v3'], sub);
      return app;
    },
  },
  {
    name: 'a sub-application in a sub-application, with a Router inside',
    path: '/v2/inner/hooks/webhook',
    decides: 'B',
    shadowed: 0,
    build: (v) => {
      const app = v.app();
      const outer = v.app();
      const inner = v.app();
      const hooks = v.router();
      hooks.post('/webhook', b(), handler);
      inner.use(a());
      inner.use('/hooks', hooks);
      outer.use('/inner', inner);
      app.use('/v2', outer);
      return app;
    },
  },
  {
    name: "a sub-application at '/' next to one at '/v2' the request passes through",
    path: '/v2/webhook',
    decides: 'B',
    shadowed: 0,
    build: (v) => {
      const app = v.app();
      const versioned = v.app();
      const root = v.app();
      versioned.get('/other', handler);
      root.use(a());
      root.post('/v2/webhook', b(), handler);
      app.use('/v2', versioned);
      app.use(root);
      return app;
    },
  },
  {
    name: 'an enclosing app level A, and corsguards of every kind in the sub-application',
    path: '/v2/webhook',
    decides: 'A',
    shadowed: 5,
    names: "mounted at '/v2'",
    build: (v) => {
      const app = v.app();
      const sub = v.app();
      sub.use(cors({ ...CONFIG.B, origin: B })); // one origin
      sub.use(b()); // a list
      sub.use(cors({ origin: false }));
      sub.post(
        '/webhook',
        cors({ ...CONFIG.B, origin: (origin: string) => origin === B }),
        cors((_req, callback) => {
          callback(null, CONFIG.B);
        }),
        handler,
      );
      app.use(a());
      app.use('/v2', sub);
      return app;
    },
  },
  {
    name: 'an enclosing app level A, B in a sub-application in a sub-application',
    path: '/v2/inner/webhook',
    decides: 'A',
    shadowed: 1,
    names: "mounted at '/inner' in '/v2'",
    build: (v) => {
      const app = v.app();
      const outer = v.app();
      const inner = v.app();
      inner.post('/webhook', b(), handler);
      outer.use('/inner', inner);
      app.use(a());
      app.use('/v2', outer);
      return app;
    },
  },
  {
    name: 'an enclosing app level A, B in a sub-application and in the sub-application inside it',
    path: '/v2/inner/webhook',
    decides: 'A',
    shadowed: 2,
    names: "'/v2'",
    build: (v) => {
      const app = v.app();
      const outer = v.app();
      const inner = v.app();
      inner.post('/webhook', b(), handler);
      outer.use(b());
      outer.use('/inner', inner);
      app.use(a());
      app.use('/v2', outer);
      return app;
    },
  },
  {
    name: 'a sub-application without corsguard under an app level A',
    path: '/v2/webhook',
    decides: 'A',
    shadowed: 0,
    build: (v) => {
      const app = v.app();
      const sub = v.app();
      sub.post('/webhook', handler);
      app.use(a());
      app.use('/v2', sub);
      return app;
    },
  },
  {
    name: 'two sub-applications at the same path, the corsguards in the second',
    path: '/v2/webhook',
    decides: 'B',
    shadowed: 0,
    build: (v) => {
      const app = v.app();
      const first = v.app();
      const second = v.app();
      first.get('/other', handler);
      second.use(a());
      second.post('/webhook', b(), handler);
      app.use('/v2', first);
      app.use('/v2', second);
      return app;
    },
  },
  {
    name: 'two sub-applications at the same path, A in the first, B in the second',
    path: '/v2/webhook',
    decides: 'A',
    shadowed: 1,
    names: "mounted at '/v2'",
    build: (v) => {
      const app = v.app();
      const first = v.app();
      const second = v.app();
      first.use(a());
      first.get('/other', handler);
      second.post('/webhook', b(), handler);
      app.use('/v2', first);
      app.use('/v2', second);
      return app;
    },
  },
  {
    name: 'a sub-application whose part of the path cannot be told (two mounts match)',
    path: '/v2/webhook',
    decides: 'A',
    shadowed: 1,
    names: "mounted at '/:version/:rest'",
    build: (v) => {
      const app = v.app();
      const first = v.app();
      const second = v.app();
      first.get('/other', handler);
      second.use(a());
      second.post('/', b(), handler);
      app.use('/:version', first);
      app.use('/:version/:rest', second);
      return app;
    },
  },
  {
    name: 'an app level A placed after a sub-application holding B',
    path: '/v2/webhook',
    decides: 'B',
    shadowed: 1,
    names: 'placed after a sub-application',
    build: (v) => {
      const app = v.app();
      const sub = v.app();
      sub.use(b());
      sub.get('/other', handler);
      app.use('/v2', sub);
      app.use(a());
      app.post('/v2/webhook', handler);
      return app;
    },
  },
  {
    name: 'an app level A, then a sub-application, then an app route with B',
    path: '/v2/webhook',
    decides: 'A',
    shadowed: 1,
    names: 'placed after a sub-application',
    build: (v) => {
      const app = v.app();
      const sub = v.app();
      sub.get('/other', handler);
      app.use(a());
      app.use('/v2', sub);
      app.post('/v2/webhook', b(), handler);
      return app;
    },
  },
];

let warn: jest.SpiedFunction<typeof process.emitWarning>;
beforeEach(() => {
  warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
});
afterEach(() => {
  warn.mockRestore();
});

/** The messages of the CORSGUARD_SUBAPP_SHADOWED warnings emitted so far. */
function shadowWarnings(): string[] {
  return warn.mock.calls
    .filter(
      ([, options]) =>
        (options as { code?: unknown } | undefined)?.code === 'CORSGUARD_SUBAPP_SHADOWED',
    )
    .map(([message]) => String(message));
}

describe.each(VERSIONS)('under %s', (_version, v) => {
  describe.each(LAYOUTS)('$name', (layout) => {
    const decider = CONFIG[layout.decides];

    it.each([
      ['A', A],
      ['B', B],
      ['a third, refused origin', EVIL],
    ])(
      'decides the preflight and the actual POST from %s with the same configuration',
      async (_n, origin) => {
        const app = layout.build(v);
        const pre = await request(app)
          .options(layout.path)
          .set('Origin', origin)
          .set('Access-Control-Request-Method', 'POST');
        const actual = await request(app).post(layout.path).set('Origin', origin);

        // The invariant.
        const preflightAllowed = pre.headers['access-control-allow-origin'] === origin;
        const actualAllowed = actual.headers['access-control-allow-origin'] === origin;
        expect(actualAllowed).toBe(preflightAllowed);

        // The deciding configuration, on both.
        const allowed = origin === ORIGIN[layout.decides];
        expect(pre.status).toBe(204);
        expect(pre.headers['access-control-allow-origin']).toBe(allowed ? origin : undefined);
        expect(pre.headers['access-control-max-age']).toBe(
          allowed ? String(decider.maxAge) : undefined,
        );
        expect(actual.status).toBe(200);
        expect(actual.headers['access-control-allow-origin']).toBe(allowed ? origin : undefined);
        expect(actual.headers['access-control-expose-headers']).toBe(
          allowed ? decider.exposedHeaders : undefined,
        );
        expect(actual.body).toEqual({
          handler: true,
          decision: allowed
            ? { kind: 'actual', allowed: true, origin }
            : expect.objectContaining({ allowed: false, reason: 'origin-not-allowed', origin }),
        });

        const warnings = shadowWarnings();
        expect(warnings).toHaveLength(layout.shadowed);
        for (const message of warnings) expect(message).toContain(layout.names);
      },
    );
  });
});

describe.each(VERSIONS)('the warning of a corsguard left out, under %s', (_version, v) => {
  /** An app level A around a sub-application mounted at `path` whose route has B. */
  function shadowing(path: string | RegExp | string[]): App {
    const app = v.app();
    const sub = v.app();
    sub.post('/webhook', b(), handler);
    app.use(a());
    app.use(path, sub);
    return app;
  }

  it('is emitted once per corsguard, however many requests it leaves alone', async () => {
    const app = shadowing('/v2');
    for (const origin of [A, B, B]) await request(app).post('/v2/webhook').set('Origin', origin);
    const warnings = shadowWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^a cors\(\) inside the sub-application mounted at '\/v2' left a request to another cors\(\) .* Mount these routes with express\.Router\(\) instead .*, or remove the other cors\(\)\.$/,
    );
    expect(warn).toHaveBeenCalledWith(warnings[0], {
      type: 'CorsguardWarning',
      code: 'CORSGUARD_SUBAPP_SHADOWED',
    });
  });

  it.each([
    [['/v2', '/v3'], '/v3/webhook', "mounted at ['/v2', '/v3']"],
    [/^\/v\d+/, '/v9/webhook', 'mounted at /^\\/v\\d+/'],
  ] as const)('names a mount path %p as written', async (path, url, names) => {
    const app = shadowing(path as string | RegExp | string[]);
    const res = await request(app).post(url).set('Origin', A);
    expect(res.headers['access-control-expose-headers']).toBe(CONFIG.A.exposedHeaders);
    expect(shadowWarnings()).toEqual([expect.stringContaining(names)]);
  });
});

describe.each(VERSIONS)("methods: 'auto' in a sub-application, under %s", (_version, v) => {
  it("lists the sub-application's own routes for the path past its mount", async () => {
    const app = v.app();
    const sub = v.app();
    sub.use(cors({ origin: [B], methods: 'auto' }));
    sub.get('/t', handler);
    sub.delete('/t', handler);
    app.use('/v:ver', sub);
    const res = await request(app)
      .options('/v3/t')
      .set('Origin', B)
      .set('Access-Control-Request-Method', 'DELETE');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(B);
    expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,DELETE');
    expect(res.headers.allow).toBe('GET, HEAD, DELETE');
  });
});
