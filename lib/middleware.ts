import type { IncomingMessage, ServerResponse } from 'node:http';
import { CorsConfigError } from './errors.js';
import {
  ACAC,
  ACAH,
  ACAM,
  ACAO,
  ACAPN,
  ACEH,
  ACMA,
  ACRH,
  ACRM,
  ACRPN,
  isValidRequestHeaderList,
} from './headers.js';
import { type Checks, checks, decide, failed, listened, publish, store } from './decision.js';
import { compileOrigin, type Policy } from './options.js';
import { type OriginMatcher, isOriginSyntax } from './origin.js';
import { callUser } from './settle.js';
import type { CustomOrigin, StaticOrigin } from './types.js';
import { type VaryFields, appendVary, varyFields } from './vary.js';

// The per-request path. A handler is specialised once per policy; per request it reads Origin,
// classifies the request (Fetch §3.2.2: a CORS-preflight request is OPTIONS with Origin and
// Access-Control-Request-Method), looks the origin up and sets ready-made strings.

type Next = (err?: unknown) => void;
export type Handler = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

const VARY_ORIGIN = varyFields('Origin');
const VARY_ORIGIN_ACRH = varyFields('Origin', 'Access-Control-Request-Headers');
const VARY_ACRH = varyFields('Access-Control-Request-Headers');

/** What a handler needs beyond the policy: the Vary fields of each kind of answer, the checks. */
interface Plan {
  readonly policy: Policy;
  readonly checks: Checks;
  /** Vary on responses that are not allowed preflights (Origin when the answer depends on it). */
  readonly vary: VaryFields | undefined;
  /** Vary on allowed preflights (adds Access-Control-Request-Headers when it is reflected). */
  readonly preflightVary: VaryFields | undefined;
}

function plan(policy: Policy, dependsOnOrigin: boolean): Plan {
  const reflect = policy.allowedHeaders === null;
  return {
    policy,
    checks: checks(
      policy.origin.kind === 'disabled',
      policy.origins,
      policy.credentials,
      policy.methods,
      policy.allowedHeaders,
    ),
    vary: dependsOnOrigin ? VARY_ORIGIN : undefined,
    preflightVary: dependsOnOrigin
      ? reflect
        ? VARY_ORIGIN_ACRH
        : VARY_ORIGIN
      : reflect
        ? VARY_ACRH
        : undefined,
  };
}

/** Headers of an actual (non-preflight) response; `allowOrigin` undefined means refused. */
function answerActual(p: Plan, res: ServerResponse, allowOrigin: string | undefined): void {
  if (p.vary !== undefined) appendVary(res, p.vary);
  if (allowOrigin === undefined) return;
  const policy = p.policy;
  res.setHeader(ACAO, allowOrigin);
  if (policy.credentials) res.setHeader(ACAC, 'true');
  if (policy.exposedHeaders !== undefined) res.setHeader(ACEH, policy.exposedHeaders);
}

/** Answers a preflight; a refused origin gets no Access-Control-* header at all. */
function answerPreflight(
  p: Plan,
  req: IncomingMessage,
  res: ServerResponse,
  next: Next,
  allowOrigin: string | undefined,
): void {
  const policy = p.policy;
  if (allowOrigin === undefined) {
    // Only configurations that depend on the origin ever refuse one.
    appendVary(res, VARY_ORIGIN);
  } else {
    if (p.preflightVary !== undefined) appendVary(res, p.preflightVary);
    res.setHeader(ACAO, allowOrigin);
    if (policy.credentials) res.setHeader(ACAC, 'true');
    if (policy.methods !== undefined) res.setHeader(ACAM, policy.methods);
    if (policy.allowedHeaders === null) {
      const requested = req.headers[ACRH];
      // Only a well-formed list of header names is reflected (RFC 9110 §5.6.2 tokens).
      if (
        typeof requested === 'string' &&
        requested !== '' &&
        isValidRequestHeaderList(requested)
      ) {
        res.setHeader(ACAH, requested);
      }
    } else if (policy.allowedHeaders !== undefined) {
      res.setHeader(ACAH, policy.allowedHeaders);
    }
    if (policy.maxAge !== undefined) res.setHeader(ACMA, policy.maxAge);
    if (policy.privateNetworkAccess && req.headers[ACRPN] === 'true') res.setHeader(ACAPN, 'true');
  }
  if (policy.preflightContinue) {
    next();
    return;
  }
  const status = policy.optionsSuccessStatus;
  res.statusCode = status;
  // RFC 9110 §8.6: no Content-Length in a 204; other statuses say the body is empty.
  if (status !== 204) res.setHeader('Content-Length', '0');
  res.end();
}

function isPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && req.headers[ACRM] !== undefined;
}

/**
 * Records the decision for `req`: worked out now and published when somebody listens, otherwise
 * left as `evaluate` for corsDecision() to work out on demand. Returns what onDecision threw.
 */
function record(
  p: Plan,
  req: IncomingMessage,
  allowOrigin: string | undefined,
  evaluate: (req: IncomingMessage) => ReturnType<typeof decide>,
): unknown {
  if (!listened(p.policy.onDecision)) {
    store(req, evaluate);
    return undefined;
  }
  const decision = decide(p.checks, req, allowOrigin);
  store(req, decision);
  return publish(decision, req, p.policy.onDecision);
}

/** Builds the middleware for a compiled policy, choosing the code path once. */
export function createHandler(policy: Policy): Handler {
  const origin = policy.origin;
  switch (origin.kind) {
    case 'disabled': {
      const p = plan(policy, false);
      const evaluate = (req: IncomingMessage) => decide(p.checks, req, undefined);
      return function corsguardDisabled(req, _res, next) {
        const err = record(p, req, undefined, evaluate);
        next(err);
      };
    }
    case 'any':
    case 'static': {
      // The same headers for everyone: no lookup, no Vary: Origin; the browser compares.
      const p = plan(policy, false);
      const value = origin.kind === 'any' ? '*' : origin.origin;
      const evaluate = (req: IncomingMessage) => decide(p.checks, req, value);
      return function corsguardStatic(req, res, next) {
        if (res.headersSent) {
          next();
          return;
        }
        const err = record(p, req, value, evaluate);
        if (err !== undefined) {
          next(err);
          return;
        }
        if (isPreflight(req) && req.headers.origin !== undefined) {
          answerPreflight(p, req, res, next, value);
          return;
        }
        answerActual(p, res, value);
        next();
      };
    }
    case 'match': {
      const p = plan(policy, true);
      const match = origin.match;
      const allowedOf = (req: IncomingMessage): string | undefined => {
        const requestOrigin = req.headers.origin;
        return typeof requestOrigin === 'string' && match(requestOrigin)
          ? requestOrigin
          : undefined;
      };
      const evaluate = (req: IncomingMessage) => decide(p.checks, req, allowedOf(req));
      return function corsguard(req, res, next) {
        if (res.headersSent) {
          next();
          return;
        }
        const allowed = allowedOf(req);
        const err = record(p, req, allowed, evaluate);
        if (err !== undefined) {
          next(err);
          return;
        }
        if (req.headers.origin === undefined) {
          appendVary(res, VARY_ORIGIN);
          next();
          return;
        }
        if (isPreflight(req)) {
          answerPreflight(p, req, res, next, allowed);
          return;
        }
        answerActual(p, res, allowed);
        next();
      };
    }
    case 'function':
      return functionHandler(policy, origin.fn);
  }
}

