// App, router and route level in a real browser: the preflight a browser sends for a route is
// answered by the route's own configuration, a stricter route takes the app level's "*" away, and
// methods: 'auto' lets through exactly the methods the routes handle.
import cors from 'corsguard';
import express from 'express';
import {
  type Api,
  browserFetch,
  closeAll,
  CORS_ERROR,
  ENGINES,
  fresh,
  LAUNCH_TIMEOUT,
  type Served,
  startApi,
  startPages,
  TEST_TIMEOUT,
  usePage,
} from './harness.js';

const ELSEWHERE = 'https://a.example';
const STRANGER = 'https://b.example';

let pages: Served;
let api: Api;

beforeAll(async () => {
  pages = await startPages();
  api = await startApi((app) => {
    const answer: express.RequestHandler = (req, res) => {
      res.set('X-Id', '1');
      res.json({ method: req.method, path: req.path });
    };
    // App level: only some other site. The page is let in by route and router configurations.
    app.use(cors({ origin: [ELSEWHERE] }));
    app.put('/webhook/ours', cors({ origin: [pages.url] }), answer);
    app.put('/webhook/theirs', cors({ origin: [STRANGER] }), answer);
    app.get('/plain', answer);

    const open = express.Router();
    open.use(cors({ exposedHeaders: ['X-Id'] }));
    open.get('/public', answer);
    open.get('/private', cors({ origin: [STRANGER] }), answer);
    app.use('/open', open);

    const auto = express.Router();
    auto.use(cors({ origin: [pages.url], methods: 'auto' }));
    auto.get('/things/:id', answer);
    auto.delete('/things/:id', answer);
    app.use('/auto', auto);
  });
}, LAUNCH_TIMEOUT);

afterAll(() => closeAll(api.server, pages.server));

describe.each(ENGINES)('in %s', (engine) => {
  const opened = usePage(engine, () => pages.url);

  const json = { 'Content-Type': 'application/json' };

  describe('a route level configuration under an app level one', () => {
    it(
      "lets the page's PUT through when the route allows the page (the app level does not)",
      async () => {
        const url = fresh('/webhook/ours');
        const outcome = await browserFetch(opened.page, api.url + url, {
          method: 'PUT',
          headers: json,
          body: '{}',
        });
        expect(outcome).toMatchObject({
          ok: true,
          body: '{"method":"PUT","path":"/webhook/ours"}',
        });
        expect(api.seenAt(url).map((s) => s.method)).toEqual(['OPTIONS', 'PUT']);
      },
      TEST_TIMEOUT,
    );

    it(
      'blocks the PUT at the preflight when the route allows another site only',
      async () => {
        const url = fresh('/webhook/theirs');
        const outcome = await browserFetch(opened.page, api.url + url, {
          method: 'PUT',
          headers: json,
          body: '{}',
        });
        expect(outcome).toEqual({ ok: false, error: CORS_ERROR[engine] });
        expect(api.seenAt(url).map((s) => s.method)).toEqual(['OPTIONS']);
      },
      TEST_TIMEOUT,
    );

    it(
      'leaves the other routes to the app level, which does not allow the page',
      async () => {
        const url = fresh('/plain');
        expect(await browserFetch(opened.page, api.url + url)).toEqual({
          ok: false,
          error: CORS_ERROR[engine],
        });
      },
      TEST_TIMEOUT,
    );
  });

  describe('a stricter route under a router with cors()', () => {
    it(
      'reads the public route, with its exposed header',
      async () => {
        const outcome = await browserFetch(opened.page, api.url + fresh('/open/public'), {}, [
          'x-id',
        ]);
        expect(outcome).toMatchObject({
          ok: true,
          body: '{"method":"GET","path":"/public"}',
          headers: { 'x-id': '1' },
        });
      },
      TEST_TIMEOUT,
    );

    it(
      'cannot read the private route: the "*" does not survive',
      async () => {
        const url = fresh('/open/private');
        expect(await browserFetch(opened.page, api.url + url)).toEqual({
          ok: false,
          error: CORS_ERROR[engine],
        });
        expect(api.seenAt(url).map((s) => s.method)).toEqual(['GET']);
      },
      TEST_TIMEOUT,
    );
  });

  describe("methods: 'auto'", () => {
    it(
      'lets through a method a route handles for the path',
      async () => {
        const url = fresh('/auto/things/7');
        const outcome = await browserFetch(opened.page, api.url + url, { method: 'DELETE' });
        expect(outcome).toMatchObject({ ok: true, body: '{"method":"DELETE","path":"/things/7"}' });
        expect(api.seenAt(url).map((s) => s.method)).toEqual(['OPTIONS', 'DELETE']);
      },
      TEST_TIMEOUT,
    );

    it(
      'blocks at the preflight a method no route handles for the path',
      async () => {
        const url = fresh('/auto/things/7');
        const outcome = await browserFetch(opened.page, api.url + url, {
          method: 'PUT',
          headers: json,
          body: '{}',
        });
        expect(outcome).toEqual({ ok: false, error: CORS_ERROR[engine] });
        expect(api.seenAt(url).map((s) => s.method)).toEqual(['OPTIONS']);
      },
      TEST_TIMEOUT,
    );
  });
});
