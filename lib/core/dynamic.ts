import type { IncomingMessage } from 'node:http';
import { joinBus } from './bus.js';
import { type CacheSettings, OriginCache } from './cache.js';
import { ContentCache } from './content.js';
import {
  type CorsFunctionErrorCode,
  CorsConfigError,
  CorsFunctionError,
  CorsTimeoutError,
  show,
} from './errors.js';
import { type OriginMatcher, isOriginSyntax } from './origin.js';
import { type OriginPolicy, compileOptions } from './options.js';
import type { CorsOptionsDelegate, CustomOrigin } from '../types.js';

// User functions: origin functions and options delegates. How their answer is read depends only on
// what they declare, decided once when the middleware is built (as `cors` users write them):
//
// - two or more parameters (a callback with a default value, or `...rest` after the first, counts):
//   the callback alone answers, as in `cors`. Return values are ignored (sqlite3's `db.get` returns
//   the Database, `setTimeout` a Timeout), except a native Promise (an async function), whose
//   rejection before the callback is a failure. `then` is never called on anything else: mongoose's
//   `Model.findOne(filter, cb)` returns a Query whose `then` would run the query a second time.
// - exactly one: the return value, or the outcome of a returned Promise or thenable.
// - none (wrappers `(...args) => fn(...args)`, `arguments`): the callback, or the value of a returned
//   native Promise other than undefined, whichever comes first. Any other return value is ignored:
//   callback-style clients return booleans and handles (node_redis 2/3 returns `true` from every
//   command, `stream.write` and `emit` too), and none of them is an answer.
//
// The first answer wins, once; the time limit applies to every style. A synchronous answer is
// delivered after the user function has returned, so an exception thrown further down the chain is
// never taken for the user function's own.

/** How a user function answers; see above. */
export type Style = 'callback' | 'return' | 'either';

/**
 * Receives the first answer of a user function: `err` is truthy exactly when it failed (a falsy
 * reason becomes a CorsFunctionError); `returned` says the value came back by return or a returned
 * Promise, not through the callback.
 */
export type Settle<T> = (err: unknown, value: T | null | undefined, returned: boolean) => void;

type UserFunction<A, T> = (arg: A, callback: (err?: unknown, value?: T | null) => void) => unknown;

// ---------------------------------------------------------------------------------------------------
// What a function declares

/**
 * The parameters a function's source declares: how many, and whether the first is a rest parameter.
 * `fn.length` stops counting at the first parameter with a default value or a rest parameter, so
 * `(origin, callback = noop) => ...` has length 1. Undefined when the source cannot be read (native
 * and bound functions, or anything this small scanner does not follow).
 */
export function declaredParameters(
  source: string,
): { readonly count: number; readonly restFirst: boolean } | undefined {
  if (source.includes('[native code]')) return undefined;
  let i = skipSpace(source, 0);
  if (/^async(?![\w$])/.test(source.slice(i))) i = skipSpace(source, i + 5);
  if (/^function(?![\w$])/.test(source.slice(i))) {
    i = source.indexOf('(', i);
    if (i === -1) return undefined;
  } else if (source[i] !== '(') {
    // `x => ...` or a method `name(...) { ... }`
    const name = /^[A-Za-z_$][\w$]*/.exec(source.slice(i));
    if (name === null) return undefined;
    const after = skipSpace(source, i + name[0].length);
    if (source.startsWith('=>', after)) return { count: 1, restFirst: false };
    if (source[after] !== '(') return undefined;
    i = after;
  }
  return scanParameters(source, i + 1);
}

function skipSpace(s: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (s.startsWith('//', i)) {
      const end = s.indexOf('\n', i);
      i = end === -1 ? s.length : end + 1;
    } else if (s.startsWith('/*', i)) {
      const end = s.indexOf('*/', i + 2);
      if (end === -1) return s.length;
      i = end + 2;
    } else {
      return i;
    }
  }
}

