import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsDecision } from './core/decision.js';

/**
 * An allow-list answer: `true` allows any origin (reflecting it), `false` none; a string is an exact
 * origin (`'https://app.example.com'`) or a pattern (`'https://*.example.com'`, `'http://localhost:*'`);
 * a RegExp must be anchored (`/^https:\/\/[a-z]+\.example\.com$/`); an array combines them.
 *
 * @public
 */
export type StaticOrigin = boolean | string | RegExp | readonly (boolean | string | RegExp)[];

/**
 * How a function origin answers when it uses the callback: `callback(null, answer)` or `callback(err)`.
 * The numbers 1 (allow) and 0 (refuse) are Redis replies passed straight through
 * (`(origin, callback) => redis.sismember('allowed', origin, callback)`); any other number fails
 * with a `CorsFunctionError` (`CORS_ORIGIN_INVALID_ANSWER`).
 *
 * @public
 */
export type OriginCallback = (err: unknown, origin?: StaticOrigin | number | null) => void;

/**
 * A function origin, called with the request's `Origin` (never for requests without one, nor for a
 * malformed one). How its answer is read depends only on what it declares:
 * - `(origin, callback)`, as in `cors`: the callback alone answers; the return value is ignored
 *   (`db.get(...)` returning the Database is fine), except that an `async` function's rejection
 *   before the callback is a failure.
 * - `(origin)`: the return value, or what a returned Promise resolves to; `undefined` refuses.
 * - `(...args)` (a wrapper): the callback, or a returned native Promise's value other than
 *   `undefined`, whichever first; any other return value is ignored (node_redis returns `true`).
 *
 * The answer is read as a {@link StaticOrigin}: `true` (or the Redis reply `1`) allows, `false`,
 * `0`, `null` or `undefined` refuses, the request's own origin string allows, another string, a
 * RegExp or an array is judged as the same value in the `origin` option is (what a build would
 * refuse fails for every origin) and matched against the origin, by its content at the time of the
 * request. A throw, a rejection or `callback(err)` goes to `next(err)` (with a falsy
 * reason, as a `CorsFunctionError`). Only the first answer counts; `originTimeout` bounds the wait.
 *
 * @example
 * ```ts
 * cors({ origin: async (origin) => db.allowedOrigins.has(origin) })
 * cors({ origin: (origin, callback) => db.get(sql, [origin], (err, row) => callback(err, !!row)) })
 * ```
 * @public
 */
export type CustomOrigin = (requestOrigin: string, callback: OriginCallback) => unknown; // any return type: a callback-style function returns what its database call returns

/**
 * Options of {@link cors}, the same as the `cors` package's, plus `privateNetworkAccess`.
 *
 * @public
 */
export interface CorsOptions {
  /**
   * Which origins may read responses: `'*'` (any, the default), `true` (any, reflected), `false` (CORS
   * off), an exact origin, a pattern, an anchored RegExp, an array of those, or a function.
   * Drives `Access-Control-Allow-Origin` and `Vary: Origin`.
   * @defaultValue `'*'`
   * @example `['https://app.example.com', 'https://*.preview.example.com']`
   */
  origin?: StaticOrigin | CustomOrigin | undefined;
  /**
   * Methods allowed in preflights, as a comma list or an array. Drives `Access-Control-Allow-Methods`.
   *
   * `'auto'` (Express 4 and 5): a preflight is answered with the methods the application's routes
   * handle for its path (HEAD with GET), in `Access-Control-Allow-Methods` and `Allow`, and a
   * preflight for a method no route handles is refused (`method-not-allowed`). Where there is no
   * Express route table to read (Connect, `node:http`, `explainCors`) it is the
   * default list.
   * @defaultValue `'GET,HEAD,PUT,PATCH,POST,DELETE'`
   * @example `['GET', 'POST']`, `'auto'`
   */

