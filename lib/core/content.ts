// Compiled forms of values a user hands over at run time (a function origin's answer, a delegate's
// options, options built per request), kept by their content and never by object identity alone: an
// allow-list edited in place (`allowed.splice(...)`, `opts.origin = false`) must be judged afresh on
// the next request.
//
// Two levels, so the common cases cost little per request:
// - the same object again: its content is compared with a copy taken when it was compiled (no
//   allocation; a changed element, key or RegExp source is a miss);
// - another object (options built per request, an array mapped from rows): a key spelled from its
//   content finds a compiled form made for equal content.
// Functions and other objects (a bus, a class instance) are compared by identity: their content is
// theirs to keep, and what corsguard compiles from them does not depend on it.

/** What a compiled value was compiled from; compared with the value before the compiled form is reused. */
type Shot =
  | {
      readonly kind: 'array';
      readonly items: readonly Shot[];
      /**
       * The items themselves when none is an array or a plain object (an allow-list of strings and
       * RegExps): compared with `===` in one loop, RegExps' sources checked after.
       */
      readonly flat: readonly unknown[] | undefined;
    }
  | { readonly kind: 'object'; readonly keys: readonly string[]; readonly values: readonly Shot[] }
  | {
      readonly kind: 'regexp';
      readonly re: RegExp;
      readonly source: string;
      readonly flags: string;
    }
  | { readonly kind: 'value'; readonly value: unknown };

/** A value's content as compiled, and what it compiled to. */
interface Known<T> {
  readonly shot: Shot;
  readonly compiled: T;
}

/** How many of the last contents are compared before a key is spelled. */
const RECENT = 4;

/** Nesting and size past which a value is not kept at all (compiled afresh each time). */
const MAX_DEPTH = 8;
const MAX_ITEMS = 10000;

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A copy of what `value` holds now, or undefined when it is too deep or too large to keep. */
function shoot(value: unknown, budget: { items: number }, depth: number): Shot | undefined {
  if (--budget.items < 0 || depth > MAX_DEPTH) return undefined;
  if (typeof value !== 'object' || value === null) return { kind: 'value', value };
  if (Array.isArray(value)) {
    const items: Shot[] = [];
    let flat: unknown[] | undefined = [];
    for (const item of value as unknown[]) {
      const shot = shoot(item, budget, depth + 1);
      if (shot === undefined) return undefined;
      items.push(shot);
      if (shot.kind === 'value') flat?.push(shot.value);
      else if (shot.kind === 'regexp') flat?.push(shot.re);
      else flat = undefined;
    }
    return { kind: 'array', items, flat };
  }
  if (value instanceof RegExp) {
    return { kind: 'regexp', re: value, source: value.source, flags: value.flags };
  }
  if (!isPlain(value)) return { kind: 'value', value };
  const keys = Object.keys(value);
  const values: Shot[] = [];
  for (const key of keys) {
    const shot = shoot((value as Record<string, unknown>)[key], budget, depth + 1);
    if (shot === undefined) return undefined;
    values.push(shot);
  }
  return { kind: 'object', keys, values };
}

/** True when `value` still holds what `shot` recorded. */
function same(value: unknown, shot: Shot): boolean {
  switch (shot.kind) {
    case 'value':
      return Object.is(value, shot.value);
    case 'regexp':
      // RegExp.prototype.compile changes a RegExp in place.
      return value === shot.re && shot.re.source === shot.source && shot.re.flags === shot.flags;
    case 'array': {
      if (!Array.isArray(value)) return false;
      const items = shot.items;
      const list = value as unknown[];
      if (list.length !== items.length) return false;
      const flat = shot.flat;
      if (flat !== undefined) {
        for (let i = 0; i < flat.length; i++) {
          const item = list[i];
          // NaN is the one value not === itself.
          if (item !== flat[i] && !(item !== item && flat[i] !== flat[i])) return false;
        }
        // The same RegExp objects: their source may still have changed (RegExp#compile).
        for (const item of items) if (item.kind === 'regexp' && !same(item.re, item)) return false;
        return true;
      }
      for (let i = 0; i < items.length; i++) if (!same(list[i], items[i]!)) return false;
      return true;
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      // The keys in order, without allocating them: for-in lists own enumerable string keys first,
      // in the order Object.keys does, then inherited ones (a plain object has none; a key
      // inherited from a polluted prototype is read by compileOptions all the same).
      const expected = shot.keys;
      let i = 0;
      for (const key in value) {
        if (key !== expected[i]) return false;
        if (!same((value as Record<string, unknown>)[key], shot.values[i]!)) return false;
        i++;
      }
      return i === expected.length;
    }
  }
}

/** Numbers objects that are compared by identity, for content keys. */
const ids = new WeakMap<object, number>();
let nextId = 0;

function idOf(value: object): number {
  let id = ids.get(value);
  if (id === undefined) {
    id = ++nextId;
    ids.set(value, id);
  }
  return id;
}

/** Spells the content of a shot as a string: equal strings, equal content. */
function spell(shot: Shot): string {
  switch (shot.kind) {
    case 'array':
      return `[${shot.items.map(spell).join(',')}]`;
    case 'object':
      return `{${shot.keys.map((key, i) => `${JSON.stringify(key)}:${spell(shot.values[i]!)}`).join(',')}}`;
    case 'regexp':
      return `/${JSON.stringify(shot.source)}/${shot.flags}`;
    case 'value': {
      const value: unknown = shot.value;
      if (typeof value === 'string') return JSON.stringify(value);
      if (typeof value === 'object' || typeof value === 'function') {
        return value === null ? 'null' : `#${String(idOf(value))}`;
      }
      // A symbol is spelled anew each time: options holding one are never found by content.
      if (typeof value === 'symbol') return `@${String(++nextId)}`;
      if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
        return `${typeof value}:${String(value)}`;
      }
      return 'undefined';
    }
  }
}

/**
 * Compiled forms of run-time values, found by content: the same object whose content has not
 * changed, or another object of equal content. At most `max` contents are kept (the oldest go first);
 * `compile` is called for anything else.
 */
export class ContentCache<T> {
  private readonly byObject = new WeakMap<object, Known<T>>();
  private readonly byContent = new Map<string, T>();
  /**
   * The last few contents asked for, newest first: options built anew for every request (a new
   * object of the same content each time) are found by comparing, with no key spelled and no
   * entry in byObject for an object that is garbage after the request.
   */
  private readonly recent: Known<T>[] = [];

  constructor(
    private readonly compile: (value: object) => T,
    private readonly max = 256,
  ) {}

  /** The compiled form of what `value` holds now. */
  get(value: object): T {
    const known = this.byObject.get(value);
    if (known !== undefined && same(value, known.shot)) return known.compiled;
    for (const seen of this.recent) if (same(value, seen.shot)) return seen.compiled;
    // Taken before compiling: a later edit is then a miss, never a stale hit.
    const shot = shoot(value, { items: MAX_ITEMS }, 0);
    if (shot === undefined) return this.compile(value);
    const key = spell(shot);
    let compiled = this.byContent.get(key);
    if (compiled === undefined) {
      compiled = this.compile(value);
      if (this.byContent.size >= this.max) {
        this.byContent.delete(this.byContent.keys().next().value!);
      }
      this.byContent.set(key, compiled);
    }
    const entry = { shot, compiled };
    this.byObject.set(value, entry);
    this.recent.unshift(entry);
    if (this.recent.length > RECENT) this.recent.pop();
    return compiled;
  }
}
