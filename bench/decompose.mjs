// Where corsguard's time goes beyond the floor: the floor of the "10 origins + RegExp" workload, then
// the same floor plus one operation corsguard performs, each measured like the in-process level
// (fresh requests, one shared call site, CPU time per chunk, order rotated every round).
//
//   node --expose-gc bench/decompose.mjs [--stack=node] [--rounds=60]
//
// Not part of npm run bench: a tool for finding a hot spot, whose figures bench/README.md quotes.
import { clearTimeout, setTimeout } from 'node:timers';
import { callMiddleware } from './inprocess.mjs';
import { fillChunk, setStack } from './requests.mjs';
import { quantile } from './stats.mjs';
import corsguard from './subject.mjs';
import { WORKLOADS } from './workloads.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const stack = arg('stack', 'express');
const rounds = Number(arg('rounds', '60'));
setStack(stack);

const workload = WORKLOADS.find((w) => w.key === 'list');
const ACAO = 'Access-Control-Allow-Origin';
const DECISION = Symbol('decision');
const decisions = new WeakMap();
const noop = () => undefined;
// A private field added to any object: the base constructor returns the object it is given.
class Base {
  constructor(o) {
    return o;
  }
}
class Stamp extends Base {
  #value;
  static has(o) {
    return #value in o;
  }
  static set(o, value) {
    if (#value in o) o.#value = value;
    else new Stamp(o).#value = value;
  }
}
const HIDDEN = { value: noop, writable: true, configurable: true, enumerable: false };

/** The floor (Vary, then the reflected origin) with `extra` run first. */
const probe = (extra) =>
  function probe(req, res, next) {
    if (extra(req, res) === true) {
      next();
      return;
    }
    res.setHeader('Vary', 'Origin');
    res.setHeader(ACAO, req.headers.origin);
    next();
  };

const PROBES = {
  floor: probe(() => false),
  'store a property on req': probe((req) => {
    req[DECISION] = noop;
  }),
  'the same in a WeakMap': probe((req) => {
    decisions.set(req, noop);
  }),
  'the same on req.headers': probe((req) => {
    req.headers[DECISION] = noop;
  }),
  'non-enumerable on headers': probe((req) => {
    Object.defineProperty(req.headers, DECISION, HIDDEN);
  }),
  'private field on headers': probe((req) => {
    Stamp.set(req.headers, noop);
  }),
  'read, then private field': probe((req) => {
    const headers = req.headers;
    if (!Stamp.has(headers)) Stamp.set(headers, noop);
  }),
  'the same on req.rawHeaders': probe((req) => {
    req.rawHeaders[DECISION] = noop;
  }),
  'read it on req.headers': probe((req) => req.headers[DECISION] !== undefined),
  'read, then write on headers': probe((req) => {
    const headers = req.headers;
    if (headers[DECISION] === undefined) headers[DECISION] = noop;
  }),
  'setTimeout + clearTimeout': probe(() => {
    clearTimeout(setTimeout(noop, 5000));
  }),
  'read res.headersSent': probe((_req, res) => res.headersSent),
  'read res._header': probe((_req, res) => Boolean(res._header)),
  'res.getHeader("Vary")': probe((_req, res) => res.getHeader('Vary') === 'x'),
  'res.hasHeader("vary")': probe((_req, res) => res.hasHeader('vary') && false),
  'read req.method': probe((req) => req.method === 'TRACE'),
  'try/catch around setHeader': function tryCatch(req, res, next) {
    try {
      res.setHeader('Vary', 'Origin');
      res.setHeader(ACAO, req.headers.origin);
    } catch {
      next();
      return;
    }
    next();
  },
  corsguard: corsguard(workload.options),
};

const names = Object.keys(PROBES);
const samples = Object.fromEntries(names.map((n) => [n, []]));
const size = 256;
const reqs = new Array(size);
const ress = new Array(size);
const warmup = 10;
for (let round = 0; round < rounds + warmup; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length];
    fillChunk(workload.specs, round * size, size, reqs, ress);
    globalThis.gc({ type: 'minor' });
    const mw = PROBES[name];
    const start = process.cpuUsage();
    for (let i = 0; i < size; i++) callMiddleware(mw, reqs[i], ress[i]);
    const used = process.cpuUsage(start);
    if (round >= warmup) samples[name].push(((used.user + used.system) * 1000) / size);
  }
}
const floor = quantile(samples.floor, 0.5);
console.log(`stack: ${stack}; ${rounds} chunks of ${size} per probe; medians, ns per request`);
for (const name of names) {
  const median = quantile(samples[name], 0.5);
  const delta =
    name === 'floor' ? '' : `${median >= floor ? '+' : ''}${(median - floor).toFixed(0)}`;
  console.log(`  ${name.padEnd(28)} ${median.toFixed(0).padStart(6)} ${delta.padStart(7)}`);
}
