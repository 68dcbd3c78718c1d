import { type CorsConfigIssue, CorsConfigError, show } from './errors.js';
import { isToken, splitList } from './headers.js';
import { DEFAULT_METHODS, isForbiddenMethod, normalizeMethod } from './methods.js';
import {
  type FoundIssue,
  type Issue,
  type OriginMatcher,
  collectOrigins,
  compileMatcher,
  isInsecureOrigin,
  parseOriginString,
} from './origin.js';
import type { DecisionListener } from './decision.js';
import { compileBus } from './bus.js';
import type { CacheSettings } from './cache.js';
import type { CustomOrigin } from '../types.js';

/** How the allowed origins are decided, chosen once per configuration. */
export type OriginPolicy =
  /** `origin: false`: the middleware does nothing. */
  | { readonly kind: 'disabled' }
  /** `origin: '*'`: the same `Access-Control-Allow-Origin: *` for everyone. */
  | { readonly kind: 'any' }
  /** One exact origin: sent to everyone, the browser compares. */
  | { readonly kind: 'static'; readonly origin: string }
  /** A list, patterns, RegExps or `true`: the request's origin is looked up and reflected. */
  | { readonly kind: 'match'; readonly match: OriginMatcher }
  /** A function, asked per request. */
  | { readonly kind: 'function'; readonly fn: CustomOrigin };

/** A configuration compiled once: every header value ready to set. */
export interface Policy {
  readonly origin: OriginPolicy;
  readonly credentials: boolean;
  /** `Access-Control-Allow-Methods`, or undefined for none (the default list for `'auto'`). */
  readonly methods: string | undefined;
  /** `methods: 'auto'`: preflights list the methods the application's routes handle for the path. */
  readonly autoMethods: boolean;
  /** `Access-Control-Allow-Headers`; undefined for none; null to reflect the request's list. */
  readonly allowedHeaders: string | undefined | null;
  /** `Access-Control-Expose-Headers`, or undefined for none. */
  readonly exposedHeaders: string | undefined;
  /** `Access-Control-Max-Age`, or undefined for none. */
  readonly maxAge: string | undefined;
  readonly preflightContinue: boolean;
  readonly optionsSuccessStatus: number;
  readonly privateNetworkAccess: boolean;
  /** The allowed origins as the configuration states them, for diagnostics. */
  readonly origins: readonly string[];
  readonly onDecision: DecisionListener | undefined;
  /** Milliseconds a function origin may take to answer; 0 for no limit. */
  readonly originTimeout: number;
  /** How long and how many answers of a function origin are kept, and their bus; undefined for none. */
  readonly originCache: CacheSettings | undefined;
}

/** The code of the warning about unknown options that were ignored: emitted once per process. */
export const UNKNOWN_OPTIONS_IGNORED = 'CORSGUARD_UNKNOWN_OPTIONS_IGNORED';

/** A warning found while compiling: emitted once per middleware with `process.emitWarning`. */
export interface CorsWarning {
  /** A stable code, such as `CORSGUARD_REFLECT_ANY_WITH_CREDENTIALS`: the warning's `code` too. */
  readonly code: string;
  /** What is risky and what to write instead. */
  readonly message: string;
}

const KNOWN = [
  'origin',
  'methods',
  'allowedHeaders',
  'headers',
  'exposedHeaders',
  'credentials',
  'maxAge',
  'preflightContinue',
  'optionsSuccessStatus',
  'privateNetworkAccess',
  'onDecision',
  'originTimeout',
  'originCache',
] as const;

/** Names other CORS libraries use for the same settings. */
const ALIASES: Readonly<Record<string, string>> = {
  alloworigin: 'origin',
  alloworigins: 'origin',
  allowedorigin: 'origin',
  allowedorigins: 'origin',
  corsorigin: 'origin',
  corsorigins: 'origin',
  origins: 'origin',
  whitelist: 'origin',
  allowlist: 'origin',
  allowmethods: 'methods',
  allowedmethods: 'methods',
  allowheaders: 'allowedHeaders',
  exposeheaders: 'exposedHeaders',
  allowcredentials: 'credentials',
  allowprivatenetwork: 'privateNetworkAccess',
};

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = row;
  }
  return prev[b.length]!;
}

