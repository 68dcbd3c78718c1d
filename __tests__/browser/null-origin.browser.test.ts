// `Origin: null`, as a sandboxed iframe sends it. Any page can produce it, so corsguard refuses the
// string 'null' in a configuration; only a function that accepts it knowingly lets it read.
import cors, { CorsConfigError } from 'corsguard';
import type express from 'express';
import type { Browser, Frame } from 'puppeteer-core';
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
} from './harness.js';

let pages: Served;
let api: Api;

beforeAll(async () => {
  pages = await startPages();
  api = await startApi((app) => {
    const answer: express.RequestHandler = (req, res) => {
      res.json({ method: req.method });
    };
    app.use('/allow-list', cors({ origin: [pages.url] }), answer);
    app.use('/accepts-null', cors({ origin: (origin) => origin === 'null' }), answer);
    app.use('/public', cors(), answer);
  });
}, LAUNCH_TIMEOUT);

afterAll(() => closeAll(api.server, pages.server));

describe.each(ENGINES)('in %s', (engine) => {
  let browser: Browser;
  let frame: Frame;
  beforeAll(async () => {
    browser = await launchBrowser(engine);
    const [page] = await openPages(browser, `${pages.url}/sandboxed`);
    const sandboxed = page.frames().find((f) => f !== page.mainFrame());
    if (sandboxed === undefined) throw new Error('the sandboxed iframe did not load');
    frame = sandboxed;
  }, LAUNCH_TIMEOUT);

  afterAll(() => closeBrowser(browser));

  describe('a fetch from a sandboxed iframe', () => {
    it(
      'carries Origin: null and is refused by an allow-list, even one naming its parent page',
      async () => {
        const url = fresh('/allow-list');
        expect(await browserFetch(frame, api.url + url)).toEqual({
          ok: false,
          error: CORS_ERROR[engine],
        });
        expect(api.seenAt(url)).toEqual([
          expect.objectContaining({ method: 'GET', origin: 'null' }),
        ]);
      },
      TEST_TIMEOUT,
    );

    it(
      'is allowed, preflight included, by a function origin that accepts "null"',
      async () => {
        const url = fresh('/accepts-null');
        const outcome = await browserFetch(frame, api.url + url, { method: 'PUT' });
        expect(outcome).toMatchObject({ ok: true, body: '{"method":"PUT"}' });
        expect(api.seenAt(url)).toEqual([
          expect.objectContaining({ method: 'OPTIONS', origin: 'null' }),
          expect.objectContaining({ method: 'PUT', origin: 'null' }),
        ]);
      },
      TEST_TIMEOUT,
    );

    it(
      'can read a public response (origin "*", the default), as anyone can',
      async () => {
        const outcome = await browserFetch(frame, api.url + fresh('/public'));
        expect(outcome).toMatchObject({ ok: true, body: '{"method":"GET"}' });
      },
      TEST_TIMEOUT,
    );
  });
});

describe('the string "null" in a configuration', () => {
  it('is refused when the middleware is built', () => {
    expect(() => cors({ origin: ['null'] })).toThrow(CorsConfigError);
  });
});
