import type { IncomingMessage } from 'node:http';
import { debuglog } from 'node:util';
import { NOT_CORS, failed, listened, publish, store } from './decision.js';
import { type CorsConfigIssue, CorsConfigError, show } from './errors.js';
import { type Handler, createHandler, takeBack, varyOnOrigin } from './middleware.js';
import {
  type CorsWarning,
  type Policy,
  DEFAULT_ORIGIN_TIMEOUT,
  UNKNOWN_OPTIONS_IGNORED,
  compileOptions,
  compileTimeout,
} from './options.js';
import { handOver, markHandler } from './routes.js';
import { ContentCache } from './content.js';
import { DELEGATE_FAILURES, delegateCaller } from './dynamic.js';
import { ACRM } from './headers.js';
import type * as decisions from './decision.js';
import type * as errors from './errors.js';
import type * as explaining from './explain.js';
import type * as types from './types.js';
import type {
  CheckedCorsOptions,
  CorsDelegateSettings,
  CorsMiddleware,
  CorsOptions,
  CorsOptionsDelegate,
} from './types.js';

/** True for something that looks like a request, as when `app.use(cors)` is written for `app.use(cors())`. */
function looksLikeRequest(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { method?: unknown }).method === 'string' &&
    typeof (value as { headers?: unknown }).headers === 'object'
  );
}

/** Warnings emitted once per process whatever configuration they come from (by their text). */
const emittedInProcess = new Set<string>();

function warnOnce(warnings: readonly CorsWarning[], emitted: Set<string>): void {
  for (const warning of warnings) {
    if (warning.code === UNKNOWN_OPTIONS_IGNORED) {
      if (emittedInProcess.has(warning.message)) continue;
      emittedInProcess.add(warning.message);
    } else if (emitted.has(warning.code)) continue;
    emitted.add(warning.code);
    process.emitWarning(warning.message, { type: 'CorsguardWarning', code: warning.code });
  }
}

/** A configuration compiled once per content, whichever `cors()` call built it. */
interface Compiled {
  readonly policy: Policy;
  readonly warnings: readonly CorsWarning[];
}

// Middlewares built per request (`cors({...})(req, res, next)` inside another middleware, as
// Companion does) or several times with equal options compile once: a bounded cache by content
// (content.ts; never by identity alone, so an edited object is compiled afresh).
const compiledOptions = new ContentCache<Compiled>((options) => compileOptions(options), 64);
/** Configurations whose warnings `cors()` has emitted: each warns once per process. */
const warnedConfigurations = new WeakSet();
const NO_OPTIONS: object = Object.freeze({});

/** The compile-time error for a second argument after options (it is for an options delegate). */
type OnlyForDelegates =
  'a second argument is only for an options delegate; put these options in the first';

/**
 * Creates a CORS middleware for Express, Connect or `node:http`.
 *
 * The options are validated and compiled once, here: an invalid or insecure configuration throws a
 * {@link CorsConfigError} listing every problem. With no options it behaves like the `cors` package's
 * defaults: any origin (`Access-Control-Allow-Origin: *`), no credentials.
 *
 * One call signature takes options or a delegate, so that a compile-time refusal (see
 * {@link CheckedCorsOptions}) is the first line the compiler prints, not "No overload matches this call".
 * `Req` types the request a delegate receives (`cors<express.Request>((req, callback) => ...)`); `O`
 * is inferred from the options.
 *
 * @example
 * ```ts
 * import cors from 'corsguard';
 * app.use(cors({ origin: ['https://app.example.com', 'https://*.example.com'], credentials: true }));
 * ```
 * @param options - the options, or a function `(req, callback)` answering with options per request
 * @param settings - for a delegate only: `{ originTimeout }`
 * @returns the middleware `(req, res, next)`
 * @throws {@link CorsConfigError} when the options are invalid
 * @public
 */
export function cors<
  Req extends IncomingMessage = IncomingMessage,
  const O extends CorsOptions & object = CorsOptions,
>(
  options?: CheckedCorsOptions<O> | CorsOptionsDelegate<Req>,
  settings?: CorsOptions extends O
    ? CorsDelegateSettings
    : O extends (...args: never) => unknown
      ? CorsDelegateSettings
      : OnlyForDelegates,
): CorsMiddleware<Req>;
export function cors(options?: unknown, settings?: unknown): CorsMiddleware {
  if (looksLikeRequest(options)) {
    throw new CorsConfigError([
      {
        option: 'cors',
        value: options,
        message:
          'cors was used as a middleware itself; write app.use(cors()) (with parentheses), not app.use(cors).',
      },
    ]);
  }
  const handler = build(
    options,
    settings,
    typeof options === 'function' ? perDelegate() : emitOnce,
  );
  // A property set, not Object.assign's object: a middleware may be built on every request.
  handler.clearOriginCache ??= ignore;
  return handler as CorsMiddleware;
}

