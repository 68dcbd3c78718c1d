// Live local servers for the `corsguard check` and `corsguard scan` tests, and run() in-process.
import cors from 'corsguard';
import corsPackage from 'cors';
import express from 'express';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { run } from '../../lib/cli/run.js';

export const APP = 'https://app.example.com';
export const EVIL = 'https://evil.example.net';

export interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the command line in-process. */
export async function cli(...argv: string[]): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const status = await run(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { status, stdout, stderr };
}

/** Every request a server received, by its path. */
export type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders }[];

export interface Started {
  url: string;
  seen: Seen;
  close: () => Promise<void>;
}

async function listen(server: net.Server, seen: Seen, scheme = 'http'): Promise<Started> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${String(port)}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        if (server instanceof http.Server) server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function recorder(seen: Seen): express.RequestHandler {
  return (req, _res, next) => {
    seen.push({ method: req.method, url: req.originalUrl, headers: req.headers });
    next();
  };
}

/** An Express application: `configure` mounts CORS; every path answers 200 `{}`. */
export async function startExpress(configure: (app: express.Express) => void): Promise<Started> {
  const seen: Seen = [];
  const app = express();
  app.use(recorder(seen));
  configure(app);
  app.use((_req, res) => {
    res.json({});
  });
  // An origin function's refusal (cors' README whitelist passes an Error) answers 500.
  app.use(((_err, _req, res, _next) => {
    res.status(500).json({ error: 'refused' });
  }) as express.ErrorRequestHandler);
  return listen(http.createServer(app), seen);
}

/** A hand-written node:http server. */
export async function startHandler(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<Started> {
  const seen: Seen = [];
  return listen(
    http.createServer((req, res) => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      handler(req, res);
    }),
    seen,
  );
}

/** The same, over TLS with the self-signed certificate in __tests__/fixtures/tls. */
export async function startHttps(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<Started> {
  const dir = join(__dirname, '..', 'fixtures', 'tls');
  const server = https.createServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    handler,
  );
  return listen(server, [], 'https');
}

/**
 * A server that writes its answer by hand: it decodes the Origin it gets and puts it in
 * Access-Control-Allow-Origin, so a %0d%0a in it splits the response (what no Node server can do).
 */
export async function startSplitting(): Promise<Started> {
  const server = net.createServer((socket) => {
    socket.once('data', (data) => {
      const origin = /\r\norigin: ([^\r]*)/i.exec(data.toString('latin1'))?.[1];
      const acao =
        origin === undefined
          ? ''
          : `Access-Control-Allow-Origin: ${decodeURIComponent(origin)}\r\n`;
      socket.end(
        `HTTP/1.1 200 OK\r\n${acao}Vary: Origin\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
    });
  });
  return listen(server, []);
}

/** A server that accepts connections and never answers. */
export async function startSilent(): Promise<Started> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => sockets.push(socket));
  const started = await listen(server, []);
  return {
    ...started,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await started.close();
    },
  };
}

export { cors, corsPackage };
