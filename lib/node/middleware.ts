import type { IncomingMessage, ServerResponse } from 'node:http';
import { ACAC, ACAH, ACAM, ACAO, ACAPN, ACEH, ACMA, ACRH, ACRM, ACRPN } from '../core/headers.js';
import { type CorsDecision, type RouteMethods, listened, publish } from '../core/decision.js';
import { decideRequest, decidedBefore, failedRequest, isPlain, keep, kept } from './decisions.js';
import { LOOKUP_FAILURES, Later, originResolver } from '../core/dynamic.js';
import type { Policy } from '../core/options.js';
import { handOver, leftAlone, markHandler, routeMethods, superseded } from './routes.js';
import type { CustomOrigin } from '../types.js';
import { type Plan, VARY_ORIGIN, plan, reflectedHeaders } from '../core/plan.js';
import { appendVary } from './vary.js';

// The per-request path. A handler is specialised once per policy; per request it reads Origin,
// classifies the request (Fetch §3.2.2: a CORS-preflight request is OPTIONS with Origin and
// Access-Control-Request-Method), looks the origin up and sets ready-made strings.
//
// Several corsguards may see one request (app, router and route level; see routes.ts). A preflight
// is handed to the one that decides it before anything is set. On other requests each corsguard
// first takes back the headers an earlier one set, so the last (most specific) one decides.

type Next = (err?: unknown) => void;
export type Handler = ((req: IncomingMessage, res: ServerResponse, next: Next) => void) & {
  /** Present on handlers that cache origin answers. */
  clearOriginCache?: (origin?: string) => void;
};

/** Every header a corsguard may set, but Vary (whose entries stay, and are never added twice). */
const TAKEN_BACK = [ACAO, ACAC, ACEH, ACAM, ACAH, ACMA, ACAPN, 'Allow'];

/**
 * Takes back what an earlier corsguard set on this response, so this one decides alone (the
 * decision it left on the request says one ran). Nothing is read or written when none did.
 * Returns true when `self` must instead leave the request alone, and only call `next()`: one that a
 * corsguard which could not see `self` decided, as around a sub-application (routes.ts, leftAlone).
 */
export function takeBack(req: IncomingMessage, res: ServerResponse, self: Handler): boolean {
  return decidedBefore(req) && takenBack(req, res, self);
}

/** The rest of {@link takeBack}, for a request a corsguard has decided before (stamp.has). */
function takenBack(req: IncomingMessage, res: ServerResponse, self: Handler): boolean {
  if (leftAlone(req, self)) return true;
  if (!res.headersSent) for (const name of TAKEN_BACK) res.removeHeader(name);
  return false;
}

/**
 * Nothing is set once the headers are out. Rather than asking `res.headersSent` on every actual
 * request (a slow property read on the per-request response objects Express makes), the first
 * setHeader of such a response throws ERR_HTTP_HEADERS_SENT, before anything was set, and that is
 * taken as the answer. Any other error is not ours to hide.
 */
function headersAlreadySent(err: unknown): void {
  if ((err as { code?: unknown } | null)?.code !== 'ERR_HTTP_HEADERS_SENT') throw err;
}

/** Headers of an actual (non-preflight) response; `allowOrigin` undefined means refused. */
function answerActual(p: Plan, res: ServerResponse, allowOrigin: string | undefined): void {
  try {
    if (p.vary !== undefined) appendVary(res, p.vary);
    if (allowOrigin === undefined) return;
    res.setHeader(ACAO, allowOrigin);
    for (const [name, value] of p.actualFields) res.setHeader(name, value);
  } catch (err) {
    headersAlreadySent(err);
  }
}

/**
 * Adds `Vary: Origin` to a response whose headers depend on the origin: a request without Origin
 * under such a configuration, or any answer of an options delegate.
 */
export function varyOnOrigin(res: ServerResponse): void {
  try {
    appendVary(res, VARY_ORIGIN);
  } catch (err) {
    headersAlreadySent(err);
  }
}

/**
 * Answers a request of an origin-dependent configuration once its origin is decided (`allowed`
 * undefined for a refusal): no Origin, a preflight, or an actual request.
 */
function answer(
  p: Plan,
  req: IncomingMessage,
  res: ServerResponse,
  next: Next,
  requestOrigin: string | undefined,
  preflight: boolean,
  allowed: string | undefined,
): void {
  if (requestOrigin === undefined) {
    varyOnOrigin(res);
    next();
    return;
  }
  if (preflight) {
    answerPreflight(p, req, res, next, allowed);
    return;
  }
  answerActual(p, res, allowed);
  next();
}

/** The route methods an `'auto'` plan answers this preflight with; undefined for the configured list. */
function routesOf(p: Plan, req: IncomingMessage): RouteMethods | undefined {
  return p.auto ? routeMethods(req) : undefined;
}