function suggestOption(key: string): string | undefined {
  const folded = key.toLowerCase().replace(/[-_]/g, '');
  const alias = ALIASES[folded];
  if (alias !== undefined) return alias;
  let best: string | undefined;
  let bestDistance = 4;
  for (const name of KNOWN) {
    const d = distance(folded, name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

type Options = Readonly<Record<string, unknown>>;

/**
 * Validates options and compiles them into a {@link Policy}, collecting every problem and throwing
 * one {@link CorsConfigError}. Never mutates `input`. A problem that a value fixes carries it as
 * `suggestion`, once compiling the options with it in place shows it does (`verify`).
 */
export function compileOptions(
  input: unknown,
  verify = true,
): { policy: Policy; warnings: CorsWarning[] } {
  const issues: FoundIssue[] = [];
  const warnings: CorsWarning[] = [];
  if (
    input !== undefined &&
    input !== null &&
    (typeof input !== 'object' || Array.isArray(input))
  ) {
    throw new CorsConfigError([
      {
        option: 'options',
        value: input,
        message: `expected an options object or a function (req, callback), got ${show(input)}.`,
      },
    ]);
  }
  const options: Options = (input ?? {}) as Options;
  // Unknown keys never open anything. One close to a known name (a typo, another library's name)
  // is refused with the suggestion, and so is any unknown key when origin was left out: the
  // default '*' must not hide a misnamed origin option. Other unknown keys beside an explicit
  // origin are what frameworks add to every options object (Express Gateway's action parameters):
  // ignored, as cors ignores them, with a warning.
  const ignored: string[] = [];
  for (const key of Object.keys(options)) {
    if ((KNOWN as readonly string[]).includes(key)) continue;
    const guess = suggestOption(key);
    if (guess === undefined && 'origin' in options) {
      ignored.push(key);
      continue;
    }
    issues.push({
      option: key,
      value: options[key],
      message:
        guess === undefined
          ? 'unknown option, and origin is left out (allowing any origin): if this is meant as the origin option, rename it to origin; otherwise set origin explicitly'
          : `unknown option; did you mean \`${guess}\`?`,
    });
  }
  if (ignored.length > 0) {
    warnings.push({
      code: UNKNOWN_OPTIONS_IGNORED,
      message: `corsguard: ignored ${ignored.length === 1 ? 'an unknown option' : 'unknown options'} ${ignored.map((key) => show(key)).join(', ')} (keys a framework adds to its options, as cors ignores them); corsguard reads only ${KNOWN.join(', ')}.`,
    });
  }
  const issue: Issue = (option, value, message, fix) => {
    issues.push(fix === undefined ? { option, value, message } : { option, value, message, fix });
  };

  const credentials = compileBoolean(options, 'credentials', issue);
  let origin: OriginPolicy = { kind: 'any' };
  if ('origin' in options) origin = compileOrigin(options.origin, credentials, issue, warnings);
  else if (credentials) {
    // The default is '*', which no browser accepts on a credentialed response (Fetch, CORS check).
    issue(
      'origin',
      '*',
      `origin "*" (the default: the origin option was left out) ${STAR_WITH_CREDENTIALS}${FROM_A_FRAMEWORK}`,
    );
  }
  // 'auto' reads the routes per preflight; where there are none to read it is the default list.
  const autoMethods = options.methods === 'auto';
  const methods = autoMethods
    ? DEFAULT_METHODS
    : compileList(options, 'methods', credentials, issue, DEFAULT_METHODS, 'method', warnings);
  if (options.allowedHeaders !== undefined && options.headers !== undefined) {
    issue(
      'headers',
      options.headers,
      '`headers` is an alias of `allowedHeaders`: give only one of them.',
    );
  }
  const headersKey = options.allowedHeaders === undefined ? 'headers' : 'allowedHeaders';
  const allowedHeaders = compileList(options, headersKey, credentials, issue, null, 'header');
  const exposedHeaders = compileList(
    options,
    'exposedHeaders',
    credentials,
    issue,
    undefined,
    'header',
  );
  const maxAge = compileMaxAge(options.maxAge, issue, warnings);
  const preflightContinue = compileBoolean(options, 'preflightContinue', issue);
  const privateNetworkAccess = compileBoolean(options, 'privateNetworkAccess', issue);
  let optionsSuccessStatus = 204;
  const status = options.optionsSuccessStatus;
  if (status !== undefined) {
    if (typeof status === 'number' && Number.isInteger(status) && status >= 200 && status <= 299) {
      optionsSuccessStatus = status;
    } else {
      const message = `expected an integer from 200 to 299 (a browser fails any preflight without a 2xx status), got ${show(status)}; 204 is the default, 200 suits very old browsers.`;
      const number = wholeFrom(status);
      issue('optionsSuccessStatus', status, message, {
        suggestion: number !== undefined && number >= 200 && number <= 299 ? number : 204,
        without: message,
      });
    }
  }
  const onDecision = options.onDecision;
  if (onDecision !== undefined && typeof onDecision !== 'function') {
    issue(
      'onDecision',
      onDecision,
      `expected a function (decision, req) => void, got ${show(onDecision)}.`,
    );
  }
  const originTimeout = compileTimeout(options.originTimeout, 'originTimeout', issue);
  const originCache = compileCache(options.originCache, origin.kind === 'function', issue);
  if (issues.length > 0) throw new CorsConfigError(settleFixes(input, issues, verify));
  const policy: Policy = Object.freeze({
    origin,
    credentials,
    methods,
    autoMethods,
    allowedHeaders,
    exposedHeaders,
    maxAge,
    preflightContinue,
    optionsSuccessStatus,
    privateNetworkAccess,
    origins: 'origin' in options ? describeOrigins(options.origin) : ['*'],
    onDecision: onDecision as DecisionListener | undefined,
    originTimeout,
    originCache,
  });
  return { policy, warnings };
}

/** The allowed origins in the words of the configuration, for messages and decisions. */
function describeOrigins(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap((item: unknown) => describeOrigins(item));
  if (value === true) return ['any origin (reflected)'];
  if (typeof value === 'function') return ['whatever the origin function allows'];
  if (value instanceof RegExp) return [String(value)];
  return typeof value === 'string' ? [value] : [];
}

/** The longest timer Node keeps (setTimeout's limit, about 24.8 days). */
const MAX_TIMEOUT = 2147483647;

/** Default time a function origin or an options delegate has to answer. */
export const DEFAULT_ORIGIN_TIMEOUT = 5000;

/** The whole number a value stands for: a number rounded, or a string of decimal digits. */
function wholeFrom(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value);
  if (typeof value === 'string' && /^\s*[0-9]{1,10}\s*$/.test(value)) return Number(value);
  return undefined;
}

const isForbiddenMethodItem = (item: unknown): boolean =>
  typeof item === 'string' && isForbiddenMethod(item.trim());

/**
 * A list without the items `drop` picks, in the form it was written (an array, or a comma string);
 * undefined when nothing would be left.
 */
function without(
  value: string | readonly unknown[],
  drop: (item: unknown) => boolean,
): string | unknown[] | undefined {
  const kept = (typeof value === 'string' ? value.split(',') : value).filter((item) => !drop(item));
  if (kept.length === 0) return undefined;
  return typeof value === 'string' ? kept.map((item) => (item as string).trim()).join(',') : kept;
}

const wholeIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** Checks a time limit in milliseconds: 0 turns it off. */
export function compileTimeout(value: unknown, option: string, issue: Issue): number {
  if (value === undefined) return DEFAULT_ORIGIN_TIMEOUT;
  if (wholeIn(value, 0, MAX_TIMEOUT)) return value;
  const message = `expected a whole number of milliseconds from 0 (no limit) to ${String(MAX_TIMEOUT)}, got ${show(value)}; the default is ${String(DEFAULT_ORIGIN_TIMEOUT)}.`;
  const number = wholeFrom(value);
  issue(option, value, message, {
    suggestion:
      number !== undefined && number >= 0 && number <= MAX_TIMEOUT
        ? number
        : DEFAULT_ORIGIN_TIMEOUT,
    without: message,
  });
  return DEFAULT_ORIGIN_TIMEOUT;
}

function compileCache(
  value: unknown,
  forFunction: boolean,
  issue: Issue,
): CacheSettings | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issue(
      'originCache',
      value,
      `expected { ttl, max } (milliseconds, entries), got ${show(value)}.`,
    );
    return undefined;
  }
  const {
    ttl,
    max = 1000,
    bus,
    onBusError,
    ...rest
  } = value as { ttl?: unknown; max?: unknown; bus?: unknown; onBusError?: unknown };
  for (const key of Object.keys(rest)) {
    issue(
      `originCache.${key}`,
      (rest as Record<string, unknown>)[key],
      'unknown option; originCache takes ttl, max, bus and onBusError.',
    );
  }
  if (!wholeIn(ttl, 1, MAX_TIMEOUT)) {
    const message = `expected how long to keep an answer, in whole milliseconds from 1 to ${String(MAX_TIMEOUT)}, got ${show(ttl)}.`;
    const number = wholeFrom(ttl);
    issue(
      'originCache.ttl',
      ttl,
      message,
      number !== undefined && number >= 1 && number <= MAX_TIMEOUT
        ? { suggestion: number, without: message }
        : undefined,
    );
  }
  if (!wholeIn(max, 1, 1e7)) {
    const message = `expected the most answers to keep, a whole number from 1 to 10000000, got ${show(max)}; the default is 1000.`;
    const number = wholeFrom(max);
    issue('originCache.max', max, message, {
      suggestion: number !== undefined && number >= 1 && number <= 1e7 ? number : 1000,
      without: message,
    });
  }
  if (!forFunction) {
    issue(
      'originCache',
      value,
      'originCache keeps the answers of a function origin, but origin is not a function; remove it.',
    );
  }
  return { ttl: ttl as number, max: max as number, bus: compileBus(bus, onBusError, issue) };
}

