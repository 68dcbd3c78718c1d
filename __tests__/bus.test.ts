// originCache.bus: the message format, the checks made when the middleware is built, how each
// instance hears the others' clears (and skips its own), the faults, and the Redis and PostgreSQL
// adapters with fake clients. The real servers run in __tests__/servers/bus-*.servers.test.ts.
import { EventEmitter } from 'node:events';
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createClient } from 'redis';
import {
  CLEAR_ALL_WINDOW,
  MAX_MESSAGE_LENGTH,
  MESSAGE_VERSION,
  POSTGRES_CHANNEL,
  REDIS_CHANNEL,
  decodeClear,
  encodeClear,
} from '../lib/core/bus.js';
import {
  CorsConfigError,
  cors,
  postgresBus,
  redisBus,
  type CorsMiddleware,
  type OriginCacheBus,
  type OriginCacheBusEvents,
} from '../lib/index.js';
import { run } from './helpers/mock.js';

const APP = 'https://app.example.com';
const OTHER = 'https://other.example.com';
const get = (origin: string) => ({ method: 'GET', headers: { Origin: origin } });
const acao = async (mw: CorsMiddleware, origin: string) =>
  (await run(mw, get(origin))).headers['access-control-allow-origin'];
const tick = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A function origin over a shared "database" that counts the lookups of one instance. */
function instance(db: Set<string>, bus: OriginCacheBus, extra: object = {}) {
  const asked: string[] = [];
  const mw = cors({
    origin: (origin: string) => {
      asked.push(origin);
      return db.has(origin);
    },
    originCache: { ttl: 60_000, bus, ...extra },
  });
  return { mw, asked };
}

/** An in-memory pub/sub whose deliveries wait for flush(), so the order of events is the test's. */
function hub() {
  const subscribers: ((message: string) => void)[] = [];
  const queue: string[] = [];
  const published: string[] = [];
  const bus: OriginCacheBus = {
    publish(message) {
      published.push(message);
      queue.push(message);
    },
    subscribe(onMessage) {
      subscribers.push(onMessage);
    },
  };
  const flush = () => {
    for (const message of queue.splice(0)) for (const s of subscribers) s(message);
  };
  const inject = (message: string) => {
    for (const s of subscribers) s(message);
  };
  return { bus, flush, inject, published, subscribers };
}

// -------------------------------------------------------------------------------------------------

describe('the message format', () => {
  it('names the version, the sender and the origin', () => {
    expect(JSON.parse(encodeClear('id-1', APP))).toEqual({
      corsguard: MESSAGE_VERSION,
      from: 'id-1',
      origin: APP,
    });
    expect(decodeClear(encodeClear('id-1', APP))).toEqual({ from: 'id-1', origin: APP });
  });

  it('has no origin for a clear of everything', () => {
    expect(JSON.parse(encodeClear('id-1', undefined))).toEqual({ corsguard: 1, from: 'id-1' });
    expect(decodeClear(encodeClear('id-1', undefined))).toEqual({
      from: 'id-1',
      origin: undefined,
    });
  });

  it('sends an origin too long to fit as a clear of everything: more than asked, never less', () => {
    const long = `https://${'a'.repeat(MAX_MESSAGE_LENGTH)}.example`;
    const message = encodeClear('id-1', long);
    expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(decodeClear(message)).toEqual({ from: 'id-1', origin: undefined });
  });

  it('keeps extra keys of a later minor change readable', () => {
    expect(decodeClear('{"corsguard":1,"from":"x","origin":"https://a.example","at":5}')).toEqual({
      from: 'x',
      origin: 'https://a.example',
    });
  });

  it.each<[string, unknown, RegExp]>([
    ['a Buffer', Buffer.from('{}'), /not a string/],
    [
      'a message over the cap',
      `{"corsguard":1,"from":"x","origin":"${'a'.repeat(2100)}"}`,
      /over 2048/,
    ],
    ['text that is not JSON', 'hello', /not JSON/],
    ['a JSON array', '[1]', /not a JSON object/],
    ['JSON null', 'null', /not a JSON object/],
    ['a JSON number', '5', /not a JSON object/],
    ['another application’s message', '{"type":"user-updated","id":5}', /not a corsguard message/],
    ['another version', '{"corsguard":2,"from":"x"}', /version 2; this corsguard reads version 1/],
    ['no sender', '{"corsguard":1}', /"from" is not a sender id/],
    ['an empty sender', '{"corsguard":1,"from":""}', /"from" is not a sender id/],
    ['a numeric sender', '{"corsguard":1,"from":5}', /"from" is not a sender id/],
    [
      'origin null (not "everything")',
      '{"corsguard":1,"from":"x","origin":null}',
      /"origin" is null/,
    ],
    ['a numeric origin', '{"corsguard":1,"from":"x","origin":5}', /"origin" is 5/],
  ])('ignores %s', (_name, message, reason) => {
    const read = decodeClear(message);
    expect(read).toEqual({ ignored: expect.stringMatching(reason) as unknown });
  });
});

