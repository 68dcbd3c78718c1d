import { CorsFunctionError, CorsTimeoutError, printable, show } from '../lib/core/errors.js';

describe('show', () => {
  class Database {
    readonly filename = ':memory:';
  }
  class Item {
    readonly id = 1;
  }
  it.each<[string, unknown, string]>([
    ['a short string', 'abc', '"abc"'],
    ['a long string, cut', 'x'.repeat(100), `"${'x'.repeat(77)}..."`],
    ['a RegExp', /^a$/, '/^a$/'],
    ['a function', () => undefined, 'a function'],
    ['an array', [1, 2], 'an array of 2'],
    ['null', null, 'null'],
    ['a plain object', { a: 1 }, 'an object'],
    ['an object without a prototype', Object.create(null) as object, 'an object'],
    ['a class instance', new Database(), 'a Database object'],
    ['a class instance whose name starts with a vowel', new Item(), 'an Item object'],
    ['a Map', new Map(), 'a Map object'],
    ['a number', 42, '42'],
    ['undefined', undefined, 'undefined'],
  ])('quotes %s', (_what, value, text) => {
    expect(show(value)).toBe(text);
  });

  it('never throws, even for a Proxy that refuses to give its prototype', () => {
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('no');
        },
      },
    );
    expect(show(hostile)).toBe('an object');
  });

  it('does not name an anonymous class', () => {
    const Anonymous = (() =>
      class {
        readonly id = 1;
      })();
    Object.defineProperty(Anonymous, 'name', { value: '' });
    expect(show(new Anonymous())).toBe('an object');
  });
});

describe('CorsFunctionError', () => {
  it('carries its code, status 500 and the reason as cause', () => {
    const err = new CorsFunctionError('CORS_DELEGATE_FAILED', 'corsguard: failed', undefined);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('CorsFunctionError');
    expect(err.code).toBe('CORS_DELEGATE_FAILED');
    expect(err.status).toBe(500);
    expect(Object.prototype.hasOwnProperty.call(err, 'cause')).toBe(true);
    expect(err.cause).toBeUndefined();
  });
});

describe('printable (issue 20: values from a request reach logs and terminals escaped)', () => {
  it.each<[string, string, string]>([
    ['ESC (C0)', 'a\u001b[2Jb', 'a\\x1b[2Jb'],
    ['BEL and a line break', 'a\u0007\nb', 'a\\x07\\x0ab'],
    ['DEL', 'a\u007fb', 'a\\x7fb'],
    ['CSI (C1, as Node hands over the byte 0x9B)', 'a\u009b31mb', 'a\\u009b31mb'],
    ['tab, which is kept', 'a\tb', 'a\tb'],
    ['text without controls', 'https://app.example.com', 'https://app.example.com'],
  ])('escapes %s', (_what, text, expected) => {
    expect(printable(text)).toBe(expected);
  });

  it('show escapes DEL and C1, which JSON.stringify leaves raw', () => {
    expect(show('a\u009bb\u007f\u001b')).toBe('"a\\u009bb\\x7f\\u001b"');

    expect(show('\u0085\u009f')).not.toMatch(/[\x7f-\x9f]/);
  });
});

describe('CorsTimeoutError', () => {
  it('says what did not answer and the limit, with a note only when there is one', () => {
    expect(new CorsTimeoutError('the origin function', 100).message).toBe(
      'corsguard: the origin function did not answer within 100 ms',
    );
    expect(new CorsTimeoutError('the origin function', 100, '; a note').message).toBe(
      'corsguard: the origin function did not answer within 100 ms; a note',
    );
  });
});
