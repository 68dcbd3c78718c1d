// The browser's side of CORS, as the Fetch Standard defines it: which requests need a preflight, what
// the preflight carries, and the checks a browser runs on the answers. Pure functions over header
// lists; `corsguard check` sends the requests and reports what these functions decide.
//
// Header lists are arrays of [name, value] pairs in the order they were sent or received (a name may
// repeat). Section references are to https://fetch.spec.whatwg.org/.
import { isToken } from '../core/headers.js';

/** A header list: [name, value] pairs, names in any case. */
export type HeaderList = readonly (readonly [string, string])[];

/** §2.2.1: GET, HEAD and POST. */
export function isCorsSafelistedMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'POST';
}

/** §2.2.2: a byte below 0x20 other than HTAB, or one of `"():<>?@[\]{}` and DEL. */
function isCorsUnsafeRequestHeaderByte(code: number): boolean {
  return (code < 0x20 && code !== 0x09) || '"():<>?@[\\]{}\x7f'.includes(String.fromCharCode(code));
}

function hasUnsafeByte(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    if (isCorsUnsafeRequestHeaderByte(value.charCodeAt(i))) return true;
  }
  return false;
}

const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * The essence (`type/subtype`, lower-cased) of a MIME type, or null when the value does not parse
 * (MIME Sniffing Standard §4.4 "parse a MIME type"; the parameters never make it fail).
 */
function mimeEssence(value: string): string | null {
  const trimmed = value.replace(HTTP_WHITESPACE, '');
  const slash = trimmed.indexOf('/');
  if (slash < 0) return null;
  const type = trimmed.slice(0, slash);
  const semicolon = trimmed.indexOf(';', slash);
  const subtype = trimmed
    .slice(slash + 1, semicolon < 0 ? undefined : semicolon)
    .replace(/[\t\n\r ]+$/, '');
  if (!isToken(type) || !isToken(subtype)) return null;
  return `${type}/${subtype}`.toLowerCase();
}

/**
 * §2.2.2 "parse a single range header value" with allowWhitespace false, then the safelist's own
 * rule: a first position is required (browsers never sent `bytes=-500` themselves).
 */
function isSafelistedRange(value: string): boolean {
  const match = /^bytes=([0-9]*)-([0-9]*)$/i.exec(value);
  if (match === null || match[1] === '') return false;
  return match[2] === '' || Number(match[1]) <= Number(match[2]);
}

const LANGUAGE_BYTES = /^[0-9A-Za-z *,\-.;=]*$/;
const SAFELISTED_MIME = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);

/** §2.2.2 "CORS-safelisted request-header": Accept, Accept-Language, Content-Language, Content-Type, Range. */
export function isCorsSafelistedRequestHeader(name: string, value: string): boolean {
  if (value.length > 128) return false;
  switch (name.toLowerCase()) {
    case 'accept':
      return !hasUnsafeByte(value);
    case 'accept-language':
    case 'content-language':
      return LANGUAGE_BYTES.test(value);
    case 'content-type': {
      if (hasUnsafeByte(value)) return false;
      const essence = mimeEssence(value);
      return essence !== null && SAFELISTED_MIME.has(essence);
    }
    case 'range':
      return isSafelistedRange(value);
    default:
      return false;
  }
}

/** Why each name is CORS-unsafe, for the report. */
export interface UnsafeHeader {
  readonly name: string;
  readonly why: 'not-safelisted' | 'value-not-safelisted' | 'over-1024-bytes';
}

const SAFELISTED_NAMES = new Set([
  'accept',
  'accept-language',
  'content-language',
  'content-type',
  'range',
]);

/**
 * §2.2.2 "CORS-unsafe request-header names": the names that are not safelisted with their value,
 * plus every safelisted one when the safelisted values add up to more than 1024 bytes; lower-cased,
 * de-duplicated and sorted (as `Access-Control-Request-Headers` carries them).
 */