// -------------------------------------------------------------------------------------------------

describe('originCache.bus when the middleware is built', () => {
  const fn = () => true;

  it.each<[string, object, RegExp]>([
    [
      'a number',
      { bus: 5 },
      /originCache\.bus: expected \{ publish\(message\), subscribe\(onMessage\) \}, got 5; build one with redisBus/,
    ],
    ['null', { bus: null }, /originCache\.bus: expected/],
    ['no subscribe', { bus: { publish() {} } }, /originCache\.bus: expected/],
    ['no publish', { bus: { subscribe() {} } }, /originCache\.bus: expected/],
    [
      'onBusError not a function',
      { bus: hub().bus, onBusError: 'log' },
      /originCache\.onBusError: expected a function \(error, during\)/,
    ],
    [
      'onBusError without a bus',
      { onBusError: () => undefined },
      /onBusError reports failures of originCache\.bus, and there is no bus/,
    ],
    [
      'an unknown key',
      { buss: hub().bus },
      /originCache\.buss: unknown option; originCache takes ttl, max, bus and onBusError/,
    ],
  ])('refuses %s with the fix', (_name, extra, message) => {
    expect(() => cors({ origin: fn, originCache: { ttl: 1000, ...extra } as never })).toThrow(
      message,
    );
  });

  it('subscribes once, when the middleware is built, and never for a request', async () => {
    const h = hub();
    const subscribe = jest.spyOn(h.bus, 'subscribe');
    const publish = jest.spyOn(h.bus, 'publish');
    const { mw } = instance(new Set([APP]), h.bus);
    expect(subscribe).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 5; i++) expect(await acao(mw, APP)).toBe(APP);
    await acao(mw, OTHER);
    expect(subscribe).toHaveBeenCalledTimes(1);
    expect(publish).not.toHaveBeenCalled();
  });

  it('is refused in options answered by a delegate (next(err)), and never subscribed to there', async () => {
    const h = hub();
    const subscribe = jest.spyOn(h.bus, 'subscribe');
    const mw = cors((_req, cb) => {
      cb(null, { origin: (_origin) => true, originCache: { ttl: 1000, bus: h.bus } });
    });
    const out = await run(mw, get(APP));
    expect(out.err).toBeInstanceOf(CorsConfigError);
    expect((out.err as CorsConfigError).issues).toEqual([
      {
        option: 'originCache.bus (answer of the options delegate)',
        value: h.bus,
        message: expect.stringContaining(
          'build the function-origin middleware once, cors({ origin, originCache: { ttl, bus } })',
        ) as unknown,
      },
    ]);
    expect(out.headers['access-control-allow-origin']).toBeUndefined();
    expect(subscribe).not.toHaveBeenCalled();
  });
});

// -------------------------------------------------------------------------------------------------

