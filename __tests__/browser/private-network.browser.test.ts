// Private Network Access: a page from a public address fetching an API on loopback. corsguard's
// privateNetworkAccess option answers the `Access-Control-Request-Private-Network: true` preflight
// that Chromium once sent; this file shows what each engine does today. Neither sends that preflight:
// both replaced it with Local Network Access, a permission the user grants. Headless Chromium 156
// denies it at once (and says so); Firefox 153 ESR waits for an answer to its prompt, which headless
// nobody gives, so the fetch stays pending. Either way the request never reaches the API.
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
  messageMatching,
  openPages,
  startApi,
  startPages,
  watchMessages,
  skipCheckAgreement,
} from './harness.js';

skipCheckAgreement(
  'the browser is told the page is on a public address, which changes what it sends and requires (Private Network Access, Local Network Access); corsguard check fetches from this machine',
);

let pages: Served;
let api: Api;

beforeAll(async () => {
  pages = await startPages();
  api = await startApi((app) => {
    const answer: express.RequestHandler = (req, res) => {
      res.json({ method: req.method });
    };
    app.use('/pna', cors({ origin: [pages.url], privateNetworkAccess: true }), answer);
  });
}, LAUNCH_TIMEOUT);

afterAll(() => closeAll(api.server, pages.server));

describe.each(ENGINES)('in %s, a page on a public address', (engine) => {
  let browser: Browser;
  let page: Page;
  let messages: string[];

  beforeAll(async () => {
    browser = await launchBrowser(engine, { publicAddress: `127.0.0.1:${String(pages.port)}` });
    [page] = await openPages(browser, pages.url);
    messages = watchMessages(page);
  }, LAUNCH_TIMEOUT);

  afterAll(() => closeBrowser(browser));

  it(
    'sends no Private Network Access preflight, and the request never reaches the API',
    async () => {
      const url = fresh('/pna');
      const pending = new Promise<'pending'>((resolve) =>
        setTimeout(() => {
          resolve('pending');
        }, 3000),
      );
      const outcome = await Promise.race([
        browserFetch(page, api.url + url, { method: 'PUT' }),
        pending,
      ]);
      if (engine === 'chromium') {
        expect(outcome).toEqual({ ok: false, error: CORS_ERROR.chromium });
        await messageMatching(
          messages,
          /has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space\./,
        );
      } else {
        // The permission prompt holds the fetch.
        expect(outcome).toBe('pending');
      }
      expect(api.seenAt(url)).toEqual([]);
      expect(api.seen.filter((s) => s.acrpn !== undefined)).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});