/** Emits the warnings of a configuration once per process (it is compiled once per content). */
function emitOnce(warnings: readonly CorsWarning[], compiled?: object): void {
  if (warnings.length === 0 || warnedConfigurations.has(compiled!)) return;
  warnedConfigurations.add(compiled!);
  warnOnce(warnings, new Set());
}

/** Emits the warnings of a delegate's answers once per delegate middleware and code. */
function perDelegate(): WarningSink {
  const emitted = new Set<string>();
  return (warnings) => {
    warnOnce(warnings, emitted);
  };
}

// The type names of @types/cors on the factory: `import cors from 'corsguard'` then
// `const options: cors.CorsOptions = ...`, as NestJS and tutorials write it; the CommonJS
// declarations (cjs.ts) have the same names.
// eslint-disable-next-line @typescript-eslint/no-namespace -- type names on the factory, as @types/cors has them
export declare namespace cors {
  /** The options of {@link cors}; see {@link types.CorsOptions | CorsOptions}. */
  export type CorsOptions = types.CorsOptions;
  /** The request a delegate gets: `cors.CorsOptionsDelegate<cors.CorsRequest>`, as in @types/cors. */
  export type CorsRequest = IncomingMessage;
  /** Per-request options; see {@link types.CorsOptionsDelegate | CorsOptionsDelegate}. */
  export type CorsOptionsDelegate<Req extends IncomingMessage = IncomingMessage> =
    types.CorsOptionsDelegate<Req>;
  /** The middleware {@link cors} returns. */
  export type CorsMiddleware<Req extends IncomingMessage = IncomingMessage> =
    types.CorsMiddleware<Req>;
  /** A function origin; see {@link types.CustomOrigin | CustomOrigin}. */
  export type CustomOrigin = types.CustomOrigin;
  /** The callback of a function origin. */
  export type OriginCallback = types.OriginCallback;
  /** An allow-list answer: `true`, `false`, an origin or pattern, a RegExp or an array of those. */
  export type StaticOrigin = types.StaticOrigin;
  /** One problem of a refused configuration. */
  export type CorsConfigIssue = errors.CorsConfigIssue;
  /** The decision taken for one request. */
  export type CorsDecision = decisions.CorsDecision;
  /** A request described for `explainCors`. */
  export type CorsExplainRequest = explaining.CorsExplainRequest;
}

function ignore(): void {
  // nothing is cached
}

/**
 * Reports the warnings of a compiled configuration; `compiled` is the configuration they belong to
 * when it is compiled once per content (the same object for equal options), undefined for the
 * answers of a delegate.
 */
export type WarningSink = (warnings: readonly CorsWarning[], compiled?: object) => void;

/**
 * Validates and compiles options (or wraps a delegate) into a handler, reporting warnings to `warn`.
 * As in `cors`, `true` (engine.io passes `cors: true` through) means the defaults, and arguments
 * after an options object are ignored (Express Gateway calls every policy as
 * `policy(actionParams, config)`); a second argument keeps its meaning for a delegate.
 */
export function build(options: unknown, settings: unknown, warn: WarningSink): Handler {
  if (typeof options === 'function') {
    return delegateHandler(options as CorsOptionsDelegate, delegateTimeout(settings), warn);
  }
  const given =
    options === undefined || options === null || options === true ? NO_OPTIONS : options;
  // Anything else that is no options object is refused by compileOptions, never cached.
  const compiled =
    typeof given === 'object' && !Array.isArray(given)
      ? compiledOptions.get(given)
      : compileOptions(given);
  warn(compiled.warnings, compiled);
  return createHandler(compiled.policy);
}

function delegateTimeout(settings: unknown): number {
  const issues: CorsConfigIssue[] = [];
  const issue = (option: string, value: unknown, message: string): void => {
    issues.push({ option, value, message });
  };
  let timeout = DEFAULT_ORIGIN_TIMEOUT;
  if (settings !== undefined) {
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
      issue('settings', settings, `expected { originTimeout }, got ${show(settings)}.`);
    } else {
      const { originTimeout, ...rest } = settings as { originTimeout?: unknown };
      for (const key of Object.keys(rest)) {
        issue(
          key,
          (rest as Record<string, unknown>)[key],
          'unknown setting; a delegate takes only originTimeout.',
        );
      }
      timeout = compileTimeout(originTimeout, 'originTimeout', issue);
    }
  }
  if (issues.length > 0) throw new CorsConfigError(issues);
  return timeout;
}

/**
 * Per-request options: validated and compiled once per content (content.ts), so options edited in
 * place between two requests (`opts.origin = false`, `opts.origin.push(...)`) are compiled afresh,
 * and options built anew for each request reuse the policy of equal ones.
 */