/**
 * The issues as users get them: a fix is offered as `suggestion` only when compiling the options
 * with it in place leaves no problem at that option (so no message suggests a value corsguard would
 * refuse); otherwise the message says what to decide instead.
 */
function settleFixes(
  input: unknown,
  found: readonly FoundIssue[],
  verify: boolean,
): CorsConfigIssue[] {
  return found.map(({ fix, ...issue }) => {
    if (fix === undefined) return issue;
    if (!verify || !fixes(input, issue.option, fix.suggestion)) {
      return { ...issue, message: fix.without };
    }
    return { ...issue, suggestion: fix.suggestion };
  });
}

/** True when options with `suggestion` at `path` have no problem left at `path` (or inside it). */
export function fixes(input: unknown, path: string, suggestion: unknown): boolean {
  const patched = putAt(input ?? {}, path, suggestion);
  if (patched === undefined) return false;
  try {
    compileOptions(patched, false);
    return true;
  } catch (err) {
    if (!(err instanceof CorsConfigError)) return false;
    return !err.issues.some(
      (left) =>
        left.option === path ||
        left.option.startsWith(`${path}[`) ||
        left.option.startsWith(`${path}.`),
    );
  }
}

/**
 * A copy of `root` with `value` at `path` (`origin`, `origin[2]`, `originCache.ttl`), copying only
 * along the path; undefined when the path does not lead anywhere in `root`.
 */
