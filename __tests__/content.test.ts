// lib/core/content.ts: compiled forms kept by the content of what they were compiled from, never by object
// identity alone (issue 20, "answers are values, read fresh"; issue 22, options built per request).
import { ContentCache } from '../lib/core/content.js';
import { putAt, fixes } from '../lib/core/options.js';

/** A cache whose compile counts its calls and returns a new object each time. */
function counting(max?: number) {
  const compiled: unknown[] = [];
  const cache = new ContentCache((value) => {
    compiled.push(value);
    return { compilation: compiled.length };
  }, max);
  return { cache, compiled };
}

describe('ContentCache', () => {
  it('compiles the same object once while its content stays the same', () => {
    const { cache, compiled } = counting();
    const value = { origin: ['https://a.example'], credentials: true };
    const first = cache.get(value);
    expect(cache.get(value)).toBe(first);
    expect(compiled).toHaveLength(1);
  });

  it.each<[string, (v: { origin: unknown[]; credentials?: unknown; extra?: unknown }) => void]>([
    ['an element replaced', (v) => (v.origin[0] = 'https://b.example')],
    ['an element added', (v) => v.origin.push('https://b.example')],
    ['an element removed', (v) => v.origin.pop()],
    ['a field changed', (v) => (v.credentials = false)],
    ['a field added', (v) => (v.extra = 1)],
    ['a field removed', (v) => delete v.credentials],
    ['a field replaced by an array', (v) => (v.credentials = [])],
    [
      'an array replaced by a plain object',
      (v) => (v.origin = { 0: 'https://a.example' } as never),
    ],
    ['a nested object replaced by null', (v) => (v.extra = null)],
    ['a nested object replaced by an array', (v) => (v.extra = [])],
    ['a nested object replaced by a string', (v) => (v.extra = 'ttl')],
  ])('compiles afresh after %s in place', (_what, edit) => {
    const { cache, compiled } = counting();
    const value: { origin: unknown[]; credentials?: unknown; extra?: unknown } = {
      origin: ['https://a.example'],
      credentials: true,
      extra: { ttl: 1 },
    };
    const first = cache.get(value);
    edit(value);
    expect(cache.get(value)).not.toBe(first);
    expect(compiled).toHaveLength(2);
  });

  it('compares lists of lists item by item, NaN included, and a RegExp in a list by its source', () => {
    const { cache, compiled } = counting();
    const re = /^https:\/\/a\.example$/;
    const value = { origin: [['https://a.example'], 'https://b.example'], list: [Number.NaN, re] };
    cache.get(value);
    cache.get(value);
    expect(compiled).toHaveLength(1);
    (value.origin[0] as string[]).push('https://c.example');
    cache.get(value);
    expect(compiled).toHaveLength(2);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the in-place change under test
    re.compile('^https:\\/\\/b\\.example$');
    cache.get(value);
    expect(compiled).toHaveLength(3);
    value.list[0] = 1;
    cache.get(value);
    expect(compiled).toHaveLength(4);
  });

  it('finds a new object of equal content (options built per request), also past the recent four', () => {
    const { cache, compiled } = counting();
    const make = (n: number) => ({ origin: [`https://${String(n)}.example`], re: /^a$/g, n: 1n });
    const first = cache.get(make(0));
    for (let n = 1; n <= 6; n++) cache.get(make(n));
    expect(compiled).toHaveLength(7);
    // Recent four: compared; older: found by their content key. A RegExp is compared by source.
    expect(cache.get(make(6))).toBe(cache.get(make(6)));
    expect(cache.get(make(0))).toBe(first);
    expect(compiled).toHaveLength(7);
  });

  it('tells apart contents that differ only in kind (a string and a number, null and undefined)', () => {
    const { cache, compiled } = counting();
    for (const value of [
      { a: '1' },
      { a: 1 },
      { a: null },
      { a: undefined },
      { a: true },
      { a: [] },
      { a: {} },
    ]) {
      cache.get(value);
    }
    expect(compiled).toHaveLength(7);
  });

  it('compares functions, class instances and symbols by identity', () => {
    const { cache, compiled } = counting();
    class Bus {
      readonly channel = 'corsguard';
    }
    const fn = (): boolean => true;
    const bus = new Bus();
    cache.get({ origin: fn, bus });
    cache.get({ origin: fn, bus });
    cache.get({ origin: (): boolean => true, bus });
    cache.get({ origin: fn, bus: new Bus() });
    const symbol = Symbol('s');
    cache.get({ s: symbol });
    cache.get({ s: symbol });
    cache.get({ s: Symbol('s') });
    expect(compiled).toHaveLength(5);
  });

  it('keeps at most max contents, the oldest going first', () => {
    const { cache, compiled } = counting(2);
    for (const n of [1, 2, 3, 4, 5, 6, 7]) cache.get({ n });
    cache.get({ n: 1 }); // evicted long ago: compiled again
    expect(compiled).toHaveLength(8);
  });

  it('compiles every time what is too deep or too large to keep, never serving it stale', () => {
    const { cache, compiled } = counting();
    let deep: unknown = 'x';
    for (let i = 0; i < 12; i++) deep = [deep];
    const large = {
      origin: Array.from({ length: 20_000 }, (_, i) => `https://${String(i)}.example`),
    };
    const wide = { nested: { list: Array.from({ length: 20_000 }, () => ({ a: 1 })) } };
    for (const value of [{ deep }, { deep }, large, large, wide]) cache.get(value);
    expect(compiled).toHaveLength(5);
  });
});

describe('putAt and fixes (the suggestion check)', () => {
  it('puts a value along a path, copying only along it', () => {
    const options = { origin: ['a', 'b'], originCache: { ttl: 1 }, credentials: true };
    const put = putAt(options, 'origin[1]', 'c') as typeof options;
    expect(put.origin).toEqual(['a', 'c']);
    expect(options.origin).toEqual(['a', 'b']);
    expect(put.originCache).toBe(options.originCache);
    expect((putAt(options, 'originCache.ttl', 5) as typeof options).originCache.ttl).toBe(5);
  });

  it.each([
    ['an index into a string', { origin: 'abc' }, 'origin[0]'],
    ['an index past the end', { origin: ['a'] }, 'origin[3]'],
    ['a key of a missing object', {}, 'originCache.ttl'],
    ['a key of an array', { origin: ['a'] }, 'origin.length'],
    ['a path that is not one', {}, 'origin (answer of the origin function)'],
  ])('leads nowhere with %s', (_what, options, path) => {
    expect(putAt(options, path, 1)).toBeUndefined();
    expect(fixes(options, path, 1)).toBe(false);
  });

  it('says no when compiling throws something else than a CorsConfigError (a hostile Proxy)', () => {
    const hostile = new Proxy([], {
      get() {
        throw new Error('no');
      },
    });
    expect(fixes({ origin: hostile }, 'maxAge', 600)).toBe(false);
  });

  it('says whether a value fixes the options at a path', () => {
    expect(fixes(undefined, 'maxAge', 600)).toBe(true);
    expect(fixes({ maxAge: 1.5 }, 'maxAge', 2.5)).toBe(false);
    expect(fixes({ origin: /.*/, credentials: true }, 'origin', /^https:\/\/.*$/)).toBe(false);
  });
});
