// Runs a middleware in-process on a minimal request and response, and reports what it did.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Middleware } from './frameworks.js';

export interface Outcome {
  /** How the middleware finished: it called next (with err, if any), or ended the response. */
  via: 'next' | 'end';
  err: unknown;
  status: number;
  /** Response headers, keys in lower case. */
  headers: Record<string, string>;
  nextCalls: number;
}

export interface MockRequest {
  method?: string;
  headers?: Record<string, string | undefined>;
}

/** Calls `middleware` and resolves at its first next() or end(); `before` may prepare the response. */
export function run(
  middleware: Middleware,
  { method = 'GET', headers = {} }: MockRequest,
  before?: (res: ServerResponse) => void,
): Promise<Outcome> {
  const set = new Map<string, string>();
  let status = 200;
  const state = { headersSent: false, nextCalls: 0 };
  return new Promise((resolve) => {
    const outcome = (via: Outcome['via'], err: unknown): Outcome => ({
      via,
      err,
      status,
      headers: Object.fromEntries(set),
      nextCalls: state.nextCalls,
    });
    const res = {
      get headersSent() {
        return state.headersSent;
      },
      get statusCode() {
        return status;
      },
      set statusCode(value: number) {
        status = value;
      },
      getHeader: (name: string) => set.get(name.toLowerCase()),
      setHeader(name: string, value: string) {
        if (state.headersSent) {
          // As Node's OutgoingMessage does.
          throw Object.assign(new Error(`Cannot set headers after they are sent to the client`), {
            code: 'ERR_HTTP_HEADERS_SENT',
          });
        }
        set.set(name.toLowerCase(), value);
        return res;
      },
      end() {
        state.headersSent = true;
        resolve(outcome('end', undefined));
      },
      flushHeaders() {
        state.headersSent = true;
      },
    };
    before?.(res as unknown as ServerResponse);
    const req = {
      method,
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    };
    middleware(
      req as unknown as IncomingMessage,
      res as unknown as ServerResponse,
      (err?: unknown) => {
        state.nextCalls++;
        resolve(outcome('next', err));
      },
    );
  });
}

/** Lets pending callbacks, promise jobs and timers of zero delay run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 10));
}