export function putAt(root: unknown, path: string, value: unknown): object | undefined {
  const steps: (string | number)[] = [];
  const step = /\[(\d+)\]|\.?([A-Za-z_$][\w$]*)/y;
  while (step.lastIndex < path.length) {
    const m = step.exec(path);
    if (m === null) return undefined;
    steps.push(m[1] === undefined ? m[2]! : Number(m[1]));
  }
  const put = (container: unknown, i: number): unknown => {
    if (i === steps.length) return value;
    const key = steps[i]!;
    if (typeof key === 'number') {
      if (!Array.isArray(container) || key >= container.length) throw new RangeError(path);
      const copy: unknown[] = container.slice();
      copy[key] = put(container[key], i + 1);
      return copy;
    }
    if (typeof container !== 'object' || container === null || Array.isArray(container)) {
      throw new RangeError(path);
    }
    return { ...container, [key]: put((container as Record<string, unknown>)[key], i + 1) };
  };
  try {
    return put(root, 0) as object;
  } catch {
    return undefined;
  }
}

function compileBoolean(options: Options, key: string, issue: Issue): boolean {
  const value = options[key];
  if (value === undefined || typeof value === 'boolean') return value === true;
  const text = typeof value === 'string' && /^(?:true|false|1|0|yes|no)$/i.test(value.trim());
  const fromText = text
    ? ` (a string, say from an environment variable: write ${key}: process.env.X === 'true')`
    : '';
  const message = `expected true or false, got ${show(value)}${fromText}.`;
  issue(
    key,
    value,
    message,
    text ? { suggestion: /^(?:true|1|yes)$/i.test(value.trim()), without: message } : undefined,
  );
  return false;
}