function delegateHandler(
  delegate: CorsOptionsDelegate,
  timeout: number,
  warn: WarningSink,
): Handler {
  const call = delegateCaller(delegate, timeout);
  // Handlers that cache origin answers, for clearOriginCache (weakly: options objects may go away).
  const caching = new Set<WeakRef<Handler>>();
  let defaults: Handler | undefined;
  let reflectNoted = false;
  // A handler, or the error (a CorsConfigError) that the options produced.
  const compile = (options: object): unknown => {
    try {
      const result = compileOptions(options);
      // Each options object is compiled once, and a bus would be subscribed to once per object:
      // delegates building their options per request would pile up subscriptions.
      if (result.policy.originCache?.bus !== undefined) return BUS_IN_DELEGATE(options);
      // A delegate answering origin: true with credentials has usually checked the origin itself:
      // no process warning (a false alarm then), one NODE_DEBUG line instead.
      const warnings = result.warnings.filter((w) => w.code !== REFLECT_ANY);
      if (warnings.length < result.warnings.length && !reflectNoted) {
        reflectNoted = true;
        debug(
          'an options delegate answered origin: true with credentials: true; every origin it answers so for is reflected with credentials, so make sure the delegate checks the origin first',
        );
      }
      warn(warnings);
      const handler = createHandler(result.policy, delegating);
      if (handler.clearOriginCache !== undefined) caching.add(new WeakRef(handler));
      return handler;
    } catch (err) {
      return err;
    }
  };
  const compiled = new ContentCache<unknown>(compile);
  const delegating: Handler = function corsguardDelegate(req, res, next) {
    // The options of this request may say methods: 'auto', so the route methods come along.
    if (
      req.method === 'OPTIONS' &&
      req.headers[ACRM] !== undefined &&
      req.headers.origin !== undefined &&
      handOver(req, res, next, delegating, true)
    ) {
      return;
    }
    if (takeBack(req, res, delegating)) {
      next();
      return;
    }
    const fail = (reason: keyof typeof DELEGATE_FAILURES, error: unknown): void => {
      const origin = req.headers.origin;
      if (origin === undefined) {
        store(req, NOT_CORS);
      } else {
        const [message, hint] = DELEGATE_FAILURES[reason];
        const decision = failed(req, origin, reason, error, message, hint);
        store(req, decision);
        if (listened(undefined)) publish(decision, req, undefined);
      }
      next(error);
    };
    call(req, (answer) => {
      if ('reason' in answer) {
        fail(answer.reason, answer.error);
        return;
      }
      let handler: unknown;
      if (answer.options === null) {
        handler = defaults ??= createHandler(compileOptions(undefined).policy, delegating);
      } else {
        handler = compiled.get(ownOrigin(answer.options, req.headers.origin));
      }
      if (typeof handler !== 'function') {
        fail('invalid-configuration', handler);
        return;
      }
      // Whatever options the delegate answered, it answered them for this request, and corsguard
      // cannot tell what they depended on: every answer says it may depend on the Origin (CORS off
      // and the defaults too, or a shared cache would serve that answer to an origin the delegate
      // treats otherwise). A failure is left to the error handler, without any header.
      varyOnOrigin(res);
      (handler as Handler)(req, res, next);
    });
  };
  delegating.clearOriginCache = (origin?: string) => {
    for (const ref of caching) {
      const cached = ref.deref();
      if (cached === undefined) caching.delete(ref);
      else cached.clearOriginCache!(origin);
    }
  };
  markHandler(delegating);
  return delegating;
}

const REFLECT_ANY = 'CORSGUARD_REFLECT_ANY_WITH_CREDENTIALS';

const BUS_IN_DELEGATE = (options: unknown): CorsConfigError =>
  new CorsConfigError([
    {
      option: 'originCache.bus (answer of the options delegate)',
      value: (options as { originCache: { bus: unknown } }).originCache.bus,
      message:
        'a bus is subscribed to when a middleware is built, and options answered per request are not: build the function-origin middleware once, cors({ origin, originCache: { ttl, bus } }), and mount it on the routes it is for; or leave the bus out of the delegate answers and let ttl bound staleness.',
    },
  ]);
const debug = debuglog('corsguard');

/**
 * Reads the origin of options a delegate built for this request. The request's own Origin
 * (`{ origin: req.headers.origin }` after the delegate's own check) allows that origin, whatever it
 * is: `Origin: null` is reflected as `true` would. An origin left undefined or null (an allow-map
 * miss, `{ origin: allowed.get(origin) }`, or a request without Origin) refuses: never a 500, and
 * never the default `*` that `cors` makes of it.
 */
function ownOrigin(options: object, requestOrigin: string | undefined): object {
  if (!('origin' in options)) return options;
  const origin = (options as { origin?: unknown }).origin;
  if (origin === undefined || origin === null) return { ...options, origin: false };
  return origin === requestOrigin ? { ...options, origin: true } : options;
}
