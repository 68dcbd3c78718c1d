// `corsguard check`: what a browser does for fetch(url, { method, headers, credentials }) from a page
// on `origin`, step by step (Fetch §4.1 main fetch, §4.8 CORS-preflight fetch, §4.4 HTTP-redirect
// fetch), with the verdict, each engine's console message and the fix.
import {
  type CorsFailure,
  type HeaderList,
  type PreflightNeed,
  corsCheck,
  getHeader,
  isRedirectStatus,
  preflightCheck,
  preflightNeed,
} from './fetch.js';
import { type Received, type SentRequest, type Transport, send } from './http.js';
import { CHROMIUM_PREFLIGHT, entryFor, fill } from './messages.js';

/** What to fetch, as the page's script would. */
export interface CheckRequest {
  readonly url: string;
  /** The page's origin, serialized, or `null`. */
  readonly origin: string;
  /** Normalized (the six standard methods upper-cased). */
  readonly method: string;
  /** What the script sets; forbidden names already dropped. */
  readonly headers: HeaderList;
  /** credentials: 'include'. */
  readonly credentials: boolean;
}

export interface Exchange {
  readonly step: 'preflight' | 'actual';
  readonly request: SentRequest;
  readonly response: Received;
}

/** Why a request was blocked, in the engines' words and in corsguard's. */
export interface CheckFailure extends CorsFailure {
  readonly step: 'preflight' | 'actual';
  readonly chromium: string;
  readonly firefox: string;
  /** What the server must send. */
  readonly fix: string;
  /** The corsguard option to change. */
  readonly corsguard: string;
  readonly note?: string;
}

export interface CheckResult {
  readonly verdict: 'allowed' | 'blocked';
  readonly url: string;
  readonly origin: string;
  readonly method: string;
  readonly credentials: boolean;
  readonly preflight: { readonly needed: boolean; readonly reasons: readonly string[] };
  readonly exchanges: readonly Exchange[];
  /** Access-Control-Max-Age as sent, and how long each engine keeps the preflight. */
  readonly maxAge?: {
    readonly sent: number | null;
    readonly chromium: number;
    readonly firefox: number;
  };
  readonly failure?: CheckFailure;
  /** What works but is fragile. */
  readonly warnings: readonly string[];
}

/** Chromium caps Access-Control-Max-Age at 2 hours, Firefox at 24; the default is 5 s. */
const CHROMIUM_MAX_AGE = 7200;
const FIREFOX_MAX_AGE = 86400;
const USER_AGENT = 'corsguard-check';
const MAX_REDIRECTS = 20;

function reasons(need: PreflightNeed, method: string): string[] {
  const why = {
    'not-safelisted': 'is not',
    'value-not-safelisted': 'has a value that is not',
    'over-1024-bytes': 'is',
  };
  return [
    ...(need.methodUnsafe ? [`method ${method} is not CORS-safelisted (GET, HEAD, POST)`] : []),
    ...need.unsafeHeaders.map(({ name, why: w }) =>
      w === 'over-1024-bytes'
        ? `header ${name} is safelisted, but the safelisted values add up to more than 1024 bytes`
        : `header ${name} ${why[w]} CORS-safelisted`,
    ),
  ];
}

/** The failures of the CORS check itself, which Chromium words after its preflight prefix. */
const CORS_CHECK_CAUSES = new Set<CorsFailure['cause']>([
  'allow-origin-missing',
  'allow-origin-mismatch',
  'allow-origin-wildcard-credentials',
  'allow-credentials-not-true',
  'allow-origin-multiple',
  'allow-origin-invalid',
]);

