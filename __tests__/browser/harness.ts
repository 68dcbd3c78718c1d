// Real-browser harness: Debian's Chromium driven by playwright-core, a page server on
// http://127.0.0.1:<port> and an API behind corsguard reached as http://localhost:<port>, so every
// fetch in these tests crosses origins (and sites) exactly as it would in production.
import express from 'express';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Frame,
  type Page,
} from 'playwright-core';

/** Where Chromium is: scripts/test-browser.mjs passes the path it found. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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

/** Generous limits for a 2-core machine: launching Chromium, and each test. */
export const LAUNCH_TIMEOUT = 60_000;
export const TEST_TIMEOUT = 30_000;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Opens one page per URL, all in one new context of `browser` (so they share its HTTP cache). */
export async function openPages<const U extends readonly string[]>(
  browser: Browser,
  ...urls: U
): Promise<{ [K in keyof U]: Page }> {
  const context = await browser.newContext();
  const opened: Page[] = [];
  for (const url of urls) {
    const page = await context.newPage();
    await page.goto(url);
    opened.push(page);
  }
  return opened as { [K in keyof U]: Page };
}

/** Closes the browser and the servers a test file started. */
export async function closeAll(browser: Browser, ...servers: http.Server[]): Promise<void> {
  await browser.close();
  for (const server of servers) await close(server);
}

/**
 * A fresh browser whose profile accepts third-party cookies. A page on 127.0.0.1 and an API on
 * localhost are different sites, so the API's cookie is a third-party cookie; Chromium's default
 * (and every Playwright context, which is off the record) blocks those with the reason
 * "UserPreferences" before CORS is even consulted. A persistent profile with the preference
 * `cookie_controls_mode: 0` ("allow third-party cookies") is what a user who allows them has.
 */
export async function launchWithThirdPartyCookies(): Promise<{
  context: BrowserContext;
  close: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'corsguard-chromium-'));
  mkdirSync(join(dir, 'Default'));
  writeFileSync(
    join(dir, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }),
  );
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
    seen.push({
      method: req.method,
      url: req.originalUrl,
      origin: req.headers.origin,
      acrm: req.headers['access-control-request-method'],
      acrh: req.headers['access-control-request-headers'],
      cookie: req.headers.cookie,
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
  return where.evaluate(
    async ({ url, init, read }): Promise<FetchOutcome> => {
      try {
        const res = await fetch(url, init);
        const body = await res.text();
        const headers: Record<string, string | null> = {};
        for (const name of read) headers[name] = res.headers.get(name);
        return { ok: true, status: res.status, body, headers };
      } catch (err) {
        return { ok: false, error: String(err) };
      }
    },
    { url, init, read },
  );
}

/** The error Chromium gives scripts for every CORS failure; the details go to the console only. */
export const CORS_ERROR = 'TypeError: Failed to fetch';

let counter = 0;
/** A URL path never used before in this process, so no preflight or HTTP cache entry covers it. */
export function fresh(path: string): string {
  counter += 1;
  return `${path}?n=${String(counter)}`;
}