export function corsUnsafeRequestHeaders(headers: HeaderList): UnsafeHeader[] {
  const unsafe = new Map<string, UnsafeHeader['why']>();
  const potentially: string[] = [];
  let size = 0;
  for (const [rawName, value] of headers) {
    const name = rawName.toLowerCase();
    if (isCorsSafelistedRequestHeader(name, value)) {
      potentially.push(name);
      size += value.length;
    } else if (!unsafe.has(name)) {
      unsafe.set(name, SAFELISTED_NAMES.has(name) ? 'value-not-safelisted' : 'not-safelisted');
    }
  }
  if (size > 1024) {
    for (const name of potentially) if (!unsafe.has(name)) unsafe.set(name, 'over-1024-bytes');
  }
  return [...unsafe].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, why]) => ({ name, why }));
}

const FORBIDDEN_NAMES = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'connection',
  'content-length',
  'cookie',
  'cookie2',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'via',
]);

/**
 * §2.2.2 "forbidden request-header": names a page's `fetch()` silently drops (the browser sets them),
 * including the method-override headers when they name CONNECT, TRACE or TRACK.
 */
export function isForbiddenRequestHeader(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (FORBIDDEN_NAMES.has(lower) || lower.startsWith('proxy-') || lower.startsWith('sec-'))
    return true;
  if (
    lower === 'x-http-method' ||
    lower === 'x-http-method-override' ||
    lower === 'x-method-override'
  ) {
    return value
      .split(',')
      .some((m) => ['CONNECT', 'TRACE', 'TRACK'].includes(m.trim().toUpperCase()));
  }
  return false;
}

/** §4.1 main fetch, step 12: a preflight when the method or a header is not safelisted. */
export interface PreflightNeed {
  readonly needed: boolean;
  readonly methodUnsafe: boolean;
  readonly unsafeHeaders: readonly UnsafeHeader[];
}

export function preflightNeed(method: string, headers: HeaderList): PreflightNeed {
  const unsafeHeaders = corsUnsafeRequestHeaders(headers);
  const methodUnsafe = !isCorsSafelistedMethod(method);
  return { needed: methodUnsafe || unsafeHeaders.length > 0, methodUnsafe, unsafeHeaders };
}

/** §2.2.2 "get": every value of the header, joined with `, `; null when absent. */
export function getHeader(headers: HeaderList, name: string): string | null {
  const values = headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  return values.length === 0 ? null : values.join(', ');
}

/**
 * §2.2.2 "extract header list values" for a `#token` list (ACAM, ACAH): null when absent, 'failure'
 * when an element is not a token.
 */
export function extractList(headers: HeaderList, name: string): string[] | null | 'failure' {
  const value = getHeader(headers, name);
  if (value === null) return null;
  const items = value
    .split(',')
    .map((item) => item.replace(/^[\t ]+|[\t ]+$/g, ''))
    .filter((item) => item !== '');
  return items.every(isToken) ? items : 'failure';
}

/** Why a CORS check or a preflight failed: the rows of the troubleshooting table, and a few more. */
export type CorsFailureCause =
  | 'allow-origin-missing'
  | 'allow-origin-mismatch'
  | 'allow-origin-wildcard-credentials'
  | 'allow-credentials-not-true'
  | 'header-not-allowed'
  | 'method-not-allowed'
  | 'preflight-status'
  | 'preflight-redirect'
  | 'allow-origin-multiple'
  | 'allow-origin-invalid'
  | 'allow-methods-invalid'
  | 'allow-headers-invalid'
  | 'redirect-invalid'
  | 'redirect-with-credentials';

/** A failed check: the cause and the value it is about (a header value, name, method or status). */
export interface CorsFailure {
  readonly cause: CorsFailureCause;
  readonly value: string;
}

/**
 * §4.9 "CORS check" of a response to a request from `origin` (serialized, or `null`). The failure
 * cause is refined the way Chromium words it: several values, a value that is no origin, another one.
 */
