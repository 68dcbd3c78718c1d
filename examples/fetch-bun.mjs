// Bun.serve guarded by corsguard/fetch: `bun examples/fetch-bun.mjs` (PORT, default 4000). Prints
// "listening on <port>" once it answers.
/* global Bun, Response -- Bun's server, and the Fetch API */
import { cors } from 'corsguard/fetch';

const guard = cors({ origin: ['https://app.example.com'], credentials: true, maxAge: 600 });

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT ?? 4000),
  fetch: (request) => guard(request, () => Response.json({ hello: 'world', runtime: 'bun' })),
});
console.log(`listening on ${String(server.port)}`);
