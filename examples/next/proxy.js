// Next.js's proxy (middleware.js before Next 16) guarding a group of routes with corsguard/fetch: the
// guard answers a preflight itself, and otherwise passes the request on with NextResponse.next(),
// whose headers Next adds to the route's answer.
import { NextResponse } from 'next/server';
import { cors } from 'corsguard/fetch';

const guard = cors({ origin: ['https://app.example.com'], credentials: true, maxAge: 600 });

/** @param {Request} request */
export function proxy(request) {
  return guard(request, () => NextResponse.next());
}

export const config = { matcher: '/api/proxied/:path*' };
