import {
  MAX_REQUEST_HEADERS_COUNT,
  MAX_REQUEST_HEADERS_LENGTH,
  isTchar,
  isToken,
  isValidRequestHeaderList,
  splitList,
} from '../lib/core/headers.js';

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

describe('isTchar', () => {
  it('accepts each of the 77 tchar of RFC 9110', () => {
    const accepted = TCHARS.split('').filter((c) => isTchar(c.charCodeAt(0)));
    expect(accepted.join('')).toBe(TCHARS);
  });

  it('refuses every other code unit below 256', () => {
    const others = Array.from({ length: 256 }, (_, code) => code).filter(
      (code) => !TCHARS.includes(String.fromCharCode(code)),
    );
    expect(others).toHaveLength(256 - TCHARS.length);
    expect(others.filter((code) => isTchar(code))).toEqual([]);
  });

  it.each([0x100, 0x2028, 0xd800, 0xff0c])('refuses the code unit %d', (code) => {
    expect(isTchar(code)).toBe(false);
  });
});

describe('isToken', () => {
  it.each(['Content-Type', 'x-request-id', '*', 'PATCH', "a!#$%&'*+-.^_`|~z"])(
    'accepts %j',
    (value) => {
      expect(isToken(value)).toBe(true);
    },
  );

  it.each(['', ' ', 'X Foo', 'Content-Type:', 'a,b', '"a"', 'é', 'a\r\n', 'a\u0000'])(
    'refuses %j',
    (value) => {
      expect(isToken(value)).toBe(false);
    },
  );
});

describe('isValidRequestHeaderList', () => {
  it.each([
    ['the empty list', ''],
    ['one name', 'content-type'],
    ['a list as browsers send it', 'content-type,x-request-id'],
    ['names with spaces after commas', 'content-type, x-request-id'],
    ['names with white space around them', ' content-type ,\tx-request-id\t'],
    ['upper-case names', 'Content-Type,X-Request-Id'],
    ['empty elements', 'a,,b'],
    ['only commas', ',,'],
    ['only white space', ' \t '],
    ['every tchar', TCHARS],
    [
      `${String(MAX_REQUEST_HEADERS_COUNT)} names`,
      Array(MAX_REQUEST_HEADERS_COUNT).fill('x').join(','),
    ],
    [
      `exactly ${String(MAX_REQUEST_HEADERS_LENGTH)} characters`,
      'x'.repeat(MAX_REQUEST_HEADERS_LENGTH),
    ],
  ])('accepts %s', (_what, value) => {
    expect(isValidRequestHeaderList(value)).toBe(true);
  });

  it.each([
    ['two names without a comma', 'content-type x-request-id'],
    ['a CR LF', 'content-type\r\nx-injected: 1'],
    ['a lone LF', 'a\nb'],
    ['a NUL', 'a\u0000'],
    ['DEL', 'a\u007f'],
    ['a semicolon', 'a;b'],
    ['a colon', 'x-a:b'],
    ['quotes', '"content-type"'],
    ['parentheses', '(a)'],
    ['obs-text', 'x-caf\u00e9'],
    ['a character beyond Latin-1', 'x-\u2028'],
    [
      `${String(MAX_REQUEST_HEADERS_COUNT + 1)} names`,
      Array(MAX_REQUEST_HEADERS_COUNT + 1)
        .fill('x')
        .join(','),
    ],
    [
      `${String(MAX_REQUEST_HEADERS_COUNT + 1)} empty elements`,
      ','.repeat(MAX_REQUEST_HEADERS_COUNT),
    ],
    [
      `${String(MAX_REQUEST_HEADERS_LENGTH + 1)} characters`,
      'x'.repeat(MAX_REQUEST_HEADERS_LENGTH + 1),
    ],
  ])('refuses %s', (_what, value) => {
    expect(isValidRequestHeaderList(value)).toBe(false);
  });
});

describe('splitList', () => {
  it.each([
    ['Content-Type, X-Id', ['Content-Type', 'X-Id']],
    [' a ,, b ,', ['a', 'b']],
    ['', []],
    ['GET', ['GET']],
  ])('splits the string %j into trimmed names', (value, expected) => {
    expect(splitList(value)).toEqual(expected);
  });

  it('trims array elements, drops empty ones and keeps non-strings for the caller to refuse', () => {
    expect(splitList([' a ', '', 'b', 42, '  '])).toEqual(['a', 'b', 42]);
  });

  it('returns a new array, leaving the one it was given alone', () => {
    const input = Object.freeze([' a ', 'b']);
    const out = splitList(input);
    expect(out).not.toBe(input);
    expect(input).toEqual([' a ', 'b']);
  });
});
