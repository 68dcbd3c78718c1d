// Vary: Origin and the browser's HTTP cache. Two pages on 127.0.0.1 (different ports: different
// origins, same site, so they share one cache partition) fetch the same cacheable API response.
import cors from 'corsguard';
import type express from 'express';
import type { Browser, Page } from 'puppeteer-core';
import {
  type Api,
  CORS_ERROR,
  LAUNCH_TIMEOUT,
  type Served,
  ENGINES,
  TEST_TIMEOUT,
  browserFetch,
  closeAll,
  closeBrowser,
  fresh,
  launchBrowser,
  openPages,
  startApi,
  startPages,
  skipCheckAgreement,
} from './harness.js';

skipCheckAgreement(
  "these fetches are answered from the browser's HTTP cache (the point of the file), which corsguard check, fetching afresh, does not have; its requests would also count as hits",
);

let first: Served;
let second: Served;
let api: Api;

beforeAll(async () => {
  first = await startPages();
  second = await startPages();
  api = await startApi((app) => {
    // Counted per URL: each engine fetches URLs of its own.
    const hits = new Map<string, number>();
    const cacheable: express.RequestHandler = (req, res) => {
      const hit = (hits.get(req.originalUrl) ?? 0) + 1;
      hits.set(req.originalUrl, hit);
      res.set('Cache-Control', 'public, max-age=60');
      res.json({ hit });
    };
    const origin = [first.url, second.url];
    app.use('/with-vary', cors({ origin }), cacheable);
    // A control: the same middleware, with Vary stripped afterwards (as a careless proxy or
    // framework might), shows what Vary prevents.
    app.use(
      '/vary-stripped',
      cors({ origin }),
      (_req, res, next) => {
        res.removeHeader('Vary');
        next();
      },
      cacheable,
    );
  });
}, LAUNCH_TIMEOUT);

afterAll(() => closeAll(api.server, first.server, second.server));

describe.each(ENGINES)('in %s', (engine) => {
  let browser: Browser;
  let pageA: Page;
  let pageB: Page;
  beforeAll(async () => {
    browser = await launchBrowser(engine);
    [pageA, pageB] = await openPages(browser, first.url, second.url);
  }, LAUNCH_TIMEOUT);

  afterAll(() => closeBrowser(browser));

  describe('a cacheable response with Vary: Origin', () => {
    it(
      'is served from the cache to the same origin, and fetched again for the other one',
      async () => {
        const url = api.url + fresh('/with-vary');
        const a1 = await browserFetch(pageA, url);
        const a2 = await browserFetch(pageA, url);
        const b = await browserFetch(pageB, url);
        expect([a1, a2, b]).toMatchObject([
          { ok: true, body: '{"hit":1}' },
          { ok: true, body: '{"hit":1}' },
          { ok: true, body: '{"hit":2}' },
        ]);
      },
      TEST_TIMEOUT,
    );
  });

  describe('the control without Vary', () => {
    it(
      "hands the second origin the first one's cached answer, which the browser then refuses",
      async () => {
        const path = fresh('/vary-stripped');
        expect(await browserFetch(pageA, api.url + path)).toMatchObject({ ok: true });
        expect(await browserFetch(pageB, api.url + path)).toEqual({
          ok: false,
          error: CORS_ERROR[engine],
        });
        expect(api.seenAt(path).map((s) => s.origin)).toEqual([first.url]);
      },
      TEST_TIMEOUT,
    );
  });
});
