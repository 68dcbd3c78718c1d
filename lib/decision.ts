import { channel } from 'node:diagnostics_channel';
import { IncomingMessage } from 'node:http';
import { debuglog } from 'node:util';
import { CorsFunctionError, printable, show } from './errors.js';
import { ACRH, ACRM, isToken, isValidRequestHeaderList } from './headers.js';
import { isOriginSyntax } from './origin.js';
import type { RouteMethods } from './routes.js';

// Every request the middleware sees ends in one typed decision. The decision is what the browser
// will conclude from the answer: a preflight whose method or header is not allowed still gets the
// configured lists (so the browser can name the culprit), but its decision says it was refused.

/** What kind of request the middleware saw (Fetch §3.2.2). @public */
export type CorsRequestKind = 'not-cors' | 'actual' | 'preflight';

/** Why a CORS request was refused. @public */
export type CorsRefusalReason =
  /** The origin is not in the configuration. */
  | 'origin-not-allowed'
  /** `Origin` is not a serialized origin: a non-browser client, or two Origin headers joined. */
  | 'invalid-origin'
  /** The preflight asks for a method the configuration does not list. */
  | 'method-not-allowed'
  /** `Access-Control-Request-Method` is not a method name. */
  | 'invalid-request-method'
  /** The preflight asks for a request header the configuration does not list. */
  | 'header-not-allowed'
  /** `Access-Control-Request-Headers` is not a list of header names, or is too long. */
  | 'invalid-request-headers'
  /** The origin function threw, rejected or called back with an error. */
  | 'origin-resolver-error'
  /** The origin function did not answer in time. */
  | 'origin-resolver-timeout'
  /** The options delegate threw, rejected or called back with an error. */
  | 'options-delegate-error'
  /** Options from a delegate, or an origin function's answer, are invalid. */
  | 'invalid-configuration'
  /** `origin: false`: CORS is off for this request. */
  | 'cors-disabled';

/** A request that was let through: not a CORS request, or an allowed one. @public */
export interface CorsAllowedDecision {
  /** What kind of request it was: `not-cors` (no `Origin`), `actual` or `preflight`. */
  readonly kind: CorsRequestKind;
  /** Always true: the request went on with the CORS headers of an allowed origin (or none needed). */
  readonly allowed: true;
  /** The request's `Origin`, undefined for a request that is not a CORS request. */
  readonly origin: string | undefined;
}

/** A refused CORS request, with what to change. @public */
export interface CorsRefusedDecision {
  /** What kind of CORS request was refused. */
  readonly kind: 'actual' | 'preflight';
  /** Always false: no `Access-Control-*` header was sent. */
  readonly allowed: false;
  /** The request's `Origin`, as it came (quote it escaped: it is the client's text). */
  readonly origin: string;
  /** Why, as a stable code: what to count in metrics. */
  readonly reason: CorsRefusalReason;
  /** The offending value: the origin, the method, the header names or list, or the error message. */
  readonly value: string;
  /** What the configuration allows for that part of the request. */
  readonly allows: readonly string[];
  /** One line: what was refused and how to allow it. */
  readonly message: string;
  /** The error, for `origin-resolver-*`, `options-delegate-error` and `invalid-configuration`. */
  readonly error?: unknown;
}

/**
 * The decision corsguard took for one request. @public
 */
export type CorsDecision = CorsAllowedDecision | CorsRefusedDecision;

/** What a compiled policy allows, in the terms decisions are made and explained in. */
export interface Checks {
  readonly disabled: boolean;
  /** A function origin decides: its refusals are its own. */
  readonly byFunction: boolean;
  /** Descriptions of the allowed origins, for messages. */
  readonly origins: readonly string[];
  readonly credentials: boolean;
  /** Methods a preflight may ask for, as listed (case-sensitive), and whether `*` covers any. */
  readonly methods: readonly string[];
  readonly methodSet: ReadonlySet<string>;
  readonly anyMethod: boolean;
  /** Header names a preflight may ask for, in lower case; null when the request's list is reflected. */
  readonly headers: readonly string[] | null;
  readonly headerSet: ReadonlySet<string>;
  readonly anyHeader: boolean;
}

const SAFELISTED_METHODS = new Set(['GET', 'HEAD', 'POST']);

export function checks(
  disabled: boolean,
  byFunction: boolean,
  origins: readonly string[],
  credentials: boolean,
  methods: string | undefined,
  headers: string | undefined | null,
): Checks {
  const methodList = methods === undefined ? [] : methods.split(',');
  const headerList = headers === null ? null : headers === undefined ? [] : headers.split(',');
  const lower = (headerList ?? []).map((name) => name.toLowerCase());
  return {
    disabled,
    byFunction,
    origins,
    credentials,
    methods: methodList,
    methodSet: new Set(methodList),
    anyMethod: !credentials && methodList.includes('*'),
    headers: headerList,
    headerSet: new Set(lower),
    anyHeader: !credentials && lower.includes('*'),
  };
}

