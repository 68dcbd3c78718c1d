// originCache.bus over a real Redis (Debian's redis-server, started by this file on a free
// 127.0.0.1 port), through redisBus with node-redis and with ioredis clients: the coherence
// scenarios with 2 and 3 instances, then the faults: Redis stopped (a failed publish still clears
// locally, is reported, and the ttl bounds how long another instance stays stale), Redis restarted
// (every instance clears its whole cache once resubscribed), garbage on the channel (ignored).
import { createClient } from 'redis';
import {
  type Instance,
  type SharedDb,
  admin,
  allows,
  sharedDb,
  sleep,
  startInstances,
  stopInstances,
  until,
} from './bus-harness.js';
import { coherence } from './bus-scenarios.js';
import { type RunningServer, startServer } from './servers.js';

let redis: RunningServer;
const url = () => `redis://${redis.host}:${String(redis.port)}`;

beforeAll(async () => {
  redis = await startServer('redis');
});

afterAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- beforeAll may have failed
  await redis?.remove();
});

for (const kind of ['node-redis', 'ioredis'] as const) {
  for (const count of [2, 3]) coherence(kind, count, () => ({ REDIS_URL: url() }));
}

const TTL = 3000;

describe.each(['node-redis', 'ioredis'] as const)('faults, %s clients', (kind) => {
  let db: SharedDb;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    db = sharedDb();
    [a, b] = (await startInstances(2, { BUS: kind, CACHE_TTL: TTL, REDIS_URL: url() }, db)) as [
      Instance,
      Instance,
    ];
  });

  afterAll(async () => {
    await stopInstances([a, b].filter(Boolean)); // beforeAll may have failed
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    db?.end();
    if (!redis.running()) await redis.start();
  });

  /** Waits until `instance` has reported `count` bus errors during `during`. */
  const reported = async (instance: Instance, during: string, count = 1) => {
    for (let i = 0; i < 300; i++) {
      const { busErrors } = await instance.stats();
      if (busErrors.filter((e) => e.during === during).length >= count) return busErrors;
      await sleep(10);
    }
    throw new Error(`no ${during} error reported`);
  };

  it('Redis stopped: the revoking instance refuses at once, the failed publish is reported once, the other refuses within ttl', async () => {
    const origin = `https://stopped-${kind}.example`;
    db.add([origin]);
    expect(await allows(a.url, origin)).toBe(true);
    expect(await allows(b.url, origin)).toBe(true);
    const cachedAt = performance.now();
    await redis.stop('fast');
    // Both subscribers noticed (reported once each); the publisher's connection went with them.
    await reported(a, 'subscribe');
    await reported(b, 'subscribe');
    expect(await admin(a.url, 'DELETE', origin)).toBe(204);
    expect(await allows(a.url, origin)).toBe(false);
    const errors = await reported(a, 'publish');
    expect(errors.filter((e) => e.during === 'publish')).toHaveLength(1);
    expect(errors.filter((e) => e.during === 'subscribe')).toHaveLength(1);
    expect(await allows(b.url, origin)).toBe(true); // stale: nothing reached it
    await until(b.url, origin, false, TTL + 1000);
    expect(performance.now() - cachedAt).toBeLessThan(TTL + 500);
  });

  it('Redis restarted: every instance clears its whole cache once resubscribed', async () => {
    expect(redis.running()).toBe(false);
    const revoked = `https://restart-revoked-${kind}.example`;
    const kept = `https://restart-kept-${kind}.example`;
    db.add([revoked, kept]);
    expect(await allows(b.url, revoked)).toBe(true);
    expect(await allows(b.url, kept)).toBe(true);
    const cachedAt = performance.now();
    db.remove([revoked]); // behind the application's back: no message at all
    const asked = (await b.stats()).lookups[kept];
    await redis.start();
    await until(b.url, revoked, false, TTL);
    expect(performance.now() - cachedAt).toBeLessThan(TTL / 2); // the resync, not the ttl
    expect(await allows(b.url, kept)).toBe(true);
    expect((await b.stats()).lookups[kept]).toBe(asked! + 1); // the whole cache went
    // And the bus carries clears again.
    const origin = `https://after-restart-${kind}.example`;
    db.add([origin]);
    expect(await allows(b.url, origin)).toBe(true);
    // A's publisher reconnects on its own schedule, maybe after the subscribers: a clear it cannot
    // send yet is reported (and the ttl covers it); the admin API clears again on a second DELETE.
    const failedBefore = (await a.stats()).busErrors.length;
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      expect(await admin(a.url, 'DELETE', origin)).toBe(attempt === 0 ? 204 : 404);
      const ms = await until(b.url, origin, false, 200).catch(() => undefined);
      if (ms !== undefined) break;
      const { busErrors } = await a.stats();
      expect(busErrors.slice(failedBefore).map((e) => e.during)).toContain('publish');
      expect(performance.now() - started).toBeLessThan(2000);
    }
  });

  it('garbage on the channel is ignored: nothing cleared, nothing broken', async () => {
    // First, both subscribers hear the other instance again: after the restart above, a
    // subscriber's resync (its whole cache cleared once) may still be on its way, and would count
    // as a lookup here.
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const probe = `https://probe-${from === a ? 'a' : 'b'}-${kind}.example`;
      db.add([probe]);
      for (let i = 0; i < 100 && !(await allows(to.url, probe)); i++) await sleep(20);
      expect(await allows(to.url, probe)).toBe(true);
      expect(await admin(from.url, 'DELETE', probe)).toBe(204);
      await until(to.url, probe, false, 2000);
    }
    const origin = `https://garbage-${kind}.example`;
    db.add([origin]);
    for (const i of [a, b]) expect(await allows(i.url, origin)).toBe(true);
    const before = await Promise.all([a, b].map(async (i) => (await i.stats()).lookups[origin]));
    const raw = createClient({ url: url() });
    raw.on('error', () => undefined);
    await raw.connect();
    try {
      for (const garbage of [
        '',
        'hello',
        '{"corsguard":1,"from":"intruder","origin":null}',
        '{"corsguard":2,"from":"intruder"}',
        '{"type":"cache-invalidate","key":"users:5"}',
        '[1,2,3]',
        `{"corsguard":1,"from":"intruder","origin":"${'x'.repeat(5000)}"}`,
        '\u0000\uffff',
      ]) {
        await raw.publish('corsguard:origin-cache', garbage);
      }
    } finally {
      await raw.close();
    }
    await sleep(100);
    for (const i of [a, b]) expect(await allows(i.url, origin)).toBe(true);
    const after = await Promise.all([a, b].map(async (i) => (await i.stats()).lookups[origin]));
    expect(after).toEqual(before);
    expect(await admin(a.url, 'DELETE', origin)).toBe(204);
    await until(b.url, origin, false, 200);
  });
});
