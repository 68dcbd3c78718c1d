import { CorsFunctionError, show } from '../lib/errors.js';

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