/** Reads a function origin's answer as the static forms are read, compiling each answer once. */
function answerReader(
  credentials: boolean,
): (answer: unknown, origin: string) => string | undefined | CorsConfigError {
  const objects = new WeakMap<object, OriginMatcher | CorsConfigError>();
  const strings = new Map<string, OriginMatcher | CorsConfigError>();
  const invalid = (value: unknown, message: string): CorsConfigError =>
    new CorsConfigError([{ option: 'origin (answer of the origin function)', value, message }]);
  const compile = (answer: StaticOrigin): OriginMatcher | CorsConfigError => {
    const issues: { option: string; value: unknown; message: string }[] = [];
    const compiled = compileOrigin(
      answer,
      credentials,
      (option, value, message) => {
        issues.push({ option: `${option} (answer of the origin function)`, value, message });
      },
      [],
    );
    if (issues.length > 0) return new CorsConfigError(issues);
    if (compiled.kind === 'static') return (o) => o === compiled.origin;
    return (compiled as { match: OriginMatcher }).match;
  };
  return (answer, origin) => {
    if (answer === true) return origin;
    if (answer === false || answer === null || answer === undefined) return undefined;
    if (answer === '*') {
      return credentials
        ? invalid(
            answer,
            '"*" cannot be combined with credentials: true; answer true to allow this origin.',
          )
        : '*';
    }
    let compiled: OriginMatcher | CorsConfigError | undefined;
    if (typeof answer === 'string') {
      compiled = strings.get(answer);
      if (compiled === undefined) {
        if (strings.size >= 1000) strings.clear();
        compiled = compile(answer);
        strings.set(answer, compiled);
      }
    } else if (answer instanceof RegExp || Array.isArray(answer)) {
      compiled = objects.get(answer);
      if (compiled === undefined) {
        compiled = compile(answer as StaticOrigin);
        objects.set(answer, compiled);
      }
    } else {
      return invalid(
        answer,
        'expected true, false, an origin string, a pattern, a RegExp or an array of those.',
      );
    }
    if (compiled instanceof CorsConfigError) return compiled;
    return compiled(origin) ? origin : undefined;
  };
}

function functionHandler(policy: Policy, fn: CustomOrigin): Handler {
  const p = plan(policy, true);
  const read = answerReader(policy.credentials);
  const onDecision = policy.onDecision;
  return function corsguardFunction(req, res, next) {
    if (res.headersSent) {
      next();
      return;
    }
    const requestOrigin = req.headers.origin;
    // The decision of an asynchronous answer is worked out when it arrives, once.
    const finish = (allowed: string | undefined): void => {
      const decision = decide(p.checks, req, allowed);
      store(req, decision);
      const err = listened(onDecision) ? publish(decision, req, onDecision) : undefined;
      if (err !== undefined || res.headersSent) {
        next(err);
        return;
      }
      if (requestOrigin === undefined) {
        appendVary(res, VARY_ORIGIN);
        next();
        return;
      }
      if (isPreflight(req)) {
        answerPreflight(p, req, res, next, allowed);
        return;
      }
      answerActual(p, res, allowed);
      next();
    };
    const fail = (
      origin: string,
      reason: 'origin-resolver-error' | 'invalid-configuration',
      error: unknown,
    ): void => {
      const message =
        reason === 'invalid-configuration'
          ? 'the origin function gave an invalid answer'
          : 'the origin function failed';
      const decision = failed(req, origin, reason, error, message);
      store(req, decision);
      if (listened(onDecision)) publish(decision, req, onDecision);
      next(error);
    };
    // No Origin: not a CORS request. A malformed or repeated Origin is refused without bothering
    // user code with it.
    if (typeof requestOrigin !== 'string' || !isOriginSyntax(requestOrigin)) {
      finish(undefined);
      return;
    }
    callUser(fn, requestOrigin, 'the origin function', (err, answer) => {
      if (err) {
        fail(requestOrigin, 'origin-resolver-error', err);
        return;
      }
      const allowed = read(answer, requestOrigin);
      if (allowed instanceof CorsConfigError) {
        fail(requestOrigin, 'invalid-configuration', allowed);
        return;
      }
      finish(allowed);
    });
  };
}
