// The "Troubleshooting by browser message" table (docs/diagnostics.md), read from the browsers themselves: each
// failure below is produced in each engine, the engine's own report of it is caught (Chromium's
// console line over the DevTools Protocol; Firefox's "Cross-Origin Request Blocked" error from the
// page's log over WebDriver BiDi, which puppeteer-core gives as a `pageerror`), and the README's cell
// for that engine must quote it, so the table cannot drift from what the browsers print.
//
// Firefox 153 ESR reports every row's failure to automation this way; no row of the table had to be
// taken from Mozilla's documentation (only the "older:" wording of a row is, and says so).
import cors from 'corsguard';
import type express from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import {
  type Api,
  CORS_ERROR,
  type Engine,
  ENGINES,
  type FetchInit,
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
} from './harness.js';

interface Failure {
  title: string;
  path: string;
  init: FetchInit;
  /** The README table's row (0 is the first row under the header) that explains this failure. */
  row: number;
  /** The parts of each engine's message that the README quotes (the rest names URLs and ports). */
  says: Record<Engine, string | string[]>;
}

const FAILURES: Failure[] = [
  {
    title: 'an origin not in the list',
    path: '/missing',
    init: {},
    row: 0,
    says: {
      chromium: "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
      firefox: 'CORS header ‘Access-Control-Allow-Origin’ missing',
    },
  },
  {
    title: 'a single exact origin that is another one',
    path: '/mismatch',
    init: {},
    row: 1,
    says: {
      chromium:
        "The 'Access-Control-Allow-Origin' header has a value 'https://a.example' that is not equal to the supplied origin.",
      firefox: 'CORS header ‘Access-Control-Allow-Origin’ does not match ‘https://a.example’',
    },
  },
  {
    title: 'credentials to a public ("*") route',
    path: '/public',
    init: { credentials: 'include' },
    row: 2,
    says: {
      chromium:
        "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
      firefox:
        'Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’',
    },
  },
  {
    title: 'credentials to a route without credentials: true',
    path: '/no-credentials',
    init: { credentials: 'include' },
    row: 3,
    says: {
      chromium:
        "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.",
      firefox: 'expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’',
    },
  },
  {
    title: 'a request header not in allowedHeaders',
    path: '/header',
    init: { headers: { 'X-Foo': '1' } },
    row: 4,
    says: {
      chromium:
        'Request header field x-foo is not allowed by Access-Control-Allow-Headers in preflight response.',
      firefox:
        'header ‘x-foo’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response',
    },
  },
  {
    title: 'a method not in methods',
    path: '/method',
    init: { method: 'PUT' },
    row: 5,
    says: {
      chromium: 'Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.',
      firefox: 'Did not find method in CORS header ‘Access-Control-Allow-Methods’',
    },
  },
  {
    title: 'a preflight handed on (preflightContinue) to a route answering 401',
    path: '/preflight-status',
    init: { method: 'PUT' },
    row: 6,
    says: {
      chromium:
        "Response to preflight request doesn't pass access control check: It does not have HTTP ok status.",
      firefox: 'CORS preflight response did not succeed',
    },
  },
  {
    // The usual case: authentication answers the preflight before corsguard runs. Neither engine
    // then says "status": Chromium reports the missing header; Firefox too, with the status code.
    title: 'a preflight answered 401 before corsguard',
    path: '/auth-first',
    init: { method: 'PUT' },
    row: 6,
    says: {
      chromium:
        "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
      firefox: ['CORS header ‘Access-Control-Allow-Origin’ missing', 'Status code: 401'],
    },
  },
  {
    // A trailing-slash, http-to-https or login redirect, in front of corsguard.
    title: 'a preflight redirected before corsguard',
    path: '/redirect',
    init: { method: 'PUT' },
    row: 7,
    says: {
      chromium: 'Redirect is not allowed for a preflight request.',
      firefox: ['CORS header ‘Access-Control-Allow-Origin’ missing', 'Status code: 301'],
    },
  },
  {
    // The same redirect carrying CORS headers (a redirect after corsguard): only Firefox words it
    // differently.
    title: 'a preflight redirected after corsguard',
    path: '/redirect-after',
    init: { method: 'PUT' },
    row: 7,
    says: {
      chromium: 'Redirect is not allowed for a preflight request.',
      firefox: 'CORS request external redirect not allowed',
    },
  },
  {
    title: 'two CORS layers (a proxy adding its own header)',
    path: '/multiple',
    init: {},
    row: 8,
    says: {
      chromium:
        "The 'Access-Control-Allow-Origin' header contains multiple values 'https://a.example, https://b.example', but only one is allowed.",
      firefox: 'Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed',
    },
  },
];