  methods?: 'auto' | (string & {}) | readonly string[] | undefined;
  /**
   * Request headers allowed in preflights. When absent, the request's
   * `Access-Control-Request-Headers` is reflected after checking it is a list of header names.
   * Drives `Access-Control-Allow-Headers`.
   * @defaultValue reflect the request's list
   * @example `['Content-Type', 'Authorization']`
   */
  allowedHeaders?: string | readonly string[] | undefined;
  /** Alias of {@link CorsOptions.allowedHeaders}, as in the `cors` package. Give one or the other. */
  headers?: string | readonly string[] | undefined;
  /**
   * Response headers that scripts may read. Drives `Access-Control-Expose-Headers`.
   * @defaultValue none
   */
  exposedHeaders?: string | readonly string[] | undefined;
  /**
   * Whether requests with cookies or HTTP authentication may read responses. Drives
   * `Access-Control-Allow-Credentials: true`. Cannot be combined with `origin: '*'`, nor with
   * `origin` left out (it defaults to `'*'`): list the origins.
   * @defaultValue `false`
   */
  credentials?: boolean | undefined;
  /**
   * Seconds a browser may cache a preflight answer, a whole number from 0 to 86400 (Chromium caps it
   * at 7200). A string of decimal digits only (`'600'`, as the `cors` package accepts, say from an
   * environment variable) is that number; any other string is refused. Drives
   * `Access-Control-Max-Age`.
   * @defaultValue none (browsers then cache for 5 seconds)
   * @example `600`, `'600'`, `Number(process.env.CORS_MAX_AGE)`
   */
  maxAge?: number | `${number}` | undefined;
  /**
   * Pass preflights on to the next handler after setting the CORS headers, instead of answering them.
   * @defaultValue `false`
   */
  preflightContinue?: boolean | undefined;
  /**
   * Status of a preflight answer, 200 to 299.
   * @defaultValue `204`
   */
  optionsSuccessStatus?: number | undefined;
  /**
   * Answer `Access-Control-Request-Private-Network: true` with
   * `Access-Control-Allow-Private-Network: true` for allowed origins (Private Network Access, for the
   * browser versions that still send it). Never sent unless enabled and asked for.
   * @defaultValue `false`
   */
  privateNetworkAccess?: boolean | undefined;
  /**
   * Called once with every decision this middleware takes (allowed or refused, with the reason), for
   * metrics and logs. What it throws goes to `next(err)`. The same decisions are published on the
   * `node:diagnostics_channel` channel `'corsguard:decision'` as `{ decision, req }`.
   * @defaultValue none
   * @example `onDecision: (d) => { if (!d.allowed) log.warn(d.message) }`
   */
  onDecision?: ((decision: CorsDecision, req: IncomingMessage) => void) | undefined;
  /**
   * Milliseconds a function origin has to answer. Past it the request fails closed: `next(err)` gets
   * a `CorsTimeoutError` (`code` `'CORS_ORIGIN_TIMEOUT'`, `status` 503) and a late answer is ignored.
   * `0` turns the limit off.
   * @defaultValue `5000`
   */
  originTimeout?: number | undefined;
  /**
   * Keep the answers of a function origin, allow and refuse alike, per origin string for `ttl`
   * milliseconds, at most `max` of them (the oldest goes first). Concurrent requests for an origin that
   * is not cached yet share one call of the function. Errors and timeouts are not cached. Drop entries
   * with the middleware's `clearOriginCache(origin?)`.
   *
   * With several instances, `bus` carries each `clearOriginCache` to the others (see
   * {@link OriginCacheBus}): they drop the entry within the bus's propagation delay while it is up, and
   * within `ttl` otherwise. Not in the options an options delegate answers: build the
   * function-origin middleware once, with `cors({ origin, originCache })`.
   * @defaultValue none; `max` defaults to 1000
   * @example `originCache: { ttl: 60_000, max: 5000 }`, `originCache: { ttl: 60_000, bus: redisBus({ publisher, subscriber }) }`
   */
  originCache?:
    | {
        /** How long an answer is kept, in milliseconds. */
        ttl: number;
        /**
         * The most answers kept; the oldest goes first.
         * @defaultValue 1000
         */
        max?: number | undefined;
        /**
         * Where clears are published and heard: `redisBus(...)`, `postgresBus(...)` or your own.
         * Subscribed to once, when the middleware is built; never touched by a request.
         * @defaultValue none (each instance's cache is its own)
         */
        bus?: OriginCacheBus | undefined;
        /**
         * Hears each failure of the bus once: a clear that could not be published (`during`
         * `'publish'`; the local clear happened anyway), or a subscription that failed or lost its
         * connection (`'subscribe'`). Either way the other instances catch up within `ttl`. What it
         * throws is ignored. NODE_DEBUG=corsguard logs the same failures.
         * @defaultValue none
         */
        onBusError?: OriginCacheBusError | undefined;
      }
    | undefined;
}

/**
 * A message bus that keeps the origin caches of several instances coherent (`originCache.bus`).
 * corsguard subscribes once when the middleware is built and publishes one message per
 * `clearOriginCache` call; messages are short JSON strings of its own format (at most 2048
 * characters), and it skips its own. `redisBus` and `postgresBus` build one from your clients.
 *
 * @example
 * ```ts
 * // Any pub/sub will do (NATS, a cloud topic, ...):
 * const bus: OriginCacheBus = {
 *   publish: (message) => broker.publish('corsguard', message),
 *   subscribe: (onMessage) => broker.subscribe('corsguard', onMessage),
 * };
 * ```
 * @public
 */
export interface OriginCacheBus {
  /** Sends `message` to every subscriber (this one included is fine). A rejection is reported. */
  publish(message: string): void | Promise<void>;
  /**
   * Calls `onMessage` with every message published. `events`, when the bus can tell, hears that
   * messages may have been missed (`resync`: the cache is cleared once) and that the subscription
   * failed (`error`). May return a function that ends the subscription.
   */
  subscribe(
    onMessage: (message: string) => void,
    events?: OriginCacheBusEvents,
    // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- the documented shape: a subscribe may return nothing
  ): void | (() => void);
}

/**
 * What a bus may tell corsguard besides messages (the second argument of `subscribe`).
 *
 * @public
 */
