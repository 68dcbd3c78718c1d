// Runs the example: ADMIN_TOKEN=secret node .build/examples/dynamic-origins-db/main.js
// PORT (default 4100) and DATABASE_FILE (default ./origins.db, created if missing) change the rest.
// REDIS_URL (redis://127.0.0.1:6379) turns on the many-instances mode: every instance started with
// the same DATABASE_FILE and REDIS_URL hears the others' admin changes (see many.ts).
import { resolve } from 'node:path';
import { createApp } from './app.js';
import { type RedisBusConnection, connectRedisBus } from './redis-bus.js';

function port(text: string | undefined): number {
  if (text === undefined || text === '') return 4100;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`PORT must be a port number from 0 to 65535, got "${text}"`);
  }
  return value;
}

async function main(): Promise<void> {
  const databaseFile = resolve(process.env.DATABASE_FILE ?? './origins.db');
  const redisUrl = process.env.REDIS_URL;
  let redis: RedisBusConnection | undefined;
  if (redisUrl !== undefined && redisUrl !== '') redis = await connectRedisBus(redisUrl);
  const { app, close } = createApp({
    databaseFile,
    adminToken: process.env.ADMIN_TOKEN,
    ...(redis && {
      bus: redis.bus,
      onBusError: (error: unknown, during: string) => {
        console.error(
          `cache bus (${during}): ${String(error)}; other instances catch up within the cache ttl`,
        );
      },
    }),
  });
  const server = app.listen(port(process.env.PORT), (err?: Error) => {
    if (err !== undefined) {
      close();
      fail(err);
      return;
    }
    const address = server.address();
    const portNumber = typeof address === 'object' && address ? address.port : 0;
    const mode = redis ? `, cache clears shared through ${String(redisUrl)}` : '';
    console.log(
      `dynamic origins from a database: http://localhost:${String(portNumber)} (origins in ${databaseFile}${mode})`,
    );
    // Started by many.ts: tell it the port.
    process.send?.({ listening: portNumber });
  });
  const shutdown = (signal: NodeJS.Signals): void => {
    console.log(`${signal}: closing the server and the database`);
    server.closeAllConnections();
    server.close(() => {
      close();
      void (redis?.close() ?? Promise.resolve()).then(() => process.exit(0));
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

function fail(err: unknown): never {
  const e = err as NodeJS.ErrnoException;
  console.error(
    e.code === 'EADDRINUSE'
      ? `dynamic-origins-db: the port is already in use; set PORT`
      : `dynamic-origins-db: ${e.message}`,
  );
  process.exit(1);
}

main().catch(fail);
