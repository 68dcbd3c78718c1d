// npm run bench:fetch: the Fetch front (corsguard/fetch) beside hono's own cors middleware,
// @remix-run/cors-middleware and a floor, in one run, in-process, on Node's Request and Response. Per
// workload, each candidate handles the same Requests: in a Hono application, corsguard's guard around
// the application, hono's cors mounted in it, the floor (which sets exactly the headers corsguard
// sets on the application's Response, from precomputed strings, and nothing else) and the
// application alone; in a Remix fetch-router application, corsguard's guard around it and Remix's
// cors middleware in it (each compared on its own application). Reported as medians of per-round
// paired ratios. Nothing is asserted: this measures.
/* global Request, Response -- Node 18+ globals (the Fetch API) */
import { cors as remixCors } from '@remix-run/cors-middleware';
import { createRouter } from '@remix-run/fetch-router';
import { Hono } from 'hono';
import { cors as honoCors } from 'hono/cors';
import { cors } from '../dist/esm/fetch/index.js';
import { showRatio, summary, table } from './stats.mjs';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 5 : 15;
const PER_ROUND = quick ? 2000 : 5000;
const API = 'http://api.example.test';
const APP = 'https://app.example.com';
const LIST = [APP, 'https://admin.example.com', 'https://www.example.com'];

const answer = (c) => c.text('ok');
function application(extra) {
  const app = new Hono();
  if (extra !== undefined) app.use('*', extra);
  app.get('/api/items', answer);
  app.put('/api/items', answer);
  return app;
}

const plain = application();
const guard = cors({ origin: LIST, credentials: true, maxAge: 600 });
const hono = application(
  honoCors({
    origin: LIST,
    credentials: true,
    maxAge: 600,
    allowMethods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'],
  }),
);

function remixApplication(middleware) {
  const router = createRouter({ middleware });
  router.get('/api/items', () => new Response('ok'));
  router.put('/api/items', () => new Response('ok'));
  return router;
}
const remixPlain = remixApplication([]);
const remix = remixApplication([
  remixCors({
    origin: LIST,
    credentials: true,
    maxAge: 600,
    methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'],
  }),
]);

const WORKLOADS = [
  {
    label: 'GET, listed origin',
    request: () => new Request(`${API}/api/items`, { headers: { Origin: APP } }),
    floor: async (request) => {
      const res = await plain.fetch(request);
      res.headers.set('Vary', 'Origin');
      res.headers.set('Access-Control-Allow-Origin', request.headers.get('origin'));
      res.headers.set('Access-Control-Allow-Credentials', 'true');
      return res;
    },
  },
  {
    label: 'GET, refused origin',
    request: () => new Request(`${API}/api/items`, { headers: { Origin: 'https://evil.example' } }),
    floor: async (request) => {
      const res = await plain.fetch(request);
      res.headers.set('Vary', 'Origin');
      return res;
    },
  },
  {
    label: 'preflight, listed origin',
    request: () =>
      new Request(`${API}/api/items`, {
        method: 'OPTIONS',
        headers: {
          Origin: APP,
          'Access-Control-Request-Method': 'PUT',
          'Access-Control-Request-Headers': 'content-type',
        },
      }),
    floor: async (request) =>
      new Response(null, {
        status: 204,
        headers: {
          Vary: 'Origin, Access-Control-Request-Headers',
          'Access-Control-Allow-Origin': request.headers.get('origin'),
          'Access-Control-Allow-Credentials': 'true',
          'Access-Control-Allow-Methods': 'GET,HEAD,PUT,PATCH,POST,DELETE',
          'Access-Control-Allow-Headers': request.headers.get('access-control-request-headers'),
          'Access-Control-Max-Age': '600',
        },
      }),
  },
];

const CANDIDATES = {
  corsguard: (request) => guard(request, (r) => plain.fetch(r)),
  hono: (request) => hono.fetch(request),
  floor: undefined, // per workload
  app: (request) => plain.fetch(request),
  corsguardRemix: (request) => guard(request, (r) => remixPlain.fetch(r)),
  remix: (request) => remix.fetch(request),
};

async function time(run, make) {
  const requests = Array.from({ length: PER_ROUND }, make);
  const start = process.hrtime.bigint();
  for (const request of requests) await run(request);
  return Number(process.hrtime.bigint() - start) / PER_ROUND;
}

const rows = [];
for (const workload of WORKLOADS) {
  const runs = { ...CANDIDATES, floor: workload.floor };
  // Warm up, then rounds with the candidates interleaved.
  for (const run of Object.values(runs)) await time(run, workload.request);
  const ns = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(runs))
      ns[name].push(await time(run, workload.request));
  }
  const ratio = (a, b) => summary(ns[a].map((v, i) => v / ns[b][i]));
  rows.push([
    workload.label,
    Math.round(summary(ns.corsguard).median),
    Math.round(summary(ns.hono).median),
    Math.round(summary(ns.floor).median),
    Math.round(summary(ns.app).median),
    showRatio(ratio('corsguard', 'hono')),
    showRatio(ratio('corsguardRemix', 'remix')),
    showRatio(ratio('corsguard', 'floor')),
  ]);
}
console.log(
  `FETCH FRONT, in-process (Node ${process.version}, ${String(ROUNDS)} rounds x ${String(PER_ROUND)} requests; ns per request; ratios are medians of per-round ratios [IQR])`,
);
console.log(
  table(
    ['workload', 'cg ns', 'hono ns', 'floor ns', 'app ns', 'cg/hono', 'cg/remix', 'cg/floor'],
    rows,
  ),
);
console.log('target: cg/floor <= 1.15 on every workload');
