// Drives the `npm run demo` playground in Chromium: every row must show the outcome it demonstrates,
// and the reason the page gives must agree with Chromium's own console message. Also produces the
// README's screenshot, docs/demo.png.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { type Demo, startDemo } from '../../examples/demo/demo.js';
import { LAUNCH_TIMEOUT, TEST_TIMEOUT, launchWithThirdPartyCookies } from './harness.js';

const SCREENSHOT = join(__dirname, '..', '..', 'docs', 'demo.png');
// docs/demo.png is rewritten only when missing or asked for; it is then taken on the documented ports
// (3000 and 4000), so it shows what `npm run demo` shows and does not change from run to run.
const WRITE_SCREENSHOT = !existsSync(SCREENSHOT) || process.env.CORSGUARD_UPDATE_SCREENSHOT === '1';

interface Expected {
  outcome: 'allowed' | 'blocked';
  /** Text the "what the page got" cell holds. */
  got: string;
  /** Text the "reason" cell holds. */
  reason: string;
  /** For blocked rows: Chromium's console message names the same cause. */
  console?: string;
}

const ROWS: Record<string, Expected> = {
  'simple-get': {
    outcome: 'allowed',
    got: 'Hello from the API',
    reason: 'no preflight (a simple request); origin allowed',
  },
  'json-post': {
    outcome: 'allowed',
    got: '201 {"created":{"name":"donut"}}',
    reason: '1 preflight for 1 request (cached 600 s); origin allowed',
  },
  'put-max-age': {
    outcome: 'allowed',
    got: 'both PUTs answered',
    reason: '1 preflight for 2 requests (cached 600 s); origin allowed',
  },
  credentialed: {
    outcome: 'allowed',
    got: 'cookie sent: signed in as ada',
    reason: 'no preflight (a simple request); origin allowed, with credentials',
  },
  'header-allowed': {
    outcome: 'allowed',
    got: 'Hello from the API',
    reason: '1 preflight for 1 request (cached 600 s); origin allowed',
  },
  'exposed-header': {
    outcome: 'allowed',
    got: 'X-Request-Id: req-7f3a (exposed); X-Internal-Trace: null (not exposed)',
    reason: 'no preflight (a simple request); origin allowed; Expose-Headers: X-Request-Id',
  },
  'header-refused': {
    outcome: 'blocked',
    got: 'TypeError: Failed to fetch',
    reason:
      'corsguard: header-not-allowed: request header x-secret is not allowed; add "x-secret" to the allowedHeaders option (allowed: Content-Type, X-Demo-Token)',
    console: 'Request header field x-secret is not allowed by Access-Control-Allow-Headers',
  },
  'method-refused': {
    outcome: 'blocked',
    got: 'TypeError: Failed to fetch',
    reason:
      'corsguard: method-not-allowed: method DELETE is not allowed; add "DELETE" to the methods option (allowed: GET, POST, PUT)',
    console: 'Method DELETE is not allowed by Access-Control-Allow-Methods',
  },
  'origin-refused': {
    outcome: 'blocked',
    got: 'TypeError: Failed to fetch',
    reason: 'corsguard: origin-not-allowed: origin http://127.0.0.1:',
    console: "No 'Access-Control-Allow-Origin' header is present",
  },
  'credentials-public': {
    outcome: 'blocked',
    got: 'TypeError: Failed to fetch',
    reason: 'Access-Control-Allow-Origin is "*", which browsers refuse for credentialed requests',
    console: "must not be the wildcard '*' when the request's credentials mode is 'include'",
  },
};

let demo: Demo;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;
let page: Page;
const consoleMessages: string[] = [];

beforeAll(async () => {
  demo = await startDemo(
    WRITE_SCREENSHOT ? { pagePort: 3000, apiPort: 4000 } : { pagePort: 0, apiPort: 0 },
  );
  // The demo's cookie crosses sites (127.0.0.1 to localhost): use a profile that allows that.
  ({ context, close: closeBrowser } = await launchWithThirdPartyCookies());
  page = await context.newPage();
  await page.setViewportSize({ width: 1000, height: 800 });
  page.on('console', (message) => {
    consoleMessages.push(message.text());
  });
  await page.goto(demo.pageUrl);
  await page.waitForSelector('body[data-done="true"]', { timeout: TEST_TIMEOUT });
}, LAUNCH_TIMEOUT);

afterAll(async () => {
  await closeBrowser();
  await demo.close();
});

async function cellText(id: string, column: string): Promise<string> {
  return (await page.locator(`tr[data-row="${id}"] [data-col="${column}"]`).textContent()) ?? '';
}

describe('the demo playground', () => {
  it('shows exactly the rows this test expects', async () => {
    const rows = await page.locator('tr[data-row]').all();
    const ids = await Promise.all(rows.map((row) => row.getAttribute('data-row')));
    expect(ids).toEqual(Object.keys(ROWS));
  });

  it.each(Object.entries(ROWS))(
    'shows the expected outcome, value or error, and reason for %s',
    async (id, expected) => {
      expect(await page.locator(`tr[data-row="${id}"]`).getAttribute('data-outcome')).toBe(
        expected.outcome,
      );
      expect(await cellText(id, 'outcome')).toBe(expected.outcome);
      expect(await cellText(id, 'got')).toBe(expected.got);
      expect(await cellText(id, 'reason')).toContain(expected.reason);
      if (expected.console !== undefined) {
        expect(consoleMessages).toContainEqual(expect.stringContaining(expected.console));
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'renders to a 1000-pixel-wide screenshot (written to docs/demo.png when missing or asked for)',
    async () => {
      const png = await page.screenshot({ fullPage: true });
      // PNG signature, then the IHDR chunk: width at byte 16, big-endian.
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.readUInt32BE(16)).toBe(1000);
      if (WRITE_SCREENSHOT) {
        mkdirSync(dirname(SCREENSHOT), { recursive: true });
        writeFileSync(SCREENSHOT, png);
      }
      expect(existsSync(SCREENSHOT)).toBe(true);
    },
    TEST_TIMEOUT,
  );
});
