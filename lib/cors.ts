import type { IncomingMessage } from 'node:http';
import { NOT_CORS, failed, listened, publish, store } from './decision.js';
import { CorsConfigError } from './errors.js';
import { type Handler, createHandler } from './middleware.js';
import { type CorsWarning, compileOptions } from './options.js';
import { callUser } from './settle.js';
import type {
  CheckedCorsOptions,
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

function warnOnce(warnings: readonly CorsWarning[], emitted: Set<string>): void {
  for (const warning of warnings) {
    if (emitted.has(warning.code)) continue;
    emitted.add(warning.code);
    process.emitWarning(warning.message, { type: 'CorsguardWarning', code: warning.code });
  }
}

/**
 * Creates a CORS middleware for Express, Connect or `node:http`.
 *
 * The options are validated and compiled once, here: an invalid or insecure configuration throws a
 * {@link CorsConfigError} listing every problem. With no options it behaves like the `cors` package's
 * defaults: any origin (`Access-Control-Allow-Origin: *`), no credentials.
 *
 * @example
 * ```ts
 * import cors from 'corsguard';
 * app.use(cors({ origin: ['https://app.example.com', 'https://*.example.com'], credentials: true }));
 * ```
 * @param options - the options, or a function `(req, callback)` answering with options per request
 * @returns the middleware `(req, res, next)`
 * @throws {@link CorsConfigError} when the options are invalid
 * @public
 */
export function cors<const O extends CorsOptions>(options?: CheckedCorsOptions<O>): CorsMiddleware;
export function cors<Req extends IncomingMessage = IncomingMessage>(
  delegate: CorsOptionsDelegate<Req>,
): CorsMiddleware<Req>;
export function cors(options?: unknown): CorsMiddleware {
  if (arguments.length > 1 || looksLikeRequest(options)) {
    throw new CorsConfigError([
      {
        option: 'cors',
        value: options,
        message:
          'cors was used as a middleware itself; write app.use(cors()) (with parentheses), not app.use(cors).',
      },
    ]);
  }
  const emitted = new Set<string>();
  return build(options, (warnings) => {
    warnOnce(warnings, emitted);
  });
}

/** Reports the warnings of a compiled configuration. */
export type WarningSink = (warnings: readonly CorsWarning[]) => void;

/** Validates and compiles options (or wraps a delegate) into a handler, reporting warnings to `warn`. */
export function build(options: unknown, warn: WarningSink): Handler {
  if (typeof options === 'function') return delegateHandler(options as CorsOptionsDelegate, warn);
  const { policy, warnings } = compileOptions(options);
  warn(warnings);
  return createHandler(policy);
}

/** Per-request options: each distinct options object is validated and compiled once. */
function delegateHandler(delegate: CorsOptionsDelegate, warn: WarningSink): Handler {
  const compiled = new WeakMap<object, unknown>();
  let defaults: Handler | undefined;
  // A handler, or the error (a CorsConfigError) that the options produced.
  const compile = (options: unknown): unknown => {
    try {
      const result = compileOptions(options);
      warn(result.warnings);
      return createHandler(result.policy);
    } catch (err) {
      return err;
    }
  };
  return function corsguardDelegate(req, res, next) {
    const fail = (
      reason: 'options-delegate-error' | 'invalid-configuration',
      error: unknown,
    ): void => {
      const origin = req.headers.origin;
      if (origin === undefined) {
        store(req, NOT_CORS);
      } else {
        const message =
          reason === 'invalid-configuration'
            ? 'the options delegate gave invalid options'
            : 'the options delegate failed';
        const decision = failed(req, origin, reason, error, message);
        store(req, decision);
        if (listened(undefined)) publish(decision, req, undefined);
      }
      next(error);
    };
    callUser(delegate, req, 'the options delegate', (err, options) => {
      if (err) {
        fail('options-delegate-error', err);
        return;
      }
      let handler: unknown;
      if (options === null || options === undefined) {
        handler = defaults ??= createHandler(compileOptions(undefined).policy);
      } else if (typeof options === 'object') {
        handler = compiled.get(options);
        if (handler === undefined) {
          handler = compile(options);
          compiled.set(options, handler);
        }
      } else {
        handler = compile(options);
      }
      if (typeof handler === 'function') (handler as Handler)(req, res, next);
      else fail('invalid-configuration', handler);
    });
  };
}
