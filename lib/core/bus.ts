// Keeping the origin caches of several instances coherent through a message bus the application
// already runs (Redis pub/sub, PostgreSQL LISTEN/NOTIFY, or anything with publish and subscribe).
//
// A bus is only touched by clears and by messages, never by a request: `clearOriginCache(origin?)`
// clears locally at once, then publishes one message; every other middleware on the bus clears the
// same entry (or all). Each middleware has an id of its own and skips its own messages. A message
// is checked before it is acted on: anything malformed, foreign, of another version or too long is
// ignored with one NODE_DEBUG line, and only a well-formed message without `origin` clears all.
//
// Guarantee: another instance drops a changed answer within the propagation delay while the bus is
// up, and within the cache's ttl otherwise (a lost message, a failed publish, an outage). After a
// subscriber reconnects (or moves to a new client) the whole cache is cleared once, since messages
// may have been missed meanwhile.
import { CorsConfigError, type CorsConfigIssue, printable, show } from './errors.js';
import { host } from './host.js';
import type { Issue } from './origin.js';
import type { OriginCacheBus, OriginCacheBusError, OriginCacheBusEvents } from '../types.js';

/** A NODE_DEBUG=corsguard line (the runtime's, see host.ts). */
const debug = (line: string): void => {
  host.debug('%s', line);
};

// ---------------------------------------------------------------------------------------------------
// The message

/** The version of the message format this corsguard writes and reads. */
export const MESSAGE_VERSION = 1;

/**
 * The longest message read or written, in characters: well under PostgreSQL's 8000-byte NOTIFY
 * payload limit even in UTF-8, and far above any origin a browser sends.
 */
export const MAX_MESSAGE_LENGTH = 2048;

/** What a message asks: clear one origin's entry, or (origin undefined) every entry. */
export interface ClearMessage {
  /** The id of the middleware that published it. */
  readonly from: string;
  readonly origin: string | undefined;
}

/**
 * The message for a clear: `{"corsguard":1,"from":"<id>","origin":"https://tenant.example"}`, or
 * without `origin` to clear everything. An origin too long to fit is sent as a clear of everything:
 * more than asked, never less.
 */
export function encodeClear(from: string, origin: string | undefined): string {
  if (origin !== undefined) {
    const message = JSON.stringify({ corsguard: MESSAGE_VERSION, from, origin });
    if (message.length <= MAX_MESSAGE_LENGTH) return message;
  }
  return JSON.stringify({ corsguard: MESSAGE_VERSION, from });
}

