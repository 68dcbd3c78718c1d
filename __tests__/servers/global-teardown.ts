// Stops whatever server a test file left running (a failed beforeAll, a crashed worker) and
// deletes the run's folder, so no instance outlives `npm run test:servers`.
import type * as Servers from './servers.js';

export default async function globalTeardown(): Promise<void> {
  const dir = process.env.CORSGUARD_SERVERS_DIR;
  if (dir === undefined || dir === '') return;
  // Jest loads global hooks without moduleNameMapper, so './servers.js' would not resolve here;
  // its require hook does compile the TypeScript file named as it is.
  const { sweep } = require('./servers.ts') as typeof Servers;
  await sweep(dir);
}