describe('instances on one bus', () => {
  it('drop the entry another instance cleared, on the next request', async () => {
    const db = new Set([APP, OTHER]);
    const h = hub();
    const a = instance(db, h.bus);
    const b = instance(db, h.bus);
    expect(await acao(a.mw, APP)).toBe(APP);
    expect(await acao(b.mw, APP)).toBe(APP);
    expect(await acao(b.mw, OTHER)).toBe(OTHER);
    db.delete(APP);
    a.mw.clearOriginCache(APP);
    expect(await acao(a.mw, APP)).toBeUndefined(); // local, at once
    expect(await acao(b.mw, APP)).toBe(APP); // not delivered yet
    h.flush();
    expect(await acao(b.mw, APP)).toBeUndefined();
    expect(await acao(b.mw, OTHER)).toBe(OTHER); // only that entry
    expect(b.asked).toEqual([APP, OTHER, APP]);
  });

  it('drop every entry on a clear of everything', async () => {
    const db = new Set([APP, OTHER]);
    const h = hub();
    const a = instance(db, h.bus);
    const b = instance(db, h.bus);
    await acao(b.mw, APP);
    await acao(b.mw, OTHER);
    a.mw.clearOriginCache();
    h.flush();
    await acao(b.mw, APP);
    await acao(b.mw, OTHER);
    expect(b.asked).toEqual([APP, OTHER, APP, OTHER]);
  });

  describe('a flood of clears of everything (anyone who can publish on the channel)', () => {
    const clearAll = (h: ReturnType<typeof hub>): void => {
      h.inject(encodeClear('someone-else', undefined));
    };

    it('costs at most one lookup per origin per window, the first clear applied at once', async () => {
      const db = new Set([APP, OTHER]);
      const h = hub();
      const b = instance(db, h.bus);
      await acao(b.mw, APP);
      clearAll(h); // the first: at once
      await acao(b.mw, APP);
      expect(b.asked).toEqual([APP, APP]);
      for (let i = 0; i < 1000; i++) {
        clearAll(h);
        await acao(b.mw, APP);
      }
      expect(b.asked).toEqual([APP, APP]); // coalesced into one clear at the window's end
      await sleep(CLEAR_ALL_WINDOW + 50);
      await acao(b.mw, APP);
      expect(b.asked).toEqual([APP, APP, APP]);
      // Quiet since: the next clear of everything is applied at once again.
      await sleep(CLEAR_ALL_WINDOW + 50);
      clearAll(h);
      await acao(b.mw, APP);
      expect(b.asked).toEqual([APP, APP, APP, APP]);
    });

    it('never delays a revocation of one origin', async () => {
      const db = new Set([APP, OTHER]);
      const h = hub();
      const a = instance(db, h.bus);
      const b = instance(db, h.bus);
      await acao(b.mw, APP);
      clearAll(h);
      clearAll(h); // a window is open: a trailing clear is pending
      await acao(b.mw, APP);
      db.delete(APP);
      a.mw.clearOriginCache(APP);
      h.flush();
      expect(await acao(b.mw, APP)).toBeUndefined();
    });
  });

  it('skip their own messages: an answer cached after the clear stays', async () => {
    const db = new Set([APP]);
    const h = hub();
    const a = instance(db, h.bus);
    await acao(a.mw, APP);
    a.mw.clearOriginCache(APP);
    await acao(a.mw, APP); // asked again, cached again
    h.flush(); // its own message comes back
    await acao(a.mw, APP);
    expect(a.asked).toEqual([APP, APP]);
  });

  it('publish one message per clear, with an id of their own', () => {
    const h = hub();
    const a = instance(new Set(), h.bus);
    const b = instance(new Set(), h.bus);
    a.mw.clearOriginCache(APP);
    b.mw.clearOriginCache();
    const [first, second] = h.published.map((m) => decodeClear(m) as { from: string });
    expect(h.published).toHaveLength(2);
    expect(first).toEqual({ from: expect.any(String) as unknown, origin: APP });
    expect(second!.from).not.toBe(first!.from);
  });

  it('drop a lookup in flight when another instance clears it, so its answer is not stored', async () => {
    let allowed = true;
    let answer: () => void = () => undefined;
    const asked: string[] = [];
    const h = hub();
    const b = cors({
      origin: (origin: string) =>
        new Promise<boolean>((resolve) => {
          asked.push(origin);
          answer = () => {
            resolve(allowed);
          };
        }),
      originCache: { ttl: 60_000, bus: h.bus },
    });
    const a = instance(new Set(), h.bus);
    const first = run(b, get(APP));
    await tick();
    allowed = false;
    a.mw.clearOriginCache(APP);
    h.flush();
    answer(); // the stale lookup answers "allowed", too late to be kept
    await first;
    const second = run(b, get(APP));
    await tick();
    answer();
    expect((await second).headers['access-control-allow-origin']).toBeUndefined();
    expect(asked).toEqual([APP, APP]);
  });

  it('ignore malformed and foreign messages without clearing anything, and keep serving', async () => {
    const db = new Set([APP]);
    const h = hub();
    const b = instance(db, h.bus);
    await acao(b.mw, APP);
    for (const garbage of [
      '',
      'hello',
      '{"corsguard":1,"from":"x","origin":null}',
      '{"corsguard":2,"from":"x"}',
      '{"type":"user-updated"}',
      'x'.repeat(10_000),
      5 as unknown as string,
    ]) {
      expect(() => {
        h.inject(garbage);
      }).not.toThrow();
    }
    expect(await acao(b.mw, APP)).toBe(APP);
    expect(b.asked).toEqual([APP]);
  });

  it('clear everything once when the bus says messages may have been missed (resync)', async () => {
    let events: OriginCacheBusEvents | undefined;
    const bus: OriginCacheBus = {
      publish: () => undefined,
      subscribe: (_onMessage, e) => {
        events = e;
      },
    };
    const b = instance(new Set([APP]), bus);
    await acao(b.mw, APP);
    await acao(b.mw, APP);
    events!.resync();
    await acao(b.mw, APP);
    expect(b.asked).toEqual([APP, APP]);
  });
});

// -------------------------------------------------------------------------------------------------

