// Real-browser harness: two engines, Debian's Chromium and Debian's Firefox ESR, both driven by
// puppeteer-core (Chromium over the DevTools Protocol, Firefox over WebDriver BiDi); a page server on
// http://127.0.0.1:<port> and an API behind corsguard reached as http://localhost:<port>, so every
// fetch in these tests crosses origins (and sites) exactly as it would in production.
//
// Why one client for both engines: puppeteer-core is the client that drives the stock Debian Firefox
// (playwright-core only drives its own patched Firefox builds, which would have to be downloaded).
// Keeping Chromium on playwright-core would mean two APIs (pages, frames, evaluate, console events,
// screenshots) behind an adapter in every test; with puppeteer-core for both, each test file is one
// scenario list run once per engine, and the only per-engine code is the launch below.
import express from 'express';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Frame, LaunchOptions, Page, PuppeteerNode } from 'puppeteer-core';
import type { CheckResult } from '../../lib/cli/check.js';
import { run } from '../../lib/cli/run.js';

// puppeteer-core is an ES module only, which jest's own module loader (CommonJS here) cannot load;
// the suite's test environment (environment.mjs, loaded by Node itself) puts it on the global.
const puppeteer = (globalThis as unknown as { corsguardPuppeteer: PuppeteerNode })
  .corsguardPuppeteer;

export type Engine = 'chromium' | 'firefox';

/**
 * The engines this run covers: scripts/test-browser.mjs sets CORSGUARD_BROWSER_ENGINES from
 * `--engine` and from which browsers it found. Each test file runs its scenarios once per engine.
 */
export const ENGINES: readonly Engine[] = (
  process.env.CORSGUARD_BROWSER_ENGINES ?? 'chromium,firefox'
)
  .split(',')
  .map((name) => {
    if (name !== 'chromium' && name !== 'firefox') throw new Error(`unknown engine "${name}"`);
    return name;
  });

/** Where the browsers are: scripts/test-browser.mjs passes the paths it found. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/**
 * Without the background-networking switches Chromium keeps trying to reach Google's services, which
 * this machine's closed network refuses; QUIC is off so every request is plain HTTP/1.1 on loopback.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Firefox gets a fresh profile per launch (puppeteer-core writes it, with its own test preferences
 * that already turn off app and add-on updates, Shield, safe browsing lists and health reports).
 * These close every other door to the network: this machine has none, and a browser waiting on it
 * is slow and noisy.
 */
export const FIREFOX_PREFS: Record<string, string | number | boolean> = {
  'app.update.auto': false,
  'app.update.enabled': false,
  'browser.aboutHomeSnippets.updateUrl': '',
  'browser.discovery.enabled': false,
  'browser.newtabpage.activity-stream.feeds.section.topstories': false,
  'browser.newtabpage.activity-stream.feeds.snippets': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.ping-centre.telemetry': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'browser.safebrowsing.provider.google.updateURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.safebrowsing.update.enabled': false,
  'browser.topsites.contile.enabled': false,
  'captivedetect.canonicalURL': '',
  'datareporting.policy.firstRunURL': '',
  'dom.push.connection.enabled': false,
  'dom.push.serverURL': '',
  'extensions.blocklist.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'geo.provider.network.url': '',
  'media.gmp-gmpopenh264.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.http.http3.enable': false,
  'network.predictor.enabled': false,
  'network.prefetch-next': false,
  'network.trr.mode': 5,
  'security.OCSP.enabled': 0,
  'security.remote_settings.crlite_filters.enabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.server': '',
  'toolkit.telemetry.unified': false,
};

/** Generous limits for a 2-core machine: launching a browser, and each test. */
export const LAUNCH_TIMEOUT = 60_000;
export const TEST_TIMEOUT = 30_000;

/** Per browser launched here: the profile folder to delete when it closes, if this harness made one. */
const profiles = new WeakMap<Browser, string>();

export interface LaunchChoices {
  /**
   * A profile that accepts third-party cookies. A page on 127.0.0.1 and an API on localhost are
   * different sites, so the API's cookie is a third-party cookie. Chromium's default for an
   * off-the-record context (which {@link openPages} uses) blocks those with the reason
   * "UserPreferences" before CORS is even consulted; a persistent profile with the preference
   * `cookie_controls_mode: 0` is what a user who allows them has. Firefox's default (Total Cookie
   * Protection, cookieBehavior 5) would keep the cookie in a jar of the page's site only;
   * cookieBehavior 0 is "accept all cookies".
   */
  thirdPartyCookies?: boolean;
  /**
   * A `host:port` the browser is to treat as a public address (as if the page came from the
   * internet), so that its requests to loopback are requests into a more private network: Chromium's
   * `--ip-address-space-overrides`, Firefox's `network.lna.address_space.public.override`.
   */
  publicAddress?: string;
}