export const NOT_CORS: CorsAllowedDecision = Object.freeze({
  kind: 'not-cors',
  allowed: true,
  origin: undefined,
});

function refuse(
  kind: 'actual' | 'preflight',
  origin: string,
  reason: CorsRefusalReason,
  value: string,
  allows: readonly string[],
  message: string,
  error?: unknown,
): CorsRefusedDecision {
  // The message holds values from the request: it is made printable once, here, for every reader.
  const text = printable(message);
  return error === undefined
    ? { kind, allowed: false, origin, reason, value, allows, message: text }
    : { kind, allowed: false, origin, reason, value, allows, message: text, error };
}

const listed = (items: readonly string[]): string =>
  items.length === 0 ? 'none' : items.join(', ');

/**
 * Decides a request from what the policy allows and the `Access-Control-Allow-Origin` value the
 * middleware chose (undefined when the origin was refused).
 */
export function decide(
  c: Checks,
  req: IncomingMessage,
  allowOrigin: string | undefined,
  routes?: RouteMethods,
): CorsDecision {
  const origin = req.headers.origin;
  if (origin === undefined) return NOT_CORS;
  const kind = req.method === 'OPTIONS' && req.headers[ACRM] !== undefined ? 'preflight' : 'actual';
  if (c.disabled) {
    return refuse(
      kind,
      origin,
      'cors-disabled',
      origin,
      [],
      'CORS is off for this request (origin: false)',
    );
  }
  if (allowOrigin === undefined || (allowOrigin !== '*' && allowOrigin !== origin)) {
    if (!isOriginSyntax(origin)) {
      return refuse(
        kind,
        origin,
        'invalid-origin',
        origin,
        c.origins,
        `Origin ${show(origin)} is not an origin a browser sends (a non-browser client, or two Origin headers joined)`,
      );
    }
    return refuse(kind, origin, 'origin-not-allowed', origin, c.origins, originRefusal(c, origin));
  }
  if (kind === 'actual') return { kind, allowed: true, origin };
  const method = req.headers[ACRM]!;
  if (!isToken(method)) {
    return refuse(
      kind,
      origin,
      'invalid-request-method',
      method,
      c.methods,
      `Access-Control-Request-Method ${show(method)} is not a method name`,
    );
  }
  if (routes !== undefined) {
    // methods: 'auto': only what a route handles, safelisted or not.
    if (!routes.set.has(method)) {
      return refuse(
        kind,
        origin,
        'method-not-allowed',
        method,
        routes.list,
        `method ${method} is not allowed: no route handles ${method} for this path (routes handle: ${listed(routes.list)}); add the route, or list the methods instead of 'auto'`,
      );
    }
  } else if (!SAFELISTED_METHODS.has(method) && !c.anyMethod && !c.methodSet.has(method)) {
    return refuse(
      kind,
      origin,
      'method-not-allowed',
      method,
      c.methods,
      `method ${method} is not allowed; add "${method}" to the methods option (allowed: ${listed(c.methods)})`,
    );
  }
  // Typed as a string by Node, but other stacks may hand over what they like.
  const requested: unknown = req.headers[ACRH];
  if (requested === undefined || requested === '') return { kind, allowed: true, origin };
  if (typeof requested !== 'string' || !isValidRequestHeaderList(requested)) {
    const text = typeof requested === 'string' ? requested : JSON.stringify(requested);
    return refuse(
      kind,
      origin,
      'invalid-request-headers',
      text,
      c.headers ?? [],
      `Access-Control-Request-Headers ${show(text)} is not a list of header names (at most 4096 characters and 100 names)`,
    );
  }
  if (c.headers === null) return { kind, allowed: true, origin };
  const missing: string[] = [];
  for (const raw of requested.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '' || c.headerSet.has(name) || (c.anyHeader && name !== 'authorization')) continue;
    missing.push(name);
  }
  if (missing.length === 0) return { kind, allowed: true, origin };
  const names = missing.join(',');
  const anyNote =
    c.anyHeader && missing.includes('authorization') ? ' ("*" never covers Authorization)' : '';
  return refuse(
    kind,
    origin,
    'header-not-allowed',
    names,
    c.headers,
    `request header ${names} is not allowed${anyNote}; add "${missing.join('", "')}" to the allowedHeaders option (allowed: ${listed(c.headers)})`,
  );
}

/**
 * Why an origin was refused and what to change, in the terms of the configuration: a function's
 * own refusal, a wildcard that never covers its apex, or an entry that differs only by scheme.
 */
