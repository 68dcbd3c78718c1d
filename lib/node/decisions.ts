import { channel } from 'node:diagnostics_channel';
import { IncomingMessage } from 'node:http';
import { debuglog } from 'node:util';
import {
  type CorsDecision,
  type CorsRefusalReason,
  type CorsRefusedDecision,
  type Checks,
  type RouteMethods,
  decide,
  failed,
  kindOf,
} from '../core/decision.js';
import { ACRH, ACRM } from '../core/headers.js';
import { provideHost } from '../core/host.js';

// The Node front's side of decisions: the host the core publishes through (Node's own channel,
// debuglog and warnings), decisions taken from a Node request, and where a request keeps its
// decision for corsDecision(req).

provideHost(() => {
  return {
    decisions: channel('corsguard:decision'),
    debug: debuglog('corsguard'),
    emitWarning: (message, options) => {
      process.emitWarning(message, options);
    },
  };
});

/** Decides a Node request (see the core's decide). */
export function decideRequest(
  c: Checks,
  req: IncomingMessage,
  allowOrigin: string | undefined,
  routes?: RouteMethods,
): CorsDecision {
  const headers = req.headers;
  return decide(
    c,
    {
      origin: headers.origin,
      method: req.method,
      requestMethod: headers[ACRM],
      requestHeaders: headers[ACRH],
    },
    allowOrigin,
    routes,
  );
}

/** A refusal for a Node request that ended in next(err). */
export function failedRequest(
  req: IncomingMessage,
  origin: string,
  reason: CorsRefusalReason,
  error: unknown,
  message: string,
  hint: string,
): CorsRefusedDecision {
  const kind = kindOf(req.method, req.headers[ACRM]);
  return failed(kind, origin, reason, error, message, hint);
}

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
