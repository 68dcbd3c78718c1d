// Shared by the bus suites: instances of examples/dynamic-origins-db in processes of their own
// (instance/instance.cjs, forked), sharing one SQLite file and a bus, and the requests that tell
// what each instance allows right now.
import Database from 'better-sqlite3';
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stats } from './instance/instance.js';

export const TOKEN = 'secret';

/** The shared database: a SQLite file of the test's own, written directly when a test says so. */
export interface SharedDb {
  file: string;
  add(origins: readonly string[]): void;
  remove(origins: readonly string[]): void;
  has(origin: string): boolean;
  end(): void;
}

export function sharedDb(): SharedDb {
  const dir = mkdtempSync(join(process.env.CORSGUARD_SERVERS_DIR ?? tmpdir(), 'sqlite-'));
  const file = join(dir, 'origins.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(
    "CREATE TABLE allowed_origins (origin TEXT PRIMARY KEY NOT NULL, added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))) WITHOUT ROWID",
  );
  const insert = db.prepare('INSERT OR IGNORE INTO allowed_origins (origin) VALUES (?)');
  const del = db.prepare('DELETE FROM allowed_origins WHERE origin = ?');
  const has = db.prepare('SELECT 1 FROM allowed_origins WHERE origin = ?').pluck();
  return {
    file,
    add: db.transaction((origins: readonly string[]) => {
      for (const o of origins) insert.run(o);
    }),
    remove: db.transaction((origins: readonly string[]) => {
      for (const o of origins) del.run(o);
    }),
    has: (origin) => has.get(origin) !== undefined,
    end() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Instance {
  url: string;
  child: ChildProcess;
  stats(): Promise<Stats>;
}

const INSTANCE = join(__dirname, 'instance', 'instance.cjs');

/** Forks `count` instances on the bus `bus` and waits until each listens. */
export async function startInstances(
  count: number,
  env: { BUS: 'node-redis' | 'ioredis' | 'postgres'; CACHE_TTL: number; [name: string]: unknown },
  db: SharedDb,
): Promise<Instance[]> {
  const vars = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
  return Promise.all(
    Array.from({ length: count }, async () => {
      const child = fork(INSTANCE, {
        env: { ...process.env, ...vars, DATABASE_FILE: db.file, NODE_DEBUG: '' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const port = await new Promise<number>((resolve, reject) => {
        child.once('exit', (code) => {
          reject(new Error(`an instance exited with ${String(code)} before listening`));
        });
        child.on('message', (m: { listening?: number }) => {
          if (m.listening !== undefined) resolve(m.listening);
        });
      });
      let next = 0;
      const stats = () =>
        new Promise<Stats>((resolve) => {
          const id = ++next;
          const on = (m: { id?: number; stats?: Stats }) => {
            if (m.id !== id) return;
            child.off('message', on);
            resolve(m.stats!);
          };
          child.on('message', on);
          child.send({ id, cmd: 'stats' });
        });
      return { url: `http://127.0.0.1:${String(port)}`, child, stats };
    }),
  );
}

export async function stopInstances(instances: readonly Instance[]): Promise<void> {
  await Promise.all(
    instances.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          child.once('exit', () => {
            resolve();
          });
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Does `url` allow `origin` right now (GET /api/hello)? */
export async function allows(url: string, origin: string): Promise<boolean> {
  const res = await fetch(`${url}/api/hello`, { headers: { Origin: origin } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`GET /api/hello answered ${String(res.status)}`);
  return res.headers.get('access-control-allow-origin') === origin;
}

/** The admin API: POST adds (and clears), DELETE removes (and clears); resolves with the status. */
export async function admin(
  url: string,
  method: 'POST' | 'DELETE',
  origin: string,
): Promise<number> {
  const path =
    method === 'POST' ? '/admin/origins' : `/admin/origins/${encodeURIComponent(origin)}`;
  const res = await fetch(url + path, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    ...(method === 'POST' && { body: JSON.stringify({ origin }) }),
  });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Milliseconds from now until `url` answers `want` for `origin`, asking again at once after each
 * answer; throws past `limit`.
 */
export async function until(
  url: string,
  origin: string,
  want: boolean,
  limit = 2000,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if ((await allows(url, origin)) === want) return performance.now() - started;
    const elapsed = performance.now() - started;
    if (elapsed > limit) {
      throw new Error(
        `${url} still ${want ? 'refuses' : 'allows'} ${origin} after ${elapsed.toFixed(0)} ms`,
      );
    }
  }
}

/** Runs `task` over `items`, `width` at a time. */
export async function each<T, R>(
  items: readonly T[],
  width: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await task(items[i]!);
      }
    }),
  );
  return results;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });
