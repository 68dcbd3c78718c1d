// Answers no corsguard configuration sends, written by hand, so that `corsguard check` is compared
// with each engine on them too (the harness runs check beside every fetch, see checkAgrees): an
// Access-Control-Allow-Origin that is no origin, lists that do not parse, '*' lists with
// credentials, Max-Age over Chromium's cap, and redirects of the actual request (to another origin,
// which makes the origin null; 303 after a PUT; to a URL with a password).
import type express from 'express';
import {
  type Api,
  browserFetch,
  closeAll,
  ENGINES,
  type FetchInit,
  fresh,
  LAUNCH_TIMEOUT,
  type Served,
  startApi,
  startPages,
  TEST_TIMEOUT,
  usePage,
} from './harness.js';

let pages: Served;
let api: Api;

beforeAll(async () => {
  pages = await startPages();
  api = await startApi((app) => {
    const headers =
      (set: Record<string, string>, status?: (req: express.Request) => number) =>
      (req: express.Request, res: express.Response): void => {
        const origin = req.headers.origin ?? '';
        const port = String(req.socket.localPort);
        for (const [name, value] of Object.entries(set)) {
          res.setHeader(name, value.replace('{origin}', origin).replace('{port}', port));
        }
        res.status(status?.(req) ?? (req.method === 'OPTIONS' ? 204 : 200));
        res.end(req.method === 'OPTIONS' ? undefined : '{}');
      };
    app.use('/invalid-origin', headers({ 'Access-Control-Allow-Origin': 'app.example.com' }));
    app.use(
      '/bad-methods',
      headers({
        'Access-Control-Allow-Origin': '{origin}',
        'Access-Control-Allow-Methods': 'PUT;',
      }),
    );
    app.use(
      '/bad-headers',
      headers({ 'Access-Control-Allow-Origin': '{origin}', 'Access-Control-Allow-Headers': 'x a' }),
    );
    app.use(
      '/star-lists',
      headers({
        'Access-Control-Allow-Origin': '{origin}',
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': '*',
        'Access-Control-Allow-Headers': '*',
      }),
    );
    app.use(
      '/long-cache',
      headers({
        'Access-Control-Allow-Origin': '{origin}',
        'Access-Control-Allow-Methods': 'PUT',
        'Access-Control-Max-Age': '86400',
      }),
    );
    app.use(
      '/to-null',
      headers(
        { 'Access-Control-Allow-Origin': '{origin}', Location: 'http://127.0.0.1:{port}/landing' },
        () => 302,
      ),
    );
    app.use('/landing', headers({ 'Access-Control-Allow-Origin': '{origin}' }));
    app.use(
      '/see-other',
      headers(
        {
          'Access-Control-Allow-Origin': '{origin}',
          'Access-Control-Allow-Methods': 'PUT',
          Location: '/landing',
        },
        (req) => (req.method === 'PUT' ? 303 : 204),
      ),
    );
    app.use(
      '/with-password',
      headers(
        {
          'Access-Control-Allow-Origin': '{origin}',
          Location: 'http://user:pw@localhost:{port}/landing',
        },
        () => 307,
      ),
    );
  });
}, LAUNCH_TIMEOUT);

afterAll(() => closeAll(api.server, pages.server));

describe.each(ENGINES)('in %s, corsguard check agrees on', (engine) => {
  const opened = usePage(engine, () => pages.url);

  const cases: { what: string; path: () => string; init?: FetchInit; ok: boolean }[] = [
    {
      what: 'an Access-Control-Allow-Origin that is no origin',
      path: () => '/invalid-origin',
      ok: false,
    },
    {
      what: 'an Access-Control-Allow-Methods that does not parse',
      path: () => '/bad-methods',
      init: { method: 'PUT' },
      ok: false,
    },
    {
      what: 'an Access-Control-Allow-Headers that does not parse',
      path: () => '/bad-headers',
      init: { headers: { 'X-Foo': '1' } },
      ok: false,
    },
    {
      what: "'*' methods with credentials",
      path: () => '/star-lists',
      init: { method: 'DELETE', credentials: 'include' },
      ok: false,
    },
    {
      what: "'*' headers with credentials",
      path: () => '/star-lists',
      init: { headers: { 'X-Foo': '1' }, credentials: 'include' },
      ok: false,
    },
    {
      what: 'a Max-Age above Chromium’s cap',
      path: () => '/long-cache',
      init: { method: 'PUT' },
      ok: true,
    },
    {
      what: 'a redirect to another origin (the origin becomes null)',
      path: () => '/to-null',
      ok: true,
    },
    {
      what: 'a 303 after a PUT',
      path: () => '/see-other',
      init: { method: 'PUT', body: '{}' },
      ok: true,
    },
    { what: 'a redirect to a URL with a password', path: () => '/with-password', ok: false },
  ];

  it.each(cases)(
    '$what',
    async ({ path, init, ok }) => {
      const url = api.url + fresh(path());
      const outcome = await browserFetch(opened.page, url, init);
      expect(outcome.ok).toBe(ok);
    },
    TEST_TIMEOUT,
  );
});
