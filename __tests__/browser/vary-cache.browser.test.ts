// Vary: Origin and Chromium's HTTP cache. Two pages on 127.0.0.1 (different ports: different
// origins, same site, so they share one cache partition) fetch the same cacheable API response.
import cors from 'corsguard';
import type express from 'express';
import type { Browser, Page } from 'playwright-core';
import {
  type Api,
  CORS_ERROR,
  LAUNCH_TIMEOUT,
  type Served,
  TEST_TIMEOUT,
  browserFetch,
  closeAll,
  fresh,
  launchBrowser,
  openPages,
  startApi,
  startPages,
} from './harness.js';

let browser: Browser;
let first: Served;
let second: Served;
let api: Api;
let pageA: Page;
let pageB: Page;

beforeAll(async () => {
  first = await startPages();
  second = await startPages();
  api = await startApi((app) => {
    let hits = 0;
    const cacheable: express.RequestHandler = (_req, res) => {
      hits += 1;
      res.set('Cache-Control', 'public, max-age=60');
      res.json({ hit: hits });
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
  browser = await launchBrowser();
  [pageA, pageB] = await openPages(browser, first.url, second.url);
}, LAUNCH_TIMEOUT);

afterAll(() => closeAll(browser, api.server, first.server, second.server));

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
      expect(await browserFetch(pageB, api.url + path)).toEqual({ ok: false, error: CORS_ERROR });
      expect(api.seenAt(path).map((s) => s.origin)).toEqual([first.url]);
    },
    TEST_TIMEOUT,
  );
});