// Origins no configuration means to trust: a RegExp that admits either (every https: site, or every
// http: one) is as good as '*'.
const STRANGERS = ['https://corsguard-probe.invalid', 'http://attacker.example'];

const STAR_WITH_CREDENTIALS =
  'cannot be combined with credentials: true (browsers refuse a credentialed response with ' +
  'Access-Control-Allow-Origin: *); list the trusted origins, e.g. ["https://app.example.com"].';

// Frameworks call cors with options of their own: the user may never have written these.
const FROM_A_FRAMEWORK =
  ' If you did not write these options, a framework passed them to cors: LoopBack 4 does by ' +
  "default (RestServer's cors: { origin: '*', credentials: true }); set the framework's CORS " +
  'option to your origins (LoopBack 4: rest: { cors: { origin: [...] } }).';

/** Compiles an `origin` option (or a function origin's answer) into the way origins are decided. */
export function compileOrigin(
  value: unknown,
  credentials: boolean,
  issue: Issue,
  warnings: CorsWarning[],
): OriginPolicy {
  if (value === '*') {
    if (credentials) {
      issue('origin', value, `origin "*" ${STAR_WITH_CREDENTIALS}${FROM_A_FRAMEWORK}`);
    }
    return { kind: 'any' };
  }
  if (value === false) return { kind: 'disabled' };
  if (typeof value === 'function') return { kind: 'function', fn: value as CustomOrigin };
  if (value === undefined || value === null || value === '') {
    // With credentials, leaving it out is no way out: the default '*' is refused too.
    issue(
      'origin',
      value,
      `origin is ${show(value)} (an unset environment variable?); ` +
        (credentials
          ? 'set it to the origins trusted with credentials, e.g. ["https://app.example.com"], or to false to turn CORS off.'
          : 'set it to the allowed origins, leave the option out to allow any origin, or set origin: false to turn CORS off.'),
    );
    return { kind: 'disabled' };
  }
  if (typeof value === 'string') {
    const entry = parseOriginString(value, (message, fix) => {
      issue('origin', value, message, fix);
    });
    if (entry?.kind === 'exact') {
      checkInsecure([entry], credentials, warnings);
      return { kind: 'static', origin: entry.origin };
    }
    if (entry === undefined) return { kind: 'disabled' };
  } else if (value !== true && !(value instanceof RegExp) && !Array.isArray(value)) {
    issue(
      'origin',
      value,
      `expected "*", true, false, an origin string, a pattern, a RegExp, an array of those or a function, got ${show(value)}.`,
    );
    return { kind: 'disabled' };
  }
  const found: FoundIssue[] = [];
  const list = collectOrigins(value, 'origin', found);
  for (const problem of found) issue(problem.option, problem.value, problem.message, problem.fix);
  if (credentials) {
    if (list.any) {
      warnings.push({
        code: 'CORSGUARD_REFLECT_ANY_WITH_CREDENTIALS',
        message:
          'corsguard: origin: true with credentials: true lets any website (and any sandboxed page, ' +
          'which sends Origin: null) read authenticated responses of this server on behalf of its ' +
          'visitors; list the trusted origins instead.',
      });
    }
    for (const [i, re] of list.regexps.entries()) {
      // A copy without g or y: testing the user's RegExp would move its lastIndex (and so mutate the
      // options) and make the second probe start mid-string.
      const probe = new RegExp(re.source, re.flags.replace(/[gy]/g, ''));
      const stranger = STRANGERS.find((origin) => probe.test(origin));
      if (stranger !== undefined) {
        issue(
          list.regexpPaths[i]!,
          re,
          `${String(re)} matches any origin (even ${show(stranger)}), which with credentials: true trusts every website; list the trusted origins.`,
        );
      }
    }
    checkInsecure(list.entries, credentials, warnings, list.regexps.filter(admitsPlainHttp));
  }
  return { kind: 'match', match: compileMatcher(list.entries, list.regexps, list.any) };
}