const CLOSERS: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };
/** Characters after which a `/` starts a regular expression rather than a division. */
const BEFORE_REGEXP = '(,=:[!&|?{};+-*%<>~^';
/** Marks a `${` of a template literal on the bracket stack. */
const TEMPLATE = '`';

/** Counts the top-level parameters from just after the opening `(` to its `)`. */
function scanParameters(
  s: string,
  start: number,
): { readonly count: number; readonly restFirst: boolean } | undefined {
  const stack: string[] = [];
  let count = 0;
  let segment = false; // the current parameter has something in it
  let restFirst = false;
  let previous = '(';
  let i = skipSpace(s, start);
  const inTemplate = (): number => {
    // Scans template text from i (just past a backtick or a `}` closing `${`) to its end or `${`.
    while (i < s.length) {
      const c = s[i]!;
      if (c === '\\') i += 2;
      else if (c === '`') return i + 1;
      else if (c === '$' && s[i + 1] === '{') {
        stack.push(TEMPLATE);
        return i + 2;
      } else i++;
    }
    return -1;
  };
  while (i < s.length) {
    const c = s[i]!;
    if (stack.length === 0 && !segment && count === 0 && s.startsWith('...', i)) restFirst = true;
    if (c === '"' || c === "'") {
      i++;
      while (i < s.length && s[i] !== c) i += s[i] === '\\' ? 2 : 1;
      if (i >= s.length) return undefined;
      i++;
    } else if (c === '`') {
      i++;
      i = inTemplate();
      if (i === -1) return undefined;
    } else if (c === '/' && BEFORE_REGEXP.includes(previous)) {
      i++;
      let inClass = false;
      while (i < s.length && (inClass || s[i] !== '/')) {
        if (s[i] === '\\') i++;
        else if (s[i] === '[') inClass = true;
        else if (s[i] === ']') inClass = false;
        i++;
      }
      if (i >= s.length) return undefined;
      i++;
    } else if (c in CLOSERS) {
      stack.push(CLOSERS[c]!);
      i++;
    } else if (c === ')' || c === ']' || c === '}') {
      const top = stack.pop();
      if (top === undefined) {
        if (c !== ')') return undefined;
        return { count: segment ? count + 1 : count, restFirst };
      }
      if (top === TEMPLATE && c === '}') {
        i++;
        i = inTemplate();
        if (i === -1) return undefined;
      } else if (top !== c) {
        return undefined;
      } else {
        i++;
      }
    } else if (c === ',' && stack.length === 0) {
      if (!segment) return undefined; // an empty parameter: not a parameter list
      count++;
      segment = false;
      i++;
    } else {
      i++;
    }
    if (c !== ',' || stack.length !== 0) segment = true;
    previous = c;
    i = skipSpace(s, i);
  }
  return undefined;
}

/** How `fn` answers, from what it declares. */
export function styleOf(fn: (...args: never[]) => unknown): Style {
  if (fn.length >= 2) return 'callback';
  // Never throws for a callable: a Proxy or a bound function reads as native code.
  const declared = declaredParameters(Function.prototype.toString.call(fn));
  if (declared === undefined) return fn.length === 1 ? 'return' : 'either';
  if (declared.restFirst || declared.count === 0) return 'either';
  return declared.count >= 2 ? 'callback' : 'return';
}

// ---------------------------------------------------------------------------------------------------
// Calling a user function

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Who is being called: for messages and for the code of a failure without a reason. */
interface Caller {
  readonly what: string;
  readonly code: CorsFunctionErrorCode;
}

/** A failure with a falsy reason would read as success in `next(err)`: it gets an error of its own. */
function failure(reason: unknown, caller: Caller): unknown {
  if (reason) return reason;
  return new CorsFunctionError(
    caller.code,
    `corsguard: ${caller.what} failed without an error (it threw or rejected with ${String(reason)}); ` +
      'throw an Error, or answer false to refuse an origin',
    reason,
  );
}

/**
 * Calls `fn(arg, callback)` in the given style and settles with its first answer, or with a
 * CorsTimeoutError when it has not answered within `timeout` milliseconds (0: no limit).
 */
