import { CorsFunctionError, printable, show } from './errors.js';
import { isToken, isValidRequestHeaderList } from './headers.js';
import { host } from './host.js';
import { isOriginSyntax } from './origin.js';

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

/** The methods an application's routes handle for a path, as corsguard sends them (`methods: 'auto'`). */
export interface RouteMethods {
  /** Upper case, in the order the routes were registered, HEAD next to GET. */
  readonly list: readonly string[];
  readonly set: ReadonlySet<string>;
  /** `Access-Control-Allow-Methods`, undefined when no route handles the path. */
  readonly header: string | undefined;
  /** `Allow`, undefined when no route handles the path. */
  readonly allow: string | undefined;
}

/**
 * The parts of a request a decision reads, as a front found them: `Origin`, the method,
 * `Access-Control-Request-Method` and `Access-Control-Request-Headers` (undefined when absent; the
 * last typed unknown, as stacks other than Node may hand over anything).
 */
export interface DecisionInput {
  readonly origin: string | undefined;
  readonly method: string | undefined;
  readonly requestMethod: string | undefined;
  readonly requestHeaders: unknown;
}

/** The kind of a CORS request (Fetch §3.2.2: a preflight is OPTIONS with Access-Control-Request-Method). */
export function kindOf(
  method: string | undefined,
  requestMethod: string | undefined,
): 'actual' | 'preflight' {
  return method === 'OPTIONS' && requestMethod !== undefined ? 'preflight' : 'actual';
}

/**
 * Decides a request from what the policy allows and the `Access-Control-Allow-Origin` value the
 * front chose (undefined when the origin was refused).
 */
export function decide(
  c: Checks,
  req: DecisionInput,
  allowOrigin: string | undefined,
  routes?: RouteMethods,
): CorsDecision {
  const origin = req.origin;
  if (origin === undefined) return NOT_CORS;
  const kind = kindOf(req.method, req.requestMethod);
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
  const method = req.requestMethod!;
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
  const requested = req.requestHeaders;
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

/** A refusal for a request that ended in an error (next(err), a rejected promise). */
export function failed(
  kind: 'actual' | 'preflight',
  origin: string,
  reason: CorsRefusalReason,
  error: unknown,
  message: string,
  hint: string,
): CorsRefusedDecision {
  // One line, whatever the error says: a CorsConfigError lists its issues on separate lines.
  const detail = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
  return refuse(kind, origin, reason, detail, [], `${message}: ${detail}${hint}`, error);
}

// ---------------------------------------------------------------------------------------------------
// Where decisions go beyond the request: onDecision, the diagnostics channel, NODE_DEBUG.

/** What a decision is published with: the request as the front has it (a Node request on Node). */
export interface Published {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
}

/** Called once per decision; see the `onDecision` option. */
export type DecisionListener = (decision: CorsDecision, req: never) => void;

/** The NODE_DEBUG line for a refusal: the request, the origin, the reason and the fix. */
export function refusalLine(decision: CorsRefusedDecision, req: Published): string {
  return printable(
    `refused ${decision.kind} ${String(req.method)} ${String(req.url)} from ${decision.origin}: ${decision.reason}; ${decision.message}`,
  );
}

/** True when a decision must be worked out now because somebody is listening. */
export function listened(onDecision: DecisionListener | undefined): boolean {
  return onDecision !== undefined || host.debugEnabled || host.decisions.hasSubscribers;
}

/**
 * Sends a decision to `onDecision`, the `corsguard:decision` channel and NODE_DEBUG. Returns what
 * `onDecision` threw, if it threw, so the caller can pass it on (next(err), a rejection).
 */
export function publish(
  decision: CorsDecision,
  req: Published,
  onDecision: DecisionListener | undefined,
): unknown {
  const { debug, decisions } = host;
  // A no-op unless NODE_DEBUG names corsguard (util.debuglog).
  if (!decision.allowed) debug('%s', refusalLine(decision, req));
  if (decisions.hasSubscribers) decisions.publish({ decision, req });
  if (onDecision === undefined) return undefined;
  try {
    (onDecision as (decision: CorsDecision, req: Published) => void)(decision, req);
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
