// The browser side of CORS (lib/cli/fetch.ts) against the Fetch Standard, one table per rule.
import {
  type CorsRequest,
  type HeaderList,
  corsCheck,
  corsUnsafeRequestHeaders,
  extractList,
  isCorsSafelistedMethod,
  isCorsSafelistedRequestHeader,
  isForbiddenRequestHeader,
  preflightCheck,
  preflightNeed,
} from '../lib/cli/fetch.js';

const APP = 'https://app.example';

describe('CORS-safelisted methods (Fetch §2.2.1)', () => {
  it.each([
    ['GET', true],
    ['HEAD', true],
    ['POST', true],
    ['PUT', false],
    ['DELETE', false],
    ['PATCH', false],
    ['patch', false],
    ['OPTIONS', false],
  ])('%s is safelisted: %s', (method, safe) => {
    expect(isCorsSafelistedMethod(method)).toBe(safe);
  });
});

describe('CORS-safelisted request-headers (Fetch §2.2.2)', () => {
  it.each([
    ['Accept', 'application/json', true],
    ['accept', '*/*', true],
    ['Accept', 'text/html; q="1"', false], // " is a CORS-unsafe byte
    ['Accept', 'a\tb', true], // HTAB is allowed
    ['Accept', 'a\x01b', false],
    ['Accept', 'a\x7fb', false],
    ['Accept', 'a'.repeat(128), true],
    ['Accept', 'a'.repeat(129), false], // over 128 bytes
    ['Accept-Language', 'en-US,en;q=0.9', true],
    ['Content-Language', 'de-DE, *', true],
    ['Accept-Language', 'en_US', false], // _ is not in the language bytes
    ['Content-Type', 'text/plain', true],
    ['Content-Type', 'text/plain;charset=UTF-8', true],
    ['Content-Type', 'Text/Plain ; charset=utf-8', true],
    ['Content-Type', ' multipart/form-data; boundary=x ', true],
    ['Content-Type', 'application/x-www-form-urlencoded', true],
    ['Content-Type', 'application/json', false],
    ['Content-Type', 'text/plain, application/json', false], // the subtype is no token
    ['Content-Type', 'text/plain; charset="utf-8"', false], // " is a CORS-unsafe byte
    ['Content-Type', 'text', false], // no slash
    ['Content-Type', '/plain', false], // empty type
    ['Content-Type', 'text/', false], // empty subtype
    ['Content-Type', `text/plain; x=${'a'.repeat(120)}`, false], // over 128 bytes
    ['Range', 'bytes=0-499', true],
    ['Range', 'bytes=500-', true],
    ['Range', 'BYTES=1-1', true],
    ['Range', 'bytes=-500', false], // a suffix range: browsers never sent it
    ['Range', 'bytes=5-1', false],
    ['Range', 'bytes=0-1,3-4', false],
    ['Range', 'bytes = 0-1', false], // no white space allowed
    ['X-Requested-With', 'XMLHttpRequest', false],
    ['Authorization', 'Bearer t', false],
  ])('%s: %j is safelisted: %s', (name, value, safe) => {
    expect(isCorsSafelistedRequestHeader(name, value)).toBe(safe);
  });
});

describe('CORS-unsafe request-header names', () => {
  it('are lower-cased, de-duplicated and sorted, with why', () => {
    expect(
      corsUnsafeRequestHeaders([
        ['X-B', '1'],
        ['Content-Type', 'application/json'],
        ['x-a', '1'],
        ['X-B', '2'],
        ['Accept', 'text/plain'],
      ]),
    ).toEqual([
      { name: 'content-type', why: 'value-not-safelisted' },
      { name: 'x-a', why: 'not-safelisted' },
      { name: 'x-b', why: 'not-safelisted' },
    ]);
  });

  it('include every safelisted header once the safelisted values pass 1024 bytes', () => {
    const long = 'a'.repeat(128);
    const headers: HeaderList = [...Array(9).keys()].map(() => ['Accept', long] as const);
    expect(corsUnsafeRequestHeaders(headers.slice(0, 8))).toEqual([]); // exactly 1024
    expect(corsUnsafeRequestHeaders([...headers, ['X-Id', '1']])).toEqual([
      { name: 'accept', why: 'over-1024-bytes' },
      { name: 'x-id', why: 'not-safelisted' },
    ]);
  });

  it('keep the first reason of a name listed twice', () => {
    expect(
      corsUnsafeRequestHeaders([
        ['Content-Type', 'application/json'],
        ...[...Array(9).keys()].map(
          () => ['Content-Type', `text/plain;x=${'a'.repeat(100)}`] as const,
        ),
      ]),
    ).toEqual([{ name: 'content-type', why: 'value-not-safelisted' }]);
  });
});