export function callUser<A, T>(
  fn: UserFunction<A, T>,
  style: Style,
  arg: A,
  caller: Caller,
  timeout: number,
  settle: Settle<T>,
): void {
  const waiting = callUserNow(fn, style, arg, caller, timeout);
  if (waiting === undefined)
    settle(answered.err, answered.value as T | null | undefined, answered.returned);
  else waiting.settle = settle;
}

/** A user function's answer still to come: the caller sets `settle` right after the call. */
export interface Waiting<T> {
  settle: Settle<T>;
}

/**
 * The synchronous answer of the last {@link callUserNow} that returned undefined, valid until the
 * next call: read at once, it spares an allocation per answer.
 */
export const answered: { err: unknown; value: unknown; returned: boolean } = {
  err: null,
  value: undefined,
  returned: false,
};

/**
 * Calls `fn` as {@link callUser} does. Returns undefined when the answer came before `fn` returned
 * (it is then in {@link answered}), or a {@link Waiting} whose `settle` the caller must set at once,
 * before anything else runs, to receive the answer (or the timeout) later.
 */
export function callUserNow<A, T>(
  fn: UserFunction<A, T>,
  style: Style,
  arg: A,
  caller: Caller,
  timeout: number,
): Waiting<T> | undefined {
  const call = new Call<T>(caller);
  const callback = (e?: unknown, v?: T | null): void => {
    if (e) call.answer(e, undefined, false);
    else call.answer(null, v, false);
  };
  try {
    const result = fn(arg, callback);
    if (style === 'callback') {
      // Observed even when the callback answered first, so a rejection is never unhandled.
      if (result instanceof Promise) {
        result.then(undefined, (reason: unknown) => {
          call.fail(reason);
        });
      }
    } else if (style === 'either') {
      // A wrapper's return value is what it wraps returned: node_redis's `true`, stream.write's
      // `true`, a Database. Only a native Promise (an async wrapper) is an answer, and one that
      // resolves to undefined leaves it to the callback.
      if (result instanceof Promise) {
        result.then(
          (v: unknown) => {
            if (v !== undefined) call.answer(null, v as T | null, true);
          },
          (reason: unknown) => {
            call.fail(reason);
          },
        );
      } else if (result !== undefined) call.ignored = result;
    } else if (isThenable(result)) {
      Promise.resolve(result).then(
        (v) => {
          call.answer(null, v as T | null, true);
        },
        (reason: unknown) => {
          call.fail(reason);
        },
      );
    } else {
      call.answer(null, result as T | null | undefined, true);
    }
  } catch (e) {
    // fn threw, or reading `then` on its result did; an answer given before the throw stands.
    call.fail(e);
  }
  call.inside = false;
  if (call.settled) {
    answered.err = call.err;
    answered.value = call.value;
    answered.returned = call.returned;
    return undefined;
  }
  if (timeout !== 0) {
    // Only an answer still to come needs a timer.
    call.timer = setTimeout(() => {
      call.answer(
        new CorsTimeoutError(caller.what, timeout, ignoredNote(call.ignored)),
        undefined,
        false,
      );
    }, timeout);
  }
  return call;
}

/** Why a wrapper that timed out may never have meant to answer by callback. */
function ignoredNote(ignored: unknown): string {
  if (ignored === undefined) return '';
  return (
    `; it declares no parameter (a wrapper such as (...args) => f(...args)), so it answers through ` +
    `the callback or a returned Promise, and what it returned (${show(ignored)}) was ignored ` +
    `(a callback-style client returns such values from every call): call the callback, or declare ` +
    `(origin) to answer by returning`
  );
}

/** One call of a user function: its first answer, held while the function is still running. */
class Call<T> implements Waiting<T> {
  settled = false;
  /** What a wrapper returned that is no answer, for the message of a timeout. */
  ignored: unknown = undefined;
  /** The function has not returned yet: an answer now is held, and read once it has. */
  inside = true;
  err: unknown = null;
  value: T | null | undefined = undefined;
  returned = false;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Set by the caller right after the call, before any later answer can arrive. */
  settle: Settle<T> = undefined as unknown as Settle<T>;

