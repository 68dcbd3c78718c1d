// Simple and preflighted requests, as each engine makes them from another origin.
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

let pages: Served;
let api: Api;

beforeAll(async () => {
  pages = await startPages();
  api = await startApi((app) => {
    const answer: express.RequestHandler[] = [
      express.text({ type: '*/*' }),
      (req, res) => {
        res.json({ method: req.method, body: req.body as unknown });
      },
    ];
    // Each path has exactly one corsguard (a later one would decide again on the same request).
    // /items lists the page's origin; /elsewhere only trusts a site the page is not.
    app.use('/items', cors({ origin: [pages.url] }), answer);
    app.use('/elsewhere', cors({ origin: ['https://app.example.com'] }), answer);
    app.use('/readonly', cors({ origin: [pages.url], methods: ['GET', 'POST'] }), answer);
  });
}, LAUNCH_TIMEOUT);

afterAll(() => closeAll(api.server, pages.server));

describe.each(ENGINES)('in %s', (engine) => {
  const opened = usePage(engine, () => pages.url);

  describe('a simple GET from another origin', () => {
    it(
      'lets the page read the response when its origin is listed, without a preflight',
      async () => {
        const url = fresh('/items');
        const outcome = await browserFetch(opened.page, api.url + url);
        expect(outcome).toMatchObject({ ok: true, status: 200, body: '{"method":"GET"}' });
        expect(api.seenAt(url)).toEqual([
          expect.objectContaining({ method: 'GET', origin: pages.url }),
        ]);
      },
      TEST_TIMEOUT,
    );

    it(
      'is sent but its response is withheld from the page when the origin is not listed',
      async () => {
        const url = fresh('/elsewhere/items');
        const outcome = await browserFetch(opened.page, api.url + url);
        expect(outcome).toEqual({ ok: false, error: CORS_ERROR[engine] });
        // CORS protects reading, not sending: the server did handle the request.
        expect(api.seenAt(url)).toEqual([
          expect.objectContaining({ method: 'GET', origin: pages.url }),
        ]);
      },
      TEST_TIMEOUT,
    );
  });

  describe('a JSON POST', () => {
    it(
      'is preceded by a preflight for content-type, then sent and read',
      async () => {
        const url = fresh('/items');
        const outcome = await browserFetch(opened.page, api.url + url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"name":"donut"}',
        });
        expect(outcome).toMatchObject({
          ok: true,
          body: '{"method":"POST","body":"{\\"name\\":\\"donut\\"}"}',
        });
        expect(api.seenAt(url)).toEqual([
          expect.objectContaining({ method: 'OPTIONS', acrm: 'POST', acrh: 'content-type' }),
          expect.objectContaining({ method: 'POST', origin: pages.url }),
        ]);
      },
      TEST_TIMEOUT,
    );

    it(
      'never leaves the browser when the preflight refuses the origin',
      async () => {
        const url = fresh('/elsewhere/items');
        const outcome = await browserFetch(opened.page, api.url + url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
        });
        expect(outcome).toEqual({ ok: false, error: CORS_ERROR[engine] });
        expect(api.seenAt(url).map((s) => s.method)).toEqual(['OPTIONS']);
      },
      TEST_TIMEOUT,
    );
  });

  describe('methods that need a preflight', () => {
    it.each(['PUT', 'PATCH', 'DELETE'])(
      'lets the page %s after a preflight naming that method',
      async (method) => {
        const url = fresh('/items/1');
        const outcome = await browserFetch(opened.page, api.url + url, { method });
        expect(outcome).toMatchObject({ ok: true, body: `{"method":"${method}"}` });
        expect(api.seenAt(url)).toEqual([
          expect.objectContaining({ method: 'OPTIONS', acrm: method, acrh: undefined }),
          expect.objectContaining({ method, origin: pages.url }),
        ]);
      },
      TEST_TIMEOUT,
    );

    it(
      'stops a PUT at the preflight when the configuration lists only GET and POST',
      async () => {
        const url = fresh('/readonly/items/1');
        const outcome = await browserFetch(opened.page, api.url + url, { method: 'PUT' });
        expect(outcome).toEqual({ ok: false, error: CORS_ERROR[engine] });
        expect(api.seenAt(url)).toEqual([
          expect.objectContaining({ method: 'OPTIONS', acrm: 'PUT' }),
        ]);
      },
      TEST_TIMEOUT,
    );

    it(
      'keeps the case of a lower-case "patch", which the upper-case PATCH in the list does not match',
      async () => {
        // Fetch normalises only DELETE, GET, HEAD, OPTIONS, POST and PUT; methods compare
        // case-sensitively, so fetch(..., { method: 'patch' }) is refused by every default list.
        const url = fresh('/items/1');
        const outcome = await browserFetch(opened.page, api.url + url, { method: 'patch' });
        expect(outcome).toEqual({ ok: false, error: CORS_ERROR[engine] });
        expect(api.seenAt(url)).toEqual([
          expect.objectContaining({ method: 'OPTIONS', acrm: 'patch' }),
        ]);
      },
      TEST_TIMEOUT,
    );
  });
});