/** Answers a preflight; a refused origin gets no Access-Control-* header at all. */
function answerPreflight(
  p: Plan,
  req: IncomingMessage,
  res: ServerResponse,
  next: Next,
  allowOrigin: string | undefined,
): void {
  if (res.headersSent) {
    next();
    return;
  }
  const policy = p.policy;
  const routes = routesOf(p, req);
  // RFC 9110 §10.2.1: Allow lists the methods the resource supports, whoever asks.
  if (routes?.allow !== undefined) res.setHeader('Allow', routes.allow);
  if (allowOrigin === undefined) {
    // Only configurations that depend on the origin ever refuse one.
    appendVary(res, VARY_ORIGIN);
  } else {
    if (p.preflightVary !== undefined) appendVary(res, p.preflightVary);
    res.setHeader(ACAO, allowOrigin);
    for (const [name, value] of p.preflightFields) res.setHeader(name, value);
    // 'auto': the route methods take the default list's place (none when no route has the path).
    if (routes !== undefined) {
      if (routes.header === undefined) res.removeHeader(ACAM);
      else res.setHeader(ACAM, routes.header);
    }
    if (p.reflect) {
      const requested = reflectedHeaders(req.headers[ACRH]);
      if (requested !== undefined) res.setHeader(ACAH, requested);
    }
    for (const [name, value] of p.preflightLast) res.setHeader(name, value);
    if (policy.privateNetworkAccess && req.headers[ACRPN] === 'true') res.setHeader(ACAPN, 'true');
  }
  if (policy.preflightContinue) {
    next();
    return;
  }
  res.statusCode = policy.optionsSuccessStatus;
  if (p.preflightLength !== undefined) res.setHeader('Content-Length', p.preflightLength);
  res.end();
}

/**
 * A preflight (Fetch §3.2.2): OPTIONS with Origin and Access-Control-Request-Method, for a caller
 * that has read the headers and seen an Origin. The headers are looked at first: most requests have
 * no Access-Control-Request-Method, and reading `req.method` on a request Express re-prototyped is a
 * slow property read.
 */
function isPreflightOf(req: IncomingMessage, headers: IncomingMessage['headers']): boolean {
  return headers[ACRM] !== undefined && req.method === 'OPTIONS';
}

/** Works out the decision of a request on demand (corsDecision), preallocated per middleware. */
type Evaluate = (req: IncomingMessage) => CorsDecision;

/**
 * Records the decision for `req`: when nobody listens, one write of `evaluate`, a function of the
 * middleware that corsDecision() calls on demand; otherwise worked out now and published (unless a
 * more specific corsguard will decide the request). Returns what onDecision threw.
 */
function record(
  p: Plan,
  req: IncomingMessage,
  headers: object,
  plain: boolean,
  allowOrigin: string | undefined,
  evaluate: Evaluate,
  self: Handler,
): unknown {
  if (!listened(p.policy.onDecision)) {
    keep(req, headers, plain, evaluate);
    return undefined;
  }
  const decision = decideRequest(p.checks, req, allowOrigin, routesOf(p, req));
  keep(req, headers, plain, decision);
  if (superseded(req, self)) return undefined;
  return publish(decision, req, p.policy.onDecision);
}

/**
 * Builds the middleware for a compiled policy, choosing the code path once. `owner` is the options
 * delegate a handler answers for: that one hands preflights over and is the one routes know.
 */
export function createHandler(policy: Policy, owner?: Handler): Handler {
  const handler = specialise(policy, owner);
  if (owner === undefined) markHandler(handler);
  return handler;
}

function specialise(policy: Policy, owner: Handler | undefined): Handler {
  const routed = owner === undefined;
  const origin = policy.origin;
  switch (origin.kind) {
    case 'disabled': {
      const p = plan(policy);
      const evaluate: Evaluate = (req) => decideRequest(p.checks, req, undefined);
      const handler: Handler = function corsguardDisabled(req, res, next) {
        const headers = req.headers;
        const plain = isPlain(req);
        // CORS off here, but a route below may turn it on: its configuration answers preflights.
        if (
          routed &&
          headers.origin !== undefined &&
          isPreflightOf(req, headers) &&
          handOver(req, res, next, handler, false)
        ) {
          return;
        }
        if (kept(req, headers, plain) && takenBack(req, res, owner ?? handler)) {
          next();
          return;
        }
        const err = record(p, req, headers, plain, undefined, evaluate, owner ?? handler);
        next(err);
      };
      return handler;
    }
    case 'any':
    case 'static': {
      // The same headers for everyone: no lookup, no Vary: Origin; the browser compares.
      const p = plan(policy);
      const value = origin.kind === 'any' ? '*' : origin.origin;
      const evaluate: Evaluate = (req) => decideRequest(p.checks, req, value, routesOf(p, req));
      const handler: Handler = function corsguardStatic(req, res, next) {
        const headers = req.headers;
        const plain = isPlain(req);
        const preflight = headers.origin !== undefined && isPreflightOf(req, headers);
        if (preflight && routed && handOver(req, res, next, handler, p.auto)) return;
        if (kept(req, headers, plain) && takenBack(req, res, owner ?? handler)) {
          next();
          return;
        }
        const err = record(p, req, headers, plain, value, evaluate, owner ?? handler);
        if (err !== undefined) {
          next(err);
          return;
        }
        if (preflight) {
          answerPreflight(p, req, res, next, value);
          return;
        }
        answerActual(p, res, value);
        next();
      };
      return handler;
    }
    case 'match': {
      const p = plan(policy);
      const match = origin.match;
      const allowedOf = (requestOrigin: string | undefined): string | undefined =>
        typeof requestOrigin === 'string' && match(requestOrigin) ? requestOrigin : undefined;
      const evaluate: Evaluate = (req) =>
        decideRequest(p.checks, req, allowedOf(req.headers.origin), routesOf(p, req));
      const handler: Handler = function corsguard(req, res, next) {
        // req.headers is a getter: read once.
        const headers = req.headers;
        const plain = isPlain(req);
        const requestOrigin = headers.origin;
        const preflight = requestOrigin !== undefined && isPreflightOf(req, headers);
        if (preflight && routed && handOver(req, res, next, handler, p.auto)) return;
        if (kept(req, headers, plain) && takenBack(req, res, owner ?? handler)) {
          next();
          return;
        }
        const allowed = allowedOf(requestOrigin);
        const err = record(p, req, headers, plain, allowed, evaluate, owner ?? handler);
        if (err !== undefined) {
          next(err);
          return;
        }
        answer(p, req, res, next, requestOrigin, preflight, allowed);
      };
      return handler;
    }
    case 'function':
      return functionHandler(policy, origin.fn, owner);
  }
}