  constructor(private readonly caller: Caller) {}

  answer(err: unknown, value: T | null | undefined, returned: boolean): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.inside) {
      this.err = err;
      this.value = value;
      this.returned = returned;
    } else this.settle(err, value, returned);
  }

  fail(reason: unknown): void {
    this.answer(failure(reason, this.caller), undefined, false);
  }
}

// ---------------------------------------------------------------------------------------------------
// Origin functions

/** How a request's origin lookup ended. */
export type Lookup =
  | { readonly allowed: string | undefined }
  | {
      readonly reason:
        'origin-resolver-error' | 'origin-resolver-timeout' | 'invalid-configuration';
      readonly error: unknown;
    };

/** What each failure of a lookup says, and how to avoid it, for decisions and NODE_DEBUG. */
export const LOOKUP_FAILURES = {
  // The cors README's `callback(new Error('Not allowed by CORS'))` answers refused origins with a 500.
  'origin-resolver-error': [
    'the origin function failed',
    '; an error goes to your error handler (a 500 unless it says otherwise): to refuse an origin cleanly, answer callback(null, false)',
  ],
  'origin-resolver-timeout': ['the origin function timed out', ''],
  'invalid-configuration': ['the origin function gave an invalid answer', ''],
} as const;

const ORIGIN_FUNCTION: Caller = { what: 'the origin function', code: 'CORS_ORIGIN_FAILED' };

/**
 * Reads a function origin's answer as the static forms are read: the `Access-Control-Allow-Origin`
 * value, undefined for a refusal, or the error of an invalid answer. An answer is judged by its
 * content now, by the rules the same value gets when built statically ('null' in a list, a wildcard
 * over a public suffix, an unanchored RegExp, '*' with credentials are refused for every origin
 * alike); what it compiles to is kept by content (content.ts), so an allow-list edited in place is
 * read afresh. One exception: the request's own origin as a string is the function's decision to
 * allow it (`callback(null, origin)` after its own check), `Origin: null` included. The integers 1
 * and 0 (Redis replies passed straight through: `redis.sismember(key, origin, callback)`) allow and
 * refuse.
 */
function answerReader(
  credentials: boolean,
): (answer: unknown, origin: string) => string | undefined | Error {
  // Judged as `{ origin: answer }` is when built, so the issues (and the suggestions that fix them)
  // are the same; they are named as the answer's.
  const compile = (answer: object | string): OriginMatcher | CorsConfigError => {
    let compiled: OriginPolicy;
    try {
      compiled = compileOptions({ origin: answer, credentials }).policy.origin;
    } catch (err) {
      return new CorsConfigError(
        (err as CorsConfigError).issues.map((issue) => ({
          ...issue,
          option: `${issue.option} (answer of the origin function)`,
        })),
      );
    }
    if (compiled.kind === 'static') return (o) => o === compiled.origin;
    return (compiled as { match: OriginMatcher }).match;
  };
  const objects = new ContentCache<OriginMatcher | CorsConfigError>(compile);
  const strings = new Map<string, OriginMatcher | CorsConfigError>();
  return (answer, origin) => {
    if (answer === true || answer === origin || answer === 1) return origin;
    if (answer === false || answer === null || answer === undefined || answer === 0) {
      return undefined;
    }
    if (answer === '*') {
      return credentials
        ? new CorsConfigError([
            {
              option: 'origin (answer of the origin function)',
              value: answer,
              message:
                '"*" cannot be combined with credentials: true; answer true to allow this origin.',
            },
          ])
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
    } else if (typeof answer === 'number') {
      return new CorsFunctionError(
        'CORS_ORIGIN_INVALID_ANSWER',
        `corsguard: the origin function answered the number ${show(answer)}; only 1 (allow) and 0 (refuse), as Redis replies, are read as answers: answer true or false`,
        answer,
      );
    } else {
      return new CorsConfigError([
        {
          option: 'origin (answer of the origin function)',
          value: answer,
          message: `expected true, false, an origin string, a pattern, a RegExp or an array of those, got ${show(answer)}.`,
        },
      ]);
    }
    if (compiled instanceof CorsConfigError) return compiled;
    return compiled(origin) ? origin : undefined;
  };
}

