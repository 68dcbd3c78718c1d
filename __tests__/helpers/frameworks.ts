// Runs one middleware under each supported stack, so the same request table can be checked everywhere.
import connect from 'connect';
import express from 'express';
import express4 from 'express4';
import { getRequestListener } from '@hono/node-server';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FetchGuard, cors as fetchCors } from '../../lib/fetch/index.js';
import { type CorsOptions, cors } from '../../lib/index.js';

export type Middleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/** What the application behind the middleware answers: its own body, so tests can tell it was reached. */
function appAnswer(req: IncomingMessage, res: ServerResponse): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/plain');
  res.end(`app:${String(req.method)}`);
}

/** Errors passed to next(err) come out as 500 (or err.status) with the error's code or message. */
function errorAnswer(err: unknown, res: ServerResponse): void {
  const e = err as { status?: number; code?: string; message?: string };
  res.statusCode = typeof e.status === 'number' ? e.status : 500;
  res.setHeader('Content-Type', 'text/plain');
  res.end(`error:${e.code ?? e.message ?? String(err)}`);
}

export const FRAMEWORKS = ['express5', 'express4', 'connect', 'node:http'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** A request listener running `middleware` and then the app under the given framework. */
export function listener(framework: Framework, middleware: Middleware): http.RequestListener {
  switch (framework) {
    case 'express5':
    case 'express4': {
      const app = framework === 'express5' ? express() : express4();
      app.use(middleware);
      app.use((req: IncomingMessage, res: ServerResponse) => {
        appAnswer(req, res);
      });
      app.use((err: unknown, _req: IncomingMessage, res: ServerResponse, _next: unknown) => {
        errorAnswer(err, res);
      });
      return app;
    }
    case 'connect': {
      const app = connect();
      app.use(middleware);
      app.use((req: IncomingMessage, res: ServerResponse) => {
        appAnswer(req, res);
      });
      app.use((err: unknown, _req: IncomingMessage, res: ServerResponse, _next: unknown) => {
        errorAnswer(err, res);
      });
      return app;
    }
    case 'node:http':
      return (req, res) => {
        middleware(req, res, (err) => {
          if (err) errorAnswer(err, res);
          else appAnswer(req, res);
        });
      };
  }
}

/**
 * A corsguard/fetch guard served on Node as @hono/node-server serves a Fetch handler, in front of
 * the same application and error answers as {@link listener}'s: a rejection stands for next(err).
 */
export function fetchListener(guard: FetchGuard): http.RequestListener {
  const handle = getRequestListener(async (request) => {
    try {
      return await guard(
        request,
        (r) => new Response(`app:${r.method}`, { headers: { 'Content-Type': 'text/plain' } }),
      );
    } catch (err) {
      const e = err as { status?: number; code?: string; message?: string };
      return new Response(`error:${e.code ?? e.message ?? String(err)}`, {
        status: typeof e.status === 'number' ? e.status : 500,
        headers: { 'Content-Type': 'text/plain' },
      });
    }
  });
  return (req, res) => {
    void handle(req, res);
  };
}

/** The stacks an origin function runs on: the Node frameworks, and corsguard/fetch. */
export type OriginStack = Framework | 'corsguard/fetch';

/** The application behind corsguard built from `options` on `stack` (the fetch guard or the middleware). */
export function appWith(stack: OriginStack, options: CorsOptions): http.RequestListener {
  return stack === 'corsguard/fetch'
    ? fetchListener(fetchCors(options as never))
    : listener(stack, cors(options));
}

/** Starts a loopback server; `maxHeaderSize` is raised so oversized headers reach the middleware. */
export async function serve(
  handler: http.RequestListener,
): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer({ maxHeaderSize: 256 * 1024 }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${String(port)}` };
}

export async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}
