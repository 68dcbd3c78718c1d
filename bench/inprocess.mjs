// In-process level: each middleware called through one shared call site, CPU time per batch.
//
// Method, per workload and round:
// - a batch is `chunks` chunks of `size` requests; per chunk and candidate, in an order rotated every
//   chunk (A B C D, B C D A, ...), the requests are built (untimed: requests.mjs), a minor GC empties
//   the young generation (untimed), then the chunk is timed with process.cpuUsage() around a plain
//   loop that calls `run(middleware, req, res, next)`;
// - every candidate gets the same request variants in the same order, so the batches of one round are
//   paired and the ratios corsguard/cors, corsguard/floor, corsguard/no-op are taken per round;
// - the figures are medians over rounds with their interquartile range.
// GC work is kept out of the timed region (a scavenge there would charge one candidate with the cost
// of collecting the requests built for it); what a middleware allocates is reported instead, as bytes
// per request, measured on the heap around the same timed loop.
import { setImmediate } from 'node:timers';
import v8 from 'node:v8';
import corsguard from './subject.mjs';
import corsPackage from 'cors';
import { exchange, fillChunk, wire } from './requests.mjs';

export const CANDIDATES = ['corsguard', 'cors', 'floor', 'noop'];

const counters = { next: 0, errors: 0 };

/** The `next` every candidate is given; it counts, as Express's would route. */
function next(err) {
  counters.next++;
  if (err !== undefined) counters.errors++;
}

/** The no-op middleware. */
function noop(_req, _res, next) {
  next();
}

/**
 * The one call site every middleware goes through, as Express 5's Layer#handleRequest: it has seen
 * every candidate, so it is megamorphic and no candidate is inlined into the benchmark loop.
 */
function run(mw, req, res, nextFn) {
  try {
    const ret = mw(req, res, nextFn);
    if (ret !== undefined && ret !== null && typeof ret.then === 'function') {
      ret.then(undefined, nextFn);
    }
  } catch (err) {
    nextFn(err);
  }
}

/** Calls a middleware through the shared call site, outside any measurement (memory check). */
export function callMiddleware(mw, req, res) {
  run(mw, req, res, next);
}

/** How many times a middleware has called next(err) so far. */
export function nextErrors() {
  return counters.errors;
}

function timeChunk(mw, reqs, ress, n) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) run(mw, reqs[i], ress[i], next);
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

const heapUsed = () => v8.getHeapStatistics().used_heap_size;

/**
 * A middleware that builds the package's middleware for every request from a new options object
 * of the same content, as Companion does (`cors({...})(req, res, next)` inside its own middleware).
 */
function builtPerRequest(factory, options) {
  return function perRequest(req, res, next) {
    factory({ ...options, origin: [...options.origin] })(req, res, next);
  };
}

/** The four middlewares of a workload. */
const built = new Map();

/** The candidates of a workload, built once (a primed cache stays primed for both stacks). */
export function middlewares(workload) {
  let mws = built.get(workload);
  if (mws === undefined) {
    mws = {
      corsguard: workload.perRequest
        ? builtPerRequest(corsguard, workload.options)
        : corsguard(workload.options),
      cors: workload.perRequest
        ? builtPerRequest(corsPackage, workload.corsOptions)
        : corsPackage(workload.corsOptions),
      floor: workload.floor,
      noop,
    };
    built.set(workload, mws);
  }
  return mws;
}

/**
 * Sends every request variant of each `prime` workload once through its corsguard and waits for
 * the answers, so that the measured requests are answered from its cache, within the call.
 */
