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
  /** Milliseconds without a byte from the server before the request is given up. */
  readonly timeout: number;
  /** Accept any TLS certificate. */
  readonly insecure: boolean;
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

/** Sends one request; resolves when the response headers arrive, rejects with a NetworkError. */
export function send(request: SentRequest, transport: Transport): Promise<Received> {
  const url = new URL(request.url);
  const headers: Record<string, string[]> = {};
  for (const [name, value] of request.headers) (headers[name] ??= []).push(value);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: request.method,
        headers,
        agent: false,
        timeout: transport.timeout,
        rejectUnauthorized: !transport.insecure,
      },
      (res) => {
        res.resume();
        const raw = res.rawHeaders;
        const list: [string, string][] = [];
        for (let i = 0; i < raw.length; i += 2) list.push([raw[i]!, raw[i + 1]!]);
        resolve({ status: res.statusCode!, statusText: res.statusMessage!, headers: list });
      },
    );
    req.on('timeout', () => {
      req.destroy(new NetworkError(`${request.url}: no answer within ${transport.timeout} ms`));
    });
    req.on('error', (err) => {
      reject(err instanceof NetworkError ? err : new NetworkError(describe(err, request.url)));
    });
    req.end();
  });
}
