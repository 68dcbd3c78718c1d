// From the floor to corsguard one step at a time, for the workloads furthest from their floor:
// each step adds to the floor one thing corsguard does per request, built from corsguard's own
// modules (the compiled matcher, the decision store, the Vary merge, the user-function call), and
// is measured like the in-process level (fresh requests, one shared call site, CPU time per chunk,
// order rotated every round). Run against the build in dist/ (npm run build first):
//
//   node --expose-gc bench/ablate.mjs [--stack=node] [--rounds=60] [--only=refused,single,...]
//
// Not part of npm run bench: bench/README.md quotes its figures as the reasons behind the targets.
import { callMiddleware } from './inprocess.mjs';
import { fillChunk, setStack } from './requests.mjs';
import { quantile } from './stats.mjs';
import corsguard from '../dist/esm/index.js';
import { isPlain, keep, kept, listened } from '../dist/esm/core/decision.js';
import { callUserNow, styleOf, answered } from '../dist/esm/core/dynamic.js';
import { compileOptions } from '../dist/esm/core/options.js';
import { isOriginSyntax } from '../dist/esm/core/origin.js';
import { varyFields } from '../dist/esm/core/vary.js';
import { appendVary } from '../dist/esm/node/vary.js';
import { WORKLOADS } from './workloads.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const stack = arg('stack', 'express');
const rounds = Number(arg('rounds', '60'));
const only = arg('only', 'noOrigin,refused,functionSync,single').split(',');
setStack(stack);

const ACAO = 'Access-Control-Allow-Origin';
const ACRM = 'access-control-request-method';
const VARY_ORIGIN = varyFields('Origin');
const evaluate = () => undefined;
const CALLER = { what: 'the origin function', code: 'CORS_ORIGIN_FAILED' };

/** What a step does before the headers: true when the request is to be left alone. */
const classify = (req) => {
  const headers = req.headers;
  return headers.origin !== undefined && headers[ACRM] !== undefined && req.method === 'OPTIONS';
};
const record = (req) => {
  const headers = req.headers;
  const plain = isPlain(req);
  if (kept(req, headers, plain)) return true;
  if (!listened(undefined)) keep(req, headers, plain, evaluate);
  return false;
};

/** Cumulative steps per workload: [label, middleware]. */
function steps(workload) {
  const w = WORKLOADS.find((x) => x.key === workload);
  const cg = corsguard(w.options);
  const origin = w.options.origin;
  const match =
    typeof origin === 'function' ? undefined : compileOptions(w.options).policy.origin.match;
  const vary = (res, merge) => {
    if (merge) appendVary(res, VARY_ORIGIN);
    else res.setHeader('Vary', 'Origin');
  };
  switch (workload) {
    case 'single': {
      const value = origin;
      const make = (c, r) => (req, res, next) => {
        if (c && classify(req)) return;
        if (r && record(req)) return;
        res.setHeader(ACAO, value);
        next();
      };
      return [
        ['floor: ACAO', make(false, false)],
        ['+ classify (req.headers, origin, ACRM)', make(true, false)],
        ['+ decision record', make(true, true)],
        ['corsguard', cg],
      ];
    }
    case 'noOrigin':
    case 'refused': {
      const make = (c, m, r, v) => (req, res, next) => {
        if (c && classify(req)) return;
        if (m) {
          const o = req.headers.origin;
          if (o !== undefined && match(o)) return;
        }
        if (r && record(req)) return;
        vary(res, v);
        next();
      };
      return [
        ['floor: Vary', make(false, false, false, false)],
        ['+ classify', make(true, false, false, false)],
        ['+ origin lookup (miss)', make(true, true, false, false)],
        ['+ decision record', make(true, true, true, false)],
        ['+ Vary merge (read Vary first)', make(true, true, true, true)],
        ['corsguard', cg],
      ];
    }
    case 'functionSync': {
      const style = styleOf(origin);
      const make = (c, s, u, r, v) => (req, res, next) => {
        if (c && classify(req)) return;
        const o = req.headers.origin;
        if (s && !isOriginSyntax(o)) return;
        let allowed = o;
        if (u) {
          if (callUserNow(origin, style, o, CALLER, 5000) !== undefined) return;
          allowed = answered.value === true ? o : undefined;
        }
        if (r && record(req)) return;
        vary(res, v);
        if (allowed !== undefined) res.setHeader(ACAO, allowed);
        next();
      };
      return [
        ['floor: Vary + ACAO', make(false, false, false, false, false)],
        ['+ classify', make(true, false, false, false, false)],
        ['+ origin syntax scan', make(true, true, false, false, false)],
        ['+ call the function (callUserNow)', make(true, true, true, false, false)],
        ['+ decision record', make(true, true, true, true, false)],
        ['+ Vary merge', make(true, true, true, true, true)],
        ['corsguard', cg],
      ];
    }
    default:
      throw new Error(`no steps for ${workload}`);
  }
}

const size = 256;
const reqs = new Array(size);
const ress = new Array(size);
const warmup = 10;
console.log(`stack: ${stack}; ${rounds} chunks of ${size} per step; medians, ns per request`);
for (const key of only) {
  const workload = WORKLOADS.find((x) => x.key === key);
  const list = steps(key);
  const samples = list.map(() => []);
  for (let round = 0; round < rounds + warmup; round++) {
    for (let k = 0; k < list.length; k++) {
      const index = (round + k) % list.length;
      fillChunk(workload.specs, round * size, size, reqs, ress);
      globalThis.gc({ type: 'minor' });
      const mw = list[index][1];
      const start = process.cpuUsage();
      for (let i = 0; i < size; i++) callMiddleware(mw, reqs[i], ress[i]);
      const used = process.cpuUsage(start);
      if (round >= warmup) samples[index].push(((used.user + used.system) * 1000) / size);
    }
  }
  const floor = quantile(samples[0], 0.5);
  console.log(`${workload.label}`);
  let previous = floor;
  for (let k = 0; k < list.length; k++) {
    const median = quantile(samples[k], 0.5);
    const step = k === 0 ? '' : `${median >= previous ? '+' : ''}${(median - previous).toFixed(0)}`;
    console.log(
      `  ${list[k][0].padEnd(40)} ${median.toFixed(0).padStart(6)} ${step.padStart(7)}  x${(median / floor).toFixed(2)}`,
    );
    previous = median;
  }
}
