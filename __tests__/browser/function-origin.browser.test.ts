// A function origin that answers by Promise, as one that asks a database does.
import cors from 'corsguard';
import type express from 'express';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser, Page } from 'puppeteer-core';
import {
  type Api,
  CORS_ERROR,
  LAUNCH_TIMEOUT,
  type Served,
  ENGINES,
  TEST_TIMEOUT,
  browserFetch,
  checkRunning,
  closeAll,
  closeBrowser,
  fresh,
  launchBrowser,
  openPages,
  startApi,
  startPages,
} from './harness.js';

let trusted: Served;
let unknown: Served;
let api: Api;
const asked: string[] = [];

beforeAll(async () => {
  trusted = await startPages();
  unknown = await startPages();
  const table = new Set([trusted.url]);
  api = await startApi((app) => {
    const answer: express.RequestHandler = (req, res) => {
      res.json({ method: req.method });
    };
    app.use(
      '/async',
      cors({
        origin: async (origin) => {
          if (!checkRunning()) asked.push(origin); // the browser's requests only
          await delay(25); // a database round trip
          return table.has(origin);
        },
        credentials: true,
      }),
      answer,
    );
  });
}, LAUNCH_TIMEOUT);

afterAll(() => closeAll(api.server, trusted.server, unknown.server));

describe.each(ENGINES)('in %s', (engine) => {
  let browser: Browser;
  let trustedPage: Page;
  let unknownPage: Page;
  beforeAll(async () => {
    browser = await launchBrowser(engine);
    [trustedPage, unknownPage] = await openPages(browser, trusted.url, unknown.url);
  }, LAUNCH_TIMEOUT);

  afterAll(() => closeBrowser(browser));

  describe('a function origin resolving a Promise', () => {
    it(
      'lets an origin it resolves true for read, preflight and credentials included',
      async () => {
        asked.length = 0;
        const url = fresh('/async');
        const outcome = await browserFetch(trustedPage, api.url + url, {
          method: 'DELETE',
          credentials: 'include',
        });
        expect(outcome).toMatchObject({ ok: true, body: '{"method":"DELETE"}' });
        expect(api.seenAt(url).map((s) => s.method)).toEqual(['OPTIONS', 'DELETE']);
        expect(asked).toEqual([trusted.url, trusted.url]);
      },
      TEST_TIMEOUT,
    );

    it(
      'withholds the response from an origin it resolves false for',
      async () => {
        asked.length = 0;
        const outcome = await browserFetch(unknownPage, api.url + fresh('/async'));
        expect(outcome).toEqual({ ok: false, error: CORS_ERROR[engine] });
        expect(asked).toEqual([unknown.url]);
      },
      TEST_TIMEOUT,
    );
  });
});