/** The end of a lookup that is still to come, or that failed: handed to each `wait`er once. */
export class Later {
  private result: Lookup | undefined;
  private readonly waiters: ((lookup: Lookup) => void)[] = [];

  /** True once the lookup has ended. */
  get ended(): boolean {
    return this.result !== undefined;
  }

  /** Calls `done` with the end of the lookup: now when it has ended, otherwise when it does. */
  wait(done: (lookup: Lookup) => void): void {
    if (this.result !== undefined) done(this.result);
    else this.waiters.push(done);
  }

  end(result: Lookup): void {
    this.result = result;
    for (const waiter of this.waiters) waiter(result);
    this.waiters.length = 0;
  }
}

function ended(result: Lookup): Later {
  const later = new Later();
  later.end(result);
  return later;
}

/** Asks a function origin about request origins; see {@link originResolver}. */
export interface OriginResolver {
  /**
   * The `Access-Control-Allow-Origin` value for a request origin when it is known before this
   * returns (a cached answer, a synchronous one, or a refusal of an origin a browser could not
   * send): a string, or undefined for a refusal. Otherwise a {@link Later} with the answer to come
   * or the failure. The synchronous path allocates no result.
   */
  readonly lookup: (origin: string) => string | undefined | Later;
  /** Drops cached answers (all, or one origin's) and lookups in flight, and tells the bus. */
  readonly clear: (origin?: string) => void;
}

function failureOf(err: unknown): Lookup {
  return {
    reason: err instanceof CorsTimeoutError ? 'origin-resolver-timeout' : 'origin-resolver-error',
    error: err,
  };
}

/**
 * Asks a function origin, within `timeout` milliseconds when it is not 0, keeping answers in a cache
 * when `cache` says so; concurrent lookups of an origin that is not cached share one call. A
 * malformed or repeated Origin (not one a browser sends) is refused without bothering the function
 * with it; a cached answer was given for an origin that passed that check. With a bus, the cache
 * subscribes to it here, once, and each clear is published; the lookup path never touches it
 * (bus.ts).
 */
export function originResolver(
  fn: CustomOrigin,
  credentials: boolean,
  timeout: number,
  cacheOptions: CacheSettings | undefined,
): OriginResolver {
  const style = styleOf(fn);
  const read = answerReader(credentials);
  const cache =
    cacheOptions === undefined ? undefined : new OriginCache(cacheOptions.ttl, cacheOptions.max);
  const pending = new Map<string, Later>();
  // Dropping a pending lookup makes the next request start a fresh one, and keeps the dropped one
  // from storing its (possibly stale) answer: a clear takes effect on the very next request.
  let clears = 0;
  const clearHere = (origin?: string): void => {
    clears++;
    cache?.clear(origin);
    if (origin === undefined) pending.clear();
    else pending.delete(origin);
  };
  const bus = cacheOptions?.bus;
  const publish = bus === undefined ? undefined : joinBus(bus, clearHere);
  const clear =
    publish === undefined
      ? clearHere
      : (origin?: string): void => {
          clearHere(origin);
          publish(origin);
        };
  /** The allowed value, undefined, or the failure, from what the function answered. */
  const readAnswer = (answer: unknown, origin: string): string | undefined | Later => {
    const allowed = read(answer, origin);
    return allowed instanceof Error
      ? ended({ reason: 'invalid-configuration', error: allowed })
      : allowed;
  };
  /** Calls the function about an origin that passed the syntax check. */
  const ask = (origin: string): string | undefined | Later => {
    const waiting = callUserNow(fn, style, origin, ORIGIN_FUNCTION, timeout);
    if (waiting === undefined) {
      const { err, value } = answered;
      return err ? ended(failureOf(err)) : readAnswer(value, origin);
    }
    const later = new Later();
    waiting.settle = (err, answer) => {
      if (err) {
        later.end(failureOf(err));
        return;
      }
      const allowed = read(answer, origin);
      later.end(
        allowed instanceof Error
          ? { reason: 'invalid-configuration', error: allowed }
          : { allowed },
      );
    };
    return later;
  };
  if (cache === undefined) {
    return { lookup: (origin) => (isOriginSyntax(origin) ? ask(origin) : undefined), clear };
  }
  const lookup = (origin: string): string | undefined | Later => {
    const cached = cache.get(origin, Date.now());
    if (cached !== undefined) return cached ?? undefined;
    const inFlight = pending.get(origin);
    if (inFlight !== undefined) return inFlight;
    if (!isOriginSyntax(origin)) return undefined;
    const before = clears;
    const now = ask(origin);
    if (!(now instanceof Later)) {
      // Not kept when the function cleared the cache while it answered.
      if (clears === before) cache.set(origin, now ?? null, Date.now());
      return now;
    }
    if (now.ended) return now;
    pending.set(origin, now);
    // The first waiter: the cache is filled before the requests waiting are answered.
    now.wait((result) => {
      if (pending.get(origin) !== now) return;
      pending.delete(origin);
      if ('allowed' in result) cache.set(origin, result.allowed ?? null, Date.now());
    });
    return now;
  };
  return { lookup, clear };
}

