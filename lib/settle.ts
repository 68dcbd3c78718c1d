// Calling user code that may answer in three ways: through a callback, by returning a value, or by
// returning a Promise. The first answer wins and is delivered exactly once; later ones are ignored.
// An answer given synchronously is delivered only after the user function has returned, so an
// exception thrown further down the chain is never mistaken for the user function's own.

/** Receives the first answer of a user function. `err` is truthy exactly when it failed. */
export type Settle<T> = (err: unknown, value: T | null | undefined) => void;

type UserFunction<A, T> = (arg: A, callback: (err: unknown, value?: T | null) => void) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A falsy error would read as success in `next(err)`: give it a body. */
function truthy(err: unknown, what: string): unknown {
  // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing -- any falsy value, not only null
  return err || new Error(`corsguard: ${what} failed with ${String(err)}`);
}

/**
 * Calls `fn(arg, callback)` and settles with its first answer: `callback(err, value)`, a returned
 * value other than `undefined` (or `undefined` itself when `fn` declares fewer than two parameters and
 * so cannot be waiting to call back), a returned Promise's outcome, or a thrown exception.
 */
export function callUser<A, T>(
  fn: UserFunction<A, T>,
  arg: A,
  what: string,
  settle: Settle<T>,
): void {
  let settled = false;
  let inside = true;
  let early: [unknown, T | null | undefined] | undefined;
  const callback = (err: unknown, value?: T | null): void => {
    if (settled) return;
    settled = true;
    if (inside) early = [err, value];
    else settle(err, value);
  };
  // A function of two parameters that returns undefined (or a Promise of it) is taken to be waiting
  // to call back; any other return value is its answer.
  const waits = fn.length >= 2;
  try {
    const returned = fn(arg, callback);
    if (isThenable(returned)) {
      // Observed even when the callback answered first, so a later rejection is never unhandled.
      Promise.resolve(returned).then(
        (value) => {
          if (value !== undefined || !waits) callback(null, value as T | null | undefined);
        },
        (err: unknown) => {
          callback(truthy(err, what));
        },
      );
    } else if (returned !== undefined || !waits) {
      callback(null, returned as T | null | undefined);
    }
  } catch (err) {
    // fn threw, or reading `then` on its result did; an answer given before the throw stands.
    callback(truthy(err, what));
  }
  inside = false;
  if (early !== undefined) settle(early[0], early[1]);
}
