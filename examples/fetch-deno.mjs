// Deno.serve guarded by corsguard/fetch: `deno run --allow-net --allow-read --allow-env
// examples/fetch-deno.mjs` (PORT, default 4000). Prints "listening on <port>" once it answers.
/* global Deno, Response -- Deno's server, and the Fetch API */
import { cors } from 'corsguard/fetch';

const guard = cors({ origin: ['https://app.example.com'], credentials: true, maxAge: 600 });

Deno.serve(
  {
    hostname: '127.0.0.1',
    port: Number(Deno.env.get('PORT') ?? 4000),
    onListen: ({ port }) => console.log(`listening on ${String(port)}`),
  },
  (request) => guard(request, () => Response.json({ hello: 'world', runtime: 'deno' })),
);
