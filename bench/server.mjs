// A small Express 5 API with one candidate CORS middleware, for the loopback HTTP level. Started by
// http.mjs as a child process: `node --expose-gc bench/server.mjs <corsguard|cors|noop>`. It listens
// on 127.0.0.1 only, reports its port over IPC, answers 'memory' with its heap after full GCs, and
// 'cpu' with its CPU time so far, and exits on 'exit' or when its parent goes away.
import corsPackage from 'cors';
import corsguard from './subject.mjs';
import express from 'express';
import { HTTP_OPTIONS } from './workloads.mjs';

const candidate = process.argv[2];
const middlewares = {
  corsguard: () => corsguard(HTTP_OPTIONS),
  cors: () => corsPackage(HTTP_OPTIONS),
  noop: () =>
    function noop(_req, _res, next) {
      next();
    },
};
if (!(candidate in middlewares))
  throw new Error(`bench/server.mjs: unknown candidate ${candidate}`);

const app = express();
app.use(middlewares[candidate]());
const items = [
  { id: 1, name: 'glazed' },
  { id: 2, name: 'chocolate' },
];
app.get('/api/items', (_req, res) => {
  res.json(items);
});
app.put('/api/items/:id', (req, res) => {
  res.json({ id: Number(req.params.id) });
});

function memory() {
  globalThis.gc();
  globalThis.gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

const server = app.listen(0, '127.0.0.1', () => {
  process.send({ port: server.address().port, memory: memory() });
});
process.on('message', (message) => {
  if (message === 'memory') process.send({ memory: memory() });
  if (message === 'cpu') process.send({ cpu: process.cpuUsage() });
  if (message === 'exit') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
