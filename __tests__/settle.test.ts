import { callUser } from '../lib/settle.js';

type Answer = [unknown, unknown];
type UserFn = (arg: string, callback: (err: unknown, value?: string | null) => void) => unknown;

/** Lets callbacks, promise jobs and short timers run. */
function later(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `fn` through callUser and records every answer: those given before callUser returned
 * (`sync`) and all of them after the function's timers have had time to run (`all`).
 */
async function answers(fn: UserFn): Promise<{ sync: Answer[]; all: Answer[] }> {
  const all: Answer[] = [];
  callUser(fn, 'https://app.example.com', 'the origin function', (err, value) => {
    all.push([err, value]);
  });
  const sync = all.slice();
  await later(30);
  return { sync, all };
}

const boom = new Error('boom');

describe('callUser', () => {
  it('passes the argument and a callback to the function', async () => {
    const fn = jest.fn((_arg: string, callback: (err: unknown, value?: string) => void) => {
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
        (_arg: string, callback: (err: unknown, value?: string) => void) => {
          callback(null, 'yes');
          seenInside = all.length;
        },
        'x',
        'the origin function',
        (err, value) => {
          all.push([err, value]);
        },
      );
      expect(seenInside).toBe(0);
      expect(all).toEqual([[null, 'yes']]);
      await later();
      expect(all).toHaveLength(1);
    });

    it('passes an error given to the callback', async () => {
      expect(
        (
          await answers((_arg, callback) => {
            callback(boom);
          })
        ).all,
      ).toEqual([[boom, undefined]]);
    });

    it('ignores a second call of the callback', async () => {
      const { all } = await answers((_arg, callback) => {
        callback(null, 'first');
        callback(null, 'second');
        callback(boom);
      });
      expect(all).toEqual([[null, 'first']]);
    });
  });

  describe('when the function calls back asynchronously', () => {
    it('answers when the callback is called', async () => {
      const { sync, all } = await answers((_arg, callback) => {
        setTimeout(() => {
          callback(null, 'later');
        }, 5);
      });
      expect(sync).toEqual([]);
      expect(all).toEqual([[null, 'later']]);
    });

    it('ignores a second call of the callback', async () => {
      const { all } = await answers((_arg, callback) => {
        setTimeout(() => {
          callback(null, 'first');
          callback(null, 'second');
        }, 5);
      });
      expect(all).toEqual([[null, 'first']]);
    });
  });

  describe('when the function returns its answer', () => {
    it.each([
      ['a string', 'yes'],
      ['false', false],
      ['null', null],
    ])('takes %s returned by a one-parameter function as the answer', async (_what, value) => {
      const { sync, all } = await answers(() => value);
      expect(sync).toEqual([[null, value]]);
      expect(all).toEqual([[null, value]]);
    });

    it('takes a value returned by a two-parameter function as the answer', async () => {
      const { sync } = await answers((_arg, _callback) => 'yes');
      expect(sync).toEqual([[null, 'yes']]);
    });

    it('answers undefined for a one-parameter function returning undefined', async () => {
      const { sync } = await answers((_arg) => undefined);
      expect(sync).toEqual([[null, undefined]]);
    });

    it('waits for the callback of a two-parameter function returning undefined', async () => {
      const { sync, all } = await answers((_arg, callback) => {
        setTimeout(() => {
          callback(null, 'called back');
        }, 5);
        return undefined;
      });
      expect(sync).toEqual([]);
      expect(all).toEqual([[null, 'called back']]);
    });
  });

  describe('when the function returns a Promise', () => {
    it('answers with what it resolves to', async () => {
      const { sync, all } = await answers(() => Promise.resolve('yes'));
      expect(sync).toEqual([]);
      expect(all).toEqual([[null, 'yes']]);
    });

    it('answers undefined when a one-parameter async function resolves to undefined', async () => {
      const { all } = await answers(async (_arg) => {
        await later(1);
        return undefined;
      });
      expect(all).toEqual([[null, undefined]]);
    });

    it('waits for the callback when a two-parameter async function resolves to undefined', async () => {
      const { all } = await answers(async (_arg, callback) => {
        await later(1);
        setTimeout(() => {
          callback(null, 'called back');
        }, 5);
      });
      expect(all).toEqual([[null, 'called back']]);
    });

    it('passes the rejection as the error', async () => {
      const { all } = await answers(() => Promise.reject(boom));
      expect(all).toEqual([[boom, undefined]]);
    });

    it.each([
      ['undefined', undefined],
      ['null', null],
      ['0', 0],
      ['the empty string', ''],
      ['false', false],
    ])('gives a rejection with %s an Error that says so', async (_what, reason) => {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the very case under test
      const { all } = await answers(() => Promise.reject(reason));
      expect(all).toHaveLength(1);
      const [err, value] = all[0]!;
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toBe(
        `corsguard: the origin function failed with ${String(reason)}`,
      );
      expect(value).toBeUndefined();
    });

    it('answers with whichever comes first: the Promise', async () => {
      const { all } = await answers((_arg, callback) => {
        setTimeout(() => {
          callback(null, 'callback');
        }, 5);
        return Promise.resolve('promise');
      });
      expect(all).toEqual([[null, 'promise']]);
    });

    it('answers with whichever comes first: the callback', async () => {
      const { all } = await answers(async (_arg, callback) => {
        callback(null, 'callback');
        await later(5);
        return 'promise';
      });
      expect(all).toEqual([[null, 'callback']]);
    });

    it('observes a Promise that rejects after a synchronous callback (regression: unhandled rejection)', async () => {
      const unhandled = jest.fn();
      process.on('unhandledRejection', unhandled);
      try {
        const { all } = await answers(async (_arg, callback) => {
          callback(null, 'callback');
          await Promise.resolve();
          throw boom;
        });
        expect(all).toEqual([[null, 'callback']]);
        expect(unhandled).not.toHaveBeenCalled();
      } finally {
        process.off('unhandledRejection', unhandled);
      }
    });

    it('accepts a thenable that is not a Promise', async () => {
      const { all } = await answers(() => ({
        then(resolve: (value: string) => void) {
          resolve('from a thenable');
        },
      }));
      expect(all).toEqual([[null, 'from a thenable']]);
    });

    it('turns a throwing then getter into an error answer', async () => {
      const { sync, all } = await answers(() => ({
        get then(): unknown {
          throw boom;
        },
      }));
      expect(sync).toEqual([[boom, undefined]]);
      expect(all).toEqual([[boom, undefined]]);
    });
  });

  describe('when the function throws', () => {
    it('answers with the exception when it throws before calling back', async () => {
      const { sync, all } = await answers((_arg, callback) => {
        setTimeout(() => {
          callback(null, 'too late');
        }, 5);
        throw boom;
      });
      expect(sync).toEqual([[boom, undefined]]);
      expect(all).toEqual([[boom, undefined]]);
    });

    it('keeps the answer when it throws after calling back (regression: the request hung)', async () => {
      const { sync, all } = await answers((_arg, callback) => {
        callback(null, 'yes');
        throw boom;
      });
      expect(sync).toEqual([[null, 'yes']]);
      expect(all).toEqual([[null, 'yes']]);
    });

    it.each([
      ['undefined', undefined],
      ['null', null],
    ])('gives a throw of %s an Error that says so', async (_what, thrown) => {
      const { all } = await answers(() => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the very case under test
        throw thrown;
      });
      expect(all).toHaveLength(1);
      expect(all[0]![0]).toBeInstanceOf(Error);
      expect((all[0]![0] as Error).message).toBe(
        `corsguard: the origin function failed with ${String(thrown)}`,
      );
    });
  });

  describe('when the receiver of the answer throws', () => {
    it('lets the exception out instead of answering a second time with it', () => {
      const settle = jest.fn(() => {
        throw boom;
      });
      expect(() => {
        callUser(() => 'yes', 'x', 'the origin function', settle);
      }).toThrow(boom);
      expect(settle).toHaveBeenCalledTimes(1);
      expect(settle).toHaveBeenCalledWith(null, 'yes');
    });
  });
});