/** A RegExp written for plain http: (or ws:) origins, as `^http:`, `^https?:` or `^ws:` starts it. */
function admitsPlainHttp(re: RegExp): boolean {
  return /^\^(?:https\?|http|wss\?|ws):/.test(re.source);
}

function checkInsecure(
  entries: Parameters<typeof isInsecureOrigin>[0][],
  credentials: boolean,
  warnings: CorsWarning[],
  regexps: readonly RegExp[] = [],
): void {
  if (!credentials) return;
  const insecure = entries
    .filter(isInsecureOrigin)
    .map((entry) =>
      entry.kind === 'exact'
        ? entry.origin
        : `${entry.scheme}${entry.subdomains ? '*.' : ''}${entry.host}${entry.port === '*' ? ':*' : entry.port}`,
    )
    .concat(regexps.map(String));
  if (insecure.length === 0) return;
  warnings.push({
    code: 'CORSGUARD_INSECURE_ORIGIN_WITH_CREDENTIALS',
    message:
      `corsguard: ${insecure.join(', ')} ${insecure.length === 1 ? 'is' : 'are'} trusted with credentials over plain http:, ` +
      'where anyone on the network can impersonate it; use https: origins.',
  });
}

function compileList<D extends string | null | undefined>(
  options: Options,
  key: string,
  credentials: boolean,
  issue: Issue,
  absent: D,
  what: 'method' | 'header',
  warnings: CorsWarning[] = [],
): string | D | undefined {
  const value = options[key];
  const caseWarnings: string[] = [];
  if (value === undefined) return absent;
  if (typeof value !== 'string' && !Array.isArray(value)) {
    issue(
      key,
      value,
      `expected a comma-separated string or an array of ${what} names, got ${show(value)}.`,
    );
    return absent;
  }
  const names: string[] = [];
  const seen = new Set<string>();
  for (const item of splitList(value as string | readonly unknown[])) {
    if (typeof item !== 'string' || !isToken(item)) {
      issue(
        key,
        value,
        `${show(item)} is not a valid ${what} name (letters, digits and !#$%&'*+-.^_\`|~ only, one name per element).`,
      );
      continue;
    }
    if (what === 'method' && item.toLowerCase() === 'auto') {
      const message = `"auto" (methods from the application's routes) stands on its own: write methods: 'auto', not a list holding it.`;
      issue(key, value, message, { suggestion: 'auto', without: message });
      continue;
    }
    if (what === 'method' && isForbiddenMethod(item)) {
      const message = `${item} can never be sent by a browser (a forbidden method in the Fetch Standard); remove it.`;
      const rest = without(value as string | readonly unknown[], isForbiddenMethodItem);
      issue(
        key,
        value,
        message,
        rest === undefined ? undefined : { suggestion: rest, without: message },
      );
      continue;
    }
    if (item === '*' && credentials) {
      issue(
        key,
        value,
        `"*" means "any" only for requests without credentials; with credentials: true it is a literal name. List the ${what}s instead.`,
      );
      continue;
    }
    const name = what === 'method' ? normalizeMethod(item) : item;
    if (
      what === 'method' &&
      CASE_SENSITIVE_STANDARD.has(name.toUpperCase()) &&
      name !== name.toUpperCase()
    ) {
      caseWarnings.push(name);
    }
    const folded = what === 'method' ? name : name.toLowerCase();
    if (seen.has(folded)) continue;
    seen.add(folded);
    names.push(name);
  }
  if (caseWarnings.length > 0) {
    const upper = caseWarnings.map((name) => name.toUpperCase());
    warnings.push({
      code: 'CORSGUARD_METHOD_CASE',
      message: `corsguard: methods lists ${caseWarnings.map((name) => show(name)).join(', ')}, but a browser upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT and compares methods case-sensitively (Fetch Standard), so a preflight for the ${upper.join(', ')} that pages and client libraries send is refused; write ${upper.map((name) => show(name)).join(', ')} (keep the lower case only if pages really send it so).`,
    });
  }
  return names.length === 0 ? undefined : names.join(',');
}

