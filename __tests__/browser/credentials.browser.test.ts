// Credentialed requests with a real cookie that the API sets and the browser sends back.
//
// The page (127.0.0.1) and the API (localhost) are different sites, so the API's cookie is a
// third-party cookie: it needs `SameSite=None; Secure` (Chromium accepts Secure cookies over plain
// http on localhost, a secure context) and a browser that allows third-party cookies. The second
// part reaches the same API as 127.0.0.1:<port>: another origin but the same site, where a
// `SameSite=Lax` cookie works in a default, off-the-record context.
import cors from 'corsguard';
import type express from 'express';
import type { Browser, Page } from 'puppeteer-core';
import {
  type Api,
  CORS_ERROR,
  ENGINES,
  LAUNCH_TIMEOUT,
  type Served,
  TEST_TIMEOUT,
  browserFetch,
  closeAll,
  closeBrowser,
  fresh,
  launchBrowser,
  openPages,
  openProfilePage,
  startApi,
  startPages,
} from './harness.js';

let pages: Served;
let api: Api & { sameSiteUrl: string };

beforeAll(async () => {
  pages = await startPages();
  api = await startApi((app) => {
    const login =
      (cookie: string): express.RequestHandler =>
      (_req, res) => {
        res.set('Set-Cookie', cookie);
        res.json({ loggedIn: true });
      };
    const me: express.RequestHandler = (req, res) => {
      res.json({ method: req.method, cookie: req.headers.cookie ?? null });
    };
    const withCredentials = cors({ origin: [pages.url], credentials: true });
    app.post(
      '/cross-site/login',
      withCredentials,
      login('sid=s3cr3t; Path=/cross-site; SameSite=None; Secure; HttpOnly'),
    );
    app.use('/cross-site/me', withCredentials, me);
    app.use('/cross-site/no-credentials', cors({ origin: [pages.url] }), me);
    app.use('/cross-site/public', cors(), me);
    app.post('/same-site/login', withCredentials, login('sid=lax; Path=/same-site; SameSite=Lax'));
    app.use('/same-site/me', withCredentials, me);
  });
}, LAUNCH_TIMEOUT);

afterAll(() => closeAll(api.server, pages.server));

describe.each(ENGINES)('in %s', (engine) => {
  describe('a cross-site API with credentials: true (third-party cookies allowed)', () => {
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      browser = await launchBrowser(engine, { thirdPartyCookies: true });
      page = await openProfilePage(browser, pages.url);
      const login = await browserFetch(page, `${api.url}/cross-site/login`, {
        method: 'POST',
        credentials: 'include',
      });
      expect(login).toMatchObject({ ok: true, body: '{"loggedIn":true}' });
    }, LAUNCH_TIMEOUT);

    afterAll(() => closeBrowser(browser));

    it(
      'receives the cookie it set, and the page reads the answer',
      async () => {
        const url = fresh('/cross-site/me');
        const outcome = await browserFetch(page, api.url + url, { credentials: 'include' });
        expect(outcome).toMatchObject({ ok: true, body: '{"method":"GET","cookie":"sid=s3cr3t"}' });
        expect(api.seenAt(url)).toEqual([expect.objectContaining({ cookie: 'sid=s3cr3t' })]);
      },
      TEST_TIMEOUT,
    );

    it(
      'gets no cookie on a preflight, and the cookie on the request that follows',
      async () => {
        const url = fresh('/cross-site/me');
        const outcome = await browserFetch(page, api.url + url, {
          method: 'PUT',
          credentials: 'include',
        });
        expect(outcome).toMatchObject({ ok: true, body: '{"method":"PUT","cookie":"sid=s3cr3t"}' });
        expect(api.seenAt(url)).toEqual([
          expect.objectContaining({ method: 'OPTIONS', cookie: undefined }),
          expect.objectContaining({ method: 'PUT', cookie: 'sid=s3cr3t' }),
        ]);
      },
      TEST_TIMEOUT,
    );

    it(
      'gets no cookie when the page does not ask to include credentials',
      async () => {
        const url = fresh('/cross-site/me');
        const outcome = await browserFetch(page, api.url + url);
        expect(outcome).toMatchObject({ ok: true, body: '{"method":"GET","cookie":null}' });
        expect(api.seenAt(url)).toEqual([expect.objectContaining({ cookie: undefined })]);
      },
      TEST_TIMEOUT,
    );

    it(
      'still receives the cookie on a route without credentials: true, but the page cannot read the answer',
      async () => {
        const url = fresh('/cross-site/no-credentials');
        const outcome = await browserFetch(page, api.url + url, { credentials: 'include' });
        expect(outcome).toEqual({ ok: false, error: CORS_ERROR[engine] });
        expect(api.seenAt(url)).toEqual([expect.objectContaining({ cookie: 'sid=s3cr3t' })]);
      },
      TEST_TIMEOUT,
    );

    it(
      'refuses a credentialed read of a public ("*") response',
      async () => {
        const url = fresh('/cross-site/public');
        expect(await browserFetch(page, api.url + url, { credentials: 'include' })).toEqual({
          ok: false,
          error: CORS_ERROR[engine],
        });
        expect(await browserFetch(page, api.url + url)).toMatchObject({ ok: true });
      },
      TEST_TIMEOUT,
    );
  });

  describe('a same-site API on another port with credentials: true (default browser settings)', () => {
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      browser = await launchBrowser(engine);
      [page] = await openPages(browser, pages.url);
    }, LAUNCH_TIMEOUT);

    afterAll(() => closeBrowser(browser));

    it(
      'receives its SameSite=Lax cookie back, and the page reads the answer',
      async () => {
        const login = await browserFetch(page, `${api.sameSiteUrl}/same-site/login`, {
          method: 'POST',
          credentials: 'include',
        });
        expect(login).toMatchObject({ ok: true });
        const url = fresh('/same-site/me');
        const outcome = await browserFetch(page, api.sameSiteUrl + url, { credentials: 'include' });
        expect(outcome).toMatchObject({ ok: true, body: '{"method":"GET","cookie":"sid=lax"}' });
        expect(api.seenAt(url)).toEqual([
          expect.objectContaining({ origin: pages.url, cookie: 'sid=lax' }),
        ]);
      },
      TEST_TIMEOUT,
    );
  });
});
