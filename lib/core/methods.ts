// Method names.
//
// Fetch Standard §2.2.1 "normalize a method": DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased
// by the browser, any other method keeps its case. So a configured `put` can only ever mean PUT, while
// `patch` and `PATCH` are different methods.
// Fetch Standard §2.2.1 "forbidden method": CONNECT, TRACE and TRACK can never be sent by a page.

/** The default `methods` of the cors package, kept for compatibility. */
export const DEFAULT_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';

const NORMALIZED = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const FORBIDDEN = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** The name a browser would send for `method`: the six standard methods upper-cased. */
export function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED.has(upper) ? upper : method;
}

/** True for CONNECT, TRACE and TRACK in any case: a browser never sends them. */
export function isForbiddenMethod(method: string): boolean {
  return FORBIDDEN.has(method.toUpperCase());
}