export async function launchBrowser(engine: Engine, choices: LaunchChoices = {}): Promise<Browser> {
  if (engine === 'firefox') {
    return puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX_PATH,
      headless: true,
      extraPrefsFirefox: {
        ...FIREFOX_PREFS,
        // 5 is Firefox's shipped default; puppeteer-core's profile would otherwise accept all.
        'network.cookie.cookieBehavior': choices.thirdPartyCookies === true ? 0 : 5,
        ...(choices.publicAddress === undefined
          ? {}
          : { 'network.lna.address_space.public.override': choices.publicAddress }),
      },
    });
  }
  const options: LaunchOptions = {
    browser: 'chrome',
    executablePath: CHROMIUM_PATH,
    headless: true,
    args:
      choices.publicAddress === undefined
        ? CHROMIUM_ARGS
        : [...CHROMIUM_ARGS, `--ip-address-space-overrides=${choices.publicAddress}=public`],
  };
  if (choices.thirdPartyCookies !== true) return puppeteer.launch(options);
  const dir = mkdtempSync(join(tmpdir(), 'corsguard-chromium-'));
  mkdirSync(join(dir, 'Default'));
  writeFileSync(
    join(dir, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }),
  );
  const browser = await puppeteer.launch({ ...options, userDataDir: dir });
  profiles.set(browser, dir);
  return browser;
}

/**
 * A page in the browser's own profile (the one {@link LaunchChoices} configured), for tests that
 * need its cookie settings.
 */
export async function openProfilePage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  return page;
}

/**
 * Opens one page per URL, all in one new off-the-record context of `browser` (so they share its
 * HTTP cache, and no other test's).
 */
export async function openPages<const U extends readonly string[]>(
  browser: Browser,
  ...urls: U
): Promise<{ [K in keyof U]: Page }> {
  const context = await browser.createBrowserContext();
  const opened: Page[] = [];
  for (const url of urls) {
    const page = await context.newPage();
    await page.goto(url);
    opened.push(page);
  }
  return opened as { [K in keyof U]: Page };
}

/**
 * A browser of `engine` with one page open at `url()` (in an off-the-record context, as
 * {@link openPages}), launched before the tests of the describe block that calls this and closed
 * after them. The tests read `page` from the returned object.
 */
export function usePage(engine: Engine, url: () => string): { readonly page: Page } {
  let browser: Browser | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    browser = await launchBrowser(engine);
    [page] = await openPages(browser, url());
  }, LAUNCH_TIMEOUT);
  afterAll(async () => {
    if (browser !== undefined) await closeBrowser(browser);
  });
  return {
    get page(): Page {
      if (page === undefined) throw new Error(`${engine} did not open ${url()}`);
      return page;
    },
  };
}

