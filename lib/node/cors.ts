import type { IncomingMessage } from 'node:http';
import { debuglog } from 'node:util';
import { NOT_CORS, listened, publish } from '../core/decision.js';
import { failedRequest, store } from './decisions.js';
import { type CorsConfigIssue, CorsConfigError, show } from '../core/errors.js';
import { type Handler, createHandler, takeBack, varyOnOrigin } from './middleware.js';
import { DEFAULT_ORIGIN_TIMEOUT, compileOptions, compileTimeout } from '../core/options.js';
import { handOver, markHandler } from './routes.js';
import { type WarningSink, compiled, emitOnce, perDelegate } from '../core/compile.js';
import { ContentCache } from '../core/content.js';
import { DELEGATE_FAILURES, delegateCaller } from '../core/dynamic.js';
import { ACRM } from '../core/headers.js';
import type * as decisions from '../core/decision.js';
import type * as errors from '../core/errors.js';
import type * as explaining from './explain.js';
import type * as types from '../types.js';
import type {
  CheckedCorsOptions,
  CorsDelegateSettings,
  CorsMiddleware,
  CorsOptions,
  CorsOptionsDelegate,
} from '../types.js';

/** True for something that looks like a request, as when `app.use(cors)` is written for `app.use(cors())`. */
function looksLikeRequest(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { method?: unknown }).method === 'string' &&
    typeof (value as { headers?: unknown }).headers === 'object'
  );
}

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
 * Validates and compiles options (or wraps a delegate) into a handler, reporting warnings to `warn`.
 * As in `cors`, `true` (engine.io passes `cors: true` through) means the defaults, and arguments
 * after an options object are ignored (Express Gateway calls every policy as
 * `policy(actionParams, config)`); a second argument keeps its meaning for a delegate.
 */
export function build(options: unknown, settings: unknown, warn: WarningSink): Handler {
  if (typeof options === 'function') {
    return delegateHandler(options as CorsOptionsDelegate, delegateTimeout(settings), warn);
  }
  const found = compiled(options);
  warn(found.warnings, found);
  return createHandler(found.policy);
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
  const perContent = new ContentCache<unknown>(compile);
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
        const decision = failedRequest(req, origin, reason, error, message, hint);
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
        handler = perContent.get(ownOrigin(answer.options, req.headers.origin));
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
