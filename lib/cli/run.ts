// The corsguard command line: `corsguard check` and `corsguard scan`. run() takes the arguments and
// where to write, and resolves the exit status (0 allowed / no finding, 1 blocked / findings, 2 usage
// or network error); main.ts is the bin that calls it.
import { isToken } from '../core/headers.js';
import { isForbiddenMethod, normalizeMethod } from '../core/methods.js';
import { printable } from '../core/errors.js';
import { isOriginSyntax } from '../core/origin.js';
import { type CheckRequest, type CheckResult, check, corsHeaders } from './check.js';
import { type HeaderList, isForbiddenRequestHeader } from './fetch.js';
import { NetworkError, type Transport } from './http.js';
import { type ScanResult, MAX_REQUESTS, scan } from './scan.js';

/** Where run() writes; each call is one or more whole lines. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const HELP = `corsguard: the browser's CORS verdict and a CORS misconfiguration scan, from the terminal

Usage:
  corsguard check <url> --origin <origin> [--method M] [--header 'Name: value']... [--credentials]
                  [--json] [--timeout ms] [--insecure]
  corsguard scan <url> [--origin <trusted-origin>] [--delay ms] [--json] [--timeout ms] [--insecure]
  corsguard --help

check  does what a browser does for fetch(url, { method, headers, credentials: 'include' when
       --credentials }) from a page on <origin>: decides whether a preflight is needed (Fetch
       Standard), sends it as Chromium does, runs the browser's checks on each answer, sends the
       actual request, follows redirects, and prints each step, the verdict, the message Chromium
       and Firefox print in the console, and the fix.
       Exit status: 0 allowed, 1 blocked, 2 usage or network error.
         --origin <origin>   the page's origin, e.g. https://app.example.com (or null)
         --method <method>   default GET; the actual request is sent with it, as the browser
                             would: --method DELETE deletes (point it at a test resource)
         --header 'N: v'     a request header the script sets (repeatable)
         --credentials       credentials: 'include' (no cookie is sent; the checks are the browser's)

scan   probes <url> for the misconfigurations attackers use: any origin reflected (with credentials),
       null trusted, prefix/suffix/unescaped-dot bypasses of <trusted-origin>, its subdomains, other
       ports and http: trusted with credentials, '*' with credentials, request headers or method
       reflected unvalidated, no Vary: Origin on an origin-dependent answer, CR/LF in a reflected
       origin (sent as %0d%0a: a raw CR/LF cannot be sent), and preflights a JSON POST from
       <trusted-origin> cannot pass. At most ${MAX_REQUESTS}
       requests, one at a time, only GET and OPTIONS.
       Exit status: 0 no finding, 1 findings, 2 usage or network error.
         --origin <origin>   an origin the server trusts (derives the bypass probes)
         --delay <ms>        wait between requests (default 0)

Both:
  --json          one JSON object on stdout, with every request and response
  --timeout <ms>  give up on an answer after this long (default 10000)
  --insecure      accept any TLS certificate (a self-signed test server only; browsers never do)
`;

class UsageError extends Error {}

/** How many --timeout a whole scan may take. */
const SCAN_RUN_TIMEOUTS = 10;

interface Parsed {
  readonly command: 'check' | 'scan' | 'help';
  readonly url: string;
  readonly origin: string | undefined;
  readonly method: string;
  readonly headers: [string, string][];
  readonly credentials: boolean;
  readonly json: boolean;
  readonly timeout: number;
  readonly delay: number;
  readonly insecure: boolean;
}

const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

function header(text: string): [string, string] {
  const colon = text.indexOf(':');
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).replace(HTTP_WHITESPACE, '');
  if (colon < 0 || !isToken(name)) {
    throw new UsageError(
      `--header ${JSON.stringify(text)}: expected 'Name: value' with a header name`,
    );
  }
  // fetch() throws a TypeError for these (Headers only hold byte strings without NUL, CR or LF).
  if (/[\0\r\n]|[^\0-\xff]/.test(value)) {
    throw new UsageError(
      `--header ${JSON.stringify(text)}: the value has a NUL, CR, LF or a character above U+00FF, which fetch() refuses`,
    );
  }
  return [name, value];
}

