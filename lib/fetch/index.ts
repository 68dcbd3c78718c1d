// `corsguard/fetch`: the same policy for Fetch-API handlers (`(request: Request) => Response`), as
// Hono, Next.js route handlers, Bun.serve, Deno.serve and Cloudflare Workers write them.
//
// The policy is compiled by the core, as the Node middleware's is (same validation, errors,
// warnings, plan and decisions); this front reads a Request and answers or decorates a Response.
// It imports no Node module: it loads in workerd without nodejs_compat. Per request it reads the
// few headers a decision needs and sets ready-made strings; only a listener (onDecision, the
// diagnostics channel, NODE_DEBUG) makes it describe the request and work the decision out.
import { compiled, emitOnce } from '../core/compile.js';
import {
  type CorsDecision,
  type DecisionInput,
  type Published,
  decide,
  failed,
  kindOf,
  listened,
  publish,
} from '../core/decision.js';
import { LOOKUP_FAILURES, Later, originResolver } from '../core/dynamic.js';
import { CorsConfigError, show } from '../core/errors.js';
import { ACAH, ACAO, ACAPN, ACRH, ACRM, ACRPN } from '../core/headers.js';
import { type Host, type DebugLog, SILENT, provideHost } from '../core/host.js';
import type { Policy } from '../core/options.js';
import { type Field, type Plan, VARY_ORIGIN, plan, reflectedHeaders } from '../core/plan.js';
import { type VaryFields, mergeVary } from '../core/vary.js';
import type { CheckedCorsOptions, CorsOptions } from '../types.js';

/**
 * The request as `onDecision` and the `corsguard:decision` channel get it on this front: as Node
 * would hand it over.
 *
 * @public
 */