describe('bus faults', () => {
  it('a failed publish still clears locally, and is reported once to onBusError', async () => {
    const down = new Error('Redis is down');
    const onBusError = jest.fn();
    const bus: OriginCacheBus = {
      publish: () => Promise.reject(down),
      subscribe: () => undefined,
    };
    const db = new Set([APP]);
    const a = instance(db, bus, { onBusError });
    await acao(a.mw, APP);
    db.delete(APP);
    expect(() => {
      a.mw.clearOriginCache(APP);
    }).not.toThrow();
    expect(await acao(a.mw, APP)).toBeUndefined();
    await tick();
    expect(onBusError.mock.calls).toEqual([[down, 'publish']]);
  });

  it('a publish that throws is reported the same way', () => {
    const onBusError = jest.fn();
    const bus: OriginCacheBus = {
      publish: () => {
        throw new Error('not connected');
      },
      subscribe: () => undefined,
    };
    instance(new Set(), bus, { onBusError }).mw.clearOriginCache(APP);
    expect(onBusError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'not connected' }),
      'publish',
    );
  });

  it('a subscribe that throws or rejects is reported, and the middleware still answers', async () => {
    const onBusError = jest.fn();
    const throwing: OriginCacheBus = {
      publish: () => undefined,
      subscribe: () => {
        throw new Error('no subscriber');
      },
    };
    const rejecting = {
      publish: () => undefined,
      subscribe: () => Promise.reject(new Error('SUBSCRIBE refused')),
    } as unknown as OriginCacheBus;
    const a = instance(new Set([APP]), throwing, { onBusError });
    instance(new Set(), rejecting, { onBusError });
    await tick();
    expect(
      onBusError.mock.calls.map(([e, during]) => [(e as Error).message, during as string]),
    ).toEqual([
      ['no subscriber', 'subscribe'],
      ['SUBSCRIBE refused', 'subscribe'],
    ]);
    expect(await acao(a.mw, APP)).toBe(APP);
  });

  it('an error the bus signals is reported as a subscription failure', () => {
    const onBusError = jest.fn();
    const lost = new Error('connection lost');
    const bus: OriginCacheBus = {
      publish: () => undefined,
      subscribe: (_m, events) => {
        events!.error(lost);
      },
    };
    instance(new Set(), bus, { onBusError });
    expect(onBusError.mock.calls).toEqual([[lost, 'subscribe']]);
  });

  it('an onBusError that throws is ignored; without onBusError a failure is only logged', async () => {
    const bus: OriginCacheBus = {
      publish: () => Promise.reject(new Error('down')),
      subscribe: () => undefined,
    };
    const throwing = instance(new Set(), bus, {
      onBusError: () => {
        throw new Error('hook bug');
      },
    });
    const silent = instance(new Set(), bus);
    throwing.mw.clearOriginCache(APP);
    silent.mw.clearOriginCache(APP);
    await tick(); // an unhandled rejection here would fail the test
    expect(await acao(silent.mw, APP)).toBeUndefined();
  });

  it('logs a malformed message, a failed publish and a throwing hook in one NODE_DEBUG line each, and nothing for its own messages', () => {
    const script = `
      const { cors } = require(${JSON.stringify(require.resolve('../dist/cjs/cjs.js'))});
      const subscribers = [];
      const bus = {
        publish: (m) => { for (const s of subscribers) s(m); return Promise.reject(new Error('down')); },
        subscribe: (s) => { subscribers.push(s); },
      };
      const mw = cors({ origin: (_origin) => true, originCache: { ttl: 1000, bus, onBusError() { throw new Error('hook bug'); } } });
      mw.clearOriginCache('https://a.example');
      subscribers[0]('{"corsguard":1,"from":"x","origin":null}');
    `;
    const { stderr, status } = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, NODE_DEBUG: 'corsguard' },
      encoding: 'utf8',
    });
    expect(status).toBe(0);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^CORSGUARD \d+: origin cache bus: ignored a message: "origin" is null, not a string$/,
    );
    expect(lines[1]).toMatch(
      /origin cache bus: a clear could not be published \(Error: down\); other instances catch up within originCache\.ttl$/,
    );
    expect(lines[2]).toMatch(/originCache\.onBusError threw Error: hook bug; ignored$/);
  });
});

// -------------------------------------------------------------------------------------------------
// Fake clients, shaped as node-redis 5, ioredis 5 and pg 8 are

class RedisServerFake {
  readonly channels = new Map<string, Set<(channel: string, message: string) => void>>();
  deliver(channel: string, message: string) {
    for (const s of this.channels.get(channel) ?? []) s(channel, message);
  }
  join(channel: string, s: (channel: string, message: string) => void) {
    let set = this.channels.get(channel);
    if (set === undefined) this.channels.set(channel, (set = new Set()));
    set.add(s);
  }
}