function positive(option: string, text: string, zero: boolean): number {
  if (!/^[0-9]+$/.test(text) || (!zero && Number(text) === 0)) {
    throw new UsageError(
      `${option} ${JSON.stringify(text)}: expected a whole number of milliseconds`,
    );
  }
  return Number(text);
}

function parse(argv: readonly string[]): Parsed {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    return { ...DEFAULTS, command: 'help' };
  }
  if (command !== 'check' && command !== 'scan') {
    throw new UsageError(`unknown command ${JSON.stringify(command)}: expected check or scan`);
  }
  const parsed: { -readonly [K in keyof Parsed]: Parsed[K] } = {
    ...DEFAULTS,
    command,
    headers: [],
  };
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const option = eq < 0 ? arg : arg.slice(0, eq);
    const value = (): string => {
      const v = eq < 0 ? rest[++i] : arg.slice(eq + 1);
      if (v === undefined) throw new UsageError(`${option} needs a value`);
      return v;
    };
    const flag = (): true => {
      if (eq >= 0) throw new UsageError(`${option} takes no value`);
      return true;
    };
    const only = (which: Parsed['command']): void => {
      if (command !== which) throw new UsageError(`${option} is an option of corsguard ${which}`);
    };
    switch (option) {
      case '--help':
      case '-h':
        return { ...DEFAULTS, command: 'help' };
      case '--origin':
        parsed.origin = value();
        break;
      case '--method':
        only('check');
        parsed.method = value();
        break;
      case '--header':
      case '-H':
        only('check');
        parsed.headers.push(header(value()));
        break;
      case '--credentials':
        only('check');
        parsed.credentials = flag();
        break;
      case '--delay':
        only('scan');
        parsed.delay = positive(option, value(), true);
        break;
      case '--json':
        parsed.json = flag();
        break;
      case '--insecure':
        parsed.insecure = flag();
        break;
      case '--timeout':
        parsed.timeout = positive(option, value(), false);
        break;
      default:
        if (arg.startsWith('-')) {
          const near = nearestFlag(option);
          throw new UsageError(
            `unknown option ${arg}${near === undefined ? '' : `; did you mean ${near}?`} (corsguard --help lists them)`,
          );
        }
        positionals.push(arg);
    }
  }
  if (positionals.length !== 1) {
    throw new UsageError(`corsguard ${command} takes one URL, got ${positionals.length}`);
  }
  parsed.url = positionals[0]!;
  let url: URL | undefined;
  try {
    url = new URL(parsed.url);
  } catch {
    url = undefined;
  }
  if (url === undefined || !/^https?:$/.test(url.protocol)) {
    throw new UsageError(`${JSON.stringify(parsed.url)} is not an http: or https: URL`);
  }
  if (parsed.origin !== undefined && !isOriginSyntax(parsed.origin)) {
    const meant = originMeant(parsed.origin);
    throw new UsageError(
      `--origin ${JSON.stringify(parsed.origin)} is not an origin as browsers send it: scheme://host[:port], lower case, no path or trailing slash (or null)${meant === undefined ? '' : `; did you mean ${meant}?`}`,
    );
  }
  if (command === 'check' && parsed.origin === undefined) {
    throw new UsageError('corsguard check needs --origin, the origin of the page that fetches');
  }
  if (!isToken(parsed.method))
    throw new UsageError(`--method ${JSON.stringify(parsed.method)} is not a method name`);
  if (isForbiddenMethod(parsed.method)) {
    throw new UsageError(`--method ${parsed.method}: fetch() refuses CONNECT, TRACE and TRACK`);
  }
  parsed.method = normalizeMethod(parsed.method);
  return parsed;
}