export interface CorsFetchRequest {
  /** The Request's method. */
  readonly method: string;
  /** The path and query of the Request's URL (`/things?x=1`), as a Node request's `url`. */
  readonly url: string;
  /** The Request's headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The options of {@link cors}: those of the Express middleware, but `methods: 'auto'` (it reads an
 * Express application's routes), with `onDecision` given the {@link CorsFetchRequest}.
 *
 * @public
 */
export interface FetchCorsOptions extends Omit<CorsOptions, 'methods' | 'onDecision'> {
  /** As for the Express middleware, but `'auto'`. @defaultValue `'GET,HEAD,PUT,PATCH,POST,DELETE'` */
  methods?: Exclude<CorsOptions['methods'], 'auto'>;
  /** Called once per request with the decision; what it throws rejects the guard's promise. */
  onDecision?: ((decision: CorsDecision, req: CorsFetchRequest) => void) | undefined;
}

/**
 * What {@link cors} returns: `guard(request, next)` answers a preflight itself, and otherwise calls
 * `next(request)` and adds the CORS headers to its Response.
 *
 * @public
 */
export interface FetchGuard {
  (request: Request, next: (request: Request) => Response | Promise<Response>): Promise<Response>;
  /**
   * Forgets the cached answers of a function origin (`originCache`): of one origin, or all; with a
   * bus, every instance forgets them. Does nothing for other origin options.
   */
  clearOriginCache(origin?: string): void;
}

type Next = (request: Request) => Response | Promise<Response>;
type Guard = (request: Request, next: Next) => Promise<Response>;

// The host of decisions and warnings where the runtime has Node's modules (Node 20.16 and later,
// Bun, Deno, workerd with nodejs_compat): its channel, its debuglog and process warnings. An earlier
// Node front provides the same; elsewhere warnings go to console.warn and nothing is published.
provideHost(() => {
  const proc = (globalThis as { process?: HostProcess }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return undefined;
  const channels = proc.getBuiltinModule('node:diagnostics_channel') as
    { channel: (name: string) => Host['decisions'] } | undefined;
  const util = proc.getBuiltinModule('node:util') as
    { debuglog: (section: string) => DebugLog } | undefined;
  if (channels === undefined || util === undefined) return undefined;
  const debug = util.debuglog('corsguard');
  // workerd's debuglog is on for every section: only NODE_DEBUG turns it on here, as on Node.
  const named = typeof proc.env?.NODE_DEBUG === 'string' && proc.env.NODE_DEBUG !== '';
  return {
    decisions: channels.channel('corsguard:decision'),
    debug: named ? debug : SILENT,
    emitWarning: (message, options) => {
      proc.emitWarning(message, options);
    },
  };
});

/** What the host is taken from, where there is a `process`. */
interface HostProcess {
  getBuiltinModule?: (id: string) => unknown;
  emitWarning: (message: string, options: { type: string; code: string }) => void;
  env?: Record<string, string | undefined>;
}

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
export function cors<const O extends FetchCorsOptions = FetchCorsOptions>(
  options?: CheckedCorsOptions<O>,
): FetchGuard;
export function cors(options?: FetchCorsOptions): FetchGuard {
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
  const found = compiled(options);
  if (found.policy.autoMethods) {
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
  emitOnce(found.warnings, found);
  const { guard, clear } = specialise(found.policy);
  const checked: Guard = function corsguardFetch(request, next) {
    try {
      return guard(request, next);
    } catch (err) {
      // Only what is not a Request gets here (reading its headers threw): say what to pass.
      return rejected(misuse(request, err));
    }
  };
  return Object.assign(checked, { clearOriginCache: clear });
}

/** The error for a guard given something else than a Request, such as a Hono Context. */
function misuse(request: unknown, err: unknown): unknown {
  const raw = (request as { req?: { raw?: unknown } } | null | undefined)?.req?.raw;
  if (raw !== undefined) {
    return new TypeError(
      'corsguard/fetch: guard(request, next) takes a Request, and was given a Hono Context (app.use(guard)); as a Hono middleware, write app.use((c, next) => guard(c.req.raw, async () => { await next(); return c.res; }))',
    );
  }
  const headers = (request as { headers?: { get?: unknown } } | null | undefined)?.headers;
  if (typeof headers?.get !== 'function') {
    return new TypeError(
      `corsguard/fetch: guard(request, next) takes a Fetch Request, got ${show(request)}`,
    );
  }
  return err;
}

/** The handler's Response for a request that is not an answered preflight. */
async function handled(next: unknown, request: Request): Promise<Response> {
  if (typeof next !== 'function') {
    throw new TypeError(
      `corsguard/fetch: guard(request, next) needs next, the handler of the requests that are not preflights; got ${show(next)}`,
    );
  }
  const response: unknown = await (next as Next)(request);
  if (typeof (response as { headers?: unknown } | null | undefined)?.headers !== 'object') {
    throw new TypeError(
      `corsguard/fetch: next(request) must return a Response, or a Promise of one; it gave ${show(response)}`,
    );
  }
  return response as Response;
}

function ignore(): void {
  // nothing is cached
}

/** The request as a listener sees it: as Node would hand it over (method, path, lower-case headers). */
function described(request: Request): Published & CorsFetchRequest {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { method: request.method, url: `${url.pathname}${url.search}`, headers };
}

function inputOf(request: Request, origin: string | null): DecisionInput {
  const headers = request.headers;
  return {
    origin: origin ?? undefined,
    method: request.method,
    requestMethod: headers.get(ACRM) ?? undefined,
    requestHeaders: headers.get(ACRH) ?? undefined,
  };
}

/**
 * Works the decision out and publishes it when somebody listens; returns what onDecision threw.
 * `allowed` is the Access-Control-Allow-Origin value, undefined for a refusal.
 */
function record(
  p: Plan,
  request: Request,
  origin: string | null,
  allowed: string | undefined,
): unknown {
  const onDecision = p.policy.onDecision;
  if (!listened(onDecision)) return undefined;
  return publish(
    decide(p.checks, inputOf(request, origin), allowed),
    described(request),
    onDecision,
  );
}

/**
 * The two answers a preflight gets here without the handler, made once per plan: per request only
 * the origin, a reflected header list and the private-network answer are added.
 */
interface Preflights {
  readonly plan: Plan;
  /** An allowed preflight: the plan's preflight fields, Content-Length when not 204, Vary. */
  readonly allowed: readonly Field[];
  /** A refused preflight: Vary: Origin, Content-Length when not 204. */
  readonly refused: Readonly<Record<string, string>>;
}

const preflightsOf = new WeakMap<Plan, Preflights>();

/** The {@link Preflights} of a plan, made once (plans are shared by equal options). */
function preflights(p: Plan): Preflights {
  let made = preflightsOf.get(p);
  if (made !== undefined) return made;
  const length: Record<string, string> =
    p.preflightLength === undefined ? {} : { 'content-length': p.preflightLength };
  const allowed: Field[] = [...p.preflightFields, ...p.preflightLast, ...Object.entries(length)];
  if (p.preflightVary !== undefined) allowed.push(['vary', p.preflightVary.value]);
  // Only configurations that depend on the origin ever refuse one.
  made = { plan: p, allowed, refused: { vary: VARY_ORIGIN.value, ...length } };
  preflightsOf.set(p, made);
  return made;
}

/** The fields of an allowed preflight that depend on the request, added to `set`. */
function fromRequest(p: Plan, request: Request, set: Record<string, string>): void {
  if (p.reflect) {
    const requested = reflectedHeaders(request.headers.get(ACRH));
    if (requested !== undefined) set[ACAH] = requested;
  }
  // The header is read only when it can matter: Headers.get is not free.
  if (p.policy.privateNetworkAccess && request.headers.get(ACRPN) === 'true') set[ACAPN] = 'true';
}

/**
 * Answers a preflight: here, without the handler, or (preflightContinue) through `next` with the
 * preflight's headers added. `allowed` is the Access-Control-Allow-Origin value, undefined for a
 * refusal. One settled promise is all an answered preflight costs.
 */
function answerPreflight(
  pf: Preflights,
  request: Request,
  next: Next,
  allowed: string | undefined,
): Promise<Response> {
  const p = pf.plan;
  if (p.policy.preflightContinue) return continued(p, request, next, allowed);
  let set = pf.refused;
  if (allowed !== undefined) {
    // Built by assignments: an object spread here makes Headers' copy of it about 1 µs slower.
    const own: Record<string, string> = {};
    for (const [name, value] of pf.allowed) own[name] = value;
    own[ACAO] = allowed;
    fromRequest(p, request, own);
    set = own;
  }
  return Promise.resolve(
    new Response(null, { status: p.policy.optionsSuccessStatus, headers: set }),
  );
}

/** preflightContinue: the handler answers the preflight, and its Response gets the headers. */
async function continued(
  p: Plan,
  request: Request,
  next: Next,
  allowed: string | undefined,
): Promise<Response> {
  const response = await handled(next, request);
  const own: Record<string, string> = {};
  if (allowed !== undefined) fromRequest(p, request, own);
  return decorate(response, writePreflight, p, allowed, own);
}

/** The headers of a continued preflight, as the Node middleware sets them: Vary, then the rest. */
function writePreflight(
  headers: Headers,
  p: Plan,
  allowed: string | undefined,
  own: Readonly<Record<string, string>>,
): void {
  if (allowed === undefined) {
    mergeInto(headers, VARY_ORIGIN);
    return;
  }
  if (p.preflightVary !== undefined) mergeInto(headers, p.preflightVary);
  headers.set(ACAO, allowed);
  for (const [name, value] of p.preflightFields) headers.set(name, value);
  for (const [name, value] of p.preflightLast) headers.set(name, value);
  for (const name in own) headers.set(name, own[name]!);
}

/**
 * Any other request: the handler's Response with the headers of `allowed` (the
 * Access-Control-Allow-Origin value, undefined for a refusal or no Origin), and Vary: Origin when
 * the configuration's answers depend on the origin (to a request without one too).
 */
async function answerActual(
  p: Plan,
  request: Request,
  next: Next,
  allowed: string | undefined,
): Promise<Response> {
  return decorate(await handled(next, request), writeActual, p, allowed, undefined);
}

/** The headers of an actual response, as the Node middleware sets them: Vary, then the origin's. */
function writeActual(headers: Headers, p: Plan, allowed: string | undefined): void {
  if (p.vary !== undefined) mergeInto(headers, p.vary);
  if (allowed === undefined) return;
  headers.set(ACAO, allowed);
  for (const [name, value] of p.actualFields) headers.set(name, value);
}

/**
 * The Response with `write` applied to its headers; when they are immutable (Response.redirect()
 * and fetch() answers: the Fetch Standard's "immutable" guard), the first write throws before
 * anything is set, and it is applied to a copy: the same status, headers and body stream, not read.
 * The arguments are passed through rather than closed over: no closure per request.
 */
function decorate<A, B, C>(
  response: Response,
  write: (headers: Headers, a: A, b: B, c: C) => void,
  a: A,
  b: B,
  c: C,
): Response {
  try {
    write(response.headers, a, b, c);
    return response;
  } catch {
    const copy = new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    write(copy.headers, a, b, c);
    return copy;
  }
}

/** Vary merged with what the handler set, never overwritten. */
function mergeInto(headers: Headers, fields: VaryFields): void {
  const present = headers.get('vary');
  if (present === null) {
    headers.set('vary', fields.value);
    return;
  }
  const merged = mergeVary(present, fields);
  if (merged !== undefined) headers.set('vary', merged);
}

/** The guard for a policy, its per-request path chosen once (as the Node middleware's is). */
function specialise(policy: Policy): { guard: Guard; clear: (origin?: string) => void } {
  const p = plan(policy);
  const pf = preflights(p);
  const origin = policy.origin;
  switch (origin.kind) {
    case 'disabled':
      // CORS off: nothing is set; the decision still says why.
      return {
        guard: function corsguardDisabled(request, next) {
          const err = record(p, request, request.headers.get('origin'), undefined);
          return err === undefined ? handled(next, request) : rejected(err);
        },
        clear: ignore,
      };
    case 'any':
    case 'static': {
      // The same headers for everyone: no lookup, no Vary: Origin; the browser compares.
      const value = origin.kind === 'any' ? '*' : origin.origin;
      return {
        guard: function corsguardStatic(request, next) {
          return conclude(p, pf, request, next, request.headers.get('origin'), value);
        },
        clear: ignore,
      };
    }
    case 'match': {
      const match = origin.match;
      return {
        guard: function corsguard(request, next) {
          const requestOrigin = request.headers.get('origin');
          const allowed =
            requestOrigin !== null && match(requestOrigin) ? requestOrigin : undefined;
          return conclude(p, pf, request, next, requestOrigin, allowed);
        },
        clear: ignore,
      };
    }
    case 'function': {
      const { lookup, clear } = originResolver(
        origin.fn,
        policy.credentials,
        policy.originTimeout,
        policy.originCache,
      );
      /** The Access-Control-Allow-Origin value for the request's origin, when it has one. */
      const allowedFor = async (
        request: Request,
        requestOrigin: string,
      ): Promise<string | undefined> => {
        const now = lookup(requestOrigin);
        if (!(now instanceof Later)) return now;
        const result = await new Promise<Parameters<Parameters<Later['wait']>[0]>[0]>((resolve) => {
          now.wait(resolve);
        });
        if ('allowed' in result) return result.allowed;
        const onDecision = policy.onDecision;
        if (listened(onDecision)) {
          const [message, hint] = LOOKUP_FAILURES[result.reason];
          const kind = kindOf(request.method, request.headers.get(ACRM) ?? undefined);
          const decision = failed(kind, requestOrigin, result.reason, result.error, message, hint);
          publish(decision, described(request), onDecision);
        }
        // The very value the Express middleware passes to next(err): yours, or corsguard's coded one.
        throw result.error;
      };
      return {
        guard: async function corsguardFunction(request, next) {
          const requestOrigin = request.headers.get('origin');
          const allowed =
            requestOrigin === null ? undefined : await allowedFor(request, requestOrigin);
          return conclude(p, pf, request, next, requestOrigin, allowed);
        },
        clear: policy.originCache === undefined ? ignore : clear,
      };
    }
  }
}

/**
 * Records the decision (when somebody listens) and answers, once the origin is decided: `allowed`
 * is the Access-Control-Allow-Origin value, undefined for a refusal or no Origin.
 */
function conclude(
  p: Plan,
  pf: Preflights,
  request: Request,
  next: Next,
  requestOrigin: string | null,
  allowed: string | undefined,
): Promise<Response> {
  const err = record(p, request, requestOrigin, allowed);
  if (err !== undefined) return rejected(err);
  return isPreflight(request, requestOrigin)
    ? answerPreflight(pf, request, next, allowed)
    : answerActual(p, request, next, allowed);
}

/** onDecision's own error, as it threw it (what the Express middleware passes to next(err)). */
function rejected(err: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the user's value, as it is
  return Promise.reject(err);
}

/** A CORS-preflight request (Fetch §3.2.2): OPTIONS with Origin and Access-Control-Request-Method. */
function isPreflight(request: Request, origin: string | null): boolean {
  return origin !== null && request.method === 'OPTIONS' && request.headers.has(ACRM);
}
