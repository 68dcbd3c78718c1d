import type { IncomingMessage, ServerResponse } from 'node:http';
import { build } from './cors.js';
import type { CorsDecision } from '../core/decision.js';
import { corsDecision } from './decisions.js';
import { show } from '../core/errors.js';
import type { CorsWarning } from '../core/options.js';
import type { CorsOptions, CorsOptionsDelegate, StaticOrigin } from '../types.js';

/** A request described for {@link explainCors}. @public */
export interface CorsExplainRequest {
  /** @defaultValue `'GET'` */
  readonly method?: string;
  /** @defaultValue `'/'` */
  readonly url?: string;
  /**
   * Request headers; names in any case. A header given as an array is sent several times, and
   * joined with `, ` as Node joins repeated headers (two `Origin` headers make one malformed origin).
   */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** What the middleware would do with a request. @public */
export interface CorsExplanation {
  /** The decision the middleware takes for the request, as `corsDecision(req)` would give it. */
  readonly decision: CorsDecision;
  /**
   * The status of the answer the middleware sends itself (a preflight), the error's status (500
   * unless it says otherwise) when the request fails, or null when the request goes on to your
   * application, which then chooses the status.
   */
  readonly statusCode: number | null;
  /** The response headers corsguard sets, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The error passed to `next(err)`, if any. */
  readonly error?: unknown;
  /** Warnings the configuration gives (not emitted by explainCors). */
  readonly warnings: readonly CorsWarning[];
}

/** Options whose answer needs no callback: explained synchronously. @public */
export type StaticCorsOptions = CorsOptions & {
  /** Any origin form but a function: the answer is then known without waiting. */
  origin?: StaticOrigin | undefined;
};

/**
 * Evaluates a configuration against a described request without a server: the decision, the status
 * and the headers the middleware would send. It runs the very middleware `cors(options)` builds, so
 * it agrees with it. The request may also be a Fetch `Request` (what `corsguard/fetch` decides is the
 * same). Invalid options throw a `CorsConfigError`, as `cors()` does.
 *
 * @example
 * ```ts
 * const { decision, headers } = explainCors(
 *   { origin: ['https://app.example.com'] },
 *   { method: 'OPTIONS', headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'PUT' } },
 * );
 * ```
 * @returns the explanation; a Promise of it when the origin is a function or the options a delegate
 * @public
 */
export function explainCors(
  options: StaticCorsOptions | undefined,
  request: CorsExplainRequest | Request,
): CorsExplanation;
export function explainCors(
  options: CorsOptions | CorsOptionsDelegate,
  request: CorsExplainRequest | Request,
): Promise<CorsExplanation>;
export function explainCors(
  options: CorsOptions | CorsOptionsDelegate | undefined,
  request: CorsExplainRequest | Request,
): CorsExplanation | Promise<CorsExplanation> {
  if (arguments.length < 2) {
    throw new TypeError(
      'corsguard: explainCors(options, request) takes the options and a request description, such as ' +
        "{ method: 'OPTIONS', headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'PUT' } }",
    );
  }
  const warnings: CorsWarning[] = [];
  const handler = build(options, undefined, (found) => {
    warnings.push(...found);
  });
  const req = describedRequest(request);
  let result: CorsExplanation | undefined;
  let resolve: (explanation: CorsExplanation) => void = () => undefined;
  const async = typeof options === 'function' || typeof options?.origin === 'function';
  const promise = async
    ? new Promise<CorsExplanation>((r) => {
        resolve = r;
      })
    : undefined;
  runDescribed(handler, req, (answer) => {
    const base = {
      decision: corsDecision(req)!,
      statusCode: answer.statusCode,
      headers: answer.headers,
      warnings,
    };
    result = answer.error === undefined ? base : { ...base, error: answer.error };
    resolve(result);
  });
  return promise ?? result!;
}

/** The request a description (or a Fetch `Request`) stands for, as Node would hand it over. */
function describedRequest(request: unknown): IncomingMessage {
  const fail = (message: string): never => {
    throw new TypeError(`corsguard: explainCors: ${message}`);
  };
  if (typeof Request !== 'undefined' && request instanceof Request) {
    const url = new URL(request.url);
    return describedRequest({
      method: request.method,
      url: `${url.pathname}${url.search}`,
      headers: Object.fromEntries(request.headers),
    });
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    fail(`expected a request description { method?, url?, headers? }, got ${show(request)}`);
  }
  const {
    method = 'GET',
    url = '/',
    headers = {},
  } = request as {
    method?: unknown;
    url?: unknown;
    headers?: unknown;
  };
  if (typeof method !== 'string')
    fail(`method must be a string such as 'GET', got ${show(method)}`);
  if (typeof url !== 'string') fail(`url must be a string such as '/things', got ${show(url)}`);
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    fail(`headers must be an object of header names and values, got ${show(headers)}`);
  }
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers as object)) {
    if (value === undefined) continue;
    if (typeof value === 'string') lower[name.toLowerCase()] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      lower[name.toLowerCase()] = value.join(', ');
    } else {
      fail(
        `the value of header ${show(name)} must be a string or an array of strings, got ${show(value)}`,
      );
    }
  }
  return { method, url, headers: lower } as unknown as IncomingMessage;
}

/** What a handler answered a described request: as {@link CorsExplanation} has it. */
export interface DescribedAnswer {
  readonly statusCode: number | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly error?: unknown;
}

/**
 * Runs a corsguard handler on a described request with a response that only records: the status
 * it ends with (null when it passes the request on), the headers it set, the error it passed on.
 * `done` is called once, now or when a function origin answers.
 */
export function runDescribed(
  handler: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void,
  req: IncomingMessage,
  done: (answer: DescribedAnswer) => void,
): void {
  const set: Record<string, string> = {};
  let status = 200;
  let sent = false;
  const res = {
    get headersSent() {
      return sent;
    },
    set statusCode(value: number) {
      status = value;
    },
    getHeader: (name: string) => set[name.toLowerCase()],
    setHeader: (name: string, value: string) => {
      set[name.toLowerCase()] = value;
    },
    end: () => {
      sent = true;
      done({ statusCode: status, headers: { ...set } });
    },
  } as unknown as ServerResponse;
  handler(req, res, (err?: unknown) => {
    if (err === undefined || err === null) {
      done({ statusCode: null, headers: { ...set } });
      return;
    }
    const errStatus = (err as { status?: unknown }).status;
    done({
      statusCode: typeof errStatus === 'number' ? errStatus : 500,
      headers: { ...set },
      error: err,
    });
  });
}
