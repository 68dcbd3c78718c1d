// `corsguard/fetch`: the same policy for Fetch-API handlers (`(request: Request) => Response`), as
// Hono, Next.js route handlers, Bun.serve, Deno.serve and Cloudflare Workers write them.
//
// The policy is the Node middleware's, compiled by the same cors(): each request is decided by that
// very handler, run on a description of the Request (its method, path and headers) with a response
// that only records (explain.ts). So the headers and the preflight status are the Express
// middleware's for the same configuration and request, by construction; this front only reads a
// Request and writes a Response.
import type { IncomingMessage } from 'node:http';
import { cors as nodeCors } from '../node/cors.js';
import { CorsConfigError } from '../core/errors.js';
import { type DescribedAnswer, runDescribed } from '../node/explain.js';
import type { CorsOptions } from '../types.js';

/**
 * What {@link cors} returns: `guard(request, next)` answers a preflight itself, and otherwise calls
 * `next(request)` and adds the CORS headers to its Response.
 *
 * @public
 */
export type FetchGuard = (
  request: Request,
  next: (request: Request) => Response | Promise<Response>,
) => Promise<Response>;

/**
 * Creates a CORS guard for Fetch-API handlers, with the options, validation, errors, warnings and
 * decisions of the Express middleware (`cors` from `corsguard`).
 *
 * - A preflight is answered without calling `next` (status `optionsSuccessStatus`, no body).
 * - Any other request: `next(request)` runs and its Response gets the CORS headers; `Vary` is merged
 *   with what the handler set. A Response whose headers cannot change (`Response.redirect()`, a
 *   proxied `fetch()` answer) is copied, its body streamed, not read.
 * - A refused origin gets no CORS header; an error of a function origin rejects the returned promise
 *   with the error the Express middleware passes to `next(err)`.
 * - `methods: 'auto'` needs an Express route table, and is refused here.
 *
 * @example
 * ```ts
 * import { cors } from 'corsguard/fetch';
 *
 * const guard = cors({ origin: ['https://app.example.com'], credentials: true });
 * export default { fetch: (request: Request) => guard(request, handle) };
 * ```
 * @public
 */
export function cors(options?: CorsOptions): FetchGuard {
  if (typeof options === 'function') {
    throw new CorsConfigError([
      {
        option: 'options',
        value: options,
        message:
          'an options delegate receives a Node request, and corsguard/fetch has a Request: give the options, or a function origin, which works the same here.',
      },
    ]);
  }
  if (options?.methods === 'auto') {
    throw new CorsConfigError([
      {
        option: 'methods',
        value: 'auto',
        message:
          "'auto' reads the methods from an Express application's routes, and a Fetch handler has none: list them, e.g. methods: ['GET', 'POST'].",
        suggestion: 'GET,HEAD,PUT,PATCH,POST,DELETE',
      },
    ]);
  }
  const handler = nodeCors(options);
  return async function corsguardFetch(request, next) {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const described = {
      method: request.method,
      url: `${url.pathname}${url.search}`,
      headers,
    } as unknown as IncomingMessage;
    const answer = await new Promise<DescribedAnswer>((resolve) => {
      runDescribed(handler, described, resolve);
    });
    // The very value the Express middleware passes to next(err): yours, or corsguard's coded one.
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- a user's error is passed on as it is
    if (answer.error !== undefined) throw answer.error;
    if (answer.statusCode !== null) {
      // A preflight answered by the policy: no body.
      return new Response(null, { status: answer.statusCode, headers: answer.headers });
    }
    return withHeaders(await next(request), answer.headers);
  };
}

/** The handler's Response with the CORS headers added; a copy when its headers are immutable. */
function withHeaders(response: Response, set: Readonly<Record<string, string>>): Response {
  const entries = Object.entries(set);
  if (entries.length === 0) return response;
  try {
    addTo(response.headers, entries);
    return response;
  } catch {
    // Response.redirect() and fetch() answers have immutable headers (Fetch Standard, "immutable"
    // guard): the same status, headers and body stream, in a Response that can take them.
    const copy = new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    addTo(copy.headers, entries);
    return copy;
  }
}

/** Sets each header; Vary is merged with what the handler set, never overwritten. */
function addTo(headers: Headers, entries: readonly (readonly [string, string])[]): void {
  for (const [name, value] of entries) {
    if (name !== 'vary') {
      headers.set(name, value);
      continue;
    }
    const present = headers.get('vary');
    if (present === null) {
      headers.set('vary', value);
      continue;
    }
    const fields = present.split(',').map((field) => field.trim().toLowerCase());
    if (fields.includes('*')) continue;
    const missing = value
      .split(',')
      .filter((field) => !fields.includes(field.trim().toLowerCase()));
    if (missing.length > 0)
      headers.set('vary', `${present}, ${missing.map((f) => f.trim()).join(', ')}`);
  }
}
