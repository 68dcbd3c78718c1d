// Issue 11, "Drop-in correctness: user functions read as `cors` reads them, and fail closed".
//
// Origin functions and options delegates written the way `cors` users write them: one-line arrows,
// the cors README, tutorials, the callback APIs of database clients. How corsguard reads each one
// depends only on what it declares:
// - a callback (two or more parameters, a defaulted callback, `...rest`): the callback alone answers;
//   return values are ignored (sqlite3's db.get returns the Database), except a native Promise's
//   rejection before the callback; `then` is never called on anything else (mongoose's Query);
// - exactly one parameter: the return value, or what a returned Promise or thenable settles to;
// - none (wrappers): the callback, or the value of a returned native Promise, whichever comes first;
//   any other return value is ignored (node_redis 2/3 returns `true` from every command).
// Every answer that is not a valid one fails closed: next(err), never the defaults (`*`).
/* eslint-disable @typescript-eslint/no-confusing-void-expression, @typescript-eslint/require-await,
   @typescript-eslint/prefer-promise-reject-errors, @typescript-eslint/only-throw-error, prefer-rest-params,
   prefer-spread, @typescript-eslint/prefer-includes, @typescript-eslint/no-useless-default-assignment
   -- the functions under test are written as users write them: one-line arrows returning what the
   callback returns, async functions without await, falsy throws and rejections, `arguments` with
   apply, the cors README's indexOf, a callback with a default value */
import type http from 'node:http';
import type { IncomingMessage } from 'node:http';
import request from 'supertest';
import {
  cors,
  CorsConfigError,
  CorsFunctionError,
  CorsTimeoutError,
  type CorsOptionsDelegate,
  type CustomOrigin,
  type OriginCallback,
} from '../lib/index.js';
import { type Middleware, appWith, close, listener, serve } from './helpers/frameworks.js';
import { type MockRequest, run, settle } from './helpers/mock.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';
const METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';
const SQL = 'SELECT origin FROM allowed_origins WHERE origin = ?';

// ---------------------------------------------------------------------------------------------------
// Fakes: small, faithful imitations of the client APIs users call from these functions. Every entry
// point counts one run in its Store, so a test can say how often the lookup ran.

/** The table of allowed origins behind the fakes, and the count of lookups made against it. */
class Store {
  runs = 0;
  /** Calls of `then` on mongoose-like Queries (each one runs the query again). */
  thenCalls = 0;
  private readonly origins = new Set([APP]);

  holds(origin: unknown): boolean {
    return typeof origin === 'string' && this.origins.has(origin);
  }

  /** A Set-like allow list: `allowed.has(origin)`. */
  readonly allowed = {
    has: (origin: string | undefined): boolean => {
      this.runs++;
      return this.holds(origin);
    },
  };

  /** The cors README's `whitelist` array; reading it counts as one lookup. */
  get whitelist(): string[] {
    this.runs++;
    return [...this.origins];
  }

  /** The allowed origins as a list for `{ origin: list }`; reading it counts as one lookup. */
  get list(): string[] {
    this.runs++;
    return [...this.origins];
  }

  /** An asynchronous check, as a promise-based client gives it. */
  readonly check = async (origin: string | undefined): Promise<boolean> => {
    this.runs++;
    await new Promise((resolve) => setImmediate(resolve));
    return this.holds(origin);
  };

  /** A check whose client is down: it rejects with `error`. */
  readonly failingCheck = async (error: unknown): Promise<boolean> => {
    this.runs++;
    await new Promise((resolve) => setImmediate(resolve));
    throw error;
  };

  /** Per-host options, as a multi-tenant app keeps them: `optionsByHost.get(req.headers.host)`. */
  readonly optionsByHost = {
    get: (host: string | undefined): { origin: string[] } | undefined => {
      this.runs++;
      return host === 'tenant.example' ? { origin: [APP] } : undefined;
    },
  };

  /** Counts one run and hands `value` back: the counter of functions that look nothing up. */
  counted<T>(value: T): T {
    this.runs++;
    return value;
  }

  readonly redis = new RedisClient(this);
  readonly db = new Database(this);
  /** A Database whose connection hangs: `get` never calls back. */
  readonly stuckDb = new Database(this, { stuck: true });
  readonly busyDb = new Database(this, { error: sqliteBusy() });
  readonly Origin = new Model(this);
}

function sqliteBusy(): Error {
  return Object.assign(new Error('SQLITE_BUSY: database is locked'), {
    errno: 5,
    code: 'SQLITE_BUSY',
  });
}

type Row = { origin: string } | undefined;

/**
 * sqlite3's Database, as far as these functions use it: `get(sql, params, callback)` runs the query,
 * calls back on a later turn with `(err, row)` (row undefined when nothing matched), and returns the
 * Database itself, for chaining.
 */
class Database {
  constructor(
    private readonly store: Store,
    private readonly behaviour: { stuck?: boolean; error?: Error } = {},
  ) {}

  get(_sql: string, params: unknown[], callback?: (err: Error | null, row?: Row) => void): this {
    this.store.runs++;
    const origin = params[0];
    const row: Row = this.store.holds(origin) ? { origin: origin as string } : undefined;
    if (callback !== undefined && this.behaviour.stuck !== true) {
      setImmediate(() => {
        if (this.behaviour.error === undefined) callback(null, row);
        else callback(this.behaviour.error);
      });
    }
    return this;
  }
}

const KEY = 'allowed_origins';
type RedisCallback = (err: Error | null, reply?: number) => void;

/**
 * node_redis 2.x/3.x as far as these functions use it: a command with a trailing callback queues the
 * command, returns true ("written to the socket"; false when the buffer is full) and calls back on a
 * later turn with the reply, here SISMEMBER's 1 or 0.
 */
class RedisClient {
  constructor(private readonly store: Store) {}

  sismember(_key: string, member: string, callback?: RedisCallback): boolean {
    this.store.runs++;
    const reply = this.store.holds(member) ? 1 : 0;
    if (callback !== undefined) setImmediate(() => callback(null, reply));
    return true;
  }
}

interface Doc {
  _id: number;
  origin: string;
}

/**
 * A mongoose Query: `exec(callback)` runs it; `then` runs it again (mongoose 5 re-ran the query,
 * mongoose 6 rejected with "Query was already executed"), which is why nobody may call `then` on a
 * Query that was already given a callback.
 */
class Query {
  constructor(
    private readonly store: Store,
    private readonly filter: { origin?: string | undefined },
  ) {}

  exec(callback?: (err: Error | null, doc: Doc | null) => void): Promise<Doc | null> {
    this.store.runs++;
    const found = this.store.holds(this.filter.origin)
      ? { _id: 1, origin: this.filter.origin! }
      : null;
    return new Promise((resolve) =>
      setImmediate(() => {
        callback?.(null, found);
        resolve(found);
      }),
    );
  }

  then<A = Doc | null, B = never>(
    onFulfilled?: ((doc: Doc | null) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.store.thenCalls++;
    return this.exec().then(onFulfilled, onRejected);
  }
}

/** A mongoose Model: `findOne(filter, callback)` executes at once and returns the Query. */
class Model {
  constructor(private readonly store: Store) {}