describe('forbidden request-headers', () => {
  it.each([
    ['Cookie', 'a=1', true],
    ['Origin', 'https://x.example', true],
    ['Proxy-Authorization', 'x', true],
    ['Sec-Fetch-Mode', 'cors', true],
    ['X-HTTP-Method-Override', 'TRACE', true],
    ['X-Method-Override', 'get, connect', true],
    ['X-HTTP-Method', 'PATCH', false],
    ['Authorization', 'Bearer t', false],
    ['X-Id', '1', false],
  ])('%s: %s is forbidden: %s', (name, value, forbidden) => {
    expect(isForbiddenRequestHeader(name, value)).toBe(forbidden);
  });
});

describe('whether a preflight is needed (Fetch §4.1 main fetch)', () => {
  it.each<[string, HeaderList, boolean]>([
    ['GET', [], false],
    ['POST', [['Content-Type', 'text/plain']], false],
    ['POST', [['Content-Type', 'application/json']], true],
    ['PUT', [], true],
    ['GET', [['Authorization', 'Bearer t']], true],
    ['HEAD', [['Range', 'bytes=-5']], true],
  ])('%s with %j: %s', (method, headers, needed) => {
    expect(preflightNeed(method, headers).needed).toBe(needed);
  });

  it('says which part needs it', () => {
    expect(preflightNeed('PUT', [['X-Id', '1']])).toEqual({
      needed: true,
      methodUnsafe: true,
      unsafeHeaders: [{ name: 'x-id', why: 'not-safelisted' }],
    });
  });
});

describe('extracting a list header', () => {
  it.each<[HeaderList, string[] | null | 'failure']>([
    [[], null],
    [[['Access-Control-Allow-Methods', 'GET, PUT']], ['GET', 'PUT']],
    [
      [
        ['access-control-allow-methods', 'GET'],
        ['Access-Control-Allow-Methods', ' PUT ,'],
      ],
      ['GET', 'PUT'],
    ],
    [[['Access-Control-Allow-Methods', 'GET PUT']], 'failure'],
  ])('%j gives %j', (headers, list) => {
    expect(extractList(headers, 'access-control-allow-methods')).toEqual(list);
  });
});

describe('the CORS check (Fetch §4.9)', () => {
  it.each<[string, boolean, HeaderList, string | null]>([
    ['no ACAO', false, [], 'allow-origin-missing'],
    ['* without credentials', false, [['Access-Control-Allow-Origin', '*']], null],
    [
      '* with credentials',
      true,
      [['Access-Control-Allow-Origin', '*']],
      'allow-origin-wildcard-credentials',
    ],
    ['the origin', false, [['Access-Control-Allow-Origin', APP]], null],
    [
      'another origin',
      false,
      [['Access-Control-Allow-Origin', 'https://a.example']],
      'allow-origin-mismatch',
    ],
    [
      'null for another origin',
      false,
      [['Access-Control-Allow-Origin', 'null']],
      'allow-origin-mismatch',
    ],
    [
      'a value that is no origin',
      false,
      [['Access-Control-Allow-Origin', 'app.example']],
      'allow-origin-invalid',
    ],
    [
      'two headers',
      false,
      [
        ['Access-Control-Allow-Origin', APP],
        ['Access-Control-Allow-Origin', APP],
      ],
      'allow-origin-multiple',
    ],
    [
      'a list',
      false,
      [['Access-Control-Allow-Origin', `${APP} https://b.example`]],
      'allow-origin-multiple',
    ],
    [
      'credentials without ACAC',
      true,
      [['Access-Control-Allow-Origin', APP]],
      'allow-credentials-not-true',
    ],
    [
      'credentials with ACAC TRUE',
      true,
      [
        ['Access-Control-Allow-Origin', APP],
        ['Access-Control-Allow-Credentials', 'TRUE'],
      ],
      'allow-credentials-not-true',
    ],
    [
      'credentials with ACAC true',
      true,
      [
        ['Access-Control-Allow-Origin', APP],
        ['Access-Control-Allow-Credentials', 'true'],
      ],
      null,
    ],
  ])('%s: %s', (_what, credentials, response, cause) => {
    expect(corsCheck(APP, credentials, response)?.cause ?? null).toBe(cause);
  });

  it('gives the value it is about', () => {
    expect(
      corsCheck(APP, true, [
        ['Access-Control-Allow-Origin', APP],
        ['Access-Control-Allow-Credentials', 'yes'],
      ]),
    ).toEqual({
      cause: 'allow-credentials-not-true',
      value: 'yes',
    });
  });
});