function originRefusal(c: Checks, origin: string): string {
  if (c.byFunction) {
    return `origin ${origin} is not allowed: the origin function refused it (it answered false, null or a value that does not match); change what the function answers for ${origin}`;
  }
  const base = `origin ${origin} is not allowed`;
  const add = `add "${origin}" to the origin option (allowed: ${listed(c.origins)})`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(origin)?.[1];
  for (const entry of c.origins) {
    // `https://*.example.org` never covers `https://example.org` itself.
    const wild = /^([a-z][a-z0-9+.-]*:\/\/)\*\.(.*)$/.exec(entry);
    if (wild !== null && origin === wild[1]! + wild[2]!) {
      return `${base}: the wildcard in "${entry}" covers subdomains only, never the apex ${origin} itself; ${add}`;
    }
  }
  if (scheme === 'http' || scheme === 'https') {
    const other = (scheme === 'http' ? 'https' : 'http') + origin.slice(scheme.length);
    if (c.origins.includes(other)) {
      return `${base}: the origin option has "${other}", but the page is served over ${scheme}: (a different origin to browsers); serve the page over ${scheme === 'http' ? 'https' : 'http'}:, or ${add}`;
    }
  }
  return `${base}; ${add}`;
}

/** A refusal for a request that ended in next(err). */
export function failed(
  req: IncomingMessage,
  origin: string,
  reason: CorsRefusalReason,
  error: unknown,
  message: string,
  hint: string,
): CorsRefusedDecision {
  const kind = req.method === 'OPTIONS' && req.headers[ACRM] !== undefined ? 'preflight' : 'actual';
  // One line, whatever the error says: a CorsConfigError lists its issues on separate lines.
  const detail = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
  return refuse(kind, origin, reason, detail, [], `${message}: ${detail}${hint}`, error);
}

// ---------------------------------------------------------------------------------------------------
// Where decisions go: the request (for corsDecision), onDecision, the diagnostics channel, NODE_DEBUG.

/** A decision, or a function that works it out on demand (so nobody pays for unread decisions). */
export type Stored = CorsDecision | ((req: IncomingMessage) => CorsDecision);

/** Reads and writes a private field on any object. */
export interface Stamp {
  readonly has: (headers: object) => boolean;
  readonly get: (headers: object) => Stored | undefined;
  readonly set: (headers: object, value: Stored) => void;
}