  findOne(
    filter: { origin?: string | undefined },
    callback?: (err: Error | null, doc: Doc | null) => void,
  ): Query {
    const query = new Query(this.store, filter);
    if (callback !== undefined) void query.exec(callback);
    return query;
  }
}

/** Options held in a class instance: not a plain options object. */
class CorsSettings {
  readonly origin = [APP];
}

// ---------------------------------------------------------------------------------------------------
// Typing. `CustomOrigin` and `CorsOptionsDelegate` type what corsguard reads; these helpers type the
// functions as users write them (the callback's answer unchecked, any return value), as @types/cors
// does with its `=> void`.

type UserOrigin = (origin: string, callback: OriginCallback) => unknown;
type DelegateCallback = (err?: unknown, options?: unknown) => void;
type UserDelegate = (req: IncomingMessage, callback: DelegateCallback) => unknown;

// The assertion is needed for as long as CustomOrigin's return type is narrower than `unknown`.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
const originFn = (fn: UserOrigin): CustomOrigin => fn as unknown as CustomOrigin;
const delegateFn = (fn: UserDelegate): CorsOptionsDelegate => fn as unknown as CorsOptionsDelegate;
const noop: OriginCallback = () => undefined;
const noopDelegate: DelegateCallback = () => undefined;

// ---------------------------------------------------------------------------------------------------
// Requests and the answers they must get

const STACKS = ['express5', 'express4', 'node:http'] as const;
type Stack = (typeof STACKS)[number];
/** Where origin functions run: the Node stacks, and corsguard/fetch (served on Node by @hono/node-server). */
const ORIGIN_STACKS = [...STACKS, 'corsguard/fetch'] as const;

type Ask = 'GET APP' | 'GET EVIL' | 'GET without Origin' | 'preflight APP' | 'preflight EVIL';
const ASKS: readonly Ask[] = [
  'GET APP',
  'GET EVIL',
  'GET without Origin',
  'preflight APP',
  'preflight EVIL',
];

/**
 * What the middleware makes of one request:
 * - allowed: ACAO is the request's origin, Vary: Origin;
 * - refused: no Access-Control-* header at all, Vary: Origin (a refused preflight is answered 204);
 * - disabled: `origin: false` from a delegate; no Access-Control-* header, the request reaches the
 *   application (a preflight too), as with `cors`;
 * - any: the defaults, `Access-Control-Allow-Origin: *`;
 * - or next(err): the error handler answers `error:<code or message>` with its status.
 */
type Outcome = 'allowed' | 'refused' | 'disabled' | 'any' | { error: string; status: number };

const failed = (error: string, status = 500): Outcome => ({ error, status });
const TIMEOUT = failed('CORS_ORIGIN_TIMEOUT', 503);

interface Seen {
  status: number;
  body: string;
  /** Names of the Access-Control-* headers sent, sorted. */
  cors: string[];
  acao?: string | undefined;
  acam?: string | undefined;
  acah?: string | undefined;
  vary?: string | undefined;
}

/** The exact response for `outcome` (for `origin` where it is reflected); `vary` left out = not checked. */
function expected(ask: Ask, origin: string | undefined, outcome: Outcome): Seen {
  const preflight = ask.startsWith('preflight');
  if (typeof outcome === 'object') {
    return { status: outcome.status, body: `error:${outcome.error}`, cors: [] };
  }
  const app = { status: 200, body: preflight ? 'app:OPTIONS' : 'app:GET' };
  const answered = { status: 204, body: '' };
  const allowedPreflight = ['access-control-allow-headers', 'access-control-allow-methods'];
  switch (outcome) {
    case 'allowed':
      return preflight
        ? {
            ...answered,
            cors: [...allowedPreflight, 'access-control-allow-origin'],
            acao: origin,
            acam: METHODS,
            acah: 'content-type',
            vary: 'Origin, Access-Control-Request-Headers',
          }
        : { ...app, cors: ['access-control-allow-origin'], acao: origin, vary: 'Origin' };
    case 'refused':
      return { ...(preflight ? answered : app), cors: [], vary: 'Origin' };
    case 'disabled':
      // Only delegates turn CORS off, and every answer of a delegate carries Vary: Origin (cors
      // sends none): corsguard cannot tell what the delegate's answer depended on.
      return { ...app, cors: [], vary: 'Origin' };
    case 'any':
      return preflight
        ? {
            ...answered,
            cors: [...allowedPreflight, 'access-control-allow-origin'],
            acao: '*',
            acam: METHODS,
            acah: 'content-type',
            vary: 'Access-Control-Request-Headers',
          }
        : { ...app, cors: ['access-control-allow-origin'], acao: '*', vary: undefined };
  }
}

function originOf(ask: Ask): string | undefined {
  if (ask.endsWith('APP')) return APP;
  if (ask.endsWith('EVIL')) return EVIL;
  return undefined;
}

async function send(url: string, ask: Ask | { origin: string }): Promise<Seen & { ms: number }> {
  const started = Date.now();
  let req: request.Test;
  if (typeof ask === 'object') {
    req = request(url).get('/').set('Origin', ask.origin);
  } else if (ask.startsWith('preflight')) {
    req = request(url)
      .options('/')
      .set('Origin', originOf(ask)!)
      .set('Access-Control-Request-Method', 'PUT')
      .set('Access-Control-Request-Headers', 'content-type');
  } else {
    req = request(url).get('/');
    const origin = originOf(ask);
    if (origin !== undefined) req = req.set('Origin', origin);
  }
  const res = await req;
  const headers = res.headers as Record<string, string | undefined>;
  return {
    ms: Date.now() - started,
    status: res.status,
    body: res.text,
    cors: Object.keys(headers)
      .filter((name) => name.startsWith('access-control-'))
      .sort(),
    acao: headers['access-control-allow-origin'],
    acam: headers['access-control-allow-methods'],
    acah: headers['access-control-allow-headers'],
    vary: headers.vary,
  };
}

/** Sends every request of ASKS to `middleware` under `stack`, one after the other. */
async function exchange(stack: Stack, middleware: Middleware) {
  return exchangeWith(listener(stack, middleware));
}

/** Sends every request of ASKS to an application, one after the other. */
async function exchangeWith(app: http.RequestListener) {
  const { server, url } = await serve(app);
  try {
    const seen: (Seen & { ask: Ask; ms: number })[] = [];
    for (const ask of ASKS) seen.push({ ask, ...(await send(url, ask)) });
    return seen;
  } finally {
    await close(server);
  }
}

/** Checks one response against what it must be, naming the request in a failure. */
function expectSeen(seen: Seen & { ask: Ask; ms: number }, want: Seen, timeLimited: boolean): void {
  const { ask, ms, ...got } = seen;
  if (!('vary' in want)) delete got.vary;
  // Absent headers left out of both sides, so that a failure shows only what differs.
  const present = (o: Seen) => Object.entries(o).filter(([, value]) => value !== undefined);
  expect(Object.fromEntries([['ask', ask], ...present(got)])).toEqual(
    Object.fromEntries([['ask', ask], ...present(want)]),
  );
  // Never `*` for a refusal, never a hang: only a time-limited failure takes its time.
  if (want.acao !== '*') expect({ ask, acao: got.acao }).not.toEqual({ ask, acao: '*' });
  if (timeLimited) {
    expect(ms).toBeGreaterThanOrEqual(90);
    expect(ms).toBeLessThan(2000);
  } else {
    expect(ms).toBeLessThan(1000);
  }
}

// ---------------------------------------------------------------------------------------------------
// Origin functions

interface OriginRow {
  name: string;
  make: (f: Store) => CustomOrigin;
  app: Outcome;
  evil: Outcome;
  originTimeout?: number;
  /** Extra checks on the Store after the five requests. */
  after?: (f: Store) => void;
}

const notCalledThen = (f: Store): void => {
  expect(f.thenCalls).toBe(0);
};

const ORIGIN_ROWS: OriginRow[] = [
  // Declares the callback: the callback alone answers.
  {
    name: 'the sqlite3 one-liner (db.get returns the Database)',
    make: (f) => originFn((origin, cb) => f.db.get(SQL, [origin], (err, row) => cb(err, !!row))),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'the mongoose one-liner (findOne with a callback returns a Query)',
    make: (f) =>
      originFn((origin, cb) => f.Origin.findOne({ origin }, (err, doc) => cb(err, !!doc))),
    app: 'allowed',
    evil: 'refused',
    after: notCalledThen,
  },
  {
    name: 'setTimeout (returns a Timeout)',
    make: (f) => originFn((origin, cb) => setTimeout(() => cb(null, f.allowed.has(origin)), 5)),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'setImmediate(cb, null, answer) (returns an Immediate)',
    make: (f) => originFn((origin, cb) => setImmediate(cb, null, f.allowed.has(origin))),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'the cors README whitelist function',
    make: (f) =>
      originFn(function (origin, callback) {
        if (f.whitelist.indexOf(origin) !== -1) {
          callback(null, true);
        } else {
          callback(new Error('Not allowed by CORS'));
        }
      }),
    app: 'allowed',
    evil: failed('Not allowed by CORS'),
  },
  {
    name: 'async (origin, cb) => cb(null, await check(origin))',
    make: (f) => originFn(async (origin, cb) => cb(null, await f.check(origin))),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'an async callback function whose resolved value is ignored',
    make: (f) =>
      originFn(async (origin, cb) => {
        const ok = await f.check(origin);
        setTimeout(() => cb(null, ok), 5);
        return !ok;
      }),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'an async callback function rejecting before it calls back',
    make: (f) => originFn(async (_origin, cb) => cb(null, await f.failingCheck(sqliteBusy()))),
    app: failed('SQLITE_BUSY'),
    evil: failed('SQLITE_BUSY'),
  },
  {
    name: 'an async callback function rejecting after it called back',
    make: (f) =>
      originFn(async (origin, cb) => {
        cb(null, f.allowed.has(origin));
        await Promise.resolve();
        throw new Error('too late to count');
      }),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'the sqlite3 one-liner on a busy database (callback(err))',
    make: (f) =>
      originFn((origin, cb) => f.busyDb.get(SQL, [origin], (err, row) => cb(err, !!row))),
    app: failed('SQLITE_BUSY'),
    evil: failed('SQLITE_BUSY'),
  },
  {
    name: 'a callback with a default value: (origin, cb = noop)',
    make: (f) =>
      originFn((origin, cb = noop) => f.db.get(SQL, [origin], (err, row) => cb(err, !!row))),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'a callback in a rest parameter: (origin, ...rest)',
    make: (f) =>
      originFn((origin, ...rest: [OriginCallback]) => {
        rest[0](null, f.allowed.has(origin));
      }),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: '(origin, cb) => { cb(null, false); return true; } (refused: the return is ignored)',
    make: (f) =>
      originFn((origin, cb) => {
        cb(null, false);
        return f.allowed.has(origin);
      }),
    app: 'refused',
    evil: 'refused',
  },
  {
    name: 'a function calling back with one answer and returning the opposite',
    make: (f) =>
      originFn((origin, cb) => {
        const ok = f.allowed.has(origin);
        cb(null, ok);
        return !ok;
      }),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'a function calling back twice (the first answer wins)',
    make: (f) =>
      originFn((origin, cb) => {
        const ok = f.allowed.has(origin);
        cb(null, ok);
        cb(null, !ok);
      }),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'a function calling back twice, the second time later',
    make: (f) =>
      originFn((origin, cb) =>
        f.db.get(SQL, [origin], (err, row) => {
          cb(err, !!row);
          setImmediate(() => cb(null, !row));
        }),
      ),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'a function throwing after it called back',
    make: (f) =>
      originFn((origin, cb) => {
        cb(null, f.allowed.has(origin));
        throw new Error('after the answer');
      }),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'the sqlite3 one-liner on a hung connection, originTimeout 100',
    make: (f) =>
      originFn((origin, cb) => f.stuckDb.get(SQL, [origin], (err, row) => cb(err, !!row))),
    app: TIMEOUT,
    evil: TIMEOUT,
    originTimeout: 100,
  },
  {
    name: '(origin, cb) => { throw "" } (a falsy failure)',
    make: (f) =>
      originFn((origin, cb) => {
        if (!f.allowed.has(origin)) throw '';
        cb(null, true);
      }),
    app: 'allowed',
    evil: failed('CORS_ORIGIN_FAILED'),
  },
  {
    name: 'async (origin, cb) => { throw false } (a falsy rejection before the callback)',
    make: (f) =>
      originFn(async (origin, cb) => {
        if (!(await f.check(origin))) throw false;
        cb(null, true);
      }),
    app: 'allowed',
    evil: failed('CORS_ORIGIN_FAILED'),
  },

  // Declares exactly one parameter: the return value answers.
  {
    name: 'async (origin) => set.has(origin)',
    make: (f) => originFn(async (origin) => f.allowed.has(origin)),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'a one-parameter function returning a non-native thenable (adopted)',
    make: (f) =>
      originFn((origin) => ({
        then(resolve: (allowed: boolean) => void) {
          resolve(f.allowed.has(origin));
        },
      })),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: '(origin) => { if (allowed.has(origin)) return true; } (undefined refuses, no hang)',
    make: (f) =>
      originFn((origin) => {
        if (f.allowed.has(origin)) return true;
      }),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'async (origin) => Boolean(await Model.findOne({ origin })) (then runs the query once)',
    make: (f) => originFn(async (origin) => Boolean(await f.Origin.findOne({ origin }))),
    app: 'allowed',
    evil: 'refused',
    after: (f) => {
      expect(f.thenCalls).toBe(4);
    },
  },
  {
    name: '(origin) => { if (!allowed) throw new Error(...) }',
    make: (f) =>
      originFn((origin) => {
        if (!f.allowed.has(origin)) throw new Error('Not allowed by CORS');
        return true;
      }),
    app: 'allowed',
    evil: failed('Not allowed by CORS'),
  },
  {
    name: '(origin) => allowed ? true : Promise.reject() (a rejection without a reason)',
    make: (f) => originFn((origin) => (f.allowed.has(origin) ? true : Promise.reject())),
    app: 'allowed',
    evil: failed('CORS_ORIGIN_FAILED'),
  },
  {
    name: '(origin) => { throw undefined }',
    make: (f) =>
      originFn((origin) => {
        if (!f.allowed.has(origin)) throw undefined;
        return true;
      }),
    app: 'allowed',
    evil: failed('CORS_ORIGIN_FAILED'),
  },
  {
    name: 'a one-parameter function whose Promise never settles, originTimeout 100',
    make: (f) => originFn((_origin) => f.counted(new Promise<boolean>(() => undefined))),
    app: TIMEOUT,
    evil: TIMEOUT,
    originTimeout: 100,
  },

  // Declares none: the callback or a return value other than undefined, whichever comes first.
  {
    name: 'a wrapper (...args) => { lookup(...args); } around the sqlite3 one-liner',
    make: (f) => {
      const lookup = (origin: string, cb: OriginCallback) =>
        f.db.get(SQL, [origin], (err, row) => cb(err, !!row));
      return originFn((...args: [string, OriginCallback]) => {
        lookup(...args);
      });
    },
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'a function () { lookup.apply(null, arguments) } wrapper',
    make: (f) => {
      const lookup = (origin: string, cb: OriginCallback) =>
        f.db.get(SQL, [origin], (err, row) => cb(err, !!row));
      return originFn(function () {
        lookup.apply(null, arguments as unknown as [string, OriginCallback]);
      });
    },
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'a wrapper returning a boolean is no answer (it fails closed at the time limit)',
    make: (f) => {
      const isAllowed = (origin: string) => f.allowed.has(origin);
      return originFn((...args: [string]) => isAllowed(...args));
    },
    app: TIMEOUT,
    evil: TIMEOUT,
    originTimeout: 100,
  },
  {
    // Issue 20 item 1: node_redis 2/3 returns true from every command ("written"), then calls back.
    name: "a wrapper (...args) => redis.sismember('allowed', ...args) (node_redis returns true)",
    make: (f) => originFn((...args: [string, RedisCallback]) => f.redis.sismember(KEY, ...args)),
    app: 'allowed',
    evil: 'refused',
  },
  {
    // Issue 20: the Redis reply (1 or 0) passed straight through as the answer.
    name: "(origin, cb) => redis.sismember('allowed', origin, cb) (the reply 1 or 0 is the answer)",
    make: (f) => originFn((origin, cb) => f.redis.sismember(KEY, origin, cb)),
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: '(origin, cb) => cb(null, 2) (a number other than 1 and 0)',
    make: (f) => originFn((_origin, cb) => cb(null, f.counted(2))),
    app: failed('CORS_ORIGIN_INVALID_ANSWER'),
    evil: failed('CORS_ORIGIN_INVALID_ANSWER'),
  },
  {
    name: 'a wrapper returning an async function’s Promise',
    make: (f) => {
      const isAllowed = async (origin: string) => f.check(origin);
      return originFn((...args: [string]) => isAllowed(...args));
    },
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'a wrapper around a function that never answers, originTimeout 100',
    make: (f) => {
      const lookup = (origin: string, cb: OriginCallback) =>
        f.stuckDb.get(SQL, [origin], (err, row) => cb(err, !!row));
      return originFn((...args: [string, OriginCallback]) => {
        lookup(...args);
      });
    },
    app: TIMEOUT,
    evil: TIMEOUT,
    originTimeout: 100,
  },
  {
    name: 'a wrapper returning what db.get returns (the Database is ignored; the callback answers)',
    make: (f) => {
      const lookup = (origin: string, cb: OriginCallback) =>
        f.db.get(SQL, [origin], (err, row) => cb(err, !!row));
      return originFn(function () {
        return lookup.apply(null, arguments as unknown as [string, OriginCallback]);
      });
    },
    app: 'allowed',
    evil: 'refused',
  },
  {
    name: 'async () => { throw null } (a falsy rejection)',
    make: (f) =>
      originFn(async () => {
        f.counted(null);
        throw null;
      }),
    app: failed('CORS_ORIGIN_FAILED'),
    evil: failed('CORS_ORIGIN_FAILED'),
  },
];

describe.each(ORIGIN_STACKS)('origin functions as users write them, under %s', (stack) => {
  it.each(ORIGIN_ROWS)('$name', async (row) => {
    const f = new Store();
    const seen = await exchangeWith(
      appWith(
        stack,
        row.originTimeout === undefined
          ? { origin: row.make(f) }
          : { origin: row.make(f), originTimeout: row.originTimeout },
      ),
    );
    for (const s of seen) {
      const origin = originOf(s.ask);
      // A request without Origin is not a CORS request: refused, with Vary, and never looked up.
      const outcome = origin === undefined ? 'refused' : origin === APP ? row.app : row.evil;
      expectSeen(s, expected(s.ask, origin, outcome), outcome === TIMEOUT);
    }
    // Once per request with an Origin (two actual requests and two preflights), never without.
    expect(f.runs).toBe(4);
    row.after?.(f);
  });
});

describe.each(ORIGIN_STACKS)(
  'an origin function on the origins a client can send, under %s',
  (stack) => {
    const ANSWERS: [string, CustomOrigin, (origin: string) => string | undefined][] = [
      ['(origin, cb) => cb(null, origin)', (origin, cb) => cb(null, origin), (o) => o],
      ['(origin, cb) => cb(null, true)', (_origin, cb) => cb(null, true), (o) => o],
      ['(origin, cb) => cb(null, false)', (_origin, cb) => cb(null, false), () => undefined],
      [
        '(origin, cb) => cb(null, [APP])',
        (_origin, cb) => cb(null, [APP]),
        (o) => (o === APP ? o : undefined),
      ],
      [
        "(origin) => 'https://*.example.com'",
        (_origin) => 'https://*.example.com',
        (o) => (o === APP ? o : undefined),
      ],
      [
        '(origin) => /^https:\\/\\/app\\.example\\.com$/',
        (_origin) => /^https:\/\/app\.example\.com$/,
        (o) => (o === APP ? o : undefined),
      ],
      ['(origin) => APP', (_origin) => APP, (o) => (o === APP ? o : undefined)],
    ];

    it.each(ANSWERS)(
      '%s answers 200 for Origin: null and for APP, with the exact ACAO',
      async (_name, origin, acao) => {
        const { server, url } = await serve(appWith(stack, { origin }));
        try {
          for (const requestOrigin of ['null', APP]) {
            const seen = await send(url, { origin: requestOrigin });
            expect({
              requestOrigin,
              status: seen.status,
              body: seen.body,
              acao: seen.acao,
            }).toEqual({
              requestOrigin,
              status: 200,
              body: 'app:GET',
              acao: acao(requestOrigin),
            });
            expect(seen.vary).toBe('Origin');
          }
        } finally {
          await close(server);
        }
      },
    );

    it.each(ANSWERS)(
      '%s never answers 500 nor * for an odd Origin a client can send',
      async (_name, origin) => {
        const { server, url } = await serve(appWith(stack, { origin }));
        try {
          for (const requestOrigin of [
            'HTTPS://APP.EXAMPLE.COM',
            'https://app.example.com:443',
            'https://app.example.com/',
            'https://app.example.com.evil.net',
            'file://',
            'chrome-extension://abcdefghijklmnop',
            'null null',
            'x'.repeat(5000),
          ]) {
            const seen = await send(url, { origin: requestOrigin });
            expect({ requestOrigin, status: seen.status, body: seen.body }).toEqual({
              requestOrigin,
              status: 200,
              body: 'app:GET',
            });
            // Refused, or (for an answer that says so) the request's own origin: never anything else.
            if (seen.acao !== undefined) expect(seen.acao).toBe(requestOrigin);
          }
        } finally {
          await close(server);
        }
      },
    );
  },
);

// ---------------------------------------------------------------------------------------------------
// Options delegates

interface DelegateRow {
  name: string;
  make: (f: Store) => CorsOptionsDelegate;
  app: Outcome;
  evil: Outcome;
  /** A request without Origin: delegates are called for every request, as in `cors`. */
  none: Outcome;
  originTimeout?: number;
  after?: (f: Store) => void;
}

const allFail = (error: string, status = 500) => {
  const outcome = failed(error, status);
  return { app: outcome, evil: outcome, none: outcome };
};

const DELEGATE_ROWS: DelegateRow[] = [
  // Declares the callback.
  {
    name: 'the sqlite3 one-liner (req, cb) => db.get(sql, [origin], (err, row) => cb(err, { origin: !!row }))',
    make: (f) =>
      delegateFn((req, cb) =>
        f.db.get(SQL, [req.headers.origin], (err, row) => cb(err, { origin: !!row })),
      ),
    app: 'allowed',
    evil: 'disabled',
    none: 'disabled',
  },
  {
    name: 'the mongoose one-liner (findOne with a callback returns a Query)',
    make: (f) =>
      delegateFn((req, cb) =>
        f.Origin.findOne({ origin: req.headers.origin }, (err, doc) => cb(err, { origin: !!doc })),
      ),
    app: 'allowed',
    evil: 'disabled',
    none: 'disabled',
    after: notCalledThen,
  },
  {
    name: '(req, cb) => setTimeout(() => cb(null, { origin: [APP] }), 5)',
    make: (f) => delegateFn((_req, cb) => setTimeout(() => cb(null, { origin: f.list }), 5)),
    app: 'allowed',
    evil: 'refused',
    none: 'refused',
  },
  {
    name: 'the cors README corsOptionsDelegate',
    make: (f) =>
      delegateFn(function (req, callback) {
        let corsOptions;
        if (f.whitelist.indexOf(req.headers.origin ?? '') !== -1) {
          corsOptions = { origin: true }; // reflect (enable) the requested origin in the CORS response
        } else {
          corsOptions = { origin: false }; // disable CORS for this request
        }
        callback(null, corsOptions); // callback expects two parameters: error and options
      }),
    app: 'allowed',
    evil: 'disabled',
    none: 'disabled',
  },
  {
    name: 'a delegate calling back new Error("Not allowed by CORS") for other origins',
    make: (f) =>
      delegateFn((req, callback) => {
        if (f.allowed.has(req.headers.origin)) callback(null, { origin: true });
        else callback(new Error('Not allowed by CORS'));
      }),
    app: 'allowed',
    evil: failed('Not allowed by CORS'),
    none: failed('Not allowed by CORS'),
  },
  {
    name: 'a callback with a default value: (req, cb = noop)',
    make: (f) =>
      delegateFn((req, cb = noopDelegate) =>
        f.db.get(SQL, [req.headers.origin], (err, row) => cb(err, { origin: !!row })),
      ),
    app: 'allowed',
    evil: 'disabled',
    none: 'disabled',
  },
  {
    name: 'a callback in a rest parameter: (req, ...rest)',
    make: (f) =>
      delegateFn((_req, ...rest: [DelegateCallback]) => {
        rest[0](null, { origin: f.list });
      }),
    app: 'allowed',
    evil: 'refused',
    none: 'refused',
  },
  {
    name: 'async (req, cb) => cb(null, { origin: await check(origin) })',
    make: (f) =>
      delegateFn(async (req, cb) => cb(null, { origin: await f.check(req.headers.origin) })),
    app: 'allowed',
    evil: 'disabled',
    none: 'disabled',
  },
  {
    name: 'a delegate calling back and returning other options (the return is ignored)',
    make: (f) =>
      delegateFn((_req, cb) => {
        cb(null, { origin: f.list });
        return null;
      }),
    app: 'allowed',
    evil: 'refused',
    none: 'refused',
  },
  {
    name: 'a delegate calling back twice, the second time with null (the first answer wins)',
    make: (f) =>
      delegateFn((_req, cb) => {
        cb(null, { origin: f.list });
        cb(null, null);
      }),
    app: 'allowed',
    evil: 'refused',
    none: 'refused',
  },
  {
    name: '(req, cb) => cb() (the defaults, as in cors)',
    make: (f) =>
      delegateFn((_req, cb) => {
        f.counted(cb)();
      }),
    app: 'any',
    evil: 'any',
    none: 'any',
  },
  {
    name: '(req, cb) => cb(null, null) (the defaults, as in cors)',
    make: (f) =>
      delegateFn((_req, cb) => {
        cb(null, f.counted(null));
      }),
    app: 'any',
    evil: 'any',
    none: 'any',
  },
  {
    name: 'a delegate calling back with a Database (not options: fails closed)',
    make: (f) =>
      delegateFn((req, cb) => {
        f.db.get(SQL, [req.headers.origin]);
        setImmediate(() => cb(null, f.db));
      }),
    ...allFail('CORS_CONFIG_INVALID'),
  },
  {
    name: 'the sqlite3 one-liner on a hung connection, originTimeout 100',
    make: (f) =>
      delegateFn((req, cb) =>
        f.stuckDb.get(SQL, [req.headers.origin], (err, row) => cb(err, { origin: !!row })),
      ),
    ...allFail('CORS_ORIGIN_TIMEOUT', 503),
    originTimeout: 100,
  },
  {
    name: 'async (req, cb) => { throw 0 } (a falsy rejection before the callback)',
    make: (f) =>
      delegateFn(async (req, cb) => {
        if (!(await f.check(req.headers.origin))) throw 0;
        cb(null, { origin: true });
      }),
    app: 'allowed',
    evil: failed('CORS_DELEGATE_FAILED'),
    none: failed('CORS_DELEGATE_FAILED'),
  },

  // Declares exactly one parameter.
  {
    name: '(req) => ({ origin: [APP] })',
    make: (f) => delegateFn((_req) => ({ origin: f.list })),
    app: 'allowed',
    evil: 'refused',
    none: 'refused',
  },
  {
    name: 'async (req) => ({ origin: await check(req.headers.origin) })',
    make: (f) => delegateFn(async (req) => ({ origin: await f.check(req.headers.origin) })),
    app: 'allowed',
    evil: 'disabled',
    none: 'disabled',
  },
  {
    name: 'a one-parameter delegate returning a non-native thenable (adopted)',
    make: (f) =>
      delegateFn((_req) => ({
        then(resolve: (options: object) => void) {
          resolve({ origin: f.list });
        },
      })),
    app: 'allowed',
    evil: 'refused',
    none: 'refused',
  },
  {
    name: '(req) => optionsByHost.get(req.headers.host) finding nothing (undefined: a 500)',
    make: (f) => delegateFn((req) => f.optionsByHost.get(req.headers.host)),
    ...allFail('CORS_CONFIG_INVALID'),
  },
  {
    name: '(req) => optionsByHost.get(req.headers.host) ?? null (the defaults)',
    make: (f) => delegateFn((req) => f.optionsByHost.get(req.headers.host) ?? null),
    app: 'any',
    evil: 'any',
    none: 'any',
  },
  {
    name: '(req) => db.get(sql, [origin]) without a callback (returns the Database: a 500)',
    make: (f) => delegateFn((req) => f.db.get(SQL, [req.headers.origin])),
    ...allFail('CORS_CONFIG_INVALID'),
  },
  {
    name: '(req) => new Map(...) (a 500)',
    make: (f) => delegateFn((_req) => f.counted(new Map([['origin', [APP]]]))),
    ...allFail('CORS_CONFIG_INVALID'),
  },
  {
    name: '(req) => [APP], an origin list where options belong (a 500)',
    make: (f) => delegateFn((_req) => f.list),
    ...allFail('CORS_CONFIG_INVALID'),
  },
  {
    name: '(req) => Promise.reject() (a rejection without a reason)',
    make: (f) => delegateFn((_req) => f.counted(Promise.reject())),
    ...allFail('CORS_DELEGATE_FAILED'),
  },
  {
    name: 'async (req) => { throw null }',
    make: (f) =>
      delegateFn(async (req) => {
        f.counted(req);
        throw null;
      }),
    ...allFail('CORS_DELEGATE_FAILED'),
  },
  {
    name: 'a one-parameter delegate whose Promise never settles, originTimeout 100',
    make: (f) => delegateFn((_req) => f.counted(new Promise(() => undefined))),
    ...allFail('CORS_ORIGIN_TIMEOUT', 503),
    originTimeout: 100,
  },

  // Declares none.
  {
    name: 'a wrapper (...args) => { delegate(...args); } around the sqlite3 one-liner',
    make: (f) => {
      const delegate = (req: IncomingMessage, cb: DelegateCallback) =>
        f.db.get(SQL, [req.headers.origin], (err, row) => cb(err, { origin: !!row }));
      return delegateFn((...args: [IncomingMessage, DelegateCallback]) => {
        delegate(...args);
      });
    },
    app: 'allowed',
    evil: 'disabled',
    none: 'disabled',
  },
  {
    name: 'a function () { delegate.apply(null, arguments) } wrapper',
    make: (f) => {
      const delegate = (req: IncomingMessage, cb: DelegateCallback) =>
        f.db.get(SQL, [req.headers.origin], (err, row) => cb(err, { origin: !!row }));
      return delegateFn(function () {
        delegate.apply(null, arguments as unknown as [IncomingMessage, DelegateCallback]);
      });
    },
    app: 'allowed',
    evil: 'disabled',
    none: 'disabled',
  },
  {
    name: 'a wrapper returning a one-parameter delegate’s options is no answer (a timeout)',
    make: (f) => {
      const optionsFor = (_req: IncomingMessage) => ({ origin: f.list });
      return delegateFn((...args: [IncomingMessage]) => optionsFor(...args));
    },
    ...allFail('CORS_ORIGIN_TIMEOUT', 503),
    originTimeout: 100,
  },
  {
    name: 'a wrapper returning what db.get returns (the Database is ignored; the callback answers)',
    make: (f) => {
      const delegate = (req: IncomingMessage, cb: DelegateCallback) =>
        f.db.get(SQL, [req.headers.origin], (err, row) => cb(err, { origin: !!row }));
      return delegateFn(function () {
        return delegate.apply(null, arguments as unknown as [IncomingMessage, DelegateCallback]);
      });
    },
    app: 'allowed',
    evil: 'disabled',
    none: 'disabled',
  },
  {
    name: 'a wrapper around a delegate that never answers, originTimeout 100',
    make: (f) => {
      const delegate = (req: IncomingMessage, cb: DelegateCallback) =>
        f.stuckDb.get(SQL, [req.headers.origin], (err, row) => cb(err, { origin: !!row }));
      return delegateFn((...args: [IncomingMessage, DelegateCallback]) => {
        delegate(...args);
      });
    },
    ...allFail('CORS_ORIGIN_TIMEOUT', 503),
    originTimeout: 100,
  },
  {
    name: '() => { throw undefined }',
    make: (f) =>
      delegateFn(() => {
        f.counted(undefined);
        throw undefined;
      }),
    ...allFail('CORS_DELEGATE_FAILED'),
  },
];

/**
 * What a delegate's answer adds to `want`: Vary: Origin on every response built from options it
 * answered (the defaults' `*` too), first, since it is set before the options are applied; a
 * failure (no headers at all) is left as it is.
 */
function delegated(want: Seen): Seen {
  if (want.cors.length === 0 && want.status !== 200 && want.status !== 204) return want;
  const rest = (want.vary ?? '').split(', ').filter((name) => name !== '' && name !== 'Origin');
  return { ...want, vary: ['Origin', ...rest].join(', ') };
}

describe.each(STACKS)('options delegates as users write them, under %s', (stack) => {
  it.each(DELEGATE_ROWS)('$name', async (row) => {
    const f = new Store();
    const delegate = row.make(f);
    const mw =
      row.originTimeout === undefined
        ? cors(delegate)
        : cors(delegate, { originTimeout: row.originTimeout });
    const seen = await exchange(stack, mw);
    for (const s of seen) {
      const origin = originOf(s.ask);
      const outcome = origin === undefined ? row.none : origin === APP ? row.app : row.evil;
      expectSeen(
        s,
        delegated(expected(s.ask, origin, outcome)),
        typeof outcome === 'object' && outcome.status === 503,
      );
    }
    // Once per request, the request without Origin included.
    expect(f.runs).toBe(5);
    row.after?.(f);
  });
});

// ---------------------------------------------------------------------------------------------------
// What reaches next(err), in-process

const get = (origin: string): MockRequest => ({ method: 'GET', headers: { Origin: origin } });
const preflight = (origin: string): MockRequest => ({
  method: 'OPTIONS',
  headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT' },
});
const corsHeaders = (headers: Record<string, string>) =>
  Object.keys(headers).filter((name) => name.startsWith('access-control-'));

describe('an error object of yours reaches next(err) unchanged', () => {
  const mine = new Error('Not allowed by CORS');
  const rejecting = () => Promise.reject(mine);
  const ORIGINS: [string, CustomOrigin][] = [
    ['callback(new Error(...))', (_origin, callback) => callback(mine)],
    [
      'callback(err) from a database client',
      (_origin, callback) => {
        setImmediate(() => callback(mine));
      },
    ],
    [
      'a throw from a callback function',
      (_origin, _callback) => {
        throw mine;
      },
    ],
    [
      'a rejection before the callback',
      async (_origin, callback) => callback(null, await rejecting()),
    ],
    [
      'a throw from a one-parameter function',
      (_origin) => {
        throw mine;
      },
    ],
    ['a rejection from a one-parameter function', (_origin) => rejecting()],
    ['a rejection from a wrapper', (..._args: [string]) => rejecting()],
  ];
  const DELEGATES: [string, CorsOptionsDelegate][] = [
    ['callback(new Error(...))', (_req, callback) => callback(mine)],
    [
      'a throw from a callback delegate',
      (_req, _callback) => {
        throw mine;
      },
    ],
    [
      'a rejection before the callback',
      async (_req, callback) => callback(null, await rejecting()),
    ],
    [
      'a throw from a one-parameter delegate',
      (_req) => {
        throw mine;
      },
    ],
    ['a rejection from a one-parameter delegate', async (_req) => rejecting()],
    [
      'a throw from a wrapper',
      (..._args: [IncomingMessage]) => {
        throw mine;
      },
    ],
  ];

  it.each(ORIGINS)('origin function: %s', async (_name, origin) => {
    for (const req of [get(APP), preflight(APP)]) {
      const out = await run(cors({ origin }), req);
      expect(out.err).toBe(mine);
      expect(corsHeaders(out.headers)).toEqual([]);
      await settle();
      expect(out.nextCalls).toBe(1);
    }
  });

  it.each(DELEGATES)('options delegate: %s', async (_name, delegate) => {
    for (const req of [get(APP), preflight(APP)]) {
      const out = await run(cors(delegate), req);
      expect(out.err).toBe(mine);
      expect(corsHeaders(out.headers)).toEqual([]);
      await settle();
      expect(out.nextCalls).toBe(1);
    }
  });
});

describe('a failure without a reason', () => {
  const REASONS: unknown[] = [undefined, null, 0, '', false];
  const ORIGIN_FORMS: [string, (reason: unknown) => CustomOrigin][] = [
    ['Promise.reject(reason) from (origin) =>', (reason) => (_origin) => Promise.reject(reason)],
    [
      'throw reason from (origin) =>',
      (reason) => (_origin) => {
        throw reason;
      },
    ],
    [
      'async () => { throw reason }',
      (reason) => async () => {
        throw reason;
      },
    ],
    [
      'async (origin, cb) => { throw reason }',
      (reason) => async (_origin, _cb) => {
        throw reason;
      },
    ],
    [
      '(origin, cb) => { throw reason }',
      (reason) => (_origin, _cb) => {
        throw reason;
      },
    ],
  ];
  const DELEGATE_FORMS: [string, (reason: unknown) => CorsOptionsDelegate][] = [
    ['Promise.reject(reason) from (req) =>', (reason) => (_req) => Promise.reject(reason)],
    [
      'throw reason from (req) =>',
      (reason) => (_req) => {
        throw reason;
      },
    ],
    [
      'async () => { throw reason }',
      (reason) => async () => {
        throw reason;
      },
    ],
    [
      'async (req, cb) => { throw reason }',
      (reason) => async (_req, _cb) => {
        throw reason;
      },
    ],
    [
      '(req, cb) => { throw reason }',
      (reason) => (_req, _cb) => {
        throw reason;
      },
    ],
  ];

  const cases = <T>(forms: [string, (reason: unknown) => T][]) =>
    forms.flatMap(([name, make]) =>
      REASONS.map(
        (reason) =>
          [
            name,
            typeof reason === 'string' ? `'${reason}'` : String(reason),
            reason,
            make,
          ] as const,
      ),
    );

  it.each(cases(ORIGIN_FORMS))(
    'origin function: %s with %s is a CorsFunctionError CORS_ORIGIN_FAILED',
    async (_name, _shown, reason, make) => {
      const out = await run(cors({ origin: make(reason) }), get(APP));
      expect(out.err).toBeInstanceOf(CorsFunctionError);
      expect(out.err).toBeInstanceOf(Error);
      expect(out.err).toMatchObject({ code: 'CORS_ORIGIN_FAILED', status: 500 });
      expect(Object.hasOwn(out.err as object, 'cause')).toBe(true);
      expect((out.err as Error).cause).toBe(reason);
      expect(corsHeaders(out.headers)).toEqual([]);
    },
  );

  it.each(cases(DELEGATE_FORMS))(
    'options delegate: %s with %s is a CorsFunctionError CORS_DELEGATE_FAILED',
    async (_name, _shown, reason, make) => {
      const out = await run(cors(make(reason)), get(APP));
      expect(out.err).toBeInstanceOf(CorsFunctionError);
      expect(out.err).toMatchObject({ code: 'CORS_DELEGATE_FAILED', status: 500 });
      expect(Object.hasOwn(out.err as object, 'cause')).toBe(true);
      expect((out.err as Error).cause).toBe(reason);
      expect(corsHeaders(out.headers)).toEqual([]);
    },
  );
});

describe('a delegate answer that is not plain options fails closed', () => {
  const f = new Store();
  const NOT_OPTIONS: [string, () => unknown, RegExp][] = [
    ['a Map', () => new Map([['origin', [APP]]]), /Map/],
    ['an array', () => [APP], /array/],
    ['a string', () => APP, /"https:\/\/app\.example\.com"/],
    ['a Database', () => f.db, /Database/],
    ['a class instance', () => new CorsSettings(), /CorsSettings/],
  ];
  const HOW: [string, (value: () => unknown) => CorsOptionsDelegate][] = [
    ['returned by (req) =>', (value) => delegateFn((_req) => value())],
    ['resolved by async (req) =>', (value) => delegateFn(async (_req) => value())],
    ['called back by (req, cb) =>', (value) => delegateFn((_req, cb) => cb(null, value()))],
    [
      'called back later by (req, cb) =>',
      (value) => delegateFn((_req, cb) => setImmediate(() => cb(null, value()))),
    ],
    [
      'resolved by an async wrapper',
      (value) => delegateFn(async (..._args: [IncomingMessage]) => value()),
    ],
  ];
  const cases = NOT_OPTIONS.flatMap(([what, value, names]) =>
    HOW.map(([how, make]) => [what, how, value, names, make] as const),
  );

  it.each(cases)(
    '%s %s: next(err) with a CorsConfigError naming it, never the defaults',
    async (_what, _how, value, names, make) => {
      for (const req of [get(EVIL), preflight(EVIL)]) {
        const out = await run(cors(make(value)), req);
        expect(out.via).toBe('next');
        expect(out.err).toBeInstanceOf(CorsConfigError);
        expect(out.err).toMatchObject({ code: 'CORS_CONFIG_INVALID', status: 500 });
        expect((out.err as Error).message).toMatch(names);
        expect(corsHeaders(out.headers)).toEqual([]);
      }
    },
  );

  it.each<[string, CorsOptionsDelegate]>([
    ['(req) => undefined', (_req) => undefined],
    [
      '(req) => { lookup(req) } (forgot to return)',
      (req) => {
        f.optionsByHost.get(req.headers.host);
      },
    ],
    [
      'async (req) => { await lookup(req) } (forgot to return)',
      async (req) => {
        await f.check(req.headers.origin);
      },
    ],
  ])(
    '%s: a CorsConfigError that mentions "null for the defaults", never the defaults',
    async (_name, delegate) => {
      for (const req of [get(EVIL), preflight(EVIL)]) {
        const out = await run(cors(delegate), req);
        expect(out.err).toBeInstanceOf(CorsConfigError);
        expect(out.err).toMatchObject({ code: 'CORS_CONFIG_INVALID', status: 500 });
        expect((out.err as Error).message).toMatch(/null for the defaults/);
        expect(corsHeaders(out.headers)).toEqual([]);
      }
    },
  );

  it.each<[string, CorsOptionsDelegate]>([
    ['(req) => null', (_req) => null],
    ['(req, cb) => cb()', (_req, cb) => cb(null)],
    ['(req, cb) => cb(null, null)', (_req, cb) => cb(null, null)],
    ['(req, cb) => cb(null, undefined)', (_req, cb) => cb(null, undefined)],
  ])('%s: the defaults (Access-Control-Allow-Origin: *)', async (_name, delegate) => {
    const out = await run(cors(delegate), get(EVIL));
    expect(out.err).toBeUndefined();
    expect(out.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('the first answer wins, once', () => {
  it('an origin function calling back again later does not call next twice', async () => {
    const mw = cors({
      origin: (_origin, cb) => {
        cb(null, true);
        setImmediate(() => cb(null, false));
        setImmediate(() => cb(new Error('and then an error')));
      },
    });
    const out = await run(mw, get(APP));
    await settle();
    expect(out.err).toBeUndefined();
    expect(out.headers['access-control-allow-origin']).toBe(APP);
    expect(out.nextCalls).toBe(1);
  });

  it('a delegate calling back again later does not call next twice', async () => {
    const mw = cors((_req, cb) => {
      setImmediate(() => cb(null, { origin: [APP] }));
      setTimeout(() => cb(null, null), 5);
      setTimeout(() => cb(new Error('and then an error')), 5);
    });
    const out = await run(mw, get(EVIL));
    await settle();
    expect(out.err).toBeUndefined();
    expect(out.headers['access-control-allow-origin']).toBeUndefined();
    expect(out.nextCalls).toBe(1);
  });

  it('a wrapper that calls back and then returns an answer keeps the callback’s', async () => {
    const mw = cors({
      origin: (...args: [string, OriginCallback]) => {
        args[1](null, false);
        return true;
      },
    });
    const out = await run(mw, get(APP));
    await settle();
    expect(out.headers['access-control-allow-origin']).toBeUndefined();
    expect(out.nextCalls).toBe(1);
  });

  it('a wrapper that returns true and calls back false later is refused (true is no answer)', async () => {
    const mw = cors({
      origin: (...args: [string, OriginCallback]) => {
        setImmediate(() => args[1](null, false));
        return true;
      },
    });
    const out = await run(mw, get(APP));
    await settle();
    expect(out.headers['access-control-allow-origin']).toBeUndefined();
    expect(out.nextCalls).toBe(1);
  });

  it('an async wrapper that resolves true and calls back false later keeps the Promise’s answer', async () => {
    const mw = cors({
      origin: async (...args: [string, OriginCallback]) => {
        setTimeout(() => args[1](null, false), 20);
        return true;
      },
    });
    const out = await run(mw, get(APP));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(out.headers['access-control-allow-origin']).toBe(APP);
    expect(out.nextCalls).toBe(1);
  });

  it('a wrapper that returned a value and timed out says the value was ignored', async () => {
    const out = await run(
      cors({ origin: (..._args: [string]) => true, originTimeout: 50 }),
      get(APP),
    );
    expect(out.err).toBeInstanceOf(CorsTimeoutError);
    expect((out.err as Error).message).toMatch(/what it returned \(true\) was ignored/);
  });
});

describe('a function that never answers fails within originTimeout', () => {
  /** A non-native thenable that never settles: its `then` never calls back. */
  const stalled = (): PromiseLike<boolean> => ({
    then: <A, B>() => new Promise<A | B>(() => undefined),
  });
  const ORIGINS: [string, CustomOrigin][] = [
    ['(origin, cb) => {} (never calls back)', (_origin, _cb) => undefined],
    ['(origin, cb) => a native Promise that resolves', async (_origin, _cb) => true],
    ['(origin, cb) => a thenable (never called)', (_origin, _cb) => stalled()],
    [
      '(origin) => a Promise that never settles',
      (_origin) => new Promise<boolean>(() => undefined),
    ],
    ['(origin) => a thenable that never settles', (_origin) => stalled()],
    ['(...args) => {} (undefined waits for the callback)', (..._args: [string]) => undefined],
  ];
  const DELEGATES: [string, CorsOptionsDelegate][] = [
    ['(req, cb) => {} (never calls back)', (_req, _cb) => undefined],
    ['(req, cb) => a native Promise of options', async (_req, _cb) => ({ origin: [APP] })],
    ['(req) => a Promise that never settles', (_req) => new Promise(() => undefined)],
    [
      '(...args) => {} (undefined waits for the callback)',
      (..._args: [IncomingMessage]) => undefined,
    ],
  ];

  const expectTimeout = (err: unknown, ms: number): void => {
    expect(err).toBeInstanceOf(CorsTimeoutError);
    expect(err).toMatchObject({ code: 'CORS_ORIGIN_TIMEOUT', status: 503 });
    expect(ms).toBeGreaterThanOrEqual(95);
    expect(ms).toBeLessThan(1000);
  };

  it.each(ORIGINS)('origin function %s: a 503 CorsTimeoutError', async (_name, origin) => {
    const started = Date.now();
    const out = await run(cors({ origin, originTimeout: 100 }), get(APP));
    expectTimeout(out.err, Date.now() - started);
    expect(corsHeaders(out.headers)).toEqual([]);
  });

  it.each(DELEGATES)('options delegate %s: a 503 CorsTimeoutError', async (_name, delegate) => {
    const started = Date.now();
    const out = await run(cors(delegate, { originTimeout: 100 }), get(APP));
    expectTimeout(out.err, Date.now() - started);
    expect(corsHeaders(out.headers)).toEqual([]);
  });

  it('waits up to the default 5000 ms for a callback that comes late', async () => {
    const mw = cors({
      origin: (_origin, cb) => {
        setTimeout(() => cb(null, true), 300);
      },
    });
    const out = await run(mw, get(APP));
    expect(out.err).toBeUndefined();
    expect(out.headers['access-control-allow-origin']).toBe(APP);
  });
});

describe('the function is called once per request', () => {
  it('an origin function: never for a request without Origin, once for each other', async () => {
    const f = new Store();
    const mw = cors({
      origin: originFn((origin, cb) => f.db.get(SQL, [origin], (err, row) => cb(err, !!row))),
    });
    await run(mw, { method: 'GET' });
    await run(mw, { method: 'OPTIONS', headers: { 'Access-Control-Request-Method': 'PUT' } });
    expect(f.runs).toBe(0);
    await Promise.all([run(mw, get(APP)), run(mw, get(EVIL)), run(mw, preflight(APP))]);
    expect(f.runs).toBe(3);
    await settle();
    expect(f.runs).toBe(3);
    expect(f.thenCalls).toBe(0);
  });

  it('a delegate: once for every request, the one without Origin included', async () => {
    const f = new Store();
    const mw = cors(
      delegateFn((req, cb) =>
        f.Origin.findOne({ origin: req.headers.origin }, (err, doc) => cb(err, { origin: !!doc })),
      ),
    );
    await Promise.all([
      run(mw, { method: 'GET' }),
      run(mw, get(APP)),
      run(mw, get(EVIL)),
      run(mw, preflight(APP)),
    ]);
    await settle();
    expect(f.runs).toBe(4);
    expect(f.thenCalls).toBe(0);
  });
});