describe('the preflight checks (Fetch §4.8 step 7)', () => {
  const acao: HeaderList = [['Access-Control-Allow-Origin', APP]];
  const withCredentials: HeaderList = [...acao, ['Access-Control-Allow-Credentials', 'true']];
  const request = (method: string, headers: HeaderList = [], credentials = false): CorsRequest => ({
    origin: APP,
    method,
    headers,
    credentials,
  });
  it.each<[string, CorsRequest, number, HeaderList, string | null]>([
    ['a CORS check failure first', request('PUT'), 404, [], 'allow-origin-missing'],
    ['a status that is not ok', request('PUT'), 404, acao, 'preflight-status'],
    ['a redirect', request('PUT'), 301, acao, 'preflight-redirect'],
    [
      'an unparsable ACAM',
      request('PUT'),
      204,
      [...acao, ['Access-Control-Allow-Methods', 'PUT;']],
      'allow-methods-invalid',
    ],
    [
      'an unparsable ACAH',
      request('PUT'),
      204,
      [...acao, ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'a b']],
      'allow-headers-invalid',
    ],
    [
      'the method listed',
      request('PUT'),
      204,
      [...acao, ['Access-Control-Allow-Methods', 'GET,PUT']],
      null,
    ],
    [
      'the method missing',
      request('PUT'),
      204,
      [...acao, ['Access-Control-Allow-Methods', 'GET']],
      'method-not-allowed',
    ],
    ['no ACAM', request('PUT'), 200, acao, 'method-not-allowed'],
    [
      'methods compared case-sensitively',
      request('patch'),
      204,
      [...acao, ['Access-Control-Allow-Methods', 'PATCH']],
      'method-not-allowed',
    ],
    [
      'a safelisted method never needs ACAM',
      request('POST', [['X-Id', '1']]),
      204,
      [...acao, ['Access-Control-Allow-Headers', 'x-id']],
      null,
    ],
    [
      'ACAM * without credentials',
      request('DELETE'),
      204,
      [...acao, ['Access-Control-Allow-Methods', '*']],
      null,
    ],
    [
      'ACAM * with credentials is a name',
      request('DELETE', [], true),
      204,
      [...withCredentials, ['Access-Control-Allow-Methods', '*']],
      'method-not-allowed',
    ],
    [
      'a header listed, in any case',
      request('GET', [['X-Id', '1']]),
      204,
      [...acao, ['Access-Control-Allow-Headers', 'X-ID']],
      null,
    ],
    [
      'a header missing',
      request('GET', [['X-Id', '1']]),
      204,
      [...acao, ['Access-Control-Allow-Headers', 'content-type']],
      'header-not-allowed',
    ],
    [
      'ACAH * without credentials',
      request('GET', [['X-Id', '1']]),
      204,
      [...acao, ['Access-Control-Allow-Headers', '*']],
      null,
    ],
    [
      'ACAH * with credentials is a name',
      request('GET', [['X-Id', '1']], true),
      204,
      [...withCredentials, ['Access-Control-Allow-Headers', '*']],
      'header-not-allowed',
    ],
    [
      'Authorization under ACAH *',
      request('GET', [['Authorization', 'Bearer t']]),
      204,
      [...acao, ['Access-Control-Allow-Headers', '*']],
      'header-not-allowed',
    ],
    [
      'Authorization named',
      request('GET', [['Authorization', 'Bearer t']]),
      204,
      [...acao, ['Access-Control-Allow-Headers', '*, Authorization']],
      null,
    ],
    [
      'a Content-Type that is not safelisted',
      request('POST', [['Content-Type', 'application/json']]),
      204,
      [...acao, ['Access-Control-Allow-Headers', 'x-other']],
      'header-not-allowed',
    ],
  ])('%s', (_what, req, status, response, cause) => {
    const result = preflightCheck(req, status, response);
    expect('cause' in result ? result.cause : null).toBe(cause);
  });

  it('names the header or method refused', () => {
    expect(preflightCheck(request('GET', [['Authorization', 'x']]), 204, acao)).toEqual({
      cause: 'header-not-allowed',
      value: 'authorization',
    });
    expect(
      preflightCheck(
        request('GET', [
          ['X-B', '1'],
          ['X-A', '1'],
        ]),
        204,
        acao,
      ),
    ).toEqual({ cause: 'header-not-allowed', value: 'x-a' });
    expect(preflightCheck(request('PUT'), 500, acao)).toEqual({
      cause: 'preflight-status',
      value: '500',
    });
  });

  it.each<[HeaderList, number | null]>([
    [[], null],
    [[['Access-Control-Max-Age', '600']], 600],
    [[['Access-Control-Max-Age', '-1']], null],
    [
      [
        ['Access-Control-Max-Age', '600'],
        ['Access-Control-Max-Age', '5'],
      ],
      null,
    ],
  ])('reads Access-Control-Max-Age %j as %j', (headers, maxAge) => {
    expect(preflightCheck(request('GET'), 204, [...acao, ...headers])).toEqual({ maxAge });
  });
});
