// Starts the two halves of the demo: the playground page and the API it calls, on two origins.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApi } from './api.js';
import { createPage } from './page.js';

export interface DemoOptions {
  /** Port of the page server on 127.0.0.1; 0 picks a free one. */
  pagePort: number;
  /** Port of the API on 127.0.0.1, addressed as localhost; 0 picks a free one. */
  apiPort: number;
}

export interface Demo {
  /** The playground, e.g. `http://127.0.0.1:3000`. */
  pageUrl: string;
  /** The API, e.g. `http://localhost:4000`. */
  apiUrl: string;
  /** Stops both servers, dropping open connections. */
  close: () => Promise<void>;
}

async function listen(server: http.Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

async function stop(server: http.Server): Promise<void> {
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}

/**
 * Starts the page server on `http://127.0.0.1:<pagePort>` and the API on `http://localhost:<apiPort>`:
 * two origins (and two sites), so every request the page makes to the API is a CORS request.
 */
export async function startDemo({ pagePort, apiPort }: DemoOptions): Promise<Demo> {
  // The API's configuration names the page's origin and the page needs the API's URL: bind the page
  // server first, then build each half once both ports are known.
  const pageServer = http.createServer();
  const apiServer = http.createServer();
  try {
    const pageOrigin = `http://127.0.0.1:${String(await listen(pageServer, pagePort))}`;
    apiServer.on('request', createApi({ pageOrigin }));
    const apiUrl = `http://localhost:${String(await listen(apiServer, apiPort))}`;
    pageServer.on('request', createPage({ apiUrl, pageOrigin }));
    return {
      pageUrl: pageOrigin,
      apiUrl,
      close: async () => {
        await Promise.all([stop(pageServer), stop(apiServer)]);
      },
    };
  } catch (err) {
    await Promise.all([stop(pageServer), stop(apiServer)]);
    throw err;
  }
}
