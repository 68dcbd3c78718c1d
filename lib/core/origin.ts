import { type CorsConfigIssue, show } from './errors.js';

/** A problem found in a configuration, with the value that fixes it when there is one. */
export type FoundIssue = CorsConfigIssue & { readonly fix?: Fix };
import { PUBLIC_SUFFIXES } from './suffixes.js';

// Origins, as browsers serialize them (HTML "serialization of an origin", Fetch §3.2.5 `Origin`):
//   scheme "://" host [ ":" port ]   or the literal "null"
// scheme and host are lower case ASCII (hosts in punycode), the port is omitted when it is the
// scheme's default, and there is never a path, query, fragment or userinfo. Request origins are
// compared as exact strings and never normalised; configured origins must already be in this form.

/** Longest request `Origin` that is even looked at; a real serialized origin is far shorter. */
export const MAX_ORIGIN_LENGTH = 1024;

const DEFAULT_PORTS: Readonly<Record<string, string>> = {
  http: '80',
  https: '443',
  ws: '80',
  wss: '443',
};

// Position found by the last successful scanOrigin call (avoids allocating a result).
let schemeEnd = 0; // index of ':' in "://"

const LOWER = (c: number): boolean => c >= 0x61 && c <= 0x7a;
const DIGIT = (c: number): boolean => c >= 0x30 && c <= 0x39;

/**
 * True when `value` has the shape of a serialized tuple origin: lower-case scheme, `://`, a lower-case
 * host (DNS labels separated by single dots, a trailing dot allowed, or a bracketed IPv6 address) and an
 * optional port of 1 to 5 digits. Linear in the length, capped at {@link MAX_ORIGIN_LENGTH}.
 */
export function scanOrigin(value: string): boolean {
  const n = value.length;
  if (n > MAX_ORIGIN_LENGTH || n === 0 || !LOWER(value.charCodeAt(0))) return false;
  let i = 1;
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (!(LOWER(c) || DIGIT(c) || c === 0x2b || c === 0x2d || c === 0x2e)) break; // + - .
  }
  if (
    value.charCodeAt(i) !== 0x3a ||
    value.charCodeAt(i + 1) !== 0x2f ||
    value.charCodeAt(i + 2) !== 0x2f
  ) {
    return false;
  }
  schemeEnd = i;
  i += 3;
  if (value.charCodeAt(i) === 0x5b) {
    // [IPv6]
    const start = ++i;
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (!(DIGIT(c) || (c >= 0x61 && c <= 0x66) || c === 0x3a || c === 0x2e)) break; // a-f : .
    }
    if (i === start || value.charCodeAt(i) !== 0x5d) return false;
    i++;
  } else {
    const start = i;
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c === 0x2e) {
        if (i === start || value.charCodeAt(i - 1) === 0x2e) return false; // empty label
      } else if (!(LOWER(c) || DIGIT(c) || c === 0x2d || c === 0x5f)) {
        break; // not - or _
      }
    }
    if (i === start) return false;
  }
  if (i === n) return true;
  if (value.charCodeAt(i) !== 0x3a) return false;
  const digits = n - i - 1;
  // A serialized port is a number without leading zeros (URL Standard, "serialize an integer").
  if (digits < 1 || digits > 5 || (digits > 1 && value.charCodeAt(i + 1) === 0x30)) return false;
  for (let j = i + 1; j < n; j++) {
    if (!DIGIT(value.charCodeAt(j))) return false;
  }
  return Number(value.slice(i + 1)) <= 65535;
}