class NodeRedisFake extends EventEmitter {
  failSubscribe: Error | undefined;
  readonly subscribed = new Map<string, (message: string, channel: string) => void>();
  constructor(private readonly server: RedisServerFake) {
    super();
  }
  pSubscribe() {
    return Promise.resolve();
  }
  publish(channel: string, message: string) {
    this.server.deliver(channel, message);
    return Promise.resolve(1);
  }
  subscribe(channel: string, listener: (message: string, channel: string) => void) {
    if (this.failSubscribe) return Promise.reject(this.failSubscribe);
    this.server.join(channel, (c, m) => {
      if (this.subscribed.has(c)) listener(m, c);
    });
    this.subscribed.set(channel, listener);
    return Promise.resolve();
  }
  unsubscribe(channel: string) {
    this.subscribed.delete(channel);
    return Promise.resolve();
  }
}

class IoredisFake extends EventEmitter {
  failSubscribe: Error | undefined;
  subscribes = 0;
  constructor(private readonly server: RedisServerFake) {
    super();
  }
  publish(channel: string, message: string) {
    this.server.deliver(channel, message);
    return Promise.resolve(1);
  }
  psubscribe() {
    return Promise.resolve(1);
  }
  subscribe(channel: string) {
    this.subscribes++;
    if (this.failSubscribe) return Promise.reject(this.failSubscribe);
    this.server.join(channel, (c, m) => this.emit('message', c, m));
    return Promise.resolve(1);
  }
}

