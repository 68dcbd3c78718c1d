// Starts and stops real database servers for the server suite, one private instance per call: its
// own temporary folder, a free port on 127.0.0.1 and nothing else (never the system service, never
// another interface). Each kind of server is one entry of KINDS: PostgreSQL (initdb + pg_ctl) and
// Redis (redis-server as a child process, no persistence).
//
// Folders live under CORSGUARD_SERVERS_DIR, which global-setup.ts creates for the run and
// global-teardown.ts sweeps: whatever a test file failed to stop is stopped and removed there.
import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The only address any server of this suite listens on. */
export const HOST = '127.0.0.1';

/** A server started by {@link startServer}. */
export interface RunningServer {
  readonly name: ServerName;
  readonly host: typeof HOST;
  readonly port: number;
  /** The instance's own folder (data, socket, log); removed by `remove()`. */
  readonly dir: string;
  /** Stops the server, keeping its data; `mode` `'immediate'` is a crash, not a clean shutdown. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again after `stop()`, on the same port with the same data. */
  start(): Promise<void>;
  /** True while the server runs. */
  running(): boolean;
  /** Stops it if it runs and deletes its folder. Safe to call twice. */
  remove(): Promise<void>;
  /** The end of the server's log, for error messages. */
  log(): string;
}

interface Kind {
  /** The folder holding the server's programs, or undefined when it is not installed. */
  find(): string | undefined;
  /** The unprivileged system user the server must run as when the tests run as root. */
  readonly user?: string;
  /** Prepares a fresh instance in `dir` (owned by `user`) listening on `port`. */
  init(bin: string, dir: string, port: number): Promise<void>;
  launch(bin: string, dir: string): Promise<void>;
  halt(bin: string, dir: string, mode: 'fast' | 'immediate'): Promise<void>;
  /** True when the instance in `dir` may still be running (used by the sweep). */
  running(dir: string): boolean;
  /** A line telling how to install it, for error messages. */
  readonly install: string;
}

/** Runs `command` as `user` when we are root, as ourselves otherwise; rejects with its output. */
function run(user: string | undefined, command: string, args: string[]): Promise<string> {
  const asRoot = process.getuid?.() === 0 && user !== undefined;
  const [file, argv] = asRoot ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    // Output goes to pipes that are read to the end; a daemon started by pg_ctl gets a log file
    // instead, so the pipes close when the command itself is done.
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else
        reject(new Error(`${[file, ...argv].join(' ')} exited with ${String(code)}:\n${output}`));
    });
  });
}

/** uid and gid of a system user, or undefined when there is none. */
function userIds(user: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** A port that was free on 127.0.0.1 a moment ago. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, HOST, resolve);
  });
  const address = probe.address();
  await new Promise<void>((resolve) => {
    probe.close(() => {
      resolve();
    });
  });
  if (address === null || typeof address === 'string') throw new Error('no port from the probe');
  return address.port;
}

/** Debian installs each PostgreSQL major version in /usr/lib/postgresql/<version>/bin. */
function findPostgres(): string | undefined {
  const override = process.env.CORSGUARD_PG_BINDIR;
  if (override !== undefined && override !== '') {
    return existsSync(join(override, 'postgres')) ? override : undefined;
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

const postgresql: Kind = {
  find: findPostgres,
  user: 'postgres',
  install: 'apt-get install -y postgresql',
  async init(bin, dir, port) {
    const data = join(dir, 'data');
    // trust on loopback only: the server listens on 127.0.0.1 and a socket inside `dir`.
    await run(
      this.user,
      join(bin, 'initdb'),
      [
        ['-D', data],
        ['-U', 'postgres'],
        ['-A', 'trust'],
        ['-E', 'UTF8'],
        '--locale=C',
        '--no-sync',
        '--no-instructions',
      ].flat(),
    );
    // Appended as the last word in postgresql.conf, so a restart keeps the port. Durability is off:
    // the data lives as long as the test file.
    appendFileSync(
      join(data, 'postgresql.conf'),
      [
        '',
        '# corsguard server suite',
        `port = ${String(port)}`,
        `listen_addresses = '${HOST}'`,
        `unix_socket_directories = '${dir}'`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );
  },
  async launch(bin, dir) {
    await run(
      this.user,
      join(bin, 'pg_ctl'),
      [
        ['-D', join(dir, 'data')],
        ['-l', join(dir, 'server.log')],
        ['-w', '-t', '30'],
        'start',
      ].flat(),
    );
  },
  async halt(bin, dir, mode) {
    await run(this.user, join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', mode, '-w', 'stop']);
  },
  running: (dir) => existsSync(join(dir, 'data', 'postmaster.pid')),
};

/** Debian's redis-server (package redis-server), or the program named by CORSGUARD_REDIS_SERVER. */
export function findRedis(): string | undefined {
  const override = process.env.CORSGUARD_REDIS_SERVER;
  if (override !== undefined && override !== '') return existsSync(override) ? override : undefined;
  return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((file) => existsSync(file));
}

/** The pid in `file` when that process is alive, else undefined. */
function livePid(file: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/** Resolves once the Redis on `port` answers PING; rejects after `limit` ms. */
async function redisAnswers(port: number, alive: () => boolean, limit = 10_000): Promise<void> {
  const deadline = Date.now() + limit;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, HOST);
      let reply = '';
      socket.setTimeout(500, () => socket.destroy());
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (chunk: Buffer) => {
        reply += chunk.toString();
        if (reply.includes('\r\n')) {
          socket.end();
          resolve(reply.startsWith('+PONG'));
        }
      });
      socket.on('error', () => {
        resolve(false);
      });
      socket.on('close', () => {
        resolve(false);
      });
    });
    if (ok) return;
    if (!alive()) throw new Error('redis-server exited');
    if (Date.now() > deadline)
      throw new Error(`redis-server did not answer within ${String(limit)} ms`);
    await sleep(20);
  }
}

