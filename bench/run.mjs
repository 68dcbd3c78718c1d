// npm run bench [-- --quick] [-- --only=inprocess,memory,http] [-- --json=file]
//
// Measures corsguard against cors 2.8.6, a no-op middleware and a hand-written floor, in one run,
// interleaved, and prints every figure with where each performance target stands. Timings are never
// asserted anywhere: this prints, it does not fail on a slow machine. See bench/README.md.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { CANDIDATES, measure, prime } from './inprocess.mjs';
import { httpLevel, SERVERS, KINDS } from './http.mjs';
import { memoryCheck } from './memory.mjs';
import { setStack } from './requests.mjs';
import { DIST, EXTERNAL } from './subject.mjs';
import { geomean, showRatio, summary, table } from './stats.mjs';
import { WORKLOADS } from './workloads.mjs';

const SELF = fileURLToPath(import.meta.url);

// GC control is part of the method: without --expose-gc, start again with it.
if (typeof globalThis.gc !== 'function') {
  const env = { ...process.env };
  // The child takes its own snapshot of dist/ (this one goes away when this process exits).
  if (!EXTERNAL) delete env.CORSGUARD_BENCH_DIST;
  const child = spawnSync(process.execPath, ['--expose-gc', SELF, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env,
  });
  process.exit(child.status ?? 1);
}

// Ctrl-C: exit normally, so the snapshot of dist/ is removed and the servers see their parent go.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = (args.find((a) => a.startsWith('--only=')) ?? '--only=inprocess,memory,http,fetch')
  .slice('--only='.length)
  .split(',');
const jsonPath = args.find((a) => a.startsWith('--json='))?.slice('--json='.length);

// Every phase is bounded in count and in time: on a loaded machine a phase stops at its budget and
// the report says how many rounds or requests it got. Worst case: quick ~100 s, full ~7.5 min.
const SETTINGS = quick
  ? {
      express: { rounds: 8, chunks: 6, size: 256, warmup: 8, budgetMs: 28000 },
      node: { rounds: 8, chunks: 6, size: 256, warmup: 4, budgetMs: 12000 },
      memory: { requests: 200000, budgetMs: 14000 },
      http: { rounds: 2, seconds: 2, warmupSeconds: 1, connections: 10, budgetMs: 20000 },
    }
  : {
      express: { rounds: 30, chunks: 8, size: 256, warmup: 12, budgetMs: 140000 },
      node: { rounds: 30, chunks: 8, size: 256, warmup: 6, budgetMs: 50000 },
      memory: { requests: 1000000, budgetMs: 100000 },
      http: { rounds: 5, seconds: 4, warmupSeconds: 2, connections: 10, budgetMs: 130000 },
    };

const THRESHOLDS = {
  geomean: 0.33,
  worst: 0.45,
  floor: 1.15,
  syncFunction: 1.25,
  cachedFunction: 1.25,
  scaling: 1.1,
  perRequest: 1.5,
  memoryBytes: 1024 * 1024,
};

const log = (line) => {
  process.stderr.write(`${line}\n`);
};
const out = [];
const print = (line = '') => {
  out.push(line);
  process.stdout.write(`${line}\n`);
};

function gitState() {
  const git = (...a) => spawnSync('git', a, { encoding: 'utf8' }).stdout?.trim() ?? '';
  const head = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain', '--', 'lib');
  return `${head}${dirty === '' ? '' : ' + uncommitted changes in lib/'}`;
}

