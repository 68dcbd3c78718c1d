// Issue 25: the corsguard/fetch recipes under examples/, each started on its runtime and sent a
// preflight, an allowed request and a refused one: Hono on Node (@hono/node-server), Bun.serve and
// Deno.serve (the runtimes installed from npm as dev dependencies, run from node_modules/.bin), and
// a Cloudflare Worker in workerd (Miniflare, bundled by esbuild as wrangler does), and a Next.js
// route handler and proxy on Next's production server (next build, next start).
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { start } from '../examples/fetch-hono.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

/** A browser's preflight for a PUT from `origin`, with Access-Control-Request-Headers when given. */
const preflightFrom = (
  at: string | URL,
  origin: string,
  requestHeaders?: string,
): Promise<Response> =>
  fetch(at, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'PUT',
      ...(requestHeaders === undefined ? {} : { 'Access-Control-Request-Headers': requestHeaders }),
    },
  });

describe('Hono on Node (examples/fetch-hono.ts)', () => {
  let url: string;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    const started = await start();
    url = started.url;
    stop = () =>
      new Promise<void>((resolve) => {
        started.server.close(() => {
          resolve();
        });
      });
  });
  afterAll(() => stop());

  it('answers the preflight itself, with the policy’s headers', async () => {
    const res = await preflightFrom(`${url}/api/items/7`, APP, 'content-type');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('adds the headers to Hono’s answer for an allowed origin', async () => {
    const res = await fetch(`${url}/api/hello`, { headers: { Origin: APP } });
    expect(await res.json()).toEqual({ hello: 'world' });
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('vary')).toBe('Origin');
  });

  it('gives a refused origin Hono’s answer without CORS headers', async () => {
    const res = await fetch(`${url}/api/hello`, { headers: { Origin: EVIL } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await preflightFrom(`${url}/api/items/7`, EVIL);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

const ROOT = join(__dirname, '..');

/**
 * Starts a recipe with its runtime (a bin of node_modules/.bin) on a free port; resolves when it
 * says it listens (`listening on <port>`, or Next's `Local: http://127.0.0.1:<port>`).
 */
function startRecipe(
  command: string,
  args: string[],
  cwd = ROOT,
): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', command), args, {
      cwd,
      env: { ...process.env, PORT: '0', NO_COLOR: '1', NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not start within 30 s: ${output}`));
    }, 30_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const port = /(?:listening on |Local:\s+http:\/\/127\.0\.0\.1:)(\d+)/.exec(output)?.[1];
      if (port !== undefined) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${port}`, child });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', reject);
  });
}

describe.each<[string, string, string[]]>([
  ['Bun.serve (examples/fetch-bun.mjs)', 'bun', ['examples/fetch-bun.mjs']],
  [
    'Deno.serve (examples/fetch-deno.mjs)',
    'deno',
    ['run', '--allow-net', '--allow-read', '--allow-env', 'examples/fetch-deno.mjs'],
  ],
])('%s', (_name, command, args) => {
  let url: string;
  let child: ChildProcess;
  beforeAll(async () => {
    ({ url, child } = await startRecipe(command, args));
  }, 40_000);
  afterAll(() => {
    child.kill();
  });

  it('answers the preflight, an allowed and a refused request as the Express middleware does', async () => {
    const preflight = await preflightFrom(`${url}/api`, APP);
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP);
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    const allowed = await fetch(`${url}/api`, { headers: { Origin: APP } });
    expect(await allowed.json()).toMatchObject({ hello: 'world', runtime: command });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const refused = await fetch(`${url}/api`, { headers: { Origin: EVIL } });
    expect(refused.status).toBe(200);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('vary')?.toLowerCase()).toBe('origin');
  });
});

