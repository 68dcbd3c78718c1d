/**
 * One problem found in a configuration: which option, the value it had, and what to do about it.
 *
 * @public
 */
export interface CorsConfigIssue {
  /** The option at fault, as a path: `origin`, `origin[2]`, `maxAge`. */
  readonly option: string;
  /** The value that was refused (the very value passed in, not a copy). */
  readonly value: unknown;
  /** What is wrong and how to fix it, in one sentence or two. */
  readonly message: string;
  /**
   * The value to put at {@link CorsConfigIssue.option} instead, when a value fixes the problem (the
   * spelling a browser sends, the array a comma list meant, the anchored RegExp): putting it there
   * removes this issue. Absent when no value is safe to suggest; the message then says what to
   * decide.
   */
  readonly suggestion?: unknown;
}

/**
 * Thrown by `cors(options)` when the options are invalid or insecure, listing every problem at once.
 * Options returned per request by a delegate are checked the same way; there the error goes to
 * `next(err)` instead of being thrown.
 *
 * @example
 * ```ts
 * try { cors({ origin: '*', credentials: true }) }
 * catch (err) { if (err instanceof CorsConfigError) console.error(err.issues) }
 * ```
 * @public
 */
export class CorsConfigError extends Error {
  /** Stable code for programmatic checks: always `'CORS_CONFIG_INVALID'`. */
  readonly code = 'CORS_CONFIG_INVALID';
  /** HTTP status to answer with if the error reaches an error handler (a server-side mistake). */
  readonly status = 500;
  /** Every problem found, in option order. */
  readonly issues: readonly CorsConfigIssue[];

  constructor(issues: readonly CorsConfigIssue[]) {
    const lines = issues.map((issue) => `  - ${issue.option}: ${issue.message}`);
    const noun = issues.length === 1 ? 'problem' : 'problems';
    super(
      `corsguard: invalid configuration (${String(issues.length)} ${noun}):\n${lines.join('\n')}`,
    );
    this.name = 'CorsConfigError';
    this.issues = Object.freeze(issues.slice());
  }
}

// Control characters (C0 but tab, DEL, C1) in a request's values would reach a terminal through a
// log line: ESC and U+009B (CSI) start escape sequences that erase lines, recolour text, set the
// window title or write the clipboard. Node hands header bytes 0x80-0x9F over as U+0080-U+009F.
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
const JSON_LEFT_RAW = /[\x7f-\x9f]/g;

function escapeControl(c: string): string {
  const code = c.charCodeAt(0);
  const hex = code.toString(16).padStart(2, '0');
  return code < 0x80 ? `\\x${hex}` : `\\u00${hex}`;
}

/**
 * The text with every control character but tab shown escaped (`\x1b`, `\u009b`): for a log line,
 * a warning or an error message that holds a value from a request.
 */
export function printable(text: string): string {
  return text.replace(CONTROLS, escapeControl);
}

/** Quote a value for an error message, briefly and without ever throwing. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    // JSON.stringify escapes C0; DEL and C1 are left raw by it.
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value).replace(
      JSON_LEFT_RAW,
      escapeControl,
    );
  }
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (typeof value !== 'object') {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- only primitives are left here
    return String(value);
  }
  try {
    if (value instanceof RegExp) return String(value);
    if (Array.isArray(value)) return `an array of ${String(value.length)}`;
    // Name class instances (a Database, a Timeout, a Query): the clue to what was handed over.
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)
      ?.constructor?.name;
    if (typeof name === 'string' && name !== '' && name !== 'Object') {
      return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name} object`;
    }
  } catch {
    // a Proxy that refuses to say what it is
  }
  return 'an object';
}

/**
 * Passed to `next(err)` when a function origin or an options delegate has not answered within
 * `originTimeout` milliseconds: the request fails closed with status 503 instead of hanging. A late
 * answer is ignored.
 *
 * @public
 */
export class CorsTimeoutError extends Error {
  /** Stable code for programmatic checks: always `'CORS_ORIGIN_TIMEOUT'`. */
  readonly code = 'CORS_ORIGIN_TIMEOUT';
  /** 503 Service Unavailable: the lookup behind the answer is not available in time. */
  readonly status = 503;
  /** The limit that was exceeded, in milliseconds. */
  readonly timeout: number;

  constructor(what: string, timeout: number, note = '') {
    super(`corsguard: ${what} did not answer within ${String(timeout)} ms${note}`);
    this.name = 'CorsTimeoutError';
    this.timeout = timeout;
  }
}

/** The codes of {@link CorsFunctionError}. @public */
export type CorsFunctionErrorCode =
  /** The origin function threw or rejected with a falsy reason (`undefined`, `null`, ...). */
  | 'CORS_ORIGIN_FAILED'
  /** The options delegate threw or rejected with a falsy reason. */
  | 'CORS_DELEGATE_FAILED'
  /** `onDecision` threw a falsy value. */
  | 'CORS_ON_DECISION_FAILED'
  /**
   * The origin function answered a number other than 1 (allow) or 0 (refuse): those two are read as
   * Redis replies passed straight through; any other number is no answer.
   */
  | 'CORS_ORIGIN_INVALID_ANSWER';

/**
 * Passed to `next(err)` when a function of yours (an origin function, an options delegate or
 * `onDecision`) failed without an error: it threw or rejected with `undefined`, `null`, `0`, `''` or
 * `false`, which `next()` would take for success. The original reason is its `cause`. Also when an
 * origin function answered a number other than 1 or 0 (`CORS_ORIGIN_INVALID_ANSWER`, the number as
 * its `cause`). An error object
 * of yours (`callback(new Error(...))`, a thrown Error) reaches `next(err)` unchanged instead.
 *
 * @public
 */
export class CorsFunctionError extends Error {
  /** Stable code for programmatic checks: which function failed. */
  readonly code: CorsFunctionErrorCode;
  /** 500: the failure is the server's. */
  readonly status = 500;

  constructor(code: CorsFunctionErrorCode, message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'CorsFunctionError';
    this.code = code;
  }
}