const FLAGS = [
  '--origin',
  '--method',
  '--header',
  '--credentials',
  '--delay',
  '--json',
  '--insecure',
  '--timeout',
  '--help',
];

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
}

/** The known flag a mistyped one is closest to (`--methd`, `-origin`, `--credential`). */
function nearestFlag(option: string): string | undefined {
  const written = `--${option.replace(/^-+/, '').toLowerCase()}`;
  let best: string | undefined;
  let bestDistance = 3;
  for (const flag of FLAGS) {
    const d = distance(written, flag);
    if (d < bestDistance) {
      best = flag;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * The origin a mistyped --origin most likely means: a scheme added (http: for localhost and
 * addresses, as dev servers run, https: otherwise), the path dropped, the case lowered.
 */
function originMeant(text: string): string | undefined {
  const local = /^(localhost|127\.|\[::1\]|0\.0\.0\.0|10\.|192\.168\.)/i.test(text);
  const withScheme = text.includes('://') ? text : `${local ? 'http' : 'https'}://${text}`;
  try {
    const origin = new URL(withScheme).origin;
    return origin !== 'null' && isOriginSyntax(origin) ? origin : undefined;
  } catch {
    return undefined;
  }
}

const DEFAULTS: Omit<Parsed, 'command'> = {
  url: '',
  origin: undefined,
  method: 'GET',
  headers: [],
  credentials: false,
  json: false,
  timeout: 10_000,
  delay: 0,
  insecure: false,
};

/**
 * The report as it reaches the terminal: every line made printable (C0 but tab, DEL and C1
 * escaped), since status texts, header names and values, URLs and the messages quoting them come
 * from a server that may write terminal escapes (erase lines, recolour text, set the title, write
 * the clipboard).
 */
function report(out: readonly string[]): string {
  return `${out.map(printable).join('\n')}\n`;
}

/** JSON for the terminal: JSON.stringify escapes C0; DEL and C1 are escaped too. */
function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

function lines(headers: HeaderList, mark: string): string[] {
  return headers.map(([name, value]) => `  ${mark} ${name}: ${value}`);
}

/** The text report of a check. */
export function formatCheck(result: CheckResult, dropped: readonly string[]): string {
  const out = [
    `corsguard check: ${result.method} ${result.url} from ${result.origin}, credentials ${result.credentials ? "'include'" : "'same-origin' (none sent cross-origin)"}`,
    ...dropped.map((name) => `  note: fetch() drops the forbidden header ${name}; it is not sent`),
    result.preflight.needed
      ? `preflight: needed, because ${result.preflight.reasons.join('; ')}`
      : 'preflight: not needed (a CORS-safelisted method and headers)',
  ];
  for (const { step, request, response } of result.exchanges) {
    out.push(
      '',
      `${step}:`,
      `  > ${request.method} ${request.url}`,
      ...lines(
        request.headers.filter(([n]) => !/^(accept|user-agent)$/i.test(n)),
        '>',
      ),
      `  < ${response.status} ${response.statusText}`,
      ...lines(corsHeaders(response.headers), '<'),
    );
  }
  if (result.maxAge !== undefined) {
    const { sent, chromium, firefox } = result.maxAge;
    out.push(
      '',
      `preflight cached: ${sent === null ? 'no Access-Control-Max-Age, so 5 s' : `Access-Control-Max-Age ${sent}`} (Chromium keeps it ${chromium} s, Firefox ${firefox} s)`,
    );
  }
  const failure = result.failure;
  if (failure === undefined) {
    out.push('', `verdict: ALLOWED: the page on ${result.origin} can read the response`);
  } else {
    out.push(
      '',
      `verdict: BLOCKED at the ${failure.step === 'preflight' ? 'preflight' : 'actual request'} (${failure.cause})`,
      `  Chromium: ${failure.chromium}`,
      `  Firefox:  ${failure.firefox}`,
      `  fix: ${failure.fix}`,
      `  with corsguard: ${failure.corsguard}`,
      ...(failure.note === undefined ? [] : [`  note: ${failure.note}`]),
    );
  }
  out.push(...result.warnings.map((w) => `warning: ${w}`));
  return report(out);
}

/** The text report of a scan. */
export function formatScan(result: ScanResult): string {
  const out = [
    `corsguard scan: ${result.url}${result.trusted === undefined ? '' : ` (trusted origin ${result.trusted})`}, ${result.requests} requests`,
  ];
  out.push(...result.notes.map((n) => `note: ${n}`));
  for (const f of result.findings) {
    out.push(
      '',
      `[${f.severity}] ${f.id}: ${f.title}`,
      `  > ${f.evidence.request.method} ${f.evidence.request.url}`,
      ...lines(
        f.evidence.request.headers.filter(([n]) => !/^(accept|user-agent)$/i.test(n)),
        '>',
      ),
      `  < ${f.evidence.response.status} ${f.evidence.response.statusText}`,
      ...lines(corsHeaders(f.evidence.response.headers), '<'),
      `  fix: ${f.fix}`,
    );
  }
  out.push(
    '',
    result.findings.length === 0 ? 'no finding' : `${result.findings.length} finding(s)`,
  );
  return report(out);
}

/** Runs the command line; resolves the exit status. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    const message = (err as Error).message;
    io.stderr(report([`corsguard: ${message}`]));
    if (argv.includes('--json')) io.stdout(json({ error: { kind: 'usage', message } }));
    return 2;
  }
  if (parsed.command === 'help') {
    io.stdout(HELP);
    return 0;
  }
  // --timeout bounds each request, and the run: a check as a whole, a scan within ten times it
  // (plus the delays it was asked to wait).
  const transport: Transport = {
    timeout: parsed.timeout,
    insecure: parsed.insecure,
    deadline:
      Date.now() +
      (parsed.command === 'check'
        ? parsed.timeout
        : SCAN_RUN_TIMEOUTS * parsed.timeout + MAX_REQUESTS * parsed.delay),
  };
  if (parsed.insecure) {
    io.stderr(
      'corsguard: WARNING: --insecure: TLS certificates are NOT verified. A browser refuses a certificate it does not trust, so a verdict here says nothing about that.\n',
    );
  }
  try {
    if (parsed.command === 'scan') {
      const result = await scan(
        { url: parsed.url, trusted: parsed.origin, delay: parsed.delay },
        transport,
      );
      io.stdout(parsed.json ? json(result) : formatScan(result));
      return result.findings.length === 0 ? 0 : 1;
    }
    const dropped = parsed.headers
      .filter(([n, v]) => isForbiddenRequestHeader(n, v))
      .map(([n]) => n);
    const request: CheckRequest = {
      url: new URL(parsed.url).href,
      origin: parsed.origin!,
      method: parsed.method,
      headers: parsed.headers.filter(([n, v]) => !isForbiddenRequestHeader(n, v)),
      credentials: parsed.credentials,
    };
    if (new URL(request.url).origin === request.origin) {
      io.stdout(
        `corsguard check: ${request.url} is on ${request.origin} itself: a same-origin request, which CORS does not restrict\n`,
      );
      return 0;
    }
    const result = await check(request, transport);
    io.stdout(parsed.json ? json({ ...result, dropped }) : formatCheck(result, dropped));
    return result.verdict === 'allowed' ? 0 : 1;
  } catch (err) {
    if (!(err instanceof NetworkError)) throw err;
    const message = `network error: ${err.message}`;
    io.stderr(report([`corsguard ${parsed.command}: ${message}`]));
    if (parsed.json) io.stdout(json({ error: { kind: 'network', message } }));
    return 2;
  }
}
