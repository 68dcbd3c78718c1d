// Memory: many requests with random origins (allowed, refused, patterns, null, malformed, none; one in
// three a preflight with random request headers) through every corsguard configuration of the
// workloads, plus an origin function answering with strings (the one configuration with a table
// that fills with traffic). The heap, after full GCs, must be where it started: nothing may grow
// with traffic. The same requests through the no-op middleware show what the harness itself leaves.
import corsguard from './subject.mjs';
import { exchange } from './requests.mjs';
import { MEMORY_ORIGIN_FUNCTION_STRING, prng, randomSpec } from './workloads.mjs';
import { callMiddleware, nextErrors } from './inprocess.mjs';

const heap = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};

function drive(mws, count, random, deadline) {
  let done = 0;
  for (; done < count; done++) {
    if ((done & 4095) === 0 && Date.now() > deadline) break;
    const { req, res } = exchange(randomSpec(random));
    callMiddleware(mws[done % mws.length], req, res);
  }
  return done;
}

/** One pass: warm-up, then `count` requests with heap samples (after full GCs) at five checkpoints. */
function pass(label, mws, count, seed, budgetMs) {
  const deadline = Date.now() + budgetMs;
  const random = prng(seed);
  drive(mws, Math.min(20000, count), random, deadline);
  const before = heap();
  const samples = [];
  let done = 0;
  for (let part = 0; part < 5; part++) {
    done += drive(mws, count / 5, random, deadline);
    samples.push(heap());
    if (Date.now() > deadline) break;
  }
  const after = samples[samples.length - 1];
  return {
    label,
    requests: done,
    before,
    after,
    delta: after - before,
    peak: Math.max(...samples),
  };
}

/** Runs the memory check; `count` requests per pass, stopping early at `budgetMs`. */
export function memoryCheck(workloads, count, budgetMs) {
  const mine = [];
  // A primed workload answers its first requests later: left out, as the loop never yields.
  for (const w of workloads.filter((x) => !x.prime)) {
    try {
      mine.push(corsguard(w.options));
    } catch {
      // An option this build does not know (an older build through CORSGUARD_BENCH_DIST).
    }
  }
  mine.push(corsguard({ origin: MEMORY_ORIGIN_FUNCTION_STRING, credentials: true }));
  const errorsBefore = nextErrors();
  const noop = (_req, _res, next) => {
    next();
  };
  // The control only shows what the harness leaves behind: a quarter of the requests is enough.
  const control = pass('no-op (harness alone)', [noop], count / 4, 7, budgetMs * 0.2);
  const result = pass(`corsguard (${mine.length} configurations)`, mine, count, 7, budgetMs * 0.8);
  return { control, corsguard: result, errors: nextErrors() - errorsBefore };
}