/** The console message each engine prints, and the fixes, from the troubleshooting table. */
function failure(
  step: 'preflight' | 'actual',
  found: CorsFailure,
  status: number,
  at: { url: string; first: string; origin: string; hop: number },
): CheckFailure {
  const values = { value: found.value, origin: at.origin };
  // Chromium checks for a redirect before the preflight's CORS headers; Firefox after them.
  const chromiumCause =
    step === 'preflight' && isRedirectStatus(status) ? 'preflight-redirect' : found.cause;
  const chromiumEntry = entryFor(chromiumCause);
  const chromiumValues =
    chromiumCause === found.cause ? values : { value: String(status), origin: at.origin };
  const prefix =
    chromiumEntry.chromium[0]!.preflight === true ||
    (step === 'preflight' && CORS_CHECK_CAUSES.has(found.cause))
      ? CHROMIUM_PREFLIGHT
      : '';
  // Chromium 156 adds this to the messages about a value of Access-Control-Allow-Origin.
  const valid = ['allow-origin-mismatch', 'allow-origin-multiple', 'allow-origin-invalid'].includes(
    chromiumCause,
  )
    ? ' Have the server send the header with a valid value.'
    : '';
  const redirected = at.hop === 0 ? '' : ` (redirected from '${at.first}')`;
  const entry = entryFor(found.cause);
  const firefoxSaid = found.cause === 'preflight-redirect' ? entry.firefox[1]! : entry.firefox[0]!;
  const statusCode =
    found.cause === 'allow-origin-missing' || found.cause === 'preflight-status'
      ? ` Status code: ${status}.`
      : found.cause === 'redirect-with-credentials'
        ? ' Status code: (null).'
        : '';
  // Firefox 153 quotes the URL in this one message.
  const firefoxUrl = found.cause === 'allow-origin-wildcard-credentials' ? `‘${at.url}’` : at.url;
  return {
    step,
    ...found,
    chromium: `Access to fetch at '${at.url}'${redirected} from origin '${at.origin}' has been blocked by CORS policy: ${prefix}${fill(chromiumEntry.chromium[0]!.text, chromiumValues)}${valid}`,
    firefox: `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${firefoxUrl}. (Reason: ${fill(firefoxSaid.text, values)}).${statusCode}`,
    fix: fill(entry.general, values),
    corsguard: fill(entry.fix, values).replace(/`/g, ''),
  };
}

/** A loopback or private (RFC 1918, RFC 4193, link-local) address, or a localhost name. */
function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^(127\.|10\.|192\.168\.|169\.254\.|172\.(1[6-9]|2[0-9]|3[01])\.)/.test(host) ||
    host === '::1' ||
    /^f[cd][0-9a-f]{2}:/.test(host) ||
    /^fe[89ab][0-9a-f]:/.test(host)
  );
}

/**
 * Local Network Access: a page on a public origin fetching a loopback or private address. Chromium
 * 142 and later, and Firefox, ask the user for a permission no response header grants (Private
 * Network Access, its Access-Control-Request-Private-Network preflight and corsguard's
 * privateNetworkAccess, are for the older Chromium versions that sent it).
 */
export function localNetworkNote(pageOrigin: string, url: string): string | undefined {
  const target = new URL(url).hostname;
  if (!isLocalHost(target)) return undefined;
  let page: string | undefined;
  try {
    page = new URL(pageOrigin).hostname;
  } catch {
    page = undefined; // an opaque (null) origin counts as public
  }
  if (page !== undefined && isLocalHost(page)) return undefined;
  const space = /^(localhost|.*\.localhost|127\..*|\[::1\])$/i.test(target) ? 'loopback' : 'local';
  return `${target} is a ${space} address and the page's origin is not: Chromium 142+ and Firefox ask the user for Local Network Access first, which no response header grants (privateNetworkAccess answers only older Chromium versions); the page should fetch with { targetAddressSpace: '${space}' }`;
}

/** The response headers worth printing: CORS, Vary, Location and Allow. */
export function corsHeaders(headers: HeaderList): HeaderList {
  return headers.filter(([name]) => /^(access-control-|vary$|location$|allow$)/i.test(name));
}

const AUTHORIZATION_UNDER_WILDCARD =
  "Authorization passes only because today's browsers still let Access-Control-Allow-Headers: * cover it (Chromium and Firefox print a deprecation warning): the Fetch Standard says '*' never covers Authorization, and once they enforce it this preflight fails with \"Request header field authorization is not allowed\"; list it: Access-Control-Allow-Headers: Authorization (corsguard: allowedHeaders: ['Authorization', ...])";

/**
 * A preflight answered without Access-Control-Allow-Origin: who answered it. No CORS middleware
 * ran for OPTIONS when the application answered (Express's own OPTIONS reply is a 2xx with Allow
 * and no Vary: Origin, as with `app.post('/x', cors(), handler)` and no `app.options`); a CORS
 * middleware refused the origin when the answer varies on Origin; otherwise the status says it.
 */
function diagnosed(failed: CheckFailure, response: Received): CheckFailure {
  if (failed.cause !== 'allow-origin-missing') return failed;
  const allow = getHeader(response.headers, 'allow');
  const corsHeaderSent = response.headers.some(([n]) => /^access-control-/i.test(n));
  if (
    response.status >= 200 &&
    response.status < 300 &&
    allow !== null &&
    !corsHeaderSent &&
    !varies(response.headers)
  ) {
    return {
      ...failed,
      fix: `no CORS middleware answered this preflight: the application did (${response.status} with Allow: ${allow}, the answer Express gives an OPTIONS request no route handles). A cors() on the route itself (app.post(path, cors(), handler)) never sees the OPTIONS request`,
      corsguard:
        'mount corsguard on the app or a router (app.use(cors(...))), or add app.options(path, cors(...)) beside the route',
    };
  }
  if (varies(response.headers)) {
    return {
      ...failed,
      note: 'the answer varies on Origin, so a CORS middleware ran and refused this origin: with corsguard, NODE_DEBUG=corsguard on the server prints the reason',
    };
  }
  return failed;
}

function varies(headers: HeaderList): boolean {
  const vary = getHeader(headers, 'vary');
  return vary?.split(',').some((v) => ['origin', '*'].includes(v.trim().toLowerCase())) === true;
}

/** Runs the fetch; network failures reject with a NetworkError. */
export async function check(request: CheckRequest, transport: Transport): Promise<CheckResult> {
  const { credentials } = request;
  const exchanges: Exchange[] = [];
  const warnings: string[] = [];
  const first = request.url;
  let { url, method, headers } = request;
  let tainted = false;
  let maxAge: CheckResult['maxAge'];
  const firstNeed = preflightNeed(method, headers);
  const base = {
    url: first,
    origin: request.origin,
    method,
    credentials,
    preflight: { needed: firstNeed.needed, reasons: reasons(firstNeed, method) },
    exchanges,
    warnings,
  };
  const warnVary = (response: Received, origin: string): void => {
    const acao = getHeader(response.headers, 'access-control-allow-origin');
    const message = `Access-Control-Allow-Origin names ${origin} but the answer has no Vary: Origin: if it depends on the request's Origin, a shared cache can serve it to another origin`;
    if (acao === origin && !varies(response.headers) && !warnings.includes(message))
      warnings.push(message);
  };
  const local = localNetworkNote(request.origin, first);
  if (local !== undefined) warnings.push(local);
  for (let hop = 0; ; hop++) {
    const origin = tainted ? 'null' : request.origin;
    const at = { url, first, origin, hop };
    const need = preflightNeed(method, headers);
    if (need.needed) {
      const sent: SentRequest = {
        method: 'OPTIONS',
        url,
        headers: [
          ['Accept', '*/*'],
          ['Origin', origin],
          ['Access-Control-Request-Method', method],
          ...(need.unsafeHeaders.length === 0
            ? []
            : [
                [
                  'Access-Control-Request-Headers',
                  need.unsafeHeaders.map((h) => h.name).join(','),
                ] as const,
              ]),
          ['User-Agent', USER_AGENT],
        ],
      };
      const response = await send(sent, transport);
      exchanges.push({ step: 'preflight', request: sent, response });
      warnVary(response, origin);
      let passed = preflightCheck(
        { origin, method, credentials, headers },
        response.status,
        response.headers,
      );
      // The verdict is the browser's: the Fetch Standard says '*' never covers Authorization, but
      // Chromium 156 and Firefox 153 still let it through (with a deprecation warning). Say so.
      if (
        'cause' in passed &&
        passed.cause === 'header-not-allowed' &&
        passed.value === 'authorization' &&
        !credentials &&
        getHeader(response.headers, 'access-control-allow-headers')?.includes('*') === true
      ) {
        // Then judged without it: the rest of the preflight must pass on its own.
        warnings.push(AUTHORIZATION_UNDER_WILDCARD);
        passed = preflightCheck(
          {
            origin,
            method,
            credentials,
            headers: headers.filter(([n]) => n.toLowerCase() !== 'authorization'),
          },
          response.status,
          response.headers,
        );
      }
      if ('cause' in passed) {
        return {
          ...base,
          verdict: 'blocked',
          failure: diagnosed(failure('preflight', passed, response.status, at), response),
        };
      }
      maxAge = {
        sent: passed.maxAge,
        chromium: Math.min(passed.maxAge ?? 5, CHROMIUM_MAX_AGE),
        firefox: Math.min(passed.maxAge ?? 5, FIREFOX_MAX_AGE),
      };
      if ((passed.maxAge ?? 0) > CHROMIUM_MAX_AGE) {
        warnings.push(
          `Access-Control-Max-Age ${passed.maxAge} is above Chromium's cap: it keeps the preflight ${CHROMIUM_MAX_AGE} s`,
        );
      }
      if (!credentials) {
        const withCredentials = preflightCheck(
          { origin, method, credentials: true, headers },
          response.status,
          [
            ...response.headers.filter(
              ([n]) => !/^access-control-allow-(origin|credentials)$/i.test(n),
            ),
            ['Access-Control-Allow-Origin', origin],
            ['Access-Control-Allow-Credentials', 'true'],
          ],
        );
        if ('cause' in withCredentials) {
          warnings.push(
            `the preflight passes through '*' in Access-Control-Allow-${withCredentials.cause === 'method-not-allowed' ? 'Methods' : 'Headers'}, which covers nothing once credentials are included: ${withCredentials.value} would be refused`,
          );
        }
      }
    }
    const sent: SentRequest = {
      method,
      url,
      headers: [
        ...(headers.some(([n]) => n.toLowerCase() === 'accept')
          ? []
          : [['Accept', '*/*'] as const]),
        ['Origin', origin],
        ...headers,
        ['User-Agent', USER_AGENT],
      ],
    };
    const response = await send(sent, transport);
    exchanges.push({ step: 'actual', request: sent, response });
    warnVary(response, origin);
    const failed = corsCheck(origin, credentials, response.headers);
    if (failed !== null) {
      return {
        ...base,
        verdict: 'blocked',
        failure: failure('actual', failed, response.status, at),
      };
    }
    if (!credentials && getHeader(response.headers, 'access-control-allow-origin') === '*') {
      warnings.push(
        "Access-Control-Allow-Origin is '*': the same request with credentials: 'include' is blocked",
      );
    }
    const location = getHeader(response.headers, 'location');
    if (!isRedirectStatus(response.status) || location === null) {
      return { ...base, verdict: 'allowed', ...(maxAge === undefined ? {} : { maxAge }) };
    }
    // §4.4 HTTP-redirect fetch.
    let next: URL | undefined;
    try {
      next = new URL(location, url);
    } catch {
      next = undefined;
    }
    if (next !== undefined && (next.username !== '' || next.password !== '')) {
      return {
        ...base,
        verdict: 'blocked',
        failure: failure(
          'actual',
          { cause: 'redirect-with-credentials', value: location },
          response.status,
          at,
        ),
      };
    }
    if (next === undefined || !/^https?:$/.test(next.protocol) || hop === MAX_REDIRECTS) {
      return {
        ...base,
        verdict: 'blocked',
        failure: failure(
          'actual',
          { cause: 'redirect-invalid', value: location },
          response.status,
          at,
        ),
      };
    }
    const current = new URL(url);
    if (current.origin !== next.origin) {
      if (request.origin !== current.origin) tainted = true;
      // §4.4 HTTP-redirect fetch: Authorization (a CORS non-wildcard request-header name) is removed
      // when a redirect crosses origins; the browser does not carry the credentials it holds on.
      if (headers.some(([n]) => n.toLowerCase() === 'authorization')) {
        headers = headers.filter(([n]) => n.toLowerCase() !== 'authorization');
        warnings.push(
          `the redirect to ${next.origin} crosses origins, so the browser drops the Authorization header (Fetch Standard, HTTP-redirect fetch); it was not sent there`,
        );
      }
    }
    if (current.protocol === 'https:' && next.protocol === 'http:') {
      warnings.push(
        `the redirect leaves https: for http: (${next.href}): anyone on the network can read and change that request and its answer, and a page served over https: has it blocked as mixed content`,
      );
    }
    if (
      ((response.status === 301 || response.status === 302) && method === 'POST') ||
      (response.status === 303 && method !== 'GET' && method !== 'HEAD')
    ) {
      method = 'GET';
      headers = headers.filter(([n]) => !/^content-(encoding|language|location|type)$/i.test(n));
    }
    url = next.href;
  }
}
