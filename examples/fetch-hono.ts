// A Hono application on Node (@hono/node-server) guarded by corsguard/fetch: the same policy as the
// Express middleware, in front of Hono's own fetch handler.
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { cors } from 'corsguard/fetch';

export function createFetch(): (request: Request) => Promise<Response> {
  const app = new Hono();
  app.get('/api/hello', (c) => c.json({ hello: 'world' }));
  app.put('/api/items/:id', (c) => c.json({ saved: c.req.param('id') }));
  const guard = cors({ origin: ['https://app.example.com'], credentials: true, maxAge: 600 });
  return (request) => guard(request, (r) => app.fetch(r));
}

/** Starts it on a port (0: a free one); resolves the server and its URL. */
export function start(port = 0): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: createFetch(), port, hostname: '127.0.0.1' }, (info) => {
      resolve({ server, url: `http://127.0.0.1:${String(info.port)}` });
    });
  });
}
