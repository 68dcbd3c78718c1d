// The coherence scenarios every bus passes, with 2 and 3 instances in processes of their own: an
// origin revoked through one instance's admin API is refused by every other within 200 ms (the
// median propagation delay is printed), an origin added drops the cached refusals everywhere, and
// (with 3 instances) 1,000 clears in a burst are all delivered. The cache ttl is 60 s, so only the bus explains it.
import {
  type Instance,
  type SharedDb,
  admin,
  allows,
  each,
  median,
  sharedDb,
  sleep,
  startInstances,
  stopInstances,
  until,
} from './bus-harness.js';

export type BusKind = 'node-redis' | 'ioredis' | 'postgres';

/** Runs the scenarios for `kind`; `env` gives the instances the bus's address. */
export function coherence(kind: BusKind, count: number, env: () => Record<string, unknown>): void {
  describe(`${String(count)} instances on a ${kind} bus`, () => {
    let db: SharedDb;
    let instances: Instance[] = [];
    const delays: number[] = [];

    beforeAll(async () => {
      db = sharedDb();
      instances = await startInstances(count, { BUS: kind, CACHE_TTL: 60_000, ...env() }, db);
    });

    afterAll(async () => {
      await stopInstances(instances);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- beforeAll may have failed
      db?.end();
      if (delays.length > 0) {
        console.log(
          `${kind}, ${String(count)} instances: median propagation ${median(delays).toFixed(1)} ms, max ${Math.max(...delays).toFixed(1)} ms over ${String(delays.length)} changes`,
        );
      }
    });

    /** Every instance answers `want` for `origin` (and caches that answer). */
    const everywhere = async (origin: string, want: boolean) => {
      expect(await Promise.all(instances.map(({ url }) => allows(url, origin)))).toEqual(
        instances.map(() => want),
      );
    };

    /** After a change through `from`, how long each other instance takes to answer `want`. */
    const propagation = async (from: Instance, origin: string, want: boolean) => {
      const others = instances.filter((i) => i !== from);
      const measured = await Promise.all(others.map(({ url }) => until(url, origin, want, 1000)));
      delays.push(...measured);
      for (const ms of measured) expect(ms).toBeLessThan(200);
    };

    it('revoking an origin on one instance is refused by every other within 200 ms', async () => {
      for (let k = 0; k < 6; k++) {
        const origin = `https://revoked-${String(k)}.example`;
        db.add([origin]);
        await everywhere(origin, true);
        await everywhere(origin, true); // served from the caches now
        const from = instances[k % count]!;
        expect(await admin(from.url, 'DELETE', origin)).toBe(204);
        expect(await allows(from.url, origin)).toBe(false);
        await propagation(from, origin, false);
      }
    });

    it('adding an origin on one instance drops the cached refusal everywhere', async () => {
      for (let k = 0; k < 6; k++) {
        const origin = `https://added-${String(k)}.example`;
        await everywhere(origin, false);
        const from = instances[k % count]!;
        expect(await admin(from.url, 'POST', origin)).toBe(201);
        expect(await allows(from.url, origin)).toBe(true);
        await propagation(from, origin, true);
      }
    });

    // The burst is run with three instances (not repeated with two), to keep the suite short.
    if (count < 3) return;
    it('loses none of 1,000 clears in a burst: every instance ends consistent with the database', async () => {
      const origins = Array.from({ length: 1000 }, (_, i) => `https://burst-${String(i)}.example`);
      db.add(origins);
      for (const { url } of instances) await each(origins, 50, (o) => allows(url, o));
      const before = await Promise.all(instances.map((i) => i.stats()));
      // Odd ones removed, even ones added again (already there: the admin API clears them anyway).
      const statuses = await each(origins, 100, (o) =>
        admin(instances[0]!.url, Number(/\d+/.exec(o)![0]) % 2 ? 'DELETE' : 'POST', o),
      );
      expect(statuses.filter((s) => s === 204)).toHaveLength(500);
      expect(statuses.filter((s) => s === 200)).toHaveLength(500);
      await sleep(300);
      for (const instance of instances) {
        const answers = await each(origins, 50, (o) => allows(instance.url, o));
        expect(answers.filter((allowed, i) => allowed !== db.has(origins[i]!))).toEqual([]);
      }
      // Each origin asked once before the burst and once after its clear, on every instance: a lost
      // message would have left an allowed origin's answer cached (asked once).
      for (const [n, instance] of instances.entries()) {
        const { lookups } = await instance.stats();
        const wrong = origins.filter((o) => lookups[o] !== 2);
        expect({ instance: n, wrong }).toEqual({ instance: n, wrong: [] });
        expect(before[n]!.lookups[origins[0]!]).toBe(1);
      }
    }, 60_000);
  });
}