/**
 * Standard methods (RFC 5789's PATCH) whose name a browser sends as the page wrote it: `patch` in a
 * configuration is another method than the PATCH every client library sends.
 */
const CASE_SENSITIVE_STANDARD = new Set(['PATCH']);

const MAX_AGE_RANGE =
  "expected a whole number of seconds from 0 to 86400 (Firefox's cap; Chromium's is 7200)";

function compileMaxAge(input: unknown, issue: Issue, warnings: CorsWarning[]): string | undefined {
  if (input === undefined) return undefined;
  let value = input;
  if (typeof input === 'string') {
    // As cors accepts it (typically an environment variable): decimal digits only, then a number.
    if (!/^[0-9]+$/.test(input)) {
      const message = `${MAX_AGE_RANGE}, got ${show(input)}; a string must be decimal digits only ("600"), or convert it yourself, e.g. maxAge: Number(process.env.CORS_MAX_AGE).`;
      const number = wholeFrom(input);
      issue(
        'maxAge',
        input,
        message,
        number === undefined ? undefined : { suggestion: number, without: message },
      );
      return undefined;
    }
    value = Number(input);
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 86400) {
    let fix = '';
    let suggestion: number | undefined;
    if (typeof value === 'number' && value < 0) suggestion = 0;
    if (Number.isNaN(value)) {
      fix =
        ': Number() of something that is not a number, such as an unset environment variable (Number(undefined)); check the variable, or leave maxAge out';
    } else if (
      typeof value === 'number' &&
      !Number.isInteger(value) &&
      value > 0 &&
      value <= 86400
    ) {
      fix = `; whole seconds only, e.g. Math.round(${String(value)})`;
      suggestion = Math.round(value);
    } else if (typeof value === 'number' && value > 86400) {
      fix = '; 86400 (one day) is the most any browser keeps, 7200 the most Chromium keeps';
      suggestion = 7200;
    }
    const message = `${MAX_AGE_RANGE}, got ${show(input)}${fix}.`;
    issue(
      'maxAge',
      input,
      message,
      suggestion === undefined ? undefined : { suggestion, without: message },
    );
    return undefined;
  }
  if (value > 7200) {
    warnings.push({
      code: 'CORSGUARD_MAX_AGE_ABOVE_CHROMIUM_CAP',
      message: `corsguard: maxAge ${String(value)} is above Chromium's cap of 7200 seconds; Chromium-based browsers will cache preflights for 7200 seconds only.`,
    });
  }
  return String(value);
}