describe('redisBus', () => {
  it('is what node-redis 5 and ioredis 5 clients fit (typed), and tells them apart by pSubscribe', () => {
    const nodeRedis = createClient();
    const ioredis = new Redis({ lazyConnect: true });
    expect(() =>
      redisBus({ publisher: nodeRedis, subscriber: nodeRedis.duplicate() }),
    ).not.toThrow();
    expect(() =>
      redisBus({ publisher: ioredis, subscriber: ioredis.duplicate(), channel: 'app:cors' }),
    ).not.toThrow();
    expect(typeof nodeRedis.pSubscribe).toBe('function');
    expect((ioredis as unknown as { pSubscribe?: unknown }).pSubscribe).toBeUndefined();
    ioredis.disconnect();
  });

  it.each<[string, unknown, RegExp[]]>([
    [
      'no options',
      undefined,
      [
        /redisBus\.publisher: expected a connected node-redis or ioredis client/,
        /redisBus\.subscriber: expected/,
      ],
    ],
    [
      'a publisher without publish',
      { publisher: {}, subscriber: new IoredisFake(new RedisServerFake()) },
      [/redisBus\.publisher/],
    ],
    [
      'a subscriber without on',
      { publisher: { publish() {} }, subscriber: { subscribe() {} } },
      [/redisBus\.subscriber: expected a node-redis or ioredis client \(with subscribe and on\)/],
    ],
    [
      'the publisher as subscriber',
      (() => {
        const c = new IoredisFake(new RedisServerFake());
        return { publisher: c, subscriber: c };
      })(),
      [/redisBus\.subscriber: the subscriber is the publisher; .*publisher\.duplicate\(\)/],
    ],
    [
      'an empty channel',
      {
        publisher: { publish() {} },
        subscriber: new IoredisFake(new RedisServerFake()),
        channel: '',
      },
      [/redisBus\.channel: expected a non-empty channel name, got ""/],
    ],
    [
      'a numeric channel',
      {
        publisher: { publish() {} },
        subscriber: new IoredisFake(new RedisServerFake()),
        channel: 5,
      },
      [/redisBus\.channel: expected a non-empty channel name, got 5/],
    ],
  ])('refuses %s with the fix', (_name, options, messages) => {
    let thrown: unknown;
    try {
      redisBus(options as never);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(CorsConfigError);
    for (const message of messages) expect((thrown as Error).message).toMatch(message);
  });

  describe.each([
    ['node-redis', (server: RedisServerFake) => new NodeRedisFake(server)],
    ['ioredis', (server: RedisServerFake) => new IoredisFake(server)],
  ])('with %s clients', (_name, client) => {
    const setUp = (channel?: string) => {
      const server = new RedisServerFake();
      const db = new Set([APP, OTHER]);
      const onBusError = jest.fn();
      const make = () => {
        const publisher = client(server);
        const subscriber = client(server);
        const bus = redisBus(
          channel === undefined ? { publisher, subscriber } : { publisher, subscriber, channel },
        );
        return { ...instance(db, bus, { onBusError }), publisher, subscriber, bus };
      };
      return { server, db, onBusError, a: make(), b: make() };
    };

    it('carries a clear to the other instance on the default channel', async () => {
      const { server, db, a, b } = setUp();
      await tick();
      expect([...server.channels.keys()]).toEqual([REDIS_CHANNEL]);
      expect(await acao(b.mw, APP)).toBe(APP);
      db.delete(APP);
      a.mw.clearOriginCache(APP);
      expect(await acao(b.mw, APP)).toBeUndefined();
      expect(b.asked).toEqual([APP, APP]);
    });

    it('listens on its own channel only', async () => {
      const { server, b } = setUp('app:cors');
      await tick();
      await acao(b.mw, APP);
      server.deliver(REDIS_CHANNEL, encodeClear('someone', APP));
      (b.subscriber as EventEmitter).emit('message', 'elsewhere', encodeClear('someone', APP));
      await acao(b.mw, APP);
      expect(b.asked).toEqual([APP]);
      server.deliver('app:cors', encodeClear('someone', APP));
      await acao(b.mw, APP);
      expect(b.asked).toEqual([APP, APP]);
    });

    it('reports a lost connection once per outage and clears everything once it is ready again', async () => {
      const { b, onBusError } = setUp();
      await tick();
      await acao(b.mw, APP);
      await acao(b.mw, OTHER);
      const sub = b.subscriber as EventEmitter;
      sub.emit('reconnecting');
      sub.emit('reconnecting');
      expect(onBusError).toHaveBeenCalledTimes(1);
      expect(onBusError.mock.calls[0]).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/lost its connection/) as unknown,
        }),
        'subscribe',
      ]);
      await acao(b.mw, APP);
      expect(b.asked).toEqual([APP, OTHER]); // still cached while down: ttl bounds it
      sub.emit('ready');
      await tick();
      await acao(b.mw, APP);
      await acao(b.mw, OTHER);
      expect(b.asked).toEqual([APP, OTHER, APP, OTHER]);
      sub.emit('reconnecting');
      expect(onBusError).toHaveBeenCalledTimes(2);
    });

    it('reports a subscription refused by the server', async () => {
      const server = new RedisServerFake();
      const subscriber = client(server);
      subscriber.failSubscribe = new Error('NOPERM');
      const onBusError = jest.fn();
      instance(new Set(), redisBus({ publisher: client(server), subscriber }), { onBusError });
      await tick();
      expect(onBusError.mock.calls).toEqual([[subscriber.failSubscribe, 'subscribe']]);
    });

    it('stops hearing messages and events once unsubscribed', async () => {
      const server = new RedisServerFake();
      const subscriber = client(server);
      const bus = redisBus({ publisher: client(server), subscriber });
      const onMessage = jest.fn();
      const resync = jest.fn();
      const unsubscribe = bus.subscribe(onMessage, { resync, error: jest.fn() }) as () => void;
      await tick();
      server.deliver(REDIS_CHANNEL, 'one');
      unsubscribe();
      await tick();
      server.deliver(REDIS_CHANNEL, 'two');
      subscriber.emit('ready');
      await tick();
      expect(onMessage.mock.calls).toEqual([['one']]);
      expect(resync).not.toHaveBeenCalled();
      expect(subscriber.listenerCount('ready') + subscriber.listenerCount('reconnecting')).toBe(0);
    });

    it('works without events (a subscribe call with onMessage only)', async () => {
      const server = new RedisServerFake();
      const subscriber = client(server);
      subscriber.failSubscribe = new Error('NOPERM');
      const bus = redisBus({ publisher: client(server), subscriber });
      bus.subscribe(() => undefined);
      subscriber.emit('reconnecting');
      subscriber.emit('ready');
      await tick(); // nothing to report to, nothing thrown
      expect(subscriber.listenerCount('ready')).toBe(1);
    });
  });

  it('ioredis: resubscribes on ready and clears only once the subscription is back', async () => {
    const server = new RedisServerFake();
    const subscriber = new IoredisFake(server);
    const onBusError = jest.fn();
    const b = instance(
      new Set([APP]),
      redisBus({ publisher: new IoredisFake(server), subscriber }),
      {
        onBusError,
      },
    );
    await tick();
    await acao(b.mw, APP);
    subscriber.failSubscribe = new Error('LOADING');
    subscriber.emit('ready');
    await tick();
    await acao(b.mw, APP);
    expect(b.asked).toEqual([APP]); // the SUBSCRIBE failed: no clear yet, and it is reported
    expect(onBusError.mock.calls).toEqual([[subscriber.failSubscribe, 'subscribe']]);
    subscriber.failSubscribe = undefined;
    subscriber.emit('ready');
    await tick();
    await acao(b.mw, APP);
    expect(b.asked).toEqual([APP, APP]);
    expect(subscriber.subscribes).toBe(3);
  });

  it('node-redis: a subscribe that throws at once is reported too', async () => {
    const subscriber = Object.assign(new EventEmitter(), {
      pSubscribe: () => undefined,
      subscribe: () => {
        throw new Error('The client is closed');
      },
      unsubscribe: () => {
        throw new Error('The client is closed');
      },
    });
    const bus = redisBus({ publisher: { publish: () => Promise.resolve(0) }, subscriber });
    const error = jest.fn();
    const unsubscribe = bus.subscribe(() => undefined, { resync: jest.fn(), error }) as () => void;
    unsubscribe();
    await tick();
    expect(error.mock.calls.map(([e]) => (e as Error).message)).toEqual([
      'The client is closed',
      'The client is closed',
    ]);
  });

  it('leaves listeners be on a subscriber without removeListener', () => {
    const on = jest.fn();
    const bus = redisBus({
      publisher: { publish: () => undefined },
      subscriber: { subscribe: () => Promise.resolve(), on },
    });
    const unsubscribe = bus.subscribe(() => undefined) as () => void;
    expect(() => {
      unsubscribe();
    }).not.toThrow();
    expect(on.mock.calls.map(([event]) => event as string)).toEqual([
      'message',
      'ready',
      'reconnecting',
    ]);
  });

  it('publishes on the channel through the publisher', async () => {
    const publish = jest.fn(() => Promise.resolve(1));
    const bus = redisBus({
      publisher: { publish },
      subscriber: new IoredisFake(new RedisServerFake()),
      channel: 'c',
    });
    await bus.publish('m');
    expect(publish).toHaveBeenCalledWith('c', 'm');
  });
});