/** Reads a message: what it asks, or why it is ignored. Never throws. */
export function decodeClear(message: unknown): ClearMessage | { readonly ignored: string } {
  if (typeof message !== 'string') return { ignored: `not a string but ${show(message)}` };
  if (message.length > MAX_MESSAGE_LENGTH) {
    return { ignored: `${String(message.length)} characters, over ${String(MAX_MESSAGE_LENGTH)}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return { ignored: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ignored: 'not a JSON object' };
  }
  const { corsguard, from, origin } = value as Record<string, unknown>;
  if (corsguard === undefined) return { ignored: 'not a corsguard message (no "corsguard" key)' };
  if (corsguard !== MESSAGE_VERSION) {
    return {
      ignored: `version ${show(corsguard)}; this corsguard reads version ${String(MESSAGE_VERSION)} (upgrade every instance)`,
    };
  }
  if (typeof from !== 'string' || from === '') return { ignored: '"from" is not a sender id' };
  if (!('origin' in value)) return { from, origin: undefined };
  // Never "clear everything" by accident: an origin that is there must be a string.
  if (typeof origin !== 'string') return { ignored: `"origin" is ${show(origin)}, not a string` };
  return { from, origin };
}

// ---------------------------------------------------------------------------------------------------
// Settings: checked when the middleware is built

/**
 * Milliseconds within which clears of everything heard from the bus are coalesced into one: a flood
 * of them costs at most one lookup per origin per window.
 */
export const CLEAR_ALL_WINDOW = 1000;

/** A checked bus and the hook that hears of its failures. */
export interface BusSettings {
  readonly bus: OriginCacheBus;
  readonly onBusError: OriginCacheBusError | undefined;
}

/** Checks `originCache.bus` and `originCache.onBusError`; undefined when there is no bus. */
export function compileBus(
  bus: unknown,
  onBusError: unknown,
  issue: Issue,
): BusSettings | undefined {
  if (onBusError !== undefined && typeof onBusError !== 'function') {
    issue(
      'originCache.onBusError',
      onBusError,
      `expected a function (error, during) => void, got ${show(onBusError)}.`,
    );
  }
  if (bus === undefined) {
    if (onBusError !== undefined) {
      issue(
        'originCache.onBusError',
        onBusError,
        'onBusError reports failures of originCache.bus, and there is no bus; add the bus or remove onBusError.',
      );
    }
    return undefined;
  }
  const { publish, subscribe } = (typeof bus === 'object' && bus !== null ? bus : {}) as {
    publish?: unknown;
    subscribe?: unknown;
  };
  if (typeof publish !== 'function' || typeof subscribe !== 'function') {
    issue(
      'originCache.bus',
      bus,
      `expected { publish(message), subscribe(onMessage) }, got ${show(bus)}; build one with ` +
        'redisBus({ publisher, subscriber }) or postgresBus({ client }) from corsguard.',
    );
    return undefined;
  }
  return { bus: bus as OriginCacheBus, onBusError: onBusError as OriginCacheBusError | undefined };
}

// ---------------------------------------------------------------------------------------------------
// Joining the bus

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * An id for one middleware on the bus, to skip its own messages: unique enough among the instances
 * of an application (about 100 random bits), not a secret (anyone on the channel can write any id).
 * Made without node:crypto, which old test runners (Jest 26) cannot load under its `node:` name.
 */
function instanceId(): string {
  const part = (): string => Math.random().toString(36).slice(2, 12).padEnd(10, '0');
  return `${Date.now().toString(36)}-${part()}${part()}`;
}

/**
 * Subscribes `clear` (the local clear of one cache) to the bus, once, and returns the function that
 * publishes a clear to the other subscribers. Nothing here throws: a failure is one NODE_DEBUG line
 * and one call of onBusError.
 */
export function joinBus(
  { bus, onBusError }: BusSettings,
  clear: (origin?: string) => void,
): (origin: string | undefined) => void {
  const id = instanceId();
  const report = (error: unknown, during: 'publish' | 'subscribe'): void => {
    debug(
      printable(
        `origin cache bus: ${during === 'publish' ? 'a clear could not be published' : 'the subscription failed'} (${String(error)}); other instances catch up within originCache.ttl`,
      ),
    );
    if (onBusError === undefined) return;
    try {
      onBusError(error, during);
    } catch (err) {
      debug(printable(`originCache.onBusError threw ${String(err)}; ignored`));
    }
  };
  const guard = (result: unknown, during: 'publish' | 'subscribe'): void => {
    if (isThenable(result)) {
      Promise.resolve(result).then(undefined, (err: unknown) => {
        report(err, during);
      });
    }
  };
  // Anyone who can publish on the channel can clear every instance's cache (a PostgreSQL role
  // with no grants can NOTIFY), and each clear of everything costs one lookup per origin in use.
  // So clears of everything are coalesced: the first is applied at once, and any more within
  // CLEAR_ALL_WINDOW ms become one clear at the end of the window. A clear of one origin (a
  // revocation) is always applied at once.
  let lastAll = -Infinity;
  let trailing: ReturnType<typeof setTimeout> | undefined;
  const clearAll = (): void => {
    const now = Date.now();
    if (now - lastAll >= CLEAR_ALL_WINDOW) {
      lastAll = now;
      clear();
      return;
    }
    trailing ??= setTimeout(
      () => {
        trailing = undefined;
        lastAll = Date.now();
        clear();
      },
      lastAll + CLEAR_ALL_WINDOW - now,
    );
    // A timer of a cache never keeps the process alive.
    (trailing as { unref?: () => void }).unref?.();
  };
  const onMessage = (message: string): void => {
    const read = decodeClear(message);
    if ('ignored' in read) {
      debug(printable(`origin cache bus: ignored a message: ${read.ignored}`));
      return;
    }
    if (read.from === id) return;
    if (read.origin === undefined) clearAll();
    else clear(read.origin);
  };
  const events: OriginCacheBusEvents = {
    resync: () => {
      clear();
    },
    error: (error) => {
      report(error, 'subscribe');
    },
  };
  try {
    guard(bus.subscribe(onMessage, events), 'subscribe');
  } catch (err) {
    report(err, 'subscribe');
  }
  return (origin) => {
    try {
      guard(bus.publish(encodeClear(id, origin)), 'publish');
    } catch (err) {
      report(err, 'publish');
    }
  };
}

// ---------------------------------------------------------------------------------------------------
// Adapters: the application's own clients, duck-typed (corsguard depends on no client library)

/** A client that can publish on Redis: node-redis 4+/5 (`createClient()`) or ioredis (`new Redis()`). */
export interface RedisPublisherLike {
  /** Publishes one clear on the channel. */
  publish(channel: string, message: string): unknown;
}

/**
 * A Redis connection kept for subscribing (Redis turns a subscribed connection into one that only
 * hears messages): node-redis 4+/5's `client.duplicate()` after `connect()`, or an ioredis client.
 */
export interface RedisSubscriberLike {
  /** Subscribes to the channel (node-redis: with a listener; ioredis: then `message` events). */
  subscribe(...args: never[]): unknown;
  /** Hears `message`, `ready` and `error`. */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Options of {@link redisBus}.
 *
 * @public
 */
export interface RedisBusOptions {
  /** The client that publishes (any connected client of the application). */
  publisher: RedisPublisherLike;
  /** A connection of its own for subscribing, not the publisher. */
  subscriber: RedisSubscriberLike;
  /**
   * The Redis channel.
   * @defaultValue `'corsguard:origin-cache'`
   */
  channel?: string | undefined;
}

/** The channel of {@link redisBus} unless told otherwise. */
export const REDIS_CHANNEL = 'corsguard:origin-cache';
/** The channel of {@link postgresBus} unless told otherwise. */
export const POSTGRES_CHANNEL = 'corsguard_origin_cache';

type Listener = (...args: unknown[]) => void;
interface Emitter {
  on(event: string, listener: Listener): unknown;
  removeListener?: (event: string, listener: Listener) => unknown;
}

/** Every EventEmitter (node-redis, ioredis, pg) has removeListener; a bare duck may not. */
function stopListening(emitter: Emitter, event: string, listener: Listener): void {
  if (typeof emitter.removeListener === 'function') emitter.removeListener(event, listener);
}

/** The options object, or an empty one for JavaScript callers who passed none. */
function given(options: unknown): object {
  return typeof options === 'object' && options !== null ? options : {};
}

function hasMethod(value: unknown, name: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)[name] === 'function'
  );
}

function checkChannel(
  channel: unknown,
  option: string,
  valid: (channel: string) => boolean,
  expected: string,
  issues: CorsConfigIssue[],
): void {
  if (typeof channel !== 'string' || !valid(channel)) {
    issues.push({ option, value: channel, message: `expected ${expected}, got ${show(channel)}.` });
  }
}

/** Calls a client method that may return a Promise, reporting a rejection or a throw to `fail`. */
function attempt(call: () => unknown, fail: (error: unknown) => void): Promise<boolean> {
  try {
    return Promise.resolve(call()).then(
      () => true,
      (err: unknown) => {
        fail(err);
        return false;
      },
    );
  } catch (err) {
    fail(err);
    return Promise.resolve(false);
  }
}

/**
 * A bus over Redis pub/sub for `originCache.bus`, with the application's own clients: node-redis 4+
 * and 5 (`subscriber.subscribe(channel, listener)`) or ioredis (`subscriber.subscribe(channel)` and
 * its `'message'` event), told apart by their methods. Connect both before building the middleware,
 * and give each an `'error'` listener, as both libraries ask.
 *
 * Reconnection is the clients' business (both reconnect and resubscribe by themselves). Each time the
 * subscriber is ready again after losing its connection, every cache on the bus is cleared once: it
 * may have missed messages. The loss itself is reported to `onBusError` (`during` `'subscribe'`) once
 * per outage. A publisher with an offline queue (the default of both) holds a clear until it
 * reconnects; turn it off (`disableOfflineQueue: true` for node-redis, `enableOfflineQueue: false`
 * for ioredis) to have a failed publish reported at once.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import cors, { redisBus } from 'corsguard';
 * const publisher = await createClient({ url }).on('error', console.error).connect();
 * const subscriber = await publisher.duplicate().on('error', console.error).connect();
 * app.use(cors({ origin: isAllowed, originCache: { ttl: 60_000, bus: redisBus({ publisher, subscriber }) } }));
 * ```
 * @throws {@link CorsConfigError} when a client lacks what the bus needs
 * @public
 */
export function redisBus(options: RedisBusOptions): OriginCacheBus {
  const {
    publisher,
    subscriber,
    channel = REDIS_CHANNEL,
  } = given(options) as Partial<RedisBusOptions>;
  const issues: CorsConfigIssue[] = [];
  if (!hasMethod(publisher, 'publish')) {
    issues.push({
      option: 'redisBus.publisher',
      value: publisher,
      message: `expected a connected node-redis or ioredis client (with publish), got ${show(publisher)}.`,
    });
  }
  if (!hasMethod(subscriber, 'subscribe') || !hasMethod(subscriber, 'on')) {
    issues.push({
      option: 'redisBus.subscriber',
      value: subscriber,
      message: `expected a node-redis or ioredis client (with subscribe and on), got ${show(subscriber)}.`,
    });
  } else if (subscriber === publisher) {
    issues.push({
      option: 'redisBus.subscriber',
      value: subscriber,
      message:
        'the subscriber is the publisher; Redis keeps a subscribed connection for messages only, so give it a connection of its own: publisher.duplicate() (then connect() for node-redis).',
    });
  }
  checkChannel(channel, 'redisBus.channel', (c) => c !== '', 'a non-empty channel name', issues);
  if (issues.length > 0) throw new CorsConfigError(issues);
  const pub = publisher!;
  const sub = subscriber as unknown as Emitter & Record<string, (...args: unknown[]) => unknown>;
  const name = channel;
  // node-redis 4+ has camel-case pattern methods; ioredis only lower-case ones.
  const nodeRedis = typeof sub.pSubscribe === 'function';
  return {
    publish: (message) => pub.publish(name, message) as void | Promise<void>,
    subscribe(onMessage, events) {
      const fail = (error: unknown): void => {
        events?.error(error);
      };
      let lost = false;
      const reconnecting: Listener = () => {
        if (lost) return;
        lost = true;
        fail(
          new Error(
            `corsguard: the Redis subscriber of channel ${name} lost its connection; messages are missed until it is back`,
          ),
        );
      };
      const resync = (): void => {
        lost = false;
        events?.resync();
      };
      let ready: Listener;
      let detach: () => void;
      if (nodeRedis) {
        // node-redis resubscribes before it emits 'ready'.
        const listener: Listener = (message) => {
          onMessage(message as string);
        };
        ready = resync;
        void attempt(() => sub.subscribe!(name, listener), fail);
        detach = () => {
          void attempt(() => sub.unsubscribe!(name, listener), fail);
        };
      } else {
        // ioredis emits 'ready' before it resubscribes: subscribing again (a no-op for Redis) and
        // waiting for the reply puts the clear after the subscription is back.
        const listener: Listener = (from, message) => {
          if (from === name) onMessage(message as string);
        };
        sub.on('message', listener);
        ready = () => {
          void attempt(() => sub.subscribe!(name), fail).then((ok) => {
            if (ok) resync();
          });
        };
        void attempt(() => sub.subscribe!(name), fail);
        detach = () => {
          stopListening(sub, 'message', listener);
        };
      }
      sub.on('ready', ready);
      sub.on('reconnecting', reconnecting);
      return () => {
        stopListening(sub, 'ready', ready);
        stopListening(sub, 'reconnecting', reconnecting);
        detach();
      };
    },
  };
}

/** A `pg` Client (not a Pool): LISTEN needs one connection that stays. */
export interface PostgresClientLike {
  /** Runs `LISTEN`, `UNLISTEN` and `SELECT pg_notify($1, $2)`. */
  query(text: string, values?: unknown[]): unknown;
  /** Hears `notification`, `error` and `end`. */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Options of {@link postgresBus}.
 *
 * @public
 */
export interface PostgresBusOptions {
  /** A connected `pg.Client` kept for the bus (`new pg.Client()`, or a client from `pool.connect()` never released). */
  client: PostgresClientLike;
  /**
   * The LISTEN/NOTIFY channel: letters, digits and `_`, not starting with a digit, at most 63.
   * @defaultValue `'corsguard_origin_cache'`
   */
  channel?: string | undefined;
}

/**
 * The bus of {@link postgresBus}: an {@link OriginCacheBus} that can move to a new client.
 *
 * @public
 */
export interface PostgresBus extends OriginCacheBus {
  /**
   * Moves the bus to a new connected client, after the old one ended (a `pg.Client` never
   * reconnects): LISTENs there, then clears every cache on the bus once, since messages were missed.
   * Resolves true once listening, false when LISTEN failed (reported to `onBusError`).
   */
  useClient(client: PostgresClientLike): Promise<boolean>;
}

const PG_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * A bus over PostgreSQL LISTEN/NOTIFY for `originCache.bus`, with the application's own `pg` client:
 * it LISTENs on the channel when the first middleware subscribes and publishes with
 * `SELECT pg_notify($1, $2)`. NOTIFY reaches every listening connection of the database, whichever
 * server the instances talk to.
 *
 * A `pg.Client` does not reconnect. When it ends, the loss is reported to `onBusError` (`during`
 * `'subscribe'`) and the caches fall back on their ttl; hand the bus a new client with
 * `bus.useClient(client)`, which clears every cache once.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import cors, { postgresBus } from 'corsguard';
 * const client = new pg.Client();
 * client.on('error', console.error);
 * await client.connect();
 * app.use(cors({ origin: isAllowed, originCache: { ttl: 60_000, bus: postgresBus({ client }) } }));
 * ```
 * @throws {@link CorsConfigError} when the client is missing, is a Pool, or the channel is invalid
 * @public
 */
export function postgresBus(options: PostgresBusOptions): PostgresBus {
  const { client, channel = POSTGRES_CHANNEL } = given(options) as Partial<PostgresBusOptions>;
  const issues: CorsConfigIssue[] = [];
  checkClient(client, 'postgresBus.client', issues);
  checkChannel(
    channel,
    'postgresBus.channel',
    (c) => PG_IDENTIFIER.test(c),
    'letters, digits and _ (not a digit first), at most 63, such as "corsguard_origin_cache"',
    issues,
  );
  if (issues.length > 0) throw new CorsConfigError(issues);
  const name = channel;
  const subscribers = new Set<{
    onMessage: (message: string) => void;
    events: OriginCacheBusEvents | undefined;
  }>();
  let current = client as unknown as Emitter & PostgresClientLike;
  let listening = false;
  // One query at a time on the client: pg 8 queues concurrent queries with a deprecation warning
  // and pg 9 refuses them, and a burst of clears would be just that.
  let last: Promise<unknown> = Promise.resolve();
  const serial = (text: string, values?: unknown[]): Promise<unknown> => {
    const client = current;
    const run = last.then(() => client.query(text, values));
    last = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
  const fail = (error: unknown): void => {
    for (const s of subscribers) s.events?.error(error);
  };
  const notification: Listener = (message) => {
    const { channel: from, payload } = message as { channel?: unknown; payload?: unknown };
    if (from !== name) return;
    for (const s of subscribers) s.onMessage(payload as string);
  };
  const ended: Listener = () => {
    fail(
      new Error(
        `corsguard: the PostgreSQL client of channel ${name} ended; messages are missed until bus.useClient(newClient)`,
      ),
    );
  };
  const listen = (): Promise<boolean> => {
    current.on('notification', notification);
    current.on('end', ended);
    listening = true;
    return attempt(() => serial(`LISTEN "${name}"`), fail);
  };
  return {
    publish: (message) => serial('SELECT pg_notify($1, $2)', [name, message]) as Promise<void>,
    subscribe(onMessage, events) {
      const entry = { onMessage, events };
      subscribers.add(entry);
      if (!listening) void listen();
      return () => {
        subscribers.delete(entry);
      };
    },
    async useClient(next) {
      const problems: CorsConfigIssue[] = [];
      checkClient(next, 'useClient(client)', problems);
      if (problems.length > 0) throw new CorsConfigError(problems);
      stopListening(current, 'notification', notification);
      stopListening(current, 'end', ended);
      current = next;
      const ok = await listen();
      if (ok) for (const s of subscribers) s.events?.resync();
      return ok;
    },
  };
}

function checkClient(client: unknown, option: string, issues: CorsConfigIssue[]): void {
  if (!hasMethod(client, 'query') || !hasMethod(client, 'on')) {
    issues.push({
      option,
      value: client,
      message: `expected a connected pg.Client, got ${show(client)}.`,
    });
  } else if ('totalCount' in (client as object)) {
    issues.push({
      option,
      value: client,
      message:
        'a pg.Pool hands each query to whichever connection is free, so LISTEN would not stay; give the bus a client of its own: new pg.Client(), or await pool.connect() kept for it.',
    });
  }
}
