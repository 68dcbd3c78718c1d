// Loopback HTTP level: the same Express 5 API (server.mjs) three times, in three child processes,
// one per candidate (corsguard, cors, no-op), on 127.0.0.1. autocannon, in this process, loads one
// server at a time, alternating (no-op, corsguard, cors, then rotated) for a few short rounds, for an
// actual GET and for a preflight. Reported: req/s ratios against the no-op server of the same round
// (median and spread over rounds), the server's own CPU time per request (process.cpuUsage in the
// server, which other load on a shared machine disturbs far less than throughput), and each server's
// heap and RSS, after full GCs, before and after.
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { HTTP_ORIGIN, HTTP_REQUEST_HEADERS } from './workloads.mjs';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
export const SERVERS = ['noop', 'corsguard', 'cors'];

export const KINDS = {
  actual: {
    method: 'GET',
    path: '/api/items',
    headers: { origin: HTTP_ORIGIN, accept: 'application/json' },
  },
  preflight: {
    method: 'OPTIONS',
    path: '/api/items/42',
    headers: {
      origin: HTTP_ORIGIN,
      accept: '*/*',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': HTTP_REQUEST_HEADERS,
    },
  },
};

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`bench: ${what} took more than ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

function start(candidate) {
  const child = fork(SERVER, [candidate], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise((resolve, reject) => {
    child.once('message', (message) => {
      resolve({ candidate, child, port: message.port, idle: message.memory });
    });
    child.once('exit', (code) => {
      reject(new Error(`bench: server ${candidate} exited with ${code}`));
    });
  });
  return withTimeout(ready, 15000, `starting the ${candidate} server`).catch((err) => {
    child.kill();
    throw err;
  });
}

function ask(server, question) {
  const answer = new Promise((resolve) => {
    server.child.once('message', resolve);
  });
  server.child.send(question);
  return withTimeout(answer, 15000, `asking the ${server.candidate} server for ${question}`);
}

async function stop(server) {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => {
    server.child.once('exit', resolve);
  });
  server.child.send('exit');
  try {
    await withTimeout(exited, 5000, `stopping the ${server.candidate} server`);
  } catch {
    server.child.kill('SIGKILL');
  }
}

/** One request, to check what a server answers; resolves to status and response headers. */
function probe(port, kind) {
  const { method, path, headers } = KINDS[kind];
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          resolve({ status: res.statusCode, headers: res.headers });
        });
      });
      req.on('error', reject);
      req.end();
    }),
    5000,
    `probing port ${port}`,
  );
}

/** Loads one server; returns its req/s and the server's CPU time per request (microseconds). */
async function load(server, kind, seconds, connections) {
  const { method, path, headers } = KINDS[kind];
  const port = server.port;
  const before = (await ask(server, 'cpu')).cpu;
  const result = await withTimeout(
    autocannon({
      url: `http://127.0.0.1:${port}${path}`,
      method,
      headers,
      connections,
      duration: seconds,
    }),
    (seconds + 20) * 1000,
    `autocannon on port ${port}`,
  );
  const after = (await ask(server, 'cpu')).cpu;
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(
      `bench: ${kind} on port ${port}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`,
    );
  }
  const cpu = after.user + after.system - before.user - before.system;
  return {
    rps: result.requests.total / (result.duration || seconds),
    cpuPerRequest: cpu / result.requests.total,
  };
}

/** Runs the HTTP level: `rounds` rounds of `seconds` per server and kind; stops early at `budgetMs`. */
export async function httpLevel({ rounds, seconds, warmupSeconds, connections, budgetMs, log }) {
  const servers = [];
  try {
    for (const candidate of SERVERS) servers.push(await start(candidate));
    const probes = {};
    for (const server of servers) {
      probes[server.candidate] = {};
      for (const kind of Object.keys(KINDS)) {
        probes[server.candidate][kind] = await probe(server.port, kind);
      }
    }
    const allowOrigin = (s, kind) => probes[s][kind].headers['access-control-allow-origin'];
    for (const s of ['corsguard', 'cors']) {
      for (const kind of Object.keys(KINDS)) {
        if (allowOrigin(s, kind) !== HTTP_ORIGIN) {
          throw new Error(`bench: the ${s} server did not allow ${HTTP_ORIGIN} on ${kind}`);
        }
      }
    }
    for (const server of servers) {
      for (const kind of Object.keys(KINDS)) await load(server, kind, warmupSeconds, connections);
    }
    for (const server of servers) server.before = (await ask(server, 'memory')).memory;

    const series = () =>
      Object.fromEntries(
        Object.keys(KINDS).map((kind) => [kind, Object.fromEntries(SERVERS.map((s) => [s, []]))]),
      );
    const rps = series();
    const cpu = series();
    const started = Date.now();
    let done = 0;
    for (let round = 0; round < rounds; round++) {
      if (round > 0 && Date.now() - started > budgetMs) {
        log(`  time budget reached: stopping after ${round} rounds`);
        break;
      }
      for (const kind of Object.keys(KINDS)) {
        for (let k = 0; k < servers.length; k++) {
          const server = servers[(round + k) % servers.length];
          const measured = await load(server, kind, seconds, connections);
          rps[kind][server.candidate].push(measured.rps);
          cpu[kind][server.candidate].push(measured.cpuPerRequest);
          await sleep(200);
        }
      }
      done = round + 1;
      log(`  round ${done}/${rounds} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
    for (const server of servers) server.after = (await ask(server, 'memory')).memory;
    return {
      rounds: done,
      seconds,
      connections,
      rps,
      cpu,
      probes: Object.fromEntries(
        SERVERS.map((s) => [
          s,
          Object.fromEntries(Object.keys(KINDS).map((k) => [k, probes[s][k].status])),
        ]),
      ),
      memory: Object.fromEntries(
        servers.map((s) => [s.candidate, { idle: s.idle, before: s.before, after: s.after }]),
      ),
    };
  } finally {
    for (const server of servers) await stop(server);
  }
}