/** Closes a browser launched here, and deletes the profile folder the harness made for it. */
export async function closeBrowser(browser: Browser): Promise<void> {
  await browser.close();
  const dir = profiles.get(browser);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

/** Closes the servers a test file started. */
export async function closeAll(...servers: http.Server[]): Promise<void> {
  for (const server of servers) await close(server);
}

/**
 * Everything the browser reports about a page's failures: console messages, and the script errors
 * it logs (Firefox reports CORS refusals as errors in the page's log, which puppeteer-core gives as
 * `pageerror` events over WebDriver BiDi; Chromium's CORS lines come as console messages).
 */
export function watchMessages(page: Page): string[] {
  const messages: string[] = [];
  page.on('console', (message) => {
    messages.push(message.text());
  });
  page.on('pageerror', (error) => {
    messages.push(error instanceof Error ? error.message : String(error));
  });
  return messages;
}

/** Waits until a message matching `pattern` arrives (the log is asynchronous), or fails. */
export async function messageMatching(
  messages: readonly string[],
  pattern: RegExp,
  timeout = 5_000,
): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = messages.find((m) => pattern.test(m));
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      throw new Error(`no message matching ${String(pattern)}; got:\n${messages.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---------------------------------------------------------------------------------------------------
// Servers

export interface Served {
  server: http.Server;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return (server.address() as AddressInfo).port;
}

export async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}

const BLANK = '<!doctype html><meta charset="utf-8"><title>corsguard browser test</title>';

/**
 * The page origin: `/` is an empty page to run fetches from; `/sandboxed` holds an iframe sandboxed
 * without allow-same-origin, whose fetches carry `Origin: null`.
 */
export async function startPages(): Promise<Served> {
  const server = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (req.url === '/sandboxed') {
      res.end(`${BLANK}<iframe sandbox="allow-scripts" srcdoc="<p>sandboxed</p>"></iframe>`);
    } else {
      res.end(BLANK);
    }
  });
  const port = await listen(server);
  return { server, port, url: `http://127.0.0.1:${String(port)}` };
}

/** One request as the API received it, before corsguard ran. */
export interface Seen {
  method: string;
  url: string;
  origin: string | undefined;
  acrm: string | undefined;
  acrh: string | undefined;
  cookie: string | undefined;
  /** Access-Control-Request-Private-Network, which Private Network Access preflights carry. */
  acrpn: string | undefined;
}

export interface Api extends Served {
  /** Every request received, in order. */
  seen: Seen[];
  /** The requests received for one URL (path and query), in order. */
  seenAt: (url: string) => Seen[];
}

/**
 * The API: an Express 5 application built by `configure` (which mounts corsguard and routes), behind
 * a recorder that notes every request. It listens on 127.0.0.1 and is addressed as `localhost`, a
 * different site from the pages; `sameSiteUrl` reaches the same server as 127.0.0.1.
 */
export async function startApi(
  configure: (app: express.Express) => void,
): Promise<Api & { sameSiteUrl: string }> {
  const seen: Seen[] = [];
  const app = express();
  app.use((req, _res, next) => {
    // The requests of `corsguard check` (see checkAgrees) are not the browser's.
    if (req.headers['user-agent'] === CHECK_USER_AGENT) {
      next();
      return;
    }
    seen.push({
      method: req.method,
      url: req.originalUrl,
      origin: req.headers.origin,
      acrm: req.headers['access-control-request-method'],
      acrh: req.headers['access-control-request-headers'],
      cookie: req.headers.cookie,
      acrpn: req.get('access-control-request-private-network'),
    });
    next();
  });
  configure(app);
  const server = http.createServer(app);
  const port = await listen(server);
  return {
    server,
    port,
    url: `http://localhost:${String(port)}`,
    sameSiteUrl: `http://127.0.0.1:${String(port)}`,
    seen,
    seenAt: (url) => seen.filter((s) => s.url === url),
  };
}

// ---------------------------------------------------------------------------------------------------
// Fetching from the page

export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  credentials?: 'omit' | 'same-origin' | 'include';
}

/** What the page's `fetch()` did: resolved (and the body was read), or rejected. */
export type FetchOutcome =
  | { ok: true; status: number; body: string; headers: Record<string, string | null> }
  | { ok: false; error: string };

/**
 * Runs `fetch(url, init)` inside the page (or frame) and reports what the browser let the script
 * see: the status, the body and the response headers named in `read`, or the error it threw.
 */
export async function browserFetch(
  where: Page | Frame,
  url: string,
  init: FetchInit = {},
  read: readonly string[] = [],
): Promise<FetchOutcome> {
  const engine = await engineOf(where);
  const messages: string[] = [];
  const page = 'page' in where ? where.page() : where;
  // Chromium's CORS lines come as console messages, Firefox's as page errors (see watchMessages).
  const onConsole = (message: { text: () => string }): void => {
    messages.push(message.text());
  };
  const onError = (error: unknown): void => {
    messages.push(error instanceof Error ? error.message : String(error));
  };
  page.on('console', onConsole);
  page.on('pageerror', onError);
  try {
    const outcome = await fetchInPage(where, url, init, read);
    if (agreement.skip === undefined)
      await checkAgrees(engine, where, url, init, outcome, messages);
    return outcome;
  } finally {
    page.off('console', onConsole);
    page.off('pageerror', onError);
  }
}

async function fetchInPage(
  where: Page | Frame,
  url: string,
  init: FetchInit,
  read: readonly string[],
): Promise<FetchOutcome> {
  // The argument crosses as a JSON string: objects made in jest's sandbox are not plain objects to
  // puppeteer-core (it runs in Node's own realm), and its WebDriver BiDi serializer refuses them.
  return where.evaluate(async (json: string): Promise<FetchOutcome> => {
    const { url, init, read } = JSON.parse(json) as {
      url: string;
      init: FetchInit;
      read: string[];
    };
    try {
      const res = await fetch(url, init);
      const body = await res.text();
      const headers: Record<string, string | null> = {};
      for (const name of read) headers[name] = res.headers.get(name);
      return { ok: true, status: res.status, body, headers };
    } catch (err) {
      return { ok: false, error: String(err) };
    }
  }, JSON.stringify({ url, init, read }));
}

