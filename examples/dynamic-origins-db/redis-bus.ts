// The many-instances mode: the instances share the SQLite file and a Redis, and each admin change's
// cache clear reaches the others through corsguard's redisBus over the application's own node-redis
// clients (a publisher, and a connection of its own for subscribing, as Redis requires).
import { type OriginCacheBus, redisBus } from 'corsguard';
import { createClient } from 'redis';

export interface RedisBusConnection {
  bus: OriginCacheBus;
  /** Closes both connections. */
  close: () => Promise<void>;
}

/** Connects to `url` (redis://127.0.0.1:6379) and builds the bus; rejects when Redis is not there. */
export async function connectRedisBus(url: string): Promise<RedisBusConnection> {
  // No offline queue: while Redis is down a clear fails at once (and is reported) instead of
  // waiting; every instance clears its whole cache when its subscriber is back.
  const publisher = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2000) },
  });
  const subscriber = publisher.duplicate();
  // node-redis asks for an 'error' listener; a lost connection is retried by the client itself.
  let said = '';
  const log = (who: string) => (err: Error) => {
    const line = `redis ${who}: ${err.message}`;
    if (line !== said) console.error(line);
    said = line;
  };
  publisher.on('error', log('publisher'));
  subscriber.on('error', log('subscriber'));
  await Promise.all([publisher.connect(), subscriber.connect()]);
  return {
    bus: redisBus({ publisher, subscriber }),
    close: async () => {
      await Promise.allSettled([publisher.close(), subscriber.close()]);
    },
  };
}
