// Runs the example: ADMIN_TOKEN=secret node .build/examples/dynamic-origins-db/main.js
// PORT (default 4100) and DATABASE_FILE (default ./origins.db, created if missing) change the rest.
import { resolve } from 'node:path';
import { createApp } from './app.js';

function port(text: string | undefined): number {
  if (text === undefined || text === '') return 4100;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`PORT must be a port number from 0 to 65535, got "${text}"`);
  }
  return value;
}

function main(): void {
  const databaseFile = resolve(process.env.DATABASE_FILE ?? './origins.db');
  const { app, close } = createApp({ databaseFile, adminToken: process.env.ADMIN_TOKEN });
  const server = app.listen(port(process.env.PORT), (err?: Error) => {
    if (err !== undefined) {
      close();
      fail(err);
      return;
    }
    const address = server.address();
    const url = `http://localhost:${typeof address === 'object' && address ? String(address.port) : '?'}`;
    console.log(`dynamic origins from a database: ${url} (origins in ${databaseFile})`);
  });
  const shutdown = (signal: NodeJS.Signals): void => {
    console.log(`${signal}: closing the server and the database`);
    server.closeAllConnections();
    server.close(() => {
      close();
      process.exit(0);
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

try {
  main();
} catch (err) {
  fail(err);
}