function version(name) {
  const path = name === 'corsguard' ? '../package.json' : `../node_modules/${name}/package.json`;
  const url = new URL(path, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')).version;
}

const loadavg = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

function machine() {
  const cpu = (() => {
    try {
      const match = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
      return match?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
    } catch {
      return os.cpus()[0]?.model ?? 'unknown';
    }
  })();
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || String(os.cpus().length);
  return `${cpu}, ${nproc} cores (nproc), Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

const fmtNs = (values) => (values.length === 0 ? 'n/a' : summary(values).median.toFixed(0));
const fmtBytes = (values) =>
  values.length === 0 || Number.isNaN(summary(values).median)
    ? 'n/a'
    : summary(values).median.toFixed(0);
const verdict = (s, threshold) => {
  if (s === undefined || Number.isNaN(s.median)) return 'not measured';
  const met = s.median <= threshold ? 'met' : 'NOT met';
  return s.p25 <= threshold && threshold <= s.p75 ? `${met} (spread crosses ${threshold})` : met;
};
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Per-round ratio of two series of one candidate (corsguard on workload a vs b). */
const across = (rows, a, b) => {
  const x = rows.find((r) => r.workload.key === a)?.nsPerRequest.corsguard;
  const y = rows.find((r) => r.workload.key === b)?.nsPerRequest.corsguard;
  if (x === undefined || y === undefined) return undefined;
  return summary(x.map((v, i) => v / y[i]));
};

/** The same ratio for the cors package's own rows. */
const acrossCors = (rows, a, b) => {
  const x = rows.find((r) => r.workload.key === a)?.nsPerRequest.cors;
  const y = rows.find((r) => r.workload.key === b)?.nsPerRequest.cors;
  if (x === undefined || y === undefined) return undefined;
  return summary(x.map((v, i) => v / y[i]));
};

/** Targets computed from one in-process level. */
function targetsOf(result) {
  const rows = result.workloads;
  const shared = rows.filter((r) => r.workload.shared);
  const compared = rows.filter((r) => r.workload.shared || r.workload.equivalent);
  const perRound = (list) =>
    summary(list[0].ratios.cors.map((_, i) => geomean(list.map((r) => r.ratios.cors[i]))));
  const worst = compared
    .map((r) => ({ key: r.workload.label, s: summary(r.ratios.cors) }))
    .sort((a, b) => b.s.median - a.s.median)[0];
  const floors = rows
    .filter((r) => !r.workload.aux)
    .map((r) => ({ key: r.workload.label, s: summary(r.ratios.floor) }));
  const floorMet = floors.filter((f) => f.s.median <= THRESHOLDS.floor);
  const floorWorst = [...floors].sort((a, b) => b.s.median - a.s.median)[0];
  return {
    geomean: perRound(shared),
    geomeanWithEquivalent: perRound(compared),
    worst,
    floors,
    floorMet: floorMet.length,
    floorWorst,
    exactVsSingle: across(rows, 'exact1000', 'single'),
    patternsVsSingle: across(rows, 'patterns100', 'single'),
    exactVsOneInList: across(rows, 'exact1000', 'oneInList'),
    patternsVsOneInList: across(rows, 'patterns100', 'oneInList'),
    syncFunctionVsFloor: summary(
      rows.find((r) => r.workload.key === 'functionSync')?.ratios.floor ?? [],
    ),
    asyncCachedVsList: across(rows, 'functionAsyncCached', 'list'),
    busVsNoBus: across(rows, 'functionAsyncCachedBus', 'functionAsyncCached'),
    perRequestVsList: across(rows, 'perRequest', 'list'),
    corsPerRequestVsList: acrossCors(rows, 'perRequest', 'list'),
    auto300VsAuto3: across(rows, 'methodsAuto300', 'methodsAuto3'),
    auto300VsListed300: across(rows, 'methodsAuto300', 'methodsListed300'),
  };
}

function printInProcess(title, result) {
  print(`${title}`);
  print(
    `  ${result.rounds} rounds x ${result.chunks} chunks x ${result.size} requests per candidate and workload; ` +
      `CPU time (process.cpuUsage) per request; ratios are medians of per-round paired ratios [IQR].`,
  );
  print(
    `  GC inside a timed chunk: ${result.gcInTimed} of ${result.chunksTimed} chunks. B/req: bytes allocated per request (median of chunks).`,
  );
  print();
  const header = [
    'workload',
    'corsguard sets',
    'cg ns',
    'cors ns',
    'floor ns',
    'no-op ns',
    'cg/cors',
    'cg/floor',
    'cg/no-op',
    'cg B/req',
    'floor B/req',
    'cors B/req',
  ];
  const rows = result.workloads.map((r) => [
    `${r.workload.label}${r.workload.equivalent ? ' (*)' : ''}${r.workload.aux ? ' (aux)' : ''}`,
    r.sets.corsguard,
    ...CANDIDATES.map((c) => fmtNs(r.nsPerRequest[c])),
    showRatio(summary(r.ratios.cors)),
    showRatio(summary(r.ratios.floor)),
    showRatio(summary(r.ratios.noop), 0),
    fmtBytes(r.bytesPerRequest.corsguard),
    fmtBytes(r.bytesPerRequest.floor),
    fmtBytes(r.bytesPerRequest.cors),
  ]);
  print(table(header, rows).replace(/^/gm, '  '));
  for (const { workload, reason } of result.skipped) {
    print(`  not supported by this build: ${workload.label}: ${reason}`);
  }
  for (const w of WORKLOADS.filter((x) => x.pending)) {
    print(`  not measured yet (nothing faked): ${w.label}: ${w.pending}`);
  }
  const t = targetsOf(result);
  print();
  print(
    `  geometric mean of cg/cors, identical options (${result.workloads.filter((r) => r.workload.shared).length} workloads): ${showRatio(t.geomean)}`,
  );
  print(`  geometric mean including (*) equivalent options: ${showRatio(t.geomeanWithEquivalent)}`);
  print(
    `  corsguard vs its own single-origin row: 1,000 exact ${showRatio(t.exactVsSingle)}, 100 patterns ${showRatio(t.patternsVsSingle)}`,
  );
  print(
    `  corsguard vs its one-origin-in-a-list row: 1,000 exact ${showRatio(t.exactVsOneInList)}, 100 patterns ${showRatio(t.patternsVsOneInList)}`,
  );
  print(
    `  corsguard, cached async origin function / 10 origins + RegExp: ${showRatio(t.asyncCachedVsList)}; the same with a bus / without: ${showRatio(t.busVsNoBus)}`,
  );
  print(
    `  middleware built per request / built once (10 origins + RegExp): corsguard ${showRatio(t.perRequestVsList)}, cors ${showRatio(t.corsPerRequestVsList)}`,
  );
  print(
    `  route-aware preflight, corsguard: 'auto' on 300 routes / 'auto' on 3 routes ${showRatio(t.auto300VsAuto3)}, 'auto' / methods listed (300 routes) ${showRatio(t.auto300VsListed300)}`,
  );
  print();
  return t;
}

const started = Date.now();
const report = {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  machine: machine(),
  code: EXTERNAL ? `the build in ${DIST} (CORSGUARD_BENCH_DIST)` : gitState(),
  settings: SETTINGS,
};
const measurable = WORKLOADS.filter((w) => !w.pending);

print(`corsguard benchmarks (${report.mode}), ${report.date}`);
print(`machine: ${report.machine}; load average at start ${loadavg()}`);
print(
  `code: corsguard ${version('corsguard')} at ${report.code}${EXTERNAL ? '' : ' (dist/esm, snapshotted at start)'}; cors ${version('cors')}, express ${version('express')}, autocannon ${version('autocannon')}`,
);
print(
  'floor: per workload, exactly the headers corsguard sets, from precomputed strings (checked equal to corsguard before measuring)',
);
print();

const targets = {};
if (only.includes('inprocess')) {
  for (const [stack, title] of [
    ['express', 'IN-PROCESS, Express 5 (req/res as Express 5 hands them to app.use middleware)'],
    ['node', 'IN-PROCESS, node:http / Connect (req/res exactly as node:http emits them)'],
  ]) {
    log(`in-process level, ${stack} stack`);
    setStack(stack);
    await prime(measurable);
    const result = measure(measurable, { ...SETTINGS[stack], log });
    report[`inprocess_${stack}`] = result;
    targets[stack] = printInProcess(title, result);
  }
  setStack('express');
}

if (only.includes('memory')) {
  log('memory check');
  const { requests, budgetMs } = SETTINGS.memory;
  const m = memoryCheck(measurable, requests, budgetMs);
  report.memory = m;
  print('MEMORY, random origins, heapUsed after full GCs');
  print(
    table(
      ['run', 'requests', 'heap before', 'heap after', 'change', 'peak of 5 checkpoints'],
      [m.control, m.corsguard].map((r) => [
        r.label,
        r.requests.toLocaleString('en-US'),
        mib(r.before),
        mib(r.after),
        kib(r.delta),
        mib(r.peak),
      ]),
    ).replace(/^/gm, '  '),
  );
  if (m.errors > 0) print(`  ${m.errors} requests ended in next(err)`);
  print();
}

if (only.includes('http')) {
  log('loopback HTTP level');
  const h = await httpLevel({ ...SETTINGS.http, log });
  report.http = h;
  print(
    `LOOPBACK HTTP, Express 5 + autocannon ${version('autocannon')}, 127.0.0.1, ${h.connections} connections, ` +
      `${h.rounds} rounds x ${h.seconds} s per server and kind, servers alternated`,
  );
  const rows = [];
  for (const kind of Object.keys(KINDS)) {
    for (const [what, data, digits] of [
      ['req/s', h.rps[kind], 0],
      ['server CPU us/req', h.cpu[kind], 1],
    ]) {
      const ratio = (a, b) => summary(data[a].map((v, i) => v / data[b][i]));
      rows.push([
        `${kind}, ${what}`,
        ...SERVERS.map((s) => summary(data[s]).median.toFixed(digits)),
        showRatio(ratio('corsguard', 'noop')),
        showRatio(ratio('cors', 'noop')),
        showRatio(ratio('corsguard', 'cors')),
      ]);
    }
  }
  print(
    table(
      ['request, measure', 'no-op', 'corsguard', 'cors', 'cg/no-op', 'cors/no-op', 'cg/cors'],
      rows,
    ).replace(/^/gm, '  '),
  );
  print(
    `  statuses (corsguard/cors/no-op): actual ${['corsguard', 'cors', 'noop'].map((c) => h.probes[c].actual).join('/')}, ` +
      `preflight ${['corsguard', 'cors', 'noop'].map((c) => h.probes[c].preflight).join('/')}; ` +
      "the no-op server answers the preflight with Express 5's own OPTIONS reply (200, Allow).",
  );
  print(
    '  req/s: higher is better; server CPU per request: lower is better, and robust to other load on the machine.',
  );
  print(
    table(
      ['server', 'heap idle', 'heap before load', 'heap after load', 'RSS after load'],
      SERVERS.map((s) => {
        const m = h.memory[s];
        return [
          s,
          mib(m.idle.heapUsed),
          mib(m.before.heapUsed),
          mib(m.after.heapUsed),
          mib(m.after.rss),
        ];
      }),
    ).replace(/^/gm, '  '),
  );
  print();
}

if (targets.express !== undefined || report.memory !== undefined) {
  print('TARGETS: medians; "spread crosses" when the threshold lies inside the IQR');
  const rows = [];
  const both = (name, get, threshold) => {
    rows.push([
      name,
      ...['express', 'node'].map((stack) => {
        const t = targets[stack];
        if (t === undefined) return 'not measured';
        const s = get(t);
        return s === undefined ? 'n/a' : `${s.median.toFixed(2)}: ${verdict(s, threshold)}`;
      }),
    ]);
  };
  if (targets.express !== undefined) {
    both(
      `geomean cg/cors <= ${THRESHOLDS.geomean} (identical options)`,
      (t) => t.geomean,
      THRESHOLDS.geomean,
    );
    both(
      `no workload cg/cors above ${THRESHOLDS.worst} (worst shown)`,
      (t) => t.worst.s,
      THRESHOLDS.worst,
    );
    rows.push([
      `cg/floor <= ${THRESHOLDS.floor} on every workload`,
      ...['express', 'node'].map((stack) => {
        const t = targets[stack];
        return `${t.floorMet}/${t.floors.length} met; worst ${t.floorWorst.s.median.toFixed(2)} (${t.floorWorst.key})`;
      }),
    ]);
    both(
      `sync origin function cg/floor <= ${THRESHOLDS.syncFunction}`,
      (t) => t.syncFunctionVsFloor,
      THRESHOLDS.syncFunction,
    );
    both(
      `cached async origin function <= ${THRESHOLDS.cachedFunction}x 10 origins + RegExp`,
      (t) => t.asyncCachedVsList,
      THRESHOLDS.cachedFunction,
    );
    both(
      `middleware built per request <= ${THRESHOLDS.perRequest}x built once (10 origins + RegExp)`,
      (t) => t.perRequestVsList,
      THRESHOLDS.perRequest,
    );
    both(
      `1,000 exact <= ${THRESHOLDS.scaling}x single origin`,
      (t) => t.exactVsSingle,
      THRESHOLDS.scaling,
    );
    both(
      `100 patterns <= ${THRESHOLDS.scaling}x single origin`,
      (t) => t.patternsVsSingle,
      THRESHOLDS.scaling,
    );
    both(
      `1,000 exact <= ${THRESHOLDS.scaling}x one origin in a list`,
      (t) => t.exactVsOneInList,
      THRESHOLDS.scaling,
    );
    both(
      `100 patterns <= ${THRESHOLDS.scaling}x one origin in a list`,
      (t) => t.patternsVsOneInList,
      THRESHOLDS.scaling,
    );
  }
  if (report.memory !== undefined) {
    const m = report.memory.corsguard;
    rows.push([
      `memory: heap change after ${m.requests.toLocaleString('en-US')} requests <= ${kib(THRESHOLDS.memoryBytes)}`,
      `${kib(m.delta)}: ${m.delta <= THRESHOLDS.memoryBytes ? 'met' : 'NOT met'}`,
      '(one process)',
    ]);
  }
  print(table(['target', 'Express 5', 'node:http / Connect'], rows).replace(/^/gm, '  '));
  if (targets.express !== undefined) {
    print(
      `  worst cg/cors: Express 5 "${targets.express.worst.key}", node:http "${targets.node?.worst.key}"`,
    );
  }
  print(
    '  (*) equivalent, not identical, options for cors: for the patterns, the 100 anchored RegExps a cors user writes; for the cached function, the same function without a cache.',
  );
  print(
    '  (aux) not one of the target workloads: the like-for-like reference for the 1.1x target (same headers as the 1,000 and patterns rows; the single origin is static and sets no Vary).',
  );
  print();
}

// The Fetch front (corsguard/fetch) beside hono's cors, Remix's cors middleware and a floor:
// bench/fetch.mjs, in a process of its own, with the same --quick.
if (only.includes('fetch')) {
  const fetchBench = fileURLToPath(new URL('./fetch.mjs', import.meta.url));
  const child = spawnSync(process.execPath, [fetchBench, ...(quick ? ['--quick'] : [])], {
    stdio: 'inherit',
  });
  if (child.status !== 0) print(`bench/fetch.mjs failed (status ${String(child.status)})`);
  print();
}

const seconds = ((Date.now() - started) / 1000).toFixed(0);
print(`done in ${seconds} s (${report.mode}); load average at the end ${loadavg()}`);
report.seconds = Number(seconds);
if (jsonPath !== undefined) {
  const slim = (key, value) =>
    key === 'workload' ? { key: value.key, label: value.label } : value;
  writeFileSync(jsonPath, JSON.stringify(report, slim, 1));
}
