// One HTTP exchange with node:http or node:https: no cookies, no connection reuse, no redirects
// followed (the callers follow them as a browser would), the response body discarded unread.
import http from 'node:http';
import https from 'node:https';
import type { HeaderList } from './fetch.js';

/** A request as sent: the method, the absolute URL and the header list. */
export interface SentRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderList;
}

/** A response: the status and every header line as received (names as the server wrote them). */
export interface Received {
  readonly status: number;
  readonly statusText: string;
  readonly headers: HeaderList;
}

export interface Transport {
  /** Milliseconds each request has, from connecting to the end of its response headers. */
  readonly timeout: number;
  /** Accept any TLS certificate. */
  readonly insecure: boolean;
  /** When the whole run must have ended (a Date.now() value). */
  readonly deadline: number;
}

/** The server could not be reached or did not answer: exit status 2, never a CORS verdict. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function describe(err: Error & { code?: string }, url: string): string {
  const what = [err.code, err.message].filter(Boolean).join(': ');
  const hint = UNTRUSTED_CERTIFICATE.has(String(err.code))
    ? ' (a browser refuses this certificate too; --insecure skips the check, for a test server only)'
    : '';
  return `${url}: ${what}${hint}`;
}

/** Informational (1xx) answers accepted before the final one: 103 Early Hints and the like. */
const MAX_INFORMATIONAL = 10;

/**
 * Sends one request; resolves when the response headers arrive, rejects with a NetworkError. The
 * server controls everything here, so: the time limit runs from the start to the end of the
 * response headers (bytes trickled one at a time, or 103 answers sent for ever, do not extend it),
 * the body is never read (the socket is closed once the headers are in), and any way the exchange
 * can end without a response (101 Switching Protocols, a closed socket, a parse error) rejects.
 */
export function send(request: SentRequest, transport: Transport): Promise<Received> {
  const url = new URL(request.url);
  const headers: Record<string, string[]> = {};
  for (const [name, value] of request.headers) (headers[name] ??= []).push(value);
  const client = url.protocol === 'https:' ? https : http;
  const left = Math.min(transport.timeout, transport.deadline - Date.now());
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: NetworkError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    if (left <= 0) {
      reject(new NetworkError(`${request.url}: not sent, the run's --timeout has passed`));
      return;
    }
    const req = client.request(
      url,
      { method: request.method, headers, agent: false, rejectUnauthorized: !transport.insecure },
      (res) => {
        const raw = res.rawHeaders;
        const list: [string, string][] = [];
        for (let i = 0; i < raw.length; i += 2) list.push([raw[i]!, raw[i + 1]!]);
        settled = true;
        clearTimeout(timer);
        // The verdict needs the head only: the body is not read, and the socket is closed.
        res.destroy();
        req.destroy();
        resolve({ status: res.statusCode!, statusText: res.statusMessage!, headers: list });
      },
    );
    const timer = setTimeout(() => {
      const error = new NetworkError(
        `${request.url}: no complete response head within the --timeout of ${transport.timeout} ms (it bounds each request, from connecting to the end of the response headers, and the whole run)`,
      );
      fail(error);
      req.destroy(error);
    }, left);
    let informational = 0;
    req.on('information', (info: { statusCode: number }) => {
      if (++informational <= MAX_INFORMATIONAL) return;
      const error = new NetworkError(
        `${request.url}: more than ${MAX_INFORMATIONAL} informational answers (the last ${info.statusCode}) and no final one`,
      );
      fail(error);
      req.destroy(error);
    });
    req.on('upgrade', (res: http.IncomingMessage, socket: { destroy(): void }) => {
      socket.destroy();
      fail(
        new NetworkError(
          `${request.url}: the server switched protocols (${res.statusCode} ${res.statusMessage}) instead of answering the request, which a fetch() never asks for: no CORS verdict`,
        ),
      );
    });
    req.on('error', (err) => {
      fail(err instanceof NetworkError ? err : new NetworkError(describe(err, request.url)));
    });
    req.on('close', () => {
      fail(new NetworkError(`${request.url}: the connection closed without a response`));
    });
    req.end();
  });
}