/** The README table's cells: one array per row, [Chromium, Firefox, corsguard reason, fix]. */
function readmeTable(): string[][] {
  const readme = readFileSync(join(__dirname, '..', '..', 'docs', 'diagnostics.md'), 'utf8');
  const start = readme.indexOf('## Troubleshooting by browser message');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2) // the header and the |---| line
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

let pages: Served;
let api: Api;

beforeAll(async () => {
  pages = await startPages();
  api = await startApi((app) => {
    const answer: express.RequestHandler = (_req, res) => {
      res.json({});
    };
    const origin = [pages.url];
    app.use('/missing', cors({ origin: ['https://a.example'] }), answer);
    app.use('/mismatch', cors({ origin: 'https://a.example' }), answer);
    app.use('/public', cors(), answer);
    app.use('/no-credentials', cors({ origin }), answer);
    app.use('/header', cors({ origin, allowedHeaders: ['Content-Type'] }), answer);
    app.use('/method', cors({ origin, methods: ['GET', 'POST'] }), answer);
    const unauthorized: express.RequestHandler = (_req, res) => {
      res.sendStatus(401);
    };
    app.options('/preflight-status', cors({ origin, preflightContinue: true }), unauthorized);
    app.options('/auth-first', unauthorized);
    app.use('/auth-first', cors({ origin }), answer);
    const redirect: express.RequestHandler = (_req, res) => {
      res.redirect(301, '/elsewhere');
    };
    app.options('/redirect', redirect);
    app.use('/redirect', cors({ origin }), answer);
    app.options('/redirect-after', cors({ origin, preflightContinue: true }), redirect);
    app.use(
      '/multiple',
      cors({ origin }),
      (_req, res, next) => {
        // What a proxy adding its own Access-Control-Allow-Origin makes of the response.
        res.setHeader('Access-Control-Allow-Origin', ['https://a.example', 'https://b.example']);
        next();
      },
      answer,
    );
  });
}, LAUNCH_TIMEOUT);

afterAll(() => closeAll(api.server, pages.server));

describe.each(ENGINES)('in %s', (engine) => {
  let browser: Browser;
  let page: Page;
  let messages: string[];

  beforeAll(async () => {
    browser = await launchBrowser(engine);
    [page] = await openPages(browser, pages.url);
    messages = watchMessages(page);
  }, LAUNCH_TIMEOUT);

  afterAll(() => closeBrowser(browser));

  it.each(FAILURES)(
    'reports $title as the README quotes it',
    async ({ path, init, row, says }) => {
      const url = api.url + fresh(path);
      expect(await browserFetch(page, url, init)).toEqual({ ok: false, error: CORS_ERROR[engine] });
      // The message about this URL (each test's URL is new), then the README's cell for the engine.
      const message = await messageMatching(
        messages,
        new RegExp(`${url.replace(/[?.]/g, '\\$&')}\\b`),
      );
      const cell = readmeTable()[row]?.[engine === 'chromium' ? 0 : 1];
      for (const part of ([] as string[]).concat(says[engine])) {
        expect(message).toContain(part);
        expect(cell).toContain(part);
      }
    },
    TEST_TIMEOUT,
  );
});