export interface OriginCacheBusEvents {
  /** Messages may have been missed (the subscriber reconnected): the whole cache is cleared once. */
  readonly resync: () => void;
  /** The subscription failed or lost its connection: reported to `onBusError` and NODE_DEBUG. */
  readonly error: (error: unknown) => void;
}

/**
 * The `originCache.onBusError` hook: `during` is `'publish'` for a clear that could not be sent, and
 * `'subscribe'` for a subscription that failed or lost its connection.
 *
 * @public
 */
export type OriginCacheBusError = (error: unknown, during: 'publish' | 'subscribe') => void;

/**
 * Settings of a middleware built from an options delegate.
 *
 * @public
 */
export interface CorsDelegateSettings {
  /**
   * Milliseconds the delegate has to answer; past it `next(err)` gets a `CorsTimeoutError`
   * (status 503). `0` turns the limit off.
   * @defaultValue `5000`
   */
  originTimeout?: number | undefined;
}

/** The compile-time error where `'*'` meets `credentials: true`. */
type StarWithCredentials = "origin '*' cannot be combined with credentials: true; list the origins";
/** The compile-time error where `origin` is left out (so `'*'`) with `credentials: true`. */
type DefaultStarWithCredentials =
  "credentials: true needs an origin option: left out, it is '*', which cannot be combined with credentials; list the origins";

type KnownOption = Extract<keyof CorsOptions, string>;
/** Option names of other CORS middlewares (@koa/cors, hono/cors, ...) and corsguard's for them. */
interface OtherNames {
  allowHeaders: 'allowedHeaders';
  allowMethods: 'methods';
  exposeHeaders: 'exposedHeaders';
  withCredentials: 'credentials';
  allowOrigin: 'origin';
  allowedOrigins: 'origin';
}
/** The known options that `K` is a case-insensitive prefix of, or that are a prefix of `K`. */
type Near<K extends string> = {
  [P in KnownOption]: Lowercase<K> extends `${Lowercase<P>}${string}`
    ? P
    : Lowercase<P> extends `${Lowercase<K>}${string}`
      ? P
      : never;
}[KnownOption];
type Suggestion<K extends string> = K extends keyof OtherNames ? OtherNames[K] : Near<K>;
/** The compile-time error for an option name that does not exist. */
type UnknownOption<K> = K extends string
  ? [Suggestion<K>] extends [never]
    ? `unknown option '${K}'`
    : `unknown option '${K}': did you mean '${Suggestion<K>}'?`
  : 'unknown option';

/**
 * The options as {@link cors} checks them at compile time: `{ origin: '*', credentials: true }` is an
 * error (browsers refuse a credentialed response whose `Access-Control-Allow-Origin` is `*`), and so
 * is `{ credentials: true }` with `origin` left out (it defaults to `'*'`), and an option name that
 * does not exist (`credential`). Each error is reported at the property concerned, with a message
 * saying the fix. `corsguard/fetch`'s `cors` checks its options alike.
 *
 * @public
 */
export type CheckedCorsOptions<O extends object> = [Exclude<keyof O, KnownOption>] extends [never]
  ? O extends {
      /** Options that include credentials. */
      readonly credentials: true;
    }
    ? 'origin' extends keyof O
      ? O extends {
          /** Options whose origin is `'*'`. */
          readonly origin: '*';
        }
        ? { readonly [K in keyof O]: K extends 'origin' ? StarWithCredentials : O[K] }
        : O
      : { readonly [K in keyof O]: K extends 'credentials' ? DefaultStarWithCredentials : O[K] }
    : O
  : { readonly [K in keyof O]: K extends KnownOption ? O[K] : UnknownOption<K> };

/**
 * Per-request options: called with each request, it answers with the options for that request. It
 * is read as a {@link CustomOrigin} is: `(req, callback)` answers through the callback only,
 * `(req)` by its return value or Promise, a wrapper `(...args)` by whichever comes first. The answer
 * must be a plain options object; `callback(null)`, `callback(null, null)` and a returned `null`
 * mean the defaults, as in `cors`. Anything else, and `undefined` returned by `(req)`, fails closed:
 * `next(err)` with a `CorsConfigError`, never the defaults.
 *
 * @example
 * ```ts
 * cors((req, callback) => callback(null, { origin: req.url?.startsWith('/public') ? '*' : allowList }))
 * ```
 * @public
 */
export type CorsOptionsDelegate<Req extends IncomingMessage = IncomingMessage> = (
  req: Req,
  callback: (err: unknown, options?: CorsOptions | null) => void,
) => unknown; // any return type, as for CustomOrigin: an answer is checked per request

/**
 * The middleware returned by {@link cors}, for Express, Connect or plain `node:http`.
 *
 * @public
 */
export type CorsMiddleware<Req extends IncomingMessage = IncomingMessage> = ((
  req: Req,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void) & {
  /**
   * Drops the cached answer for `origin`, or every cached answer, so the next request asks the
   * origin function again (see `originCache`). Does nothing when nothing is cached.
   */
  clearOriginCache(origin?: string): void;
};