// -------------------------------------------------------------------------------------------------

class PgServerFake {
  readonly clients = new Set<PgClientFake>();
}

class PgClientFake extends EventEmitter {
  readonly queries: [string, unknown[] | undefined][] = [];
  readonly listening = new Set<string>();
  failListen: Error | undefined;
  constructor(private readonly server: PgServerFake) {
    super();
    server.clients.add(this);
  }
  query(text: string, values?: unknown[]) {
    this.queries.push([text, values]);
    const listen = /^LISTEN "(\w+)"$/.exec(text);
    if (listen) {
      if (this.failListen) return Promise.reject(this.failListen);
      this.listening.add(listen[1]!);
    } else if (text === 'SELECT pg_notify($1, $2)') {
      const [channel, payload] = values as [string, string];
      setImmediate(() => {
        for (const c of this.server.clients) {
          if (c.listening.has(channel)) c.emit('notification', { channel, payload, processId: 1 });
        }
      });
    }
    return Promise.resolve({ rows: [] });
  }
}

describe('postgresBus', () => {
  it('is what a pg.Client fits (typed)', () => {
    expect(() => postgresBus({ client: new pg.Client() })).not.toThrow();
  });

  it.each<[string, unknown, RegExp]>([
    [
      'no options',
      undefined,
      /postgresBus\.client: expected a connected pg\.Client, got undefined/,
    ],
    [
      'a client without on',
      { client: { query() {} } },
      /postgresBus\.client: expected a connected pg\.Client/,
    ],
    [
      'a Pool',
      { client: new pg.Pool() },
      /postgresBus\.client: a pg\.Pool hands each query to whichever connection is free.*await pool\.connect\(\) kept for it/,
    ],
    [
      'a channel with a dash',
      { client: new PgClientFake(new PgServerFake()), channel: 'cors-cache' },
      /postgresBus\.channel: expected letters, digits and _ \(not a digit first\), at most 63.*got "cors-cache"/,
    ],
    [
      'a channel starting with a digit',
      { client: new PgClientFake(new PgServerFake()), channel: '1cache' },
      /postgresBus\.channel/,
    ],
    [
      'a channel of 64 characters',
      { client: new PgClientFake(new PgServerFake()), channel: 'a'.repeat(64) },
      /postgresBus\.channel/,
    ],
  ])('refuses %s with the fix', (_name, options, message) => {
    expect(() => postgresBus(options as never)).toThrow(message);
  });

  const setUp = () => {
    const server = new PgServerFake();
    const db = new Set([APP, OTHER]);
    const onBusError = jest.fn();
    const make = () => {
      const client = new PgClientFake(server);
      const bus = postgresBus({ client });
      return { ...instance(db, bus, { onBusError }), client, bus };
    };
    return { server, db, onBusError, a: make(), b: make() };
  };

  it('LISTENs once on the first subscription and carries clears with pg_notify', async () => {
    const { db, a, b } = setUp();
    cors({ origin: (_origin) => true, originCache: { ttl: 1000, bus: b.bus } }); // a second middleware
    await tick();
    expect(b.client.queries).toEqual([[`LISTEN "${POSTGRES_CHANNEL}"`, undefined]]);
    await acao(b.mw, APP);
    db.delete(APP);
    a.mw.clearOriginCache(APP);
    await tick();
    const [text, values] = a.client.queries.at(-1)!;
    expect(text).toBe('SELECT pg_notify($1, $2)');
    expect(values).toEqual([POSTGRES_CHANNEL, expect.stringContaining(`"origin":"${APP}"`)]);
    await tick();
    expect(await acao(b.mw, APP)).toBeUndefined();
    expect(b.asked).toEqual([APP, APP]);
  });

  it('ignores notifications of other channels', async () => {
    const { b } = setUp();
    await tick();
    await acao(b.mw, APP);
    b.client.emit('notification', { channel: 'other', payload: encodeClear('x', APP) });
    await acao(b.mw, APP);
    expect(b.asked).toEqual([APP]);
  });

  it('reports the end of its client, and after useClient(new) LISTENs there and clears everything once', async () => {
    const { server, a, b, onBusError } = setUp();
    await tick();
    await acao(b.mw, APP);
    b.client.emit('end');
    expect(onBusError.mock.calls).toEqual([
      [
        expect.objectContaining({
          message: expect.stringMatching(
            /ended; messages are missed until bus\.useClient/,
          ) as unknown,
        }),
        'subscribe',
      ],
    ]);
    const old = b.client;
    const fresh = new PgClientFake(server);
    server.clients.delete(old);
    expect(await b.bus.useClient(fresh)).toBe(true);
    expect(old.listenerCount('notification') + old.listenerCount('end')).toBe(0);
    await acao(b.mw, APP);
    expect(b.asked).toEqual([APP, APP]);
    a.mw.clearOriginCache(APP);
    await tick();
    await tick();
    await acao(b.mw, APP);
    expect(b.asked).toEqual([APP, APP, APP]);
  });

  it('useClient answers false and reports when LISTEN fails, without clearing', async () => {
    const { server, b, onBusError } = setUp();
    await tick();
    await acao(b.mw, APP);
    const fresh = new PgClientFake(server);
    fresh.failListen = new Error('too many connections');
    expect(await b.bus.useClient(fresh)).toBe(false);
    expect(onBusError.mock.calls).toEqual([[fresh.failListen, 'subscribe']]);
    await acao(b.mw, APP);
    expect(b.asked).toEqual([APP]);
  });

  it('sends one query at a time on its client (pg 9 refuses concurrent ones), past a failed one', async () => {
    const pending: { text: string; settle: (ok: boolean) => void }[] = [];
    const client = Object.assign(new EventEmitter(), {
      query: (text: string) =>
        new Promise((resolve, reject) => {
          pending.push({
            text,
            settle: (ok) => {
              if (ok) resolve({});
              else reject(new Error('canceled'));
            },
          });
        }),
    });
    const bus = postgresBus({ client });
    const error = jest.fn();
    bus.subscribe(() => undefined, { resync: jest.fn(), error });
    const first = bus.publish('one') as Promise<void>;
    const second = bus.publish('two') as Promise<void>;
    await tick();
    expect(pending.map((q) => q.text)).toEqual(['LISTEN "corsguard_origin_cache"']);
    pending[0]!.settle(true);
    await tick();
    expect(pending).toHaveLength(2);
    pending[1]!.settle(false);
    await expect(first).rejects.toThrow('canceled');
    await tick();
    expect(pending).toHaveLength(3);
    pending[2]!.settle(true);
    await expect(second).resolves.toEqual({});
    expect(error).not.toHaveBeenCalled();
  });

  it('useClient refuses what is not a client', async () => {
    const bus = postgresBus({ client: new PgClientFake(new PgServerFake()) });
    await expect(bus.useClient({} as never)).rejects.toThrow(
      /useClient\(client\): expected a connected pg\.Client/,
    );
  });

  it('a bus used only with useClient, and a subscription without events, and unsubscribing', async () => {
    const server = new PgServerFake();
    const bus = postgresBus({ client: new PgClientFake(server) });
    const fresh = new PgClientFake(server);
    expect(await bus.useClient(fresh)).toBe(true);
    const onMessage = jest.fn();
    const unsubscribe = bus.subscribe(onMessage) as () => void;
    fresh.emit('end'); // no events to tell: nothing thrown
    fresh.emit('notification', { channel: POSTGRES_CHANNEL, payload: 'one' });
    unsubscribe();
    fresh.emit('notification', { channel: POSTGRES_CHANNEL, payload: 'two' });
    expect(onMessage.mock.calls).toEqual([['one']]);
    expect(fresh.queries.filter(([q]) => q.startsWith('LISTEN'))).toHaveLength(1);
  });
});
