// The many-instances mode in one command: `npm run example:many-instances`. Starts a private Redis
// (Debian's redis-server, on a free 127.0.0.1 port, in a temporary folder, without persistence),
// then INSTANCES (default 3) copies of main.js in separate processes on ports BASE_PORT,
// BASE_PORT + 1, ... (default 4101), sharing one SQLite file and that Redis. It walks through an
// origin added and removed through the admin API of the first instance and shows the others
// following on their next request, then keeps running until Ctrl-C (or exits with `--check`).
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST = '127.0.0.1';
const TENANT = 'https://tenant.example';
const token = process.env.ADMIN_TOKEN ?? 'secret';
const check = process.argv.includes('--check');

function count(name: string, fallback: number, max: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`${name} must be a whole number up to ${String(max)}, got "${text}"`);
  }
  return value;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, HOST, resolve);
  });
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, HOST, () => socket.write('PING\r\n'));
    socket.setTimeout(500, () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.end();
      resolve(chunk.toString().startsWith('+PONG'));
    });
    socket.once('error', () => {
      resolve(false);
    });
    socket.once('close', () => {
      resolve(false);
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startRedis(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const program = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
  if (!existsSync(program)) {
    throw new Error(
      `no ${program}: install Redis (apt-get install -y redis-server; its system service is not used) or set REDIS_SERVER`,
    );
  }
  const port = await freePort();
  const child = spawn(
    program,
    ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'],
    { cwd: dir, stdio: 'ignore' },
  );
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    if (await pong(port)) return { url: `redis://${HOST}:${String(port)}`, child };
    await sleep(25);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on ${HOST}:${String(port)}`);
}

function startInstance(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const child = fork(main, { env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      reject(new Error(`an instance exited with ${String(code)}`));
    });
    child.on('message', (message: { listening?: number }) => {
      if (message.listening !== undefined) {
        resolve({ child, url: `http://localhost:${String(message.listening)}` });
      }
    });
  });
}

async function allowed(url: string): Promise<boolean> {
  const res = await fetch(`${url}/api/hello`, { headers: { Origin: TENANT } });
  await res.arrayBuffer();
  return res.headers.get('access-control-allow-origin') === TENANT;
}

async function admin(url: string, method: 'POST' | 'DELETE'): Promise<number> {
  const path =
    method === 'POST' ? '/admin/origins' : `/admin/origins/${encodeURIComponent(TENANT)}`;
  const res = await fetch(url + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(method === 'POST' && { body: JSON.stringify({ origin: TENANT }) }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Milliseconds until `url` answers `want` for TENANT (polling), or Infinity past one second. */
async function until(url: string, want: boolean): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 1000) {
    if ((await allowed(url)) === want) return performance.now() - started;
  }
  return Infinity;
}

async function main(): Promise<void> {
  const instances = count('INSTANCES', 3, 10);
  const basePort = count('BASE_PORT', 4101, 65535 - instances);
  const dir = mkdtempSync(join(tmpdir(), 'corsguard-many-'));
  const children: ChildProcess[] = [];
  const verdict = { ok: true };
  const stop = (code: number) => {
    for (const child of children) child.kill('SIGTERM');
    setTimeout(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(code);
    }, 300);
  };
  try {
    const redis = await startRedis(dir);
    children.push(redis.child);
    const databaseFile = process.env.DATABASE_FILE ?? join(dir, 'origins.db');
    const started = await Promise.all(
      Array.from({ length: instances }, (_, i) =>
        startInstance({
          PORT: String(basePort + i),
          DATABASE_FILE: databaseFile,
          REDIS_URL: redis.url,
          ADMIN_TOKEN: token,
        }),
      ),
    );
    children.push(...started.map((s) => s.child));
    const urls = started.map((s) => s.url);
    const [first, ...others] = urls as [string, ...string[]];
    console.log(`\n${String(instances)} instances sharing ${databaseFile} and ${redis.url}`);
    const say = (line: string, pass: boolean) => {
      verdict.ok &&= pass;
      console.log(`  ${pass ? 'ok  ' : 'FAIL'} ${line}`);
    };
    // Every instance caches its answer: a refusal first.
    for (const url of urls) say(`${url} refuses ${TENANT}`, !(await allowed(url)));
    say(`POST ${first}/admin/origins ${TENANT}`, [200, 201].includes(await admin(first, 'POST')));
    for (const url of others) {
      const ms = await until(url, true);
      say(`${url} allows it on the next request (${ms.toFixed(1)} ms after the change)`, ms < 200);
    }
    say(
      `DELETE ${first}/admin/origins/${encodeURIComponent(TENANT)}`,
      (await admin(first, 'DELETE')) === 204,
    );
    for (const url of others) {
      const ms = await until(url, false);
      say(`${url} refuses it on the next request (${ms.toFixed(1)} ms after the change)`, ms < 200);
    }
    if (check) {
      stop(verdict.ok ? 0 : 1);
      return;
    }
    console.log(
      [
        '',
        'Try it yourself (the cache ttl is 60 s, so only the bus explains what you see):',
        `  curl -si ${others[0] ?? first}/api/hello -H 'Origin: ${TENANT}'`,
        `  curl -si -X POST ${first}/admin/origins -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '{"origin": "${TENANT}"}'`,
        `  curl -si -X DELETE ${first}/admin/origins/${encodeURIComponent(TENANT)} -H 'Authorization: Bearer ${token}'`,
        'Ctrl-C stops the instances and Redis.',
      ].join('\n'),
    );
    process.once('SIGINT', () => {
      stop(0);
    });
    process.once('SIGTERM', () => {
      stop(0);
    });
  } catch (err) {
    console.error(`many instances: ${(err as Error).message}`);
    stop(1);
  }
}

void main();