// What corsguard keeps for a request is a preallocated function of the middleware that works the
// decision out on demand, or the decision itself when it was needed at once: on a plain node:http
// request, in a Symbol-keyed property (see PLAIN below); on any other, in one private field of the
// request's headers object (`req.headers`). Why there:
// - the headers object is a plain object that Node builds per request and Express leaves alone, so
//   requests with the same header names share hidden classes and the field's addition is a cached
//   transition (tens of nanoseconds); `req` itself, which Express re-prototypes, gets a hidden class
//   of its own from any new property (about 2 µs per request), and a WeakMap costs a few hundred
//   nanoseconds per request in its own work and in the garbage collector's;
// - a private field is invisible: not an own key (Object.keys, Reflect.ownKeys, spread, JSON,
//   `new Headers(req.headers)` and util.inspect never see it), unlike a Symbol-keyed property.
// A class whose base constructor returns its argument adds the field to any object. The class is
// shared through globalThis, so every copy of corsguard in the process (ES module and CommonJS
// builds alike) reads what another wrote.
function makeStamp(): Stamp {
  // A derived class that returns its argument without calling super(): no object is allocated
  // for `this` (a base constructor would allocate one per call, to throw it away).
  class Base extends Object {
    // @ts-expect-error TS2377: no super() call, on purpose (see above)
    constructor(target: object) {
      return target;
    }
  }
  class Stamped extends Base {
    #stored: Stored | undefined;
    static readonly has = (target: object): boolean => #stored in target;
    static readonly get = (target: object): Stored | undefined =>
      #stored in target ? target.#stored : undefined;
    static readonly set = (target: object, value: Stored): void => {
      if (#stored in target) target.#stored = value;
      else new Stamped(target).#stored = value;
    };
  }
  return { has: Stamped.has, get: Stamped.get, set: Stamped.set };
}

const REGISTRY = Symbol.for('corsguard.decisions.v2');
const holder = globalThis as unknown as Record<symbol, Stamp | undefined>;
/** Shared by every copy of corsguard in the process. */
const stamp: Stamp = (holder[REGISTRY] ??= makeStamp());

/** The headers object a decision is kept on, or undefined for something that is not a request. */
function carrier(req: IncomingMessage): object | undefined {
  const headers = (req as { headers?: unknown } | null | undefined)?.headers;
  return typeof headers === 'object' && headers !== null ? headers : undefined;
}

const PLAIN: object = IncomingMessage.prototype;
// A plain node:http request keeps its decision in a Symbol-keyed property instead: such requests
// share hidden classes with slack for it, and the write costs a few nanoseconds where the private
// field costs tens. A Symbol key is not an own string key (Object.keys, JSON, for...in).
const DECISION = Symbol.for('corsguard.decision');
type Tagged = IncomingMessage & { [DECISION]?: Stored };

/** True for a plain node:http request (one no framework has re-prototyped). */
export function isPlain(req: IncomingMessage): boolean {
  return Object.getPrototypeOf(req) === PLAIN;
}

/** True when a corsguard has decided this request before; `plain` is {@link isPlain}(req). */
export function kept(req: IncomingMessage, headers: object, plain: boolean): boolean {
  return plain ? (req as Tagged)[DECISION] !== undefined : stamp.has(headers);
}

/** Keeps what corsguard decided for this request (see {@link kept}). */
export function keep(req: IncomingMessage, headers: object, plain: boolean, value: Stored): void {
  if (plain) (req as Tagged)[DECISION] = value;
  else stamp.set(headers, value);
}

export function store(req: IncomingMessage, decision: Stored): void {
  keep(req, req.headers, isPlain(req), decision);
}

/** True when a corsguard has already taken a decision for this request (another one is later). */
export function decidedBefore(req: IncomingMessage): boolean {
  return kept(req, req.headers, isPlain(req));
}

/**
 * The decision corsguard took for this request, or undefined when no corsguard middleware has seen
 * it (yet). Readable from any later middleware or handler.
 *
 * Nothing is worked out until it is asked for: per request, corsguard keeps one value, and the
 * decision is derived from the request on the first call. On a plain `node:http` request the value
 * is the property `Symbol.for('corsguard.decision')`; on a request a framework re-prototyped
 * (Express), it is a private field of `req.headers`, invisible (`Object.keys`, spread, JSON and
 * `new Headers(req.headers)` never see it). A middleware that replaces `req.headers` with a new
 * object after corsguard ran on such a request leaves this undefined.
 *
 * @example
 * ```ts
 * app.use((req, res, next) => {
 *   const decision = corsDecision(req);
 *   if (decision && !decision.allowed) metrics.increment(`cors.refused.${decision.reason}`);
 *   next();
 * });
 * ```
 * @public
 */
export function corsDecision(req: IncomingMessage): CorsDecision | undefined {
  const headers = carrier(req);
  if (headers === undefined) return undefined;
  // Where it is kept now, or where it was kept before the request changed prototype.
  const plain = isPlain(req);
  const found =
    (plain ? (req as Tagged)[DECISION] : stamp.get(headers)) ??
    (plain ? stamp.get(headers) : (req as Tagged)[DECISION]);
  if (typeof found !== 'function') return found;
  const decision = found(req);
  keep(req, headers, plain, decision);
  return decision;
}

/** Called once per decision; see the `onDecision` option. */
export type DecisionListener = (decision: CorsDecision, req: IncomingMessage) => void;

const decisions = channel('corsguard:decision');
const debug = debuglog('corsguard');
const debugEnabled = debug.enabled;

/** The NODE_DEBUG line for a refusal: the request, the origin, the reason and the fix. */
export function refusalLine(decision: CorsRefusedDecision, req: IncomingMessage): string {
  return printable(
    `refused ${decision.kind} ${String(req.method)} ${String(req.url)} from ${decision.origin}: ${decision.reason}; ${decision.message}`,
  );
}

/** True when a decision must be worked out now because somebody is listening. */
export function listened(onDecision: DecisionListener | undefined): boolean {
  return onDecision !== undefined || debugEnabled || decisions.hasSubscribers;
}

/**
 * Sends a decision to `onDecision`, the `corsguard:decision` channel and NODE_DEBUG. Returns what
 * `onDecision` threw, if it threw, so the caller can pass it to next(err).
 */
export function publish(
  decision: CorsDecision,
  req: IncomingMessage,
  onDecision: DecisionListener | undefined,
): unknown {
  // A no-op unless NODE_DEBUG names corsguard (util.debuglog).
  if (!decision.allowed) debug('%s', refusalLine(decision, req));
  if (decisions.hasSubscribers) decisions.publish({ decision, req });
  if (onDecision === undefined) return undefined;
  try {
    onDecision(decision, req);
    return undefined;
  } catch (err) {
    if (err) return err;
    return new CorsFunctionError(
      'CORS_ON_DECISION_FAILED',
      `corsguard: onDecision threw ${String(err)}; throw an Error`,
      err,
    );
  }
}