describe('a Cloudflare Worker in workerd (examples/fetch-worker.mjs, through Miniflare)', () => {
  let mf: Miniflare;
  let url: URL;
  let bundled: string;
  beforeAll(async () => {
    // As wrangler deploys a Worker: bundled, `corsguard/fetch` resolved by its package name.
    const out = await build({
      entryPoints: [join(__dirname, '..', 'examples', 'fetch-worker.mjs')],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      write: false,
      logLevel: 'silent',
    });
    bundled = out.outputFiles[0]!.text;
    // No compatibility flag: without nodejs_compat, importing a Node module would fail to load.
    mf = new Miniflare({ modules: true, script: bundled, compatibilityDate: '2026-04-01' });
    url = await mf.ready;
  }, 40_000);
  afterAll(() => mf.dispose());

  it('bundles without a Node module', () => {
    expect(bundled).toContain('corsguard:decision');
    expect(bundled).not.toMatch(
      /(\bfrom\s*|\bimport\s*\(?\s*|require\(\s*)["'](node:)?(http|util|diagnostics_channel)["']/,
    );
  });

  it('answers the preflight, an allowed and a refused request as the Express middleware does', async () => {
    const preflight = await preflightFrom(new URL('/api', url), APP);
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP);
    expect(preflight.headers.get('access-control-allow-methods')).toBe(
      'GET,HEAD,PUT,PATCH,POST,DELETE',
    );
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    const allowed = await fetch(new URL('/api', url), { headers: { Origin: APP } });
    expect(await allowed.json()).toEqual({ hello: 'world', runtime: 'workerd' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('vary')).toBe('Origin');
    const refused = await fetch(new URL('/api', url), { headers: { Origin: EVIL } });
    expect(refused.status).toBe(200);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('vary')).toBe('Origin');
    const refusedPreflight = await preflightFrom(new URL('/api', url), EVIL);
    expect(refusedPreflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('a Next.js route handler on the production server (examples/next)', () => {
  const app = join(ROOT, 'examples', 'next');
  let url: string;
  let child: ChildProcess;
  beforeAll(async () => {
    // `next build`, then `next start`, as a deployment runs them.
    await new Promise<void>((resolve, reject) => {
      execFile(
        join(ROOT, 'node_modules', '.bin', 'next'),
        ['build'],
        { cwd: app, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, timeout: 150_000 },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`next build failed: ${err.message}\n${stdout}${stderr}`));
          else resolve();
        },
      );
    });
    ({ url, child } = await startRecipe('next', ['start', '-p', '0', '-H', '127.0.0.1'], app));
  }, 180_000);
  afterAll(() => {
    child.kill();
  });

  it('answers the preflight, an allowed and a refused request as the Express middleware does', async () => {
    const preflight = await preflightFrom(`${url}/api/hello`, APP, 'content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    // Next's own Vary fields, then the guard's.
    expect(preflight.headers.get('vary')).toMatch(/, Origin, Access-Control-Request-Headers$/);
    const allowed = await fetch(`${url}/api/hello`, { headers: { Origin: APP } });
    expect(await allowed.json()).toEqual({ hello: 'world', runtime: 'next' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('vary')).toMatch(/\bOrigin\b/);
    const refused = await fetch(`${url}/api/hello`, { headers: { Origin: EVIL } });
    expect(refused.status).toBe(200);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('vary')).toMatch(/\bOrigin\b/);
    const refusedPreflight = await preflightFrom(`${url}/api/hello`, EVIL);
    expect(refusedPreflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('guards the routes of its matcher from proxy.js, the route itself without CORS code', async () => {
    const at = `${url}/api/proxied`;
    const preflight = await preflightFrom(at, APP, 'content-type');
    expect(preflight.status).toBe(204);
    expect(Object.fromEntries(preflight.headers)).toMatchObject({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '600',
      vary: 'Origin, Access-Control-Request-Headers',
    });
    const allowed = await fetch(at, { headers: { Origin: APP } });
    expect(await allowed.json()).toEqual({ hello: 'world', guardedBy: 'proxy' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('vary')).toMatch(/^Origin\b/);
    const refused = await fetch(at, { headers: { Origin: EVIL } });
    expect(await refused.json()).toEqual({ hello: 'world', guardedBy: 'proxy' });
    expect([...refused.headers.keys()].filter((n) => n.startsWith('access-control-'))).toEqual([]);
    expect(refused.headers.get('vary')).toMatch(/^Origin\b/);
    const refusedPreflight = await preflightFrom(at, EVIL);
    expect(refusedPreflight.status).toBe(204);
    expect(
      [...refusedPreflight.headers.keys()].filter((n) => n.startsWith('access-control-')),
    ).toEqual([]);
  });
});

describe('corsguard/fetch under Deno without --allow-env', () => {
  it('loads, warns, guards and tells onDecision without reading the environment', () => {
    const result = spawnSync(
      join(ROOT, 'node_modules', '.bin', 'deno'),
      ['run', '--allow-read', join(__dirname, 'fixtures', 'deno-without-env.mjs')],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({
      allowed: APP,
      refused: null,
      seen: ['allowed', 'origin-not-allowed'],
    });
    expect(result.stderr).toContain('CORSGUARD_REFLECT_ANY_WITH_CREDENTIALS');
    expect(result.stderr).not.toMatch(/NotCapable|Requires env access/);
  }, 70_000);
});