/** What a function-origin middleware needs to conclude a request, built once. */
interface FunctionPlan {
  readonly p: Plan;
  readonly self: Handler;
  /** Decisions on demand, one per kind of answer (refused, the request's origin, `*`). */
  readonly refused: Evaluate;
  readonly reflected: Evaluate;
  readonly any: Evaluate;
}

/**
 * Records and answers a request once its origin function has answered: `allowed` is the
 * Access-Control-Allow-Origin value, undefined for a refusal (or no Origin). The same for a
 * synchronous answer (no closure) and for one that came later.
 */
function conclude(
  f: FunctionPlan,
  req: IncomingMessage,
  res: ServerResponse,
  next: Next,
  headers: object,
  plain: boolean,
  requestOrigin: string | undefined,
  preflight: boolean,
  allowed: string | undefined,
): void {
  const p = f.p;
  const onDecision = p.policy.onDecision;
  if (!listened(onDecision)) {
    keep(
      req,
      headers,
      plain,
      allowed === undefined ? f.refused : allowed === '*' ? f.any : f.reflected,
    );
  } else {
    const decision = decideRequest(p.checks, req, allowed, routesOf(p, req));
    keep(req, headers, plain, decision);
    const err = superseded(req, f.self) ? undefined : publish(decision, req, onDecision);
    if (err !== undefined) {
      next(err);
      return;
    }
  }
  answer(p, req, res, next, requestOrigin, preflight, allowed);
}

function functionHandler(policy: Policy, fn: CustomOrigin, owner: Handler | undefined): Handler {
  const p = plan(policy);
  const onDecision = policy.onDecision;
  const { lookup, clear } = originResolver(
    fn,
    policy.credentials,
    policy.originTimeout,
    policy.originCache,
  );
  const handler: Handler = function corsguardFunction(req, res, next) {
    const headers = req.headers;
    const plain = isPlain(req);
    const requestOrigin = headers.origin;
    const preflight = requestOrigin !== undefined && isPreflightOf(req, headers);
    if (preflight && owner === undefined && handOver(req, res, next, handler, p.auto)) return;
    // Taken back now: a failure below must not leave an earlier corsguard's answer standing.
    if (kept(req, headers, plain) && takenBack(req, res, f.self)) {
      next();
      return;
    }
    // No Origin: not a CORS request. (A malformed or repeated Origin is refused by the lookup.)
    if (typeof requestOrigin !== 'string') {
      conclude(f, req, res, next, headers, plain, undefined, preflight, undefined);
      return;
    }
    const now = lookup(requestOrigin);
    if (!(now instanceof Later)) {
      conclude(f, req, res, next, headers, plain, requestOrigin, preflight, now);
      return;
    }
    // The decision of an asynchronous answer is worked out when it arrives, once.
    now.wait((result) => {
      if ('allowed' in result) {
        conclude(f, req, res, next, headers, plain, requestOrigin, preflight, result.allowed);
        return;
      }
      const [message, hint] = LOOKUP_FAILURES[result.reason];
      const decision = failedRequest(
        req,
        requestOrigin,
        result.reason,
        result.error,
        message,
        hint,
      );
      keep(req, headers, plain, decision);
      if (listened(onDecision)) publish(decision, req, onDecision);
      next(result.error);
    });
  };
  const evaluateWith =
    (allowed: (req: IncomingMessage) => string | undefined): Evaluate =>
    (req) =>
      decideRequest(p.checks, req, allowed(req), routesOf(p, req));
  const f: FunctionPlan = {
    p,
    self: owner ?? handler,
    refused: evaluateWith(() => undefined),
    reflected: evaluateWith((req) => req.headers.origin),
    any: evaluateWith(() => '*'),
  };
  if (policy.originCache !== undefined) handler.clearOriginCache = clear;
  return handler;
}
