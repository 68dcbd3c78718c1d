// One instance of examples/dynamic-origins-db for the bus tests: the example's createApp on the
// shared SQLite file, with the bus named by BUS (node-redis, ioredis or postgres) over the clients
// a user would create, tuned for tests (reconnect every 50 ms, no offline queue). Counts the
// lookups reaching the database per origin and records onBusError calls, both read over IPC.
import { type OriginCacheBus, postgresBus, redisBus } from 'corsguard';
import { Redis } from 'ioredis';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createClient } from 'redis';
import { createApp } from '../../../examples/dynamic-origins-db/app.js';
import { type OriginStore, openSqliteStore } from '../../../examples/dynamic-origins-db/db.js';

export interface Stats {
  lookups: Record<string, number>;
  busErrors: { during: string; message: string }[];
}

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`instance: ${name} is not set`);
  return value;
};

async function connectBus(kind: string): Promise<OriginCacheBus> {
  switch (kind) {
    case 'node-redis': {
      const publisher = createClient({
        url: env('REDIS_URL'),
        disableOfflineQueue: true,
        socket: { reconnectStrategy: () => 50 },
      });
      const subscriber = publisher.duplicate();
      publisher.on('error', () => undefined);
      subscriber.on('error', () => undefined);
      await Promise.all([publisher.connect(), subscriber.connect()]);
      return redisBus({ publisher, subscriber });
    }
    case 'ioredis': {
      const options = { retryStrategy: () => 50, maxRetriesPerRequest: 0 };
      const publisher = new Redis(env('REDIS_URL'), {
        ...options,
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
      });
      const subscriber = new Redis(env('REDIS_URL'), options);
      publisher.on('error', () => undefined);
      subscriber.on('error', () => undefined);
      await Promise.all(
        [publisher, subscriber].map(
          (client) => new Promise((resolve) => client.once('ready', resolve)),
        ),
      );
      return redisBus({ publisher, subscriber });
    }
    case 'postgres': {
      const client = new pg.Client({
        host: '127.0.0.1',
        port: Number(env('PG_PORT')),
        user: 'postgres',
        database: 'postgres',
      });
      client.on('error', () => undefined);
      await client.connect();
      return postgresBus({ client });
    }
    default:
      throw new Error(`instance: unknown BUS ${kind}`);
  }
}

async function main(): Promise<void> {
  const stats: Stats = { lookups: {}, busErrors: [] };
  const sqlite = openSqliteStore(env('DATABASE_FILE'));
  const store: OriginStore = {
    ...sqlite,
    isAllowed(origin) {
      stats.lookups[origin] = (stats.lookups[origin] ?? 0) + 1;
      return sqlite.isAllowed(origin);
    },
  };
  const { app } = createApp({
    store,
    adminToken: 'secret',
    cacheTtl: Number(env('CACHE_TTL')),
    bus: await connectBus(env('BUS')),
    onBusError: (error, during) => {
      stats.busErrors.push({ during, message: String(error) });
    },
  });
  const server = app.listen(0, '127.0.0.1', () => {
    process.send!({ listening: (server.address() as AddressInfo).port });
  });
  process.on('message', (message: { id: number; cmd: string }) => {
    if (message.cmd === 'stats') process.send!({ id: message.id, stats });
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