/**
 * The error each engine gives scripts for every CORS failure; the details go to the browser's log
 * only. The Fetch Standard says a "network error" (a TypeError) and leaves the wording to engines.
 */
export const CORS_ERROR: Record<Engine, string> = {
  chromium: 'TypeError: Failed to fetch',
  firefox: 'TypeError: NetworkError when attempting to fetch resource.',
};

let counter = 0;
/** A URL path never used before in this process, so no preflight or HTTP cache entry covers it. */
export function fresh(path: string): string {
  counter += 1;
  return `${path}?n=${String(counter)}`;
}

// ---------------------------------------------------------------------------------------------------
// `corsguard check` agrees with the browser

/** The User-Agent `corsguard check` sends (lib/cli/check.ts), by which the API's recorder skips it. */
const CHECK_USER_AGENT = 'corsguard-check';

const engines = new WeakMap<Browser, Promise<Engine>>();

function engineOf(where: Page | Frame): Promise<Engine> {
  const browser = ('page' in where ? where.page() : where).browser();
  let engine = engines.get(browser);
  if (engine === undefined) {
    engine = browser.version().then((v) => (/firefox/i.test(v) ? 'firefox' : 'chromium'));
    engines.set(browser, engine);
  }
  return engine;
}

/**
 * Whether this test file compares `corsguard check` with the browser. Every fetch a test makes
 * through {@link browserFetch}, in Chromium and in Firefox, is also run by `corsguard check`
 * (in-process, the command line's own parsing) with the same URL, page origin, method, headers and
 * credentials mode; the verdicts must be the same, and for a blocked fetch the message check gives
 * for that engine must be the one the engine printed, word for word. A file whose verdicts depend on state the check cannot have (the
 * browser's HTTP cache, a preflight cache, a network the browser was told is public) says why in
 * {@link skipCheckAgreement}.
 */
const agreement: { skip?: string } = {};

let checking = false;

/**
 * True while `corsguard check` runs for the last fetch: server code that counts what the browser
 * sends (an origin function's calls) leaves those requests out.
 */
export function checkRunning(): boolean {
  return checking;
}

/** Turns the comparison off for the calling test file, with the reason. */
export function skipCheckAgreement(reason: string): void {
  agreement.skip = reason;
}

async function checkAgrees(
  engine: Engine,
  where: Page | Frame,
  url: string,
  init: FetchInit,
  outcome: FetchOutcome,
  messages: readonly string[],
): Promise<void> {
  const origin = await where.evaluate(() => (globalThis as unknown as { origin: string }).origin);
  const headers = Object.entries(init.headers ?? {});
  // fetch() gives a string body this Content-Type unless the script set one.
  if (init.body !== undefined && !headers.some(([n]) => n.toLowerCase() === 'content-type')) {
    headers.push(['Content-Type', 'text/plain;charset=UTF-8']);
  }
  const argv = [
    'check',
    url,
    '--origin',
    origin,
    '--method',
    init.method ?? 'GET',
    ...headers.flatMap(([n, v]) => ['--header', `${n}: ${v}`]),
    ...(init.credentials === 'include' ? ['--credentials'] : []),
    '--json',
  ];
  let stdout = '';
  let stderr = '';
  checking = true;
  const status = await run(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  }).finally(() => {
    checking = false;
  });
  const command = `corsguard ${argv.map((a) => (/^[\w:/.=-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`;
  if (status === 2) throw new Error(`${command} failed (exit 2): ${stderr}`);
  const result = JSON.parse(stdout) as CheckResult;
  const name = engine === 'chromium' ? 'Chromium' : 'Firefox';
  if ((result.verdict === 'allowed') !== outcome.ok) {
    throw new Error(
      `corsguard check disagrees with ${name}: ${name} ${outcome.ok ? 'allowed' : 'blocked'} the fetch, ${command} says ${result.verdict}${result.failure === undefined ? '' : `: ${result.failure[engine]}`}`,
    );
  }
  if (result.failure === undefined) return;
  const said = result.failure[engine];
  const escaped = url.replace(/[?.*+()[\]]/g, '\\$&');
  const printed = await messageMatching(
    messages,
    engine === 'chromium'
      ? new RegExp(`^Access to fetch at '${escaped}'`)
      : new RegExp(`remote resource at ‘?${escaped}’?\\.`),
  ).then(
    // Firefox's page error reads "Error: Cross-Origin Request Blocked: ...".
    (message) => message.replace(/^Error: /, ''),
    () => messages.join('\n'),
  );
  if (printed !== said) {
    throw new Error(
      `corsguard check names another cause than ${name} for ${command}:\n  ${name} printed: ${printed}\n  check says: ${said}`,
    );
  }
}
