import {
  type Settle,
  type Style,
  callUser,
  declaredParameters,
  styleOf,
} from '../lib/core/dynamic.js';
import { CorsFunctionError, CorsTimeoutError } from '../lib/core/errors.js';

type Answer = [unknown, unknown, boolean];
type UserFn = (arg: string, callback: (err?: unknown, value?: string | null) => void) => unknown;

const CALLER = { what: 'the origin function', code: 'CORS_ORIGIN_FAILED' } as const;

/** Lets callbacks, promise jobs and short timers run. */
function later(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `fn` through callUser in its own style (or the one given) and records every answer: those
 * given before callUser returned (`sync`) and all of them after the function's timers have run.
 */
async function answers(
  fn: UserFn,
  style: Style = styleOf(fn),
  timeout = 0,
): Promise<{ sync: Answer[]; all: Answer[] }> {
  const all: Answer[] = [];
  callUser(fn, style, 'https://app.example.com', CALLER, timeout, (err, value, returned) => {
    all.push([err, value, returned]);
  });
  const sync = all.slice();
  await later(30);
  return { sync, all };
}

const boom = new Error('boom');
const noop = (): void => undefined;

describe('what a function declares', () => {
  // Written as users write them; the test files are compiled for ES2022, so the source is kept.
  /* eslint-disable prefer-rest-params -- the declarations are the point */
  it.each<[string, (...args: never[]) => unknown, Style]>([
    ['a two-parameter arrow', (_o: string, _cb: unknown) => undefined, 'callback'],
    ['a callback with a default value', (_o: string, _cb = noop) => undefined, 'callback'],
    [
      'a default value holding commas, parentheses and strings',
      (_o: string, _cb = (a = ',', b = [1, 2]) => `${a}(${String(b)})`) => undefined,
      'callback',
    ],
    [
      'a default value holding a template literal with an expression',
      (_o: string, _cb = `x,${String({ a: 1 }.a)},y`) => undefined,
      'callback',
    ],
    ['a default value holding a RegExp', (_o: string, _cb = /[,)]/) => undefined, 'callback'],
    ['a default value holding a division', (_o: string, _cb = 4 / 2) => undefined, 'callback'],
    [
      'a rest parameter after the first',
      (_o: string, ..._rest: unknown[]) => undefined,
      'callback',
    ],
    ['a one-parameter arrow', (_o: string) => undefined, 'return'],
    ['an arrow returning its parameter', (o: string) => o, 'return'],
    ['an async arrow', async (_o: string) => Promise.resolve(true), 'return'],
    ['a one-parameter arrow with a default value', (_o = '') => undefined, 'return'],
    ['a destructured parameter', ({ a }: { a: string }) => a, 'return'],
    ['a wrapper', (...args: unknown[]) => args, 'either'],
    [
      'a function using arguments',
      function () {
        // eslint-disable-next-line @typescript-eslint/no-unsafe-return -- as such wrappers do
        return arguments[0];
      },
      'either',
    ],
    ['a bound function of one parameter', ((_o: string) => undefined).bind(null), 'return'],
    [
      'a bound function of two parameters',
      function (_o: string, _cb: unknown) {
        return undefined;
      }.bind(null),
      'callback',
    ],
  ])('reads %s', (_what, fn, style) => {
    expect(styleOf(fn)).toBe(style);
  });
  /* eslint-enable prefer-rest-params */

  it.each<[string, string, { count: number; restFirst: boolean } | undefined]>([
    [
      'function declarations',
      'function check(origin, callback) {}',
      { count: 2, restFirst: false },
    ],
    ['async functions', 'async function (origin) {}', { count: 1, restFirst: false }],
    ['async arrows without parentheses', 'async origin => true', { count: 1, restFirst: false }],
    ['methods', 'origin(o, cb = () => {}) { cb(null, true) }', { count: 2, restFirst: false }],
    ['comments', '(o /* the origin */, // and then\n cb) => {}', { count: 2, restFirst: false }],
    ['trailing commas', '(o, cb,) => {}', { count: 2, restFirst: false }],
    ['a rest parameter first', '(...args) => f(...args)', { count: 1, restFirst: true }],
    ['no parameters', '() => true', { count: 0, restFirst: false }],
    ['strings with escapes', '(a = "\\")", b) => {}', { count: 2, restFirst: false }],
    ['nested templates', '(a = `${`,`}`, b) => {}', { count: 2, restFirst: false }],
    ['RegExp classes', '(a = /[/,]/g, b) => {}', { count: 2, restFirst: false }],
    ['object defaults', '({ a, b } = {}, c) => {}', { count: 2, restFirst: false }],
    ['escapes in templates', '(a = `\\``, b) => {}', { count: 2, restFirst: false }],
    ['escapes in RegExps', '(a = /\\//, b) => {}', { count: 2, restFirst: false }],
    ['native code', 'function () { [native code] }', undefined],
    ['a line comment at the end', '(a // x', undefined],
    ['an unclosed template after an expression', '(a = `${x}', undefined],
    ['getters', 'get origin() {}', undefined],
    ['a missing parenthesis', 'function', undefined],
    ['an unclosed list', '(a, b', undefined],
    ['an unclosed string', '(a = "x', undefined],
    ['an unclosed template', '(a = `x', undefined],
    ['an unclosed template expression', '(a = `${x', undefined],
    ['an unclosed RegExp', '(a = /x', undefined],
    ['an unclosed comment', '(a /* x', undefined],
    ['mismatched brackets', '(a = [1}, b) => {}', undefined],
    ['a stray closer', '(a = 1]) => {}', undefined],
    ['an empty parameter', '(, a) => {}', undefined],
    ['something else', '42', undefined],
  ])('scans %s', (_what, source, declared) => {
    expect(declaredParameters(source)).toEqual(declared);
  });

  it('falls back to the length when the source cannot be read', () => {
    const opaque = new Proxy((_o: string, _cb: unknown) => undefined, {});
    expect(styleOf(opaque)).toBe('callback');
    const one = new Proxy((_o: string) => undefined, {});
    expect(styleOf(one)).toBe('return');
    const none = new Proxy(() => undefined, {});
    expect(styleOf(none)).toBe('either');
  });
});

