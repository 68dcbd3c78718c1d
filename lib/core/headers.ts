// Header names and the request-header list (Access-Control-Request-Headers).
//
// RFC 9110 §5.6.2:  token = 1*tchar
//   tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
//           / DIGIT / ALPHA
// RFC 9110 §5.6.1: a list is elements separated by "," with optional white space (SP / HTAB) around
// them; recipients accept empty elements.

export const ORIGIN = 'origin';
export const ACRM = 'access-control-request-method';
export const ACRH = 'access-control-request-headers';
export const ACRPN = 'access-control-request-private-network';

export const ACAO = 'Access-Control-Allow-Origin';
export const ACAC = 'Access-Control-Allow-Credentials';
export const ACAM = 'Access-Control-Allow-Methods';
export const ACAH = 'Access-Control-Allow-Headers';
export const ACEH = 'Access-Control-Expose-Headers';
export const ACMA = 'Access-Control-Max-Age';
export const ACAPN = 'Access-Control-Allow-Private-Network';

/** Longest `Access-Control-Request-Headers` value that is reflected; a browser sends far less. */
export const MAX_REQUEST_HEADERS_LENGTH = 4096;
/** Most names (empty elements included) an `Access-Control-Request-Headers` list may hold. */
export const MAX_REQUEST_HEADERS_COUNT = 100;

const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TCHAR[c.charCodeAt(0)] = 1;
}

/** True when `code` is a tchar. */
export function isTchar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

/** True when `value` is a non-empty RFC 9110 token (a valid header or method name). */
export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    if (!isTchar(value.charCodeAt(i))) return false;
  }
  return true;
}

const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;

/**
 * Checks an `Access-Control-Request-Headers` value in one pass: a comma list of tokens with optional
 * white space, at most {@link MAX_REQUEST_HEADERS_LENGTH} characters and
 * {@link MAX_REQUEST_HEADERS_COUNT} elements. Only a value that passes is ever reflected, so no
 * control character, quote or non-token byte can reach a response header.
 */
export function isValidRequestHeaderList(value: string): boolean {
  const n = value.length;
  if (n > MAX_REQUEST_HEADERS_LENGTH) return false;
  let elements = 1;
  // 0: before a name (or in leading white space), 1: in a name, 2: after a name (trailing white space)
  let state = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c === COMMA) {
      if (++elements > MAX_REQUEST_HEADERS_COUNT) return false;
      state = 0;
    } else if (c === SP || c === HTAB) {
      if (state === 1) state = 2;
    } else if (isTchar(c)) {
      if (state === 2) return false; // two names without a comma between them
      state = 1;
    } else {
      return false;
    }
  }
  return true;
}

/**
 * Splits a configured header or method list (`'Content-Type, X-Id'` or `['Content-Type', 'X-Id']`)
 * into trimmed names. Empty elements are dropped.
 */
export function splitList(value: string | readonly unknown[]): unknown[] {
  const items: unknown[] = typeof value === 'string' ? value.split(',') : value.slice();
  const out: unknown[] = [];
  for (const item of items) {
    const trimmed = typeof item === 'string' ? item.trim() : item;
    if (trimmed !== '') out.push(trimmed);
  }
  return out;
}
