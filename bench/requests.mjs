// Requests and responses for the in-process level, built the way Node and Express 5 hand them to a
// middleware, outside the timed region.
//
// - The request is a real http.IncomingMessage and the response a real http.ServerResponse (no
//   socket): the middleware runs Node's own setHeader/getHeader/headersSent/end, with their
//   validation, and `req.headers` is Node's accessor on IncomingMessage.prototype.
// - Header values are fresh strings for every request, made from bytes with Buffer#latin1Slice, as
//   Node's parser makes them: flat, not internalized, no hash computed yet. Nothing a middleware could
//   cache on a string (its hash, its internalized copy) carries over from one request to the next.
// - Header names go through IncomingMessage#_addHeaderLine, the function Node's parser feeds them to,
//   so `req.headers` has the same keys, order and shape as on a real server.
// - Then what Express 5 does before the first middleware (app.handle, then the router): X-Powered-By,
//   req.res and res.req, the prototypes switched to the application's request and response,
//   res.locals, req.next, req.baseUrl, req.originalUrl, req.params. Properties added after
//   Object.setPrototypeOf leave every request and every response with a hidden class of its own (as
//   on a real Express 5 server; %HaveSameMap says so), so each property access a middleware makes on
//   req or res misses V8's inline caches. That is the real cost of touching them, and it is here.
import { Buffer } from 'node:buffer';
import http from 'node:http';
import express from 'express';

const app = express();
const requestPrototype = app.request;
const responsePrototype = app.response;
const addHeaderLine = http.IncomingMessage.prototype._addHeaderLine;
const routerNext = () => undefined;

/** Browser headers of a cross-origin fetch from Chromium 126 over HTTP/1.1, in the order it sends them. */
const BROWSER = {
  host: 'api.example.com',
  connection: 'keep-alive',
  secChUa: '"Not/A)Brand";v="8", "Chromium";v="126", "Google Chrome";v="126"',
  userAgent:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
};

/**
 * A request shape compiled once: method, url and `[name, value]` pairs, each value held as bytes
 * (a Buffer) so that every request gets a new string, or as a string when it is already unique.
 * `app`, when given, is the Express 5 application the request belongs to (`req.app`, whose routes
 * `methods: 'auto'` reads); otherwise an application without routes.
 */
export function requestSpec(method, url, pairs, app) {
  return {
    method,
    url,
    app,
    pairs: pairs.map(([name, value]) => [
      name,
      typeof value === 'string' ? Buffer.from(value, 'latin1') : value,
    ]),
  };
}

/** The header pairs a browser sends with a cross-origin actual GET (`origin` undefined: no Origin). */
export function actualHeaders(origin) {
  const pairs = [
    ['Host', BROWSER.host],
    ['Connection', BROWSER.connection],
    ['sec-ch-ua', BROWSER.secChUa],
    ['sec-ch-ua-mobile', '?0'],
    ['User-Agent', BROWSER.userAgent],
    ['sec-ch-ua-platform', '"Linux"'],
    ['Accept', '*/*'],
  ];
  if (origin !== undefined) pairs.push(['Origin', origin]);
  pairs.push(
    ['Sec-Fetch-Site', origin === undefined ? 'same-origin' : 'cross-site'],
    ['Sec-Fetch-Mode', origin === undefined ? 'same-origin' : 'cors'],
    ['Sec-Fetch-Dest', 'empty'],
    ['Referer', `${origin ?? 'https://api.example.com'}/`],
    ['Accept-Encoding', 'gzip, deflate, br, zstd'],
    ['Accept-Language', 'en-US,en;q=0.9'],
  );
  return pairs;
}

/** The header pairs of a CORS preflight (Fetch §4.8), as Chromium sends them. */
export function preflightHeaders(origin, method, requestHeaders) {
  return [
    ['Host', BROWSER.host],
    ['Connection', BROWSER.connection],
    ['Accept', '*/*'],
    ['Access-Control-Request-Method', method],
    ['Access-Control-Request-Headers', requestHeaders],
    ['Origin', origin],
    ['User-Agent', BROWSER.userAgent],
    ['Sec-Fetch-Mode', 'cors'],
    ['Sec-Fetch-Site', 'cross-site'],
    ['Sec-Fetch-Dest', 'empty'],
    ['Referer', `${origin}/`],
    ['Accept-Encoding', 'gzip, deflate, br, zstd'],
    ['Accept-Language', 'en-US,en;q=0.9'],
  ];
}

function fresh(value) {
  return typeof value === 'string' ? value : value.latin1Slice(0, value.length);
}

/** A new request and response for `spec`, ready to be handed to a middleware. */
export function exchange(spec, stack = currentStack) {
  const req = new http.IncomingMessage(null);
  req.method = spec.method;
  req.url = spec.url;
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.httpVersion = '1.1';
  const headers = {};
  const pairs = spec.pairs;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i];
    addHeaderLine.call(req, pair[0], fresh(pair[1]), headers);
  }
  req.headers = headers;
  const res = new http.ServerResponse(req);
  if (stack === 'node') return { req, res };
  // What Express 5's app.handle does before the router runs the first middleware.
  res.setHeader('X-Powered-By', 'Express');
  req.res = res;
  res.req = req;
  Object.setPrototypeOf(req, spec.app?.request ?? requestPrototype);
  Object.setPrototypeOf(res, spec.app?.response ?? responsePrototype);
  res.locals = Object.create(null);
  // What Express 5's router (router 2.x, Router#handle and the layer match) adds before calling a
  // middleware mounted with app.use().
  req.next = routerNext;
  req.baseUrl = '';
  req.originalUrl = req.url;
  req.params = {};
  return { req, res };
}

let currentStack = 'express';

/**
 * Which stack the requests are shaped for: 'express' (Express 5, as above) or 'node' (node:http or
 * Connect: the request and response exactly as the server emits them).
 */
export function setStack(stack) {
  currentStack = stack;
}

/** Fills `reqs` and `ress` with `n` new exchanges for `specs`, starting at spec index `start`. */
export function fillChunk(specs, start, n, reqs, ress) {
  for (let i = 0; i < n; i++) {
    const { req, res } = exchange(specs[(start + i) % specs.length]);
    reqs[i] = req;
    ress[i] = res;
  }
}

/** The response as the network would see it: status and header block, without the Date line. */
export function wire(res) {
  return {
    ended: res.writableEnded,
    status: res.statusCode,
    headers: Object.entries(res.getHeaders()),
    // The header block Node wrote on end(), if it wrote one.
    head: typeof res._header === 'string' ? res._header.replace(/\r\nDate: [^\r]*/, '') : null,
  };
}