export async function prime(workloads) {
  for (const workload of workloads.filter((w) => w.prime)) {
    let mws;
    try {
      mws = middlewares(workload);
    } catch {
      continue; // reported by measure() as not supported by this build
    }
    let answered = 0;
    for (const spec of workload.specs) {
      const { req, res } = exchange(spec);
      mws.corsguard(req, res, (err) => {
        if (err !== undefined) throw err;
        answered++;
      });
    }
    while (answered < workload.specs.length) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

const isPreflight = (spec) =>
  spec.method === 'OPTIONS' &&
  spec.pairs.some(([name]) => name.toLowerCase() === 'access-control-request-method');

/** Calls one middleware on one new request; returns the response as the network would see it. */
function once(mw, spec) {
  const { req, res } = exchange(spec);
  const before = counters.next;
  const errors = counters.errors;
  run(mw, req, res, next);
  if (counters.errors !== errors) throw new Error('the middleware called next(err)');
  return { ...wire(res), nexts: counters.next - before };
}

const ABBREVIATIONS = {
  vary: 'Vary',
  'access-control-allow-origin': 'ACAO',
  'access-control-allow-credentials': 'ACAC',
  'access-control-allow-methods': 'ACAM',
  'access-control-allow-headers': 'ACAH',
  'access-control-expose-headers': 'ACEH',
  'access-control-max-age': 'ACMA',
  'content-length': 'CL',
};

/** `Vary ACAO +204`: what a middleware set on a response (X-Powered-By, set by "Express", left out). */
export function describe(response) {
  const names = response.headers
    .map(([name]) => ABBREVIATIONS[name])
    .filter((name) => name !== undefined);
  if (response.ended) names.push(`end ${response.status}`);
  return names.join(' ') || '-';
}

/**
 * Checks, on every request variant, that the floor answers exactly as corsguard does (status, header
 * names, values and order, the header block Node writes, next() calls), and that every candidate
 * completes synchronously without an error. Returns what each candidate sets, for the report.
 */
export function verify(workload, mws) {
  for (const spec of workload.specs) {
    const mine = JSON.stringify(once(mws.corsguard, spec));
    const floor = JSON.stringify(once(mws.floor, spec));
    if (mine !== floor) {
      throw new Error(
        `bench: the floor of "${workload.label}" no longer matches corsguard; update bench/workloads.mjs.\n` +
          `  corsguard: ${mine}\n  floor:     ${floor}`,
      );
    }
  }
  const spec = workload.specs[0];
  const sets = {};
  for (const name of CANDIDATES) {
    const response = once(mws[name], spec);
    const expected = isPreflight(spec) && name !== 'noop' ? 0 : 1;
    if (response.nexts !== expected) {
      throw new Error(
        `bench: ${name} on "${workload.label}" called next() ${response.nexts} times`,
      );
    }
    sets[name] = describe(response);
  }
  return sets;
}

/** Paired ratios per round, summarised later. */
function perRoundRatios(cpu, a, b) {
  return cpu[a].map((value, round) => value / cpu[b][round]);
}

/**
 * Measures every workload. `settings`: rounds, chunks, size (requests per chunk), budgetMs (rounds stop
 * early past it), warmup (chunks per candidate before measuring), log(line).
 */
export function measure(workloads, settings) {
  const { rounds, chunks, size, budgetMs, warmup, log } = settings;
  const reqs = new Array(size);
  const ress = new Array(size);
  const skipped = [];
  const buildable = workloads.filter((workload) => {
    try {
      middlewares(workload);
      return true;
    } catch (err) {
      // An older build (CORSGUARD_BENCH_DIST) may not know an option a newer workload uses.
      const reason = String(err?.message ?? err).replace(/\s+/g, ' ');
      skipped.push({
        workload,
        reason: reason.length > 160 ? `${reason.slice(0, 157)}...` : reason,
      });
      return false;
    }
  });
  const prepared = buildable.map((workload) => {
    const mws = middlewares(workload);
    return {
      workload,
      mws,
      sets: verify(workload, mws),
      preflight: isPreflight(workload.specs[0]),
      cpu: Object.fromEntries(CANDIDATES.map((c) => [c, []])),
      bytes: Object.fromEntries(CANDIDATES.map((c) => [c, []])),
    };
  });
  let gcInTimed = 0;
  let chunksTimed = 0;

  const chunk = (p, name, start, timed) => {
    fillChunk(p.workload.specs, start, size, reqs, ress);
    globalThis.gc({ type: 'minor' });
    const nextBefore = counters.next;
    const errorsBefore = counters.errors;
    const heapBefore = heapUsed();
    const micros = timeChunk(p.mws[name], reqs, ress, size);
    const allocated = heapUsed() - heapBefore;
    const expected = p.preflight && name !== 'noop' ? 0 : size;
    if (counters.next - nextBefore !== expected || counters.errors !== errorsBefore) {
      throw new Error(`bench: ${name} on "${p.workload.label}" did not complete every request`);
    }
    if (p.preflight && name !== 'noop' && !ress[size - 1].writableEnded) {
      throw new Error(`bench: ${name} on "${p.workload.label}" did not answer the preflight`);
    }
    reqs.fill(undefined);
    ress.fill(undefined);
    if (!timed) return undefined;
    chunksTimed++;
    // A GC inside the timed loop shows as a heap that shrank; its chunk still counts (rarely happens).
    if (allocated < 0) gcInTimed++;
    return { micros, allocated: allocated < 0 ? NaN : allocated };
  };

  // Warm-up: every candidate through the shared call site until the JIT has settled.
  for (let i = 0; i < warmup; i++) {
    for (const p of prepared) for (const name of CANDIDATES) chunk(p, name, i * size, false);
  }

  const started = Date.now();
  let done = 0;
  for (let round = 0; round < rounds; round++) {
    if (round > 0 && Date.now() - started > budgetMs) {
      log(`  time budget reached: stopping after ${round} rounds`);
      break;
    }
    for (const p of prepared) {
      const micros = Object.fromEntries(CANDIDATES.map((c) => [c, 0]));
      const bytes = Object.fromEntries(CANDIDATES.map((c) => [c, []]));
      for (let c = 0; c < chunks; c++) {
        const start = (round * chunks + c) * size;
        for (let k = 0; k < CANDIDATES.length; k++) {
          const name = CANDIDATES[(round + c + k) % CANDIDATES.length];
          const result = chunk(p, name, start, true);
          micros[name] += result.micros;
          if (!Number.isNaN(result.allocated)) bytes[name].push(result.allocated / size);
        }
      }
      for (const name of CANDIDATES) {
        p.cpu[name].push((micros[name] * 1000) / (chunks * size));
        p.bytes[name].push(...bytes[name]);
      }
    }
    done = round + 1;
    log(`  round ${done}/${rounds} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }

  return {
    rounds: done,
    chunks,
    size,
    gcInTimed,
    chunksTimed,
    skipped,
    workloads: prepared.map((p) => ({
      workload: p.workload,
      sets: p.sets,
      nsPerRequest: p.cpu,
      bytesPerRequest: p.bytes,
      ratios: {
        cors: perRoundRatios(p.cpu, 'corsguard', 'cors'),
        floor: perRoundRatios(p.cpu, 'corsguard', 'floor'),
        noop: perRoundRatios(p.cpu, 'corsguard', 'noop'),
      },
    })),
  };
}
