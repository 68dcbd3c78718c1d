// originCache.bus over a real PostgreSQL (LISTEN/NOTIFY, started by this file on a free 127.0.0.1
// port) through postgresBus with a pg.Client per instance: the coherence scenarios with 2 and 3
// instances. The origins themselves stay in the shared SQLite file of the example.
import { coherence } from './bus-scenarios.js';
import { type RunningServer, startServer } from './servers.js';

let postgres: RunningServer;

beforeAll(async () => {
  postgres = await startServer('postgresql');
});

afterAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- beforeAll may have failed
  await postgres?.remove();
});

for (const count of [2, 3]) coherence('postgres', count, () => ({ PG_PORT: postgres.port }));