// The grammar of scanOrigin as one regular expression, for the per-request check: on a fresh
// request string the engine's compiled loop costs well under half of the character loop in
// JavaScript. Linear: labels are separated by dots and no repetition can match the same text two
// ways, so a failure backtracks at most once over each character (and the length is capped first).
const ORIGIN_SYNTAX =
  /^[a-z][a-z0-9+.-]*:\/\/(?:\[[0-9a-f:.]+\]|[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?)(?::(?:0|[1-9][0-9]{0,4}))?$/;

/** True for a value a browser could send as `Origin`: a serialized tuple origin or `null`. */
export function isOriginSyntax(value: string): boolean {
  if (value === 'null') return true;
  const n = value.length;
  if (n > MAX_ORIGIN_LENGTH || !ORIGIN_SYNTAX.test(value)) return false;
  // A port of five digits is at most 65535 (the colon sixth from the end may also be an IPv6 one).
  if (value.charCodeAt(n - 6) !== 0x3a) return true;
  let port = 0;
  for (let i = n - 5; i < n; i++) {
    const c = value.charCodeAt(i);
    if (!DIGIT(c)) return true;
    port = port * 10 + c - 0x30;
  }
  return port <= 65535;
}

// ---------------------------------------------------------------------------------------------------
// Configured origins

/** What one configured origin string compiles to. */
export type OriginEntry =
  | { readonly kind: 'exact'; readonly origin: string }
  | {
      readonly kind: 'pattern';
      /** `scheme://` */
      readonly scheme: string;
      /** the host, or for a subdomain pattern the suffix after `*.` */
      readonly host: string;
      readonly subdomains: boolean;
      /** `''` (default port), `':8080'`, or `'*'` for any port */
      readonly port: string;
    };

/**
 * A value that fixes a problem (to put where the problem is), and the whole message to give instead
 * when it turns out not to fix it (options.ts tries each one before it is offered).
 */
export interface Fix {
  readonly suggestion: unknown;
  readonly without: string;
}

/** Reports one problem of a configuration (options.ts collects them; bus.ts and origin.ts report). */
export type Issue = (option: string, value: unknown, message: string, fix?: Fix) => void;

/** A problem: what is wrong, with the fix in the words when there is one. */
export interface Problem {
  readonly message: string;
  readonly fix?: Fix;
}

type Report = (message: string, fix?: Fix) => void;

/**
 * Explains why a configured string is not a serialized origin, with the right spelling if one exists
 * (`respell` turns that spelling back into the form the user wrote, such as a pattern).
 */
function originProblem(value: string, respell: (origin: string) => string = String): Problem {
  let suggestion: string | undefined;
  const withScheme = value.includes('://') ? value : `https://${value}`;
  try {
    const origin = new URL(withScheme).origin;
    if (origin !== 'null' && origin !== value) suggestion = respell(origin);
  } catch {
    suggestion = undefined;
  }
  let why = scanOrigin(value)
    ? 'browsers send the host in its canonical form'
    : 'it is not of the form scheme://host[:port]';
  if (!value.includes('://')) why = 'it has no scheme';
  else if (/[^\x21-\x7e]/.test(value) && !/\s/.test(value)) why = 'its host must be in punycode';
  else if (/\s/.test(value)) why = 'it contains white space';
  else if (/^[^:]+:\/\/[^/?#]*@/.test(value)) why = 'an origin has no user name or password';
  else if (/^[^:]+:\/\/[^/?#]*[/?#]/.test(value))
    why = 'an origin has no path, query or fragment, not even a trailing slash';
  else if (value !== value.toLowerCase()) why = 'browsers send origins in lower case';
  else if (hasDefaultPort(value)) why = 'browsers leave out the default port';
  const head = `${show(value)} is not an origin as browsers send it: ${why}; `;
  const without = `${head}write it as scheme://host[:port]`;
  if (suggestion === undefined) return { message: without };
  return { message: `${head}did you mean ${show(suggestion)}?`, fix: { suggestion, without } };
}

/**
 * Explains a list of origins written as one string (`"https://a.example,https://b.example"`, an
 * environment variable read as it is), with the array it means when every part has a spelling.
 */
function listProblem(value: string, parts: readonly string[]): Problem {
  const spelled: string[] = [];
  for (const part of parts) {
    let problem: Problem | undefined;
    parseOriginString(part, (message, fix) => {
      problem ??= fix === undefined ? { message } : { message, fix };
    });
    if (problem === undefined) spelled.push(part);
    else if (typeof problem.fix?.suggestion === 'string') spelled.push(problem.fix.suggestion);
    else break;
  }
  const head = `${show(value)} is a list of origins in one string (an environment variable read as it is?), and origin takes one origin or an array; `;
  const split = "split the text, e.g. process.env.CORS_ORIGINS.split(',')";
  const without = `${head}${split}, and check each origin.`;
  if (spelled.length < parts.length) return { message: without };
  return {
    message: `${head}did you mean the array ${JSON.stringify(spelled)}? (${split})`,
    fix: { suggestion: spelled, without },
  };
}

function hasDefaultPort(value: string): boolean {
  const match = /^([a-z][a-z0-9+.-]*):\/\/[^/]*:(\d+)$/.exec(value);
  return match !== null && DEFAULT_PORTS[match[1]!] === match[2];
}

// Schemes whose origins the URL Standard serializes as tuples, with a host parser that canonicalises
// (IPv4 `127.1` becomes `127.0.0.1`, IPv6 is compressed) and a default port that is left out.
const SPECIAL_SCHEMES = new Set(['ftp', 'http', 'https', 'ws', 'wss']);

/** True when `value` is a serialized origin a browser could send (checked once, at configuration). */
function isSerializedOrigin(value: string): boolean {
  if (!scanOrigin(value)) return false;
  if (!SPECIAL_SCHEMES.has(value.slice(0, schemeEnd))) return true;
  try {
    return new URL(value).origin === value;
  } catch {
    return false; // e.g. a host ending in a number that is no IPv4 address: `http://a.1`
  }
}

/** Checks a configured origin or pattern string, reporting problems; returns what it compiles to. */
export function parseOriginString(value: string, report: Report): OriginEntry | undefined {
  if (value === 'null') {
    report(
      `"null" is refused: any page can send Origin: null (sandboxed iframes, data: and file: URLs, ` +
        `redirects), so trusting it trusts everyone. If you must, use a function origin and accept ` +
        `it there knowingly.`,
    );
    return undefined;
  }
  // A comma list, or origins separated by white space (each then with its scheme).
  const parts = (value.includes(',') ? value.split(',') : value.split(/\s+/))
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length > 1 && (value.includes(',') || parts.every((part) => part.includes('://')))) {
    const problem = listProblem(value, parts);
    report(problem.message, problem.fix);
    return undefined;
  }
  if (value.includes('*')) return parsePattern(value, report);
  if (!isSerializedOrigin(value)) {
    const problem = originProblem(value);
    report(problem.message, problem.fix);
    return undefined;
  }
  return { kind: 'exact', origin: value };
}

const PATTERN_HELP =
  'a wildcard stands only for whole leftmost labels (`https://*.example.com`) or for the port ' +
  '(`http://localhost:*`); for anything else use a RegExp or a function';

function parsePattern(value: string, report: Report): OriginEntry | undefined {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(\*\.)?(\[[^\]]*\]|[^:]*)(?::(\*|\d+))?$/.exec(value);
  if (m === null) {
    report(`${show(value)} is not a valid pattern: ${PATTERN_HELP}.`);
    return undefined;
  }
  const scheme = m[1]!;
  const host = m[3]!;
  const subdomains = m[2] !== undefined;
  const portText = m[4];
  // Here the wildcard is in `*.` or the port, unless the host holds one too.
  if (host.includes('*')) {
    report(`${show(value)} is not a valid pattern: ${PATTERN_HELP}.`);
    return undefined;
  }
  if (subdomains && (host.startsWith('[') || /^[0-9.]+$/.test(host))) {
    report(`${show(value)} puts a wildcard in an IP address; list the addresses instead.`);
    return undefined;
  }
  const port = portText === undefined ? '' : portText === '*' ? '*' : `:${portText}`;
  const concrete = `${scheme}${subdomains ? `x.${host}` : host}${port === '*' ? '' : port}`;
  if (!isSerializedOrigin(concrete)) {
    // Suggest a pattern, not the concrete origin it was checked as.
    const respell = (origin: string): string =>
      (subdomains ? origin.replace('://x.', '://*.') : origin) + (port === '*' ? ':*' : '');
    const problem = originProblem(concrete, respell);
    const inPattern = (message: string): string =>
      `${show(value)} is not a valid pattern: ${message.replace(/^"[^"]*" /, 'the host part ')}`;
    report(
      inPattern(problem.message),
      problem.fix === undefined
        ? undefined
        : { suggestion: problem.fix.suggestion, without: inPattern(problem.fix.without) },
    );
    return undefined;
  }
  if (subdomains) {
    // `*.com.` is `*.com` written with the root label.
    const suffix = host.endsWith('.') ? host.slice(0, -1) : host;
    if ((!suffix.includes('.') && suffix !== 'localhost') || PUBLIC_SUFFIXES.has(suffix)) {
      report(
        `${show(value)} would trust every site under the public suffix ${show(host)}, where anyone ` +
          `can register a name; put your own domain after the wildcard (\`${scheme}*.yourdomain.${host}\`).`,
      );
      return undefined;
    }
  }
  return { kind: 'pattern', scheme, host, subdomains, port };
}

/** The host name a RegExp's body spells, when it is only that (`example\.com`, `\.example\.com`). */
function plainHost(body: string): string | undefined {
  return /^(?:[a-z0-9-]|\\\.)+$/i.test(body) ? body.replace(/\\\./g, '.') : undefined;
}

/**
 * How to anchor the user's own RegExp: `^` and a scheme in front when it has none (`/example\.com$/`
 * meant "example.com and its subdomains"), `$` at the end, and the pattern strings that say the same
 * when its body is a plain host name.
 */
function anchoringFix(re: RegExp): { readonly words: string; readonly anchored: RegExp } {
  let body = re.source.replace(/^\^/, '').replace(/\$$/, '');
  const host = plainHost(body);
  if (!/^(?:https?|wss?)(?:\\?:|\?:)/.test(body)) {
    const labels =
      host === undefined
        ? ''
        : host.startsWith('.')
          ? '(?:[a-z0-9-]+\\.)*[a-z0-9-]+'
          : '(?:[a-z0-9-]+\\.)*';
    body = `https:\\/\\/${labels}${body}`;
  }
  const anchored = new RegExp(`^${body}$`, re.flags.replace('m', ''));
  let patterns = '';
  if (host?.startsWith('.') === true) patterns = `, or use the pattern string "https://*${host}"`;
  else if (host !== undefined) {
    patterns = `, or use the pattern strings "https://${host}" and "https://*.${host}" (a list of both)`;
  }
  return { words: `anchor it: ${String(anchored)}${patterns}`, anchored };
}

/** ` ("an origin")` the RegExp admits and its author did not mean, when one can be told. */
function stranger(re: RegExp, end: boolean): string {
  const body = re.source.replace(/^\^/, '').replace(/\$$/, '');
  const host = plainHost(body.replace(/^(?:https?|wss?):\\\/\\\//, ''));
  if (host === undefined) return '';
  if (end) return ` ("https://${host.replace(/^\./, 'a.')}.evil.example")`;
  return host.startsWith('.') ? ` ("http://evil${host}")` : ` ("https://evil-${host}")`;
}

/**
 * Why a RegExp could admit origins its author did not mean (not anchored at both ends, a top-level
 * `|`, the `m` flag, a lone unescaped `.`), or undefined when it has none of these problems.
 */
export function regexpProblem(re: RegExp): string | undefined {
  return regexpIssue(re)?.message;
}

/** The words that replace a suggested RegExp that would itself be refused. */
const DECIDE_ORIGINS =
  'decide which origins to trust and list them (origin strings and patterns such as "https://*.example.com"), or check them in a function';

/** {@link regexpProblem}, with the RegExp that fixes it. */
export function regexpIssue(re: RegExp): Problem | undefined {
  const src = re.source;
  const fixed = (head: string, words: string, suggestion: RegExp): Problem => ({
    message: `${head}; ${words}`,
    fix: { suggestion, without: `${head}; ${DECIDE_ORIGINS}` },
  });
  if (re.flags.includes('m')) {
    const suggestion = new RegExp(src, re.flags.replace('m', ''));
    return fixed(
      `${String(re)} has the m flag, so ^ and $ also match at line breaks`,
      `remove it: ${String(suggestion)}`,
      suggestion,
    );
  }
  if (!src.startsWith('^')) {
    const { words, anchored } = anchoringFix(re);
    return fixed(
      `${String(re)} is not anchored at the start, so it also matches origins that merely contain a match${stranger(re, false)}`,
      words,
      anchored,
    );
  }
  let escaped = false;
  let inClass = false;
  let depth = 0;
  let endAnchor = false;
  // Positions of a `.` that stands alone: outside a class, unescaped and with no quantifier after
  // it. There it is one character of a host name written as "any character" (`app.example` admits
  // `appxexample`), while `.*`, `.+`, `.?` and `.{1,3}` are meant as wildcards.
  const dots: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    endAnchor = false;
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '$') endAnchor = true;
    else if (c === '.' && !/[*+?{]/.test(src.charAt(i + 1))) dots.push(i);
    else if (c === '|' && depth === 0) {
      const head = `${String(re)} has a top-level |, so ^ and $ each bind to one side only`;
      const grouped = groupAlternatives(re);
      return grouped === undefined
        ? { message: `${head}; group the alternatives: /^(?:a|b)$/` }
        : fixed(head, `group the alternatives: ${String(grouped)}`, grouped);
    }
  }
  if (!endAnchor) {
    const { words, anchored } = anchoringFix(re);
    return fixed(
      `${String(re)} is not anchored at the end, so it also matches longer origins${stranger(re, true)}`,
      words,
      anchored,
    );
  }
  if (dots.length > 0) {
    const chars = src.split('');
    for (const i of dots) chars[i] = '\\.';
    const escapedRe = new RegExp(chars.join(''), re.flags);
    return fixed(
      `${String(re)} has an unescaped "." outside a character class, which matches any character (app.example also admits appxexample)`,
      `escape it: ${String(escapedRe)} (or write .* or .+ if any characters are meant)`,
      escapedRe,
    );
  }
  return undefined;
}

/**
 * `/^a|b$/` as `/^(?:a|b)$/`, when each side has its own anchor (otherwise no guess is made). The
 * body between the anchors is a valid pattern already (it parsed with them), so wrapping it in a
 * group cannot make it invalid.
 */
function groupAlternatives(re: RegExp): RegExp | undefined {
  const src = re.source;
  if (!src.startsWith('^') || !src.endsWith('$') || src.endsWith('\\$')) return undefined;
  return new RegExp(`^(?:${src.slice(1, -1)})$`, re.flags);
}

// ---------------------------------------------------------------------------------------------------
// Matching

/** Tests a request origin against a compiled allow-list. */
export type OriginMatcher = (origin: string) => boolean;

/** Configured strings, found by the part of a request origin that must equal one of them. */
class Texts {
  private readonly texts = new Set<string>();

  get size(): number {
    return this.texts.size;
  }

  add(text: string): void {
    this.texts.add(text);
  }

  /** True when `value` from `from` to `to` is one of the texts. */
  has(value: string, from: number, to: number): boolean {
    return this.texts.has(value.slice(from, to));
  }
}

/** The patterns of one scheme. */
interface SchemePatterns {
  /** `https://` */
  readonly scheme: string;
  /** Hosts of any-port patterns (`http://localhost:*`). */
  readonly hosts: Texts;
  /** Subdomain patterns: `.suffix` + port ('' or ':n'), and `.suffix` for any port. */
  readonly sub: Texts;
  readonly subAnyPort: Texts;
  /** The lengths of their `.suffix`. */
  readonly lengths: number[];
}

/**
 * Compiles exact origins, patterns and RegExps into one matcher. Exact origins are one Set lookup;
 * patterns are looked up per scheme by the end of the host (`.suffix`, with the port unless any port
 * goes), one lookup per distinct length of the configured suffixes, so the cost grows neither with
 * the number of patterns nor with the number of labels in the request's host (a lookup per label
 * made a host of hundreds of labels cost time quadratic in its length). RegExps are tested in order.
 *
 * A malformed origin (one no browser sends) simply misses: what a hit would reflect is checked
 * before it is allowed, and only that: the labels a pattern's wildcard stands for and a port it
 * leaves open, or the whole origin when a RegExp matched it. Exact entries were checked when the
 * middleware was built. So a refused origin costs no syntax scan, and nothing longer than
 * {@link MAX_ORIGIN_LENGTH} reaches a RegExp.
 */
export function compileMatcher(
  entries: readonly OriginEntry[],
  regexps: readonly RegExp[],
  any: boolean,
): OriginMatcher {
  if (any) return isOriginSyntax;
  const exact = new Set<string>();
  const byScheme = new Map<string, SchemePatterns>();
  for (const entry of entries) {
    if (entry.kind === 'exact') {
      exact.add(entry.origin);
      continue;
    }
    let table = byScheme.get(entry.scheme);
    if (table === undefined) {
      table = {
        scheme: entry.scheme,
        hosts: new Texts(),
        sub: new Texts(),
        subAnyPort: new Texts(),
        lengths: [],
      };
      byScheme.set(entry.scheme, table);
    }
    if (!entry.subdomains) table.hosts.add(entry.host);
    else {
      const suffix = `.${entry.host}`;
      if (!table.lengths.includes(suffix.length)) table.lengths.push(suffix.length);
      if (entry.port === '*') table.subAnyPort.add(suffix);
      else table.sub.add(suffix + entry.port);
    }
  }
  const schemes = [...byScheme.values()];
  const res = regexps.map((re) => new RegExp(re.source, re.flags.replace(/[gy]/g, '')));
  if (schemes.length === 0 && res.length === 0) return (origin) => exact.has(origin);
  const inPatterns = (origin: string): boolean => {
    for (const table of schemes) {
      if (origin.startsWith(table.scheme)) return inSchemePatterns(table, origin);
    }
    return false;
  };
  const hasExact = exact.size > 0;
  return (origin) => {
    if (hasExact && exact.has(origin)) return true;
    if (origin.length > MAX_ORIGIN_LENGTH) return false;
    if (inPatterns(origin)) return true;
    for (const re of res) {
      if (re.test(origin)) return isOriginSyntax(origin);
    }
    return false;
  };
}

/** Whether `origin`, which starts with `table.scheme`, matches one of its patterns. */
function inSchemePatterns(table: SchemePatterns, origin: string): boolean {
  const hostStart = table.scheme.length;
  let hostEnd: number;
  if (origin.charCodeAt(hostStart) === 0x5b) {
    hostEnd = origin.indexOf(']', hostStart) + 1; // [IPv6]
    if (hostEnd === 0) return false;
  } else {
    // Back over the port's digits to its colon. A hit below is a configured scheme and suffix
    // (and port), labels and a port checked in place, so a wrong guess here can only miss.
    let i = origin.length - 1;
    while (i > hostStart && DIGIT(origin.charCodeAt(i))) i--;
    hostEnd = origin.charCodeAt(i) === 0x3a ? i : origin.length;
  }
  if (
    table.hosts.size > 0 &&
    table.hosts.has(origin, hostStart, hostEnd) &&
    isPortAt(origin, hostEnd)
  ) {
    return true;
  }
  for (const length of table.lengths) {
    // A subdomain: at least one label, then the dot that starts `.suffix`.
    const dot = hostEnd - length;
    if (dot <= hostStart || origin.charCodeAt(dot) !== 0x2e) continue;
    if (table.sub.size > 0 && table.sub.has(origin, dot, origin.length)) {
      if (isLabels(origin, hostStart, dot)) return true;
    }
    if (
      table.subAnyPort.size > 0 &&
      table.subAnyPort.has(origin, dot, hostEnd) &&
      isLabels(origin, hostStart, dot) &&
      isPortAt(origin, hostEnd)
    ) {
      return true;
    }
  }
  return false;
}

/** True when `origin` from `from` to `to` is one or more DNS labels (as {@link scanOrigin} reads them). */
function isLabels(origin: string, from: number, to: number): boolean {
  let previous = 0x2e; // no label may be empty, the first included
  for (let i = from; i < to; i++) {
    const c = origin.charCodeAt(i);
    if (c === 0x2e) {
      if (previous === 0x2e) return false;
    } else if (!(LOWER(c) || DIGIT(c) || c === 0x2d || c === 0x5f)) {
      return false;
    }
    previous = c;
  }
  return previous !== 0x2e;
}

/** True when `origin` ends at `at`, or has a serialized port there (`:` and 1 to 5 digits). */
function isPortAt(origin: string, at: number): boolean {
  const n = origin.length;
  if (at === n) return true;
  if (origin.charCodeAt(at) !== 0x3a) return false;
  const digits = n - at - 1;
  if (digits < 1 || digits > 5 || (digits > 1 && origin.charCodeAt(at + 1) === 0x30)) return false;
  for (let j = at + 1; j < n; j++) {
    if (!DIGIT(origin.charCodeAt(j))) return false;
  }
  return Number(origin.slice(at + 1)) <= 65535;
}

/** Collects what a list of configured origins compiles to, reporting each bad element. */
export interface OriginList {
  entries: OriginEntry[];
  regexps: RegExp[];
  /** Where each RegExp stands in the option (`origin`, `origin[2]`), for messages. */
  regexpPaths: string[];
  any: boolean;
}

export function collectOrigins(
  value: unknown,
  path: string,
  issues: FoundIssue[],
  into: OriginList = { entries: [], regexps: [], regexpPaths: [], any: false },
): OriginList {
  if (Array.isArray(value)) {
    value.forEach((item: unknown, i) =>
      collectOrigins(item, `${path}[${String(i)}]`, issues, into),
    );
    return into;
  }
  const report = (message: string, fix?: Fix): void => {
    issues.push(
      fix === undefined ? { option: path, value, message } : { option: path, value, message, fix },
    );
  };
  if (typeof value === 'string') {
    if (value === '*') {
      report(`"*" inside a list matches nothing; to allow any origin use origin: "*" on its own.`);
      return into;
    }
    const entry = parseOriginString(value, report);
    if (entry !== undefined) into.entries.push(entry);
  } else if (value instanceof RegExp) {
    const problem = regexpIssue(value);
    if (problem === undefined) {
      into.regexps.push(value);
      into.regexpPaths.push(path);
    } else report(problem.message, problem.fix);
  } else if (value === true) {
    into.any = true;
  } else if (value !== false) {
    report(`expected an origin string, a pattern, a RegExp or a boolean, got ${show(value)}.`);
  }
  return into;
}

/** True when `origin` is `http:` on a host other than a loopback name or address. */
export function isInsecureOrigin(entry: OriginEntry): boolean {
  const scheme =
    entry.kind === 'exact' ? entry.origin.slice(0, entry.origin.indexOf('://') + 3) : entry.scheme;
  if (scheme !== 'http://' && scheme !== 'ws://') return false;
  const host =
    entry.kind === 'exact' ? entry.origin.slice(scheme.length).replace(/:\d+$/, '') : entry.host;
  return !(
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}