// ---------------------------------------------------------------------------------------------------
// Options delegates

/** How a request's delegate call ended: its options (null for the defaults) or a failure. */
export type DelegateAnswer =
  | { readonly options: object | null }
  | {
      readonly reason:
        'options-delegate-error' | 'invalid-configuration' | 'origin-resolver-timeout';
      readonly error: unknown;
    };

/** What each failure of a delegate says, and how to avoid it, for decisions and NODE_DEBUG. */
export const DELEGATE_FAILURES = {
  'options-delegate-error': [
    'the options delegate failed',
    '; an error goes to your error handler (a 500 unless it says otherwise): to refuse an origin cleanly, answer callback(null, { origin: false })',
  ],
  'invalid-configuration': ['the options delegate gave invalid options', ''],
  'origin-resolver-timeout': ['the options delegate timed out', ''],
} as const;

const OPTIONS_DELEGATE: Caller = { what: 'the options delegate', code: 'CORS_DELEGATE_FAILED' };

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function invalidOptions(message: string, value: unknown): CorsConfigError {
  return new CorsConfigError([
    { option: 'options (answer of the options delegate)', value, message },
  ]);
}

/** Calls an options delegate for each request and reads its answer, failing closed. */
export function delegateCaller<Req extends IncomingMessage>(
  delegate: CorsOptionsDelegate<Req>,
  timeout: number,
): (req: Req, done: (answer: DelegateAnswer) => void) => void {
  const style = styleOf(delegate);
  return (req, done) => {
    callUser(delegate, style, req, OPTIONS_DELEGATE, timeout, (err, options, returned) => {
      if (err) {
        done({
          reason:
            err instanceof CorsTimeoutError ? 'origin-resolver-timeout' : 'options-delegate-error',
          error: err,
        });
      } else if (options === null || (options === undefined && !returned)) {
        // As in `cors`: callback(null) and callback(null, null) mean the defaults.
        done({ options: null });
      } else if (options === undefined) {
        done({
          reason: 'invalid-configuration',
          error: invalidOptions(
            'the options delegate returned undefined. It declares one parameter (req), so its return ' +
              'value is its answer: return the options, or null for the defaults; or declare ' +
              '(req, callback) and answer with callback(null, options).',
            options,
          ),
        });
      } else if (isPlainObject(options)) {
        done({ options });
      } else {
        const how = returned ? 'returned' : 'called back with';
        done({
          reason: 'invalid-configuration',
          error: invalidOptions(
            `the options delegate ${how} ${show(options)}, not an options object; answer with a plain ` +
              'object such as { origin: [...] }, or null for the defaults.',
            options,
          ),
        });
      }
    });
  };
}