// redis-server runs as a child of the test process (--daemonize no), without persistence, its pid
// in the instance's folder so that the global teardown can stop one a crashed worker left behind.
const redis: Kind = {
  find: findRedis,
  install: 'apt-get install -y redis-server',
  init(_bin, dir, port) {
    writeFileSync(join(dir, 'port'), String(port));
    return Promise.resolve();
  },
  async launch(bin, dir) {
    const port = Number(readFileSync(join(dir, 'port'), 'utf8'));
    const args = [
      ['--port', String(port)],
      ['--bind', HOST],
      ['--save', ''],
      ['--appendonly', 'no'],
      ['--daemonize', 'no'],
      ['--dir', dir],
      ['--pidfile', join(dir, 'redis.pid')],
      ['--logfile', join(dir, 'server.log')],
    ].flat();
    const child = spawn(bin, args, { cwd: dir, stdio: 'ignore' });
    const state = { exited: false };
    child.on('exit', () => {
      state.exited = true;
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    try {
      await redisAnswers(port, () => !state.exited);
    } catch (err) {
      if (!state.exited) child.kill('SIGKILL');
      throw err;
    }
  },
  async halt(_bin, dir, mode) {
    const pidFile = join(dir, 'redis.pid');
    const pid = livePid(pidFile);
    if (pid === undefined) return;
    // SIGTERM is redis-server's clean shutdown; SIGKILL a crash.
    process.kill(pid, mode === 'fast' ? 'SIGTERM' : 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (livePid(pidFile) === pid) {
      if (Date.now() > deadline) throw new Error(`redis-server ${String(pid)} did not stop`);
      await sleep(10);
    }
    rmSync(pidFile, { force: true });
  },
  running: (dir) => livePid(join(dir, 'redis.pid')) !== undefined,
};

const KINDS = { postgresql, redis } satisfies Record<string, Kind>;

export type ServerName = keyof typeof KINDS;

/** The folder of the server's programs, or undefined when it is not installed here. */
export function findServer(name: ServerName): string | undefined {
  return KINDS[name].find();
}

let ownRunDir: string | undefined;

/**
 * The folder this run's instances go in: CORSGUARD_SERVERS_DIR (made by global-setup.ts), or, when a
 * file runs without it, a folder of this process's own, removed with its last instance.
 */
function runDir(): string {
  const shared = process.env.CORSGUARD_SERVERS_DIR;
  if (shared !== undefined && shared !== '') return shared;
  ownRunDir ??= mkdtempSync(join(tmpdir(), 'corsguard-servers-'));
  return ownRunDir;
}

/** A fresh folder for one instance, owned by the user the server runs as. */
function instanceDir(name: ServerName, kind: Kind): string {
  const dir = mkdtempSync(join(runDir(), `${name}-`));
  if (process.getuid?.() === 0 && kind.user !== undefined) {
    const ids = userIds(kind.user);
    if (ids === undefined) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `${name} refuses to run as root and there is no "${kind.user}" system user to run it as. ` +
          `Debian's package creates it (${kind.install}); or create it: ` +
          `useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ${kind.user}`,
      );
    }
    chownSync(dir, ids.uid, ids.gid);
    // The server user must be able to reach its folder through the run folder.
    chmodSync(runDir(), 0o755);
  }
  return dir;
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts a private instance of `name` on a free loopback port, in a new temporary folder. Call
 * `remove()` when done (in afterAll); the run's global teardown sweeps what was left.
 */
export async function startServer(name: ServerName): Promise<RunningServer> {
  const kind: Kind = KINDS[name];
  const bin = kind.find();
  if (bin === undefined) throw new Error(`${name} is not installed here: ${kind.install}`);
  // A port can be taken between the probe and the server's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    const dir = instanceDir(name, kind);
    const port = await freePort();
    try {
      await kind.init(bin, dir, port);
      await kind.launch(bin, dir);
    } catch (err) {
      const log = tail(join(dir, 'server.log'));
      if (kind.running(dir)) await kind.halt(bin, dir, 'immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      if (attempt < 3 && /already in use|could not bind/i.test(log)) continue;
      throw new Error(`could not start ${name}: ${String(err)}\nserver log:\n${log}`, {
        cause: err,
      });
    }
    let removed = false;
    const server: RunningServer = {
      name,
      host: HOST,
      port,
      dir,
      stop: (mode = 'fast') => kind.halt(bin, dir, mode),
      start: () => kind.launch(bin, dir),
      running: () => kind.running(dir),
      async remove() {
        if (removed) return;
        removed = true;
        if (kind.running(dir)) await kind.halt(bin, dir, 'immediate');
        rmSync(dir, { recursive: true, force: true });
        if (ownRunDir !== undefined && readdirSync(ownRunDir).length === 0) {
          rmSync(ownRunDir, { recursive: true, force: true });
          ownRunDir = undefined;
        }
      },
      log: () => tail(join(dir, 'server.log')),
    };
    return server;
  }
}

/** Stops every instance still running under `dir` and deletes the folder (global teardown). */
export async function sweep(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const name = Object.keys(KINDS).find((kind) => entry.startsWith(`${kind}-`));
    if (name === undefined) continue;
    const kind: Kind = KINDS[name as ServerName];
    const bin = kind.find();
    const instance = join(dir, entry);
    if (bin !== undefined && kind.running(instance)) {
      await kind.halt(bin, instance, 'immediate').catch((err: unknown) => {
        console.error(`could not stop the ${name} left in ${instance}:`, err);
      });
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