describe('callUser', () => {
  it('passes the argument and a callback to the function', async () => {
    const fn = jest.fn((_arg: string, callback: (err?: unknown, value?: string) => void) => {
      callback(null, 'ok');
    });
    await answers(fn);
    expect(fn).toHaveBeenCalledWith('https://app.example.com', expect.any(Function));
  });

  describe('when the function calls back synchronously', () => {
    it('answers before callUser returns, but only after the function has returned', async () => {
      let seenInside: number | undefined;
      const all: Answer[] = [];
      callUser(
        (_arg: string, callback: (err?: unknown, value?: string) => void) => {
          callback(null, 'yes');
          seenInside = all.length;
        },
        'callback',
        'x',
        CALLER,
        0,
        (err, value, returned) => {
          all.push([err, value, returned]);
        },
      );
      expect(seenInside).toBe(0);
      expect(all).toEqual([[null, 'yes', false]]);
      await later();
      expect(all).toHaveLength(1);
    });

    it('passes an error given to the callback, unchanged', async () => {
      const { all } = await answers((_arg, callback) => {
        callback(boom);
      });
      expect(all).toEqual([[boom, undefined, false]]);
    });

    it('takes a falsy error as success, as cors does', async () => {
      const { all } = await answers((_arg, callback) => {
        callback(0, 'yes');
      });
      expect(all).toEqual([[null, 'yes', false]]);
    });

    it('ignores a second call of the callback', async () => {
      const { all } = await answers((_arg, callback) => {
        callback(null, 'first');
        callback(null, 'second');
        callback(boom);
      });
      expect(all).toEqual([[null, 'first', false]]);
    });
  });

  describe('a function that declares the callback', () => {
    it('answers when the callback is called, whatever it returned (sqlite3 returns the Database)', async () => {
      const database = { get: noop };
      const { sync, all } = await answers((_arg, callback) => {
        setImmediate(() => {
          callback(null, 'later');
        });
        return database;
      });
      expect(sync).toEqual([]);
      expect(all).toEqual([[null, 'later', false]]);
    });

    it('ignores a returned value even when the callback never comes', async () => {
      const { all } = await answers((_arg, _callback) => 'yes');
      expect(all).toEqual([]);
    });

    it('never calls then on a returned thenable that is not a Promise (mongoose Query)', async () => {
      const then = jest.fn();
      const { all } = await answers((_arg, callback) => {
        setImmediate(() => {
          callback(null, 'found');
        });
        return { then };
      });
      expect(all).toEqual([[null, 'found', false]]);
      expect(then).not.toHaveBeenCalled();
    });

    it('ignores what a returned Promise resolves to', async () => {
      const { all } = await answers((_arg, callback) => {
        setTimeout(() => {
          callback(null, 'callback');
        }, 5);
        return Promise.resolve('promise');
      });
      expect(all).toEqual([[null, 'callback', false]]);
    });

    it('fails when an async function rejects before calling back', async () => {
      const { all } = await answers(async (_arg, _callback) => {
        await later(1);
        throw boom;
      });
      expect(all).toEqual([[boom, undefined, false]]);
    });

    it('keeps the callback answer when an async function rejects after it (no unhandled rejection)', async () => {
      const unhandled = jest.fn();
      process.on('unhandledRejection', unhandled);
      try {
        const { all } = await answers(async (_arg, callback) => {
          callback(null, 'callback');
          await Promise.resolve();
          throw boom;
        });
        expect(all).toEqual([[null, 'callback', false]]);
        expect(unhandled).not.toHaveBeenCalled();
      } finally {
        process.off('unhandledRejection', unhandled);
      }
    });
  });

  describe('a function of one parameter', () => {
    it.each([
      ['a string', 'yes'],
      ['false', false],
      ['null', null],
      ['undefined', undefined],
    ])('answers with %s it returns', async (_what, value) => {
      const { sync, all } = await answers((_arg) => value);
      expect(sync).toEqual([[null, value, true]]);
      expect(all).toEqual([[null, value, true]]);
    });

    it('answers with what a returned Promise resolves to, undefined included', async () => {
      expect((await answers((_arg) => Promise.resolve('yes'))).all).toEqual([[null, 'yes', true]]);
      const { all } = await answers(async (_arg) => {
        await later(1);
        return undefined;
      });
      expect(all).toEqual([[null, undefined, true]]);
    });

    it('adopts a thenable that is not a Promise', async () => {
      const { all } = await answers((_arg) => ({
        then(resolve: (value: string) => void) {
          resolve('from a thenable');
        },
      }));
      expect(all).toEqual([[null, 'from a thenable', true]]);
    });

    it('turns a throwing then getter into an error answer', async () => {
      const { sync } = await answers((_arg) => ({
        get then(): unknown {
          throw boom;
        },
      }));
      expect(sync).toEqual([[boom, undefined, false]]);
    });

    it('passes a rejection as the error', async () => {
      const { all } = await answers((_arg) => Promise.reject(boom));
      expect(all).toEqual([[boom, undefined, false]]);
    });
  });

  describe('a function that declares nothing (a wrapper)', () => {
    it('waits for the callback when it returns undefined', async () => {
      const inner = (_arg: string, callback: (err?: unknown, value?: string) => void): void => {
        setImmediate(() => {
          callback(null, 'called back');
        });
      };
      const { sync, all } = await answers((...args: Parameters<UserFn>) => {
        inner(...args);
      });
      expect(sync).toEqual([]);
      expect(all).toEqual([[null, 'called back', false]]);
    });

    it.each([
      ['true (node_redis 2/3, stream.write, emit)', true],
      ['false (a full write buffer)', false],
      ['a string', 'yes'],
      ['a handle (sqlite3 returns the Database)', { filename: 'origins.db' }],
      ['a thenable that is not a native Promise', { then: () => undefined }],
    ])('ignores %s it returns, and waits for the callback', async (_what, value) => {
      const { sync, all } = await answers((...args: Parameters<UserFn>) => {
        setTimeout(() => {
          args[1](null, 'called back');
        }, 5);
        return value;
      });
      expect(sync).toEqual([]);
      expect(all).toEqual([[null, 'called back', false]]);
    });

    it('answers with what a returned Promise resolves to, or waits on undefined', async () => {
      expect((await answers(() => Promise.resolve('yes'))).all).toEqual([[null, 'yes', true]]);
      const { all } = await answers((...args: Parameters<UserFn>) => {
        setTimeout(() => {
          args[1](null, 'called back');
        }, 5);
        return Promise.resolve(undefined);
      });
      expect(all).toEqual([[null, 'called back', false]]);
    });

    it('answers with whichever comes first', async () => {
      const { all } = await answers((...args: Parameters<UserFn>) => {
        args[1](null, 'callback');
        return 'returned';
      });
      expect(all).toEqual([[null, 'callback', false]]);
    });
  });

  describe('failures', () => {
    it.each([
      ['undefined', undefined],
      ['null', null],
      ['0', 0],
      ['the empty string', ''],
      ['false', false],
    ])(
      'gives a rejection with %s a coded error with the reason as cause',
      async (_what, reason) => {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the very case under test
        const { all } = await answers((_arg) => Promise.reject(reason));
        expect(all).toHaveLength(1);
        const err = all[0]![0] as CorsFunctionError;
        expect(err).toBeInstanceOf(CorsFunctionError);
        expect(err.code).toBe('CORS_ORIGIN_FAILED');
        expect(err.status).toBe(500);
        expect('cause' in err && err.cause === reason).toBe(true);
        expect(err.message).toContain(`the origin function failed without an error`);
        expect(err.message).toContain(String(reason));
      },
    );

    it.each([
      ['undefined', undefined],
      ['null', null],
    ])('gives a throw of %s a coded error', async (_what, thrown) => {
      const { all } = await answers(() => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the very case under test
        throw thrown;
      });
      expect((all[0]![0] as CorsFunctionError).code).toBe('CORS_ORIGIN_FAILED');
    });

    it('answers with the exception when it throws before calling back', async () => {
      const { sync, all } = await answers((_arg, callback) => {
        setTimeout(() => {
          callback(null, 'too late');
        }, 5);
        throw boom;
      });
      expect(sync).toEqual([[boom, undefined, false]]);
      expect(all).toEqual([[boom, undefined, false]]);
    });

    it('keeps the answer when it throws after calling back (regression: the request hung)', async () => {
      const { all } = await answers((_arg, callback) => {
        callback(null, 'yes');
        throw boom;
      });
      expect(all).toEqual([[null, 'yes', false]]);
    });
  });

  describe('the time limit', () => {
    it('answers with a CorsTimeoutError when no answer came in time, and ignores a late one', async () => {
      const { all } = await answers(
        (_arg, callback) => {
          setTimeout(() => {
            callback(null, 'late');
          }, 25);
        },
        'callback',
        5,
      );
      expect(all).toHaveLength(1);
      expect(all[0]![0]).toBeInstanceOf(CorsTimeoutError);
      expect((all[0]![0] as CorsTimeoutError).timeout).toBe(5);
    });

    it('applies to a wrapper waiting for its callback', async () => {
      const { all } = await answers((..._args: Parameters<UserFn>) => undefined, 'either', 5);
      expect(all[0]![0]).toBeInstanceOf(CorsTimeoutError);
    });

    it('is cleared by an answer in time', async () => {
      const clear = jest.spyOn(global, 'clearTimeout');
      try {
        const { all } = await answers(
          (_arg, callback) => {
            setTimeout(() => {
              callback(null, 'in time');
            }, 2);
          },
          'callback',
          1000,
        );
        expect(all).toEqual([[null, 'in time', false]]);
        expect(clear).toHaveBeenCalled();
      } finally {
        clear.mockRestore();
      }
    });
  });

  describe('when the receiver of the answer throws', () => {
    it('lets the exception out instead of answering a second time with it', () => {
      const settle = jest.fn<ReturnType<Settle<string>>, Parameters<Settle<string>>>(() => {
        throw boom;
      });
      expect(() => {
        callUser((_arg: string) => 'yes', 'return', 'x', CALLER, 0, settle);
      }).toThrow(boom);
      expect(settle).toHaveBeenCalledTimes(1);
      expect(settle).toHaveBeenCalledWith(null, 'yes', true);
    });
  });
});