export function corsCheck(
  origin: string,
  credentials: boolean,
  response: HeaderList,
): CorsFailure | null {
  const allowOrigin = getHeader(response, 'access-control-allow-origin');
  if (allowOrigin === null) return { cause: 'allow-origin-missing', value: '' };
  if (allowOrigin === '*' && !credentials) return null;
  if (allowOrigin === '*') return { cause: 'allow-origin-wildcard-credentials', value: '*' };
  if (allowOrigin !== origin) {
    if (/[ ,]/.test(allowOrigin)) return { cause: 'allow-origin-multiple', value: allowOrigin };
    if (allowOrigin !== 'null' && !parsesAsUrl(allowOrigin)) {
      return { cause: 'allow-origin-invalid', value: allowOrigin };
    }
    return { cause: 'allow-origin-mismatch', value: allowOrigin };
  }
  if (!credentials) return null;
  const allowCredentials = getHeader(response, 'access-control-allow-credentials');
  return allowCredentials === 'true'
    ? null
    : { cause: 'allow-credentials-not-true', value: allowCredentials ?? '' };
}

/** A request as the browser's preflight checks see it. */
export interface CorsRequest {
  readonly origin: string;
  readonly method: string;
  readonly credentials: boolean;
  readonly headers: HeaderList;
}

/** What a preflight that passed allows the browser to cache. */
export interface PreflightPass {
  /** Access-Control-Max-Age in seconds, or null when absent or not a number (5 s applies). */
  readonly maxAge: number | null;
}

/** §2.2.1 "ok status": 200 to 299. */
export function isOkStatus(status: number): boolean {
  return status >= 200 && status <= 299;
}

/** §2.2.1 "redirect status". */
export function isRedirectStatus(status: number): boolean {
  return [301, 302, 303, 307, 308].includes(status);
}

/**
 * §4.8 "CORS-preflight fetch", step 7: the CORS check and an ok status, then the method and each
 * CORS-unsafe header name against ACAM and ACAH. `*` covers any method or name only without
 * credentials, and never `Authorization` (a CORS non-wildcard request-header name).
 */
export function preflightCheck(
  request: CorsRequest,
  status: number,
  response: HeaderList,
): CorsFailure | PreflightPass {
  const failed = corsCheck(request.origin, request.credentials, response);
  if (failed !== null) return failed;
  if (!isOkStatus(status)) {
    return {
      cause: isRedirectStatus(status) ? 'preflight-redirect' : 'preflight-status',
      value: String(status),
    };
  }
  const methods = extractList(response, 'access-control-allow-methods');
  if (methods === 'failure') {
    return {
      cause: 'allow-methods-invalid',
      value: getHeader(response, 'access-control-allow-methods')!,
    };
  }
  const names = extractList(response, 'access-control-allow-headers');
  if (names === 'failure') {
    return {
      cause: 'allow-headers-invalid',
      value: getHeader(response, 'access-control-allow-headers')!,
    };
  }
  const anyMethod = !request.credentials && methods?.includes('*') === true;
  if (
    !isCorsSafelistedMethod(request.method) &&
    methods?.includes(request.method) !== true &&
    !anyMethod
  ) {
    return { cause: 'method-not-allowed', value: request.method };
  }
  const listed = new Set((names ?? []).map((n) => n.toLowerCase()));
  const anyHeader = !request.credentials && listed.has('*');
  const authorization = request.headers.some(([n]) => n.toLowerCase() === 'authorization');
  if (authorization && !listed.has('authorization')) {
    return { cause: 'header-not-allowed', value: 'authorization' };
  }
  for (const { name } of corsUnsafeRequestHeaders(request.headers)) {
    if (!listed.has(name) && !anyHeader) return { cause: 'header-not-allowed', value: name };
  }
  const maxAge = getHeader(response, 'access-control-max-age');
  return { maxAge: maxAge !== null && /^[0-9]+$/.test(maxAge) ? Number(maxAge) : null };
}

/** URL.canParse, which Node 18 before 18.17 lacks. */
function parsesAsUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}
