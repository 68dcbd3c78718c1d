// The Access-Control-Request-Headers validator against a reference built from the RFC 9110 grammar
// with string splitting, and the end-to-end promise that only a valid list is ever reflected.
import fc from 'fast-check';
import http, { type IncomingMessage, ServerResponse } from 'node:http';
import {
  MAX_REQUEST_HEADERS_COUNT,
  MAX_REQUEST_HEADERS_LENGTH,
  isValidRequestHeaderList,
} from '../lib/core/headers.js';
import { cors } from '../lib/index.js';
import { type Middleware, close, listener, serve } from './helpers/frameworks.js';

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** RFC 9110 §5.6.1 list of §5.6.2 tokens (empty elements allowed), within the caps. */
function reference(value: string): boolean {
  if (value.length > MAX_REQUEST_HEADERS_LENGTH) return false;
  const elements = value.split(',');
  if (elements.length > MAX_REQUEST_HEADERS_COUNT) return false;
  return elements.every((element) => /^[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)?[ \t]*$/.test(element));
}

/** Only these characters may ever be reflected: tchar, comma, SP and HTAB. */
const REFLECTABLE = /^[\t ,!#$%&'*+\-.^_`|~0-9A-Za-z]*$/;

// ---------------------------------------------------------------------------------------------------
// Generators

const token = fc.oneof(
  fc.constantFrom('content-type', 'authorization', 'x-request-id', 'X-Custom', '*'),
  fc.string({ unit: fc.constantFrom(...TCHARS.split('')), minLength: 1, maxLength: 12 }),
);
const ows = fc.constantFrom('', '', ' ', '\t', '  ', ' \t');

/** Well-formed lists, some of them past the count cap. */
const wellFormed = fc
  .array(fc.tuple(ows, fc.option(token, { nil: '' }), ows), { maxLength: 120 })
  .map((elements) => elements.map(([before, name, after]) => `${before}${name}${after}`).join(','));

/** Lists around the length cap. */
const nearLengthCap = fc
  .tuple(
    fc.integer({ min: MAX_REQUEST_HEADERS_LENGTH - 3, max: MAX_REQUEST_HEADERS_LENGTH + 3 }),
    fc.boolean(),
  )
  .map(([length, commas]) =>
    (commas
      ? 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz,'
      : 'x'
    )
      .repeat(length)
      .slice(0, length),
  );

/** Lists sprinkled with characters that must never be reflected. */
const hostileChar = fc.constantFrom(
  '\r',
  '\n',
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\u0080',
  '\u00e9',
  '\u00ff',
  '\u0100',
  '\u2028',
  '\ud800',
  '"',
  ':',
  ';',
  '(',
  '/',
  '=',
  '@',
  '\\',
  '\v',
  '\f',
);
const listish = fc
  .array(fc.oneof(token, ows, fc.constant(','), hostileChar), { maxLength: 60 })
  .map((parts) => parts.join(''));

const anyValue = fc.oneof(
  wellFormed,
  nearLengthCap,
  listish,
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
);

// ---------------------------------------------------------------------------------------------------

describe('isValidRequestHeaderList', () => {
  it('never throws and agrees with the reference', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        expect(isValidRequestHeaderList(value)).toBe(reference(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts only tchar, comma, SP and HTAB, so no CR, LF or control character', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        fc.pre(isValidRequestHeaderList(value));
        expect(value).toMatch(REFLECTABLE);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every well-formed list within the caps', () => {
    fc.assert(
      fc.property(wellFormed, (value) => {
        const withinCaps = value.split(',').length <= MAX_REQUEST_HEADERS_COUNT;
        expect(isValidRequestHeaderList(value)).toBe(withinCaps);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Through the real middleware

/** Runs a preflight in-process against a real ServerResponse, which throws on an invalid header value. */
function preflight(middleware: Middleware, acrh: string): ServerResponse {
  const req = {
    method: 'OPTIONS',
    url: '/',
    httpVersionMajor: 1,
    httpVersionMinor: 1,
    headers: {
      origin: 'https://app.example.com',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': acrh,
    },
  } as unknown as IncomingMessage;
  const res = new ServerResponse(req);
  middleware(req, res, () => {
    res.end();
  });
  return res;
}

const CONFIGURATIONS: [string, Middleware][] = [
  ['the defaults', cors()],
  [
    'an allow-list with credentials',
    cors({ origin: ['https://app.example.com'], credentials: true }),
  ],
  ['a pattern', cors({ origin: 'https://*.example.com' })],
  ['origin: true', cors({ origin: true })],
  ['preflightContinue', cors({ origin: true, preflightContinue: true })],
];

describe.each(CONFIGURATIONS)('a preflight under %s', (_name, middleware) => {
  it('reflects Access-Control-Request-Headers exactly when it is a valid, non-empty list', () => {
    fc.assert(
      fc.property(anyValue, (acrh) => {
        const res = preflight(middleware, acrh);
        const acah = res.getHeader('access-control-allow-headers');
        if (acah === undefined) {
          expect(acrh === '' || !reference(acrh)).toBe(true);
        } else {
          expect(acah).toBe(acrh);
          expect(acrh).toMatch(REFLECTABLE);
          expect(reference(acrh)).toBe(true);
        }
        expect(res.getHeader('access-control-allow-origin')).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe('a preflight over a real connection', () => {
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    ({ server, url } = await serve(
      listener('node:http', cors({ origin: ['https://app.example.com'] })),
    ));
  });

  afterAll(async () => {
    await close(server);
  });

  function send(acrh: string): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = http.request(url, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://app.example.com',
          'Access-Control-Request-Method': 'PUT',
          'Access-Control-Request-Headers': acrh,
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res);
      });
      req.on('error', reject);
      req.end();
    });
  }

  // What Node's client lets through: HTAB, visible ASCII and obs-text (sent as Latin-1).
  const sendable = fc.oneof(
    wellFormed,
    fc.string({
      unit: fc.constantFrom(
        '\t',
        ' ',
        ',',
        'a',
        'B',
        '-',
        '"',
        ':',
        ';',
        '\u0080',
        '\u00e9',
        '\u00ff',
        '\u007e',
      ),
      maxLength: 40,
    }),
  );

  it('answers with no Access-Control-Allow-Headers or exactly the valid list the server received', async () => {
    await fc.assert(
      fc.asyncProperty(sendable, async (acrh) => {
        const res = await send(acrh);
        // The server drops the white space around a field value before the middleware sees it.
        const received = acrh.replace(/^[\t ]+|[\t ]+$/g, '');
        const acah = res.headers['access-control-allow-headers'];
        expect(res.statusCode).toBe(204);
        if (acah === undefined) expect(received === '' || !reference(received)).toBe(true);
        else expect([acah, reference(received)]).toEqual([received, true]);
      }),
      { numRuns: 100 },
    );
  });
});
