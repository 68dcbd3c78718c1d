// Runs the real-server suite (jest.servers.config.js): corsguard against PostgreSQL and Redis servers
// that the tests start themselves (__tests__/servers/servers.ts). Without PostgreSQL's programs or
// redis-server the suite is skipped with a loud banner, or fails in CI (CI=true) and when
// CORSGUARD_REQUIRE_SERVERS=1 or CORSGUARD_REQUIRE_BROWSER=1 is set. Extra arguments go to jest:
// `npm run test:servers -- timeout`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const required =
  process.env.CI === 'true' ||
  process.env.CORSGUARD_REQUIRE_SERVERS === '1' ||
  process.env.CORSGUARD_REQUIRE_BROWSER === '1';

/** Where the tests will look for PostgreSQL (the same search as findServer('postgresql')). */
function postgresBin() {
  const override = process.env.CORSGUARD_PG_BINDIR;
  if (override) return existsSync(join(override, 'postgres')) ? override : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return version === undefined ? undefined : join(root, version, 'bin');
}

/** Where the tests will look for redis-server (the same search as findServer('redis')). */
function redisServer() {
  const override = process.env.CORSGUARD_REDIS_SERVER;
  if (override) return existsSync(override) ? override : undefined;
  return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((file) => existsSync(file));
}

const missing = [];
if (postgresBin() === undefined) {
  const where = process.env.CORSGUARD_PG_BINDIR || '/usr/lib/postgresql/<version>/bin';
  missing.push({
    what: `no PostgreSQL in ${where}`,
    fix: [
      '!!      apt-get install -y postgresql',
      '!!  or point CORSGUARD_PG_BINDIR at a folder holding initdb, pg_ctl and postgres.',
    ],
  });
}
if (redisServer() === undefined) {
  missing.push({
    what: `no redis-server${process.env.CORSGUARD_REDIS_SERVER ? ` at ${process.env.CORSGUARD_REDIS_SERVER}` : ' in /usr/bin'}`,
    fix: [
      '!!      apt-get install -y redis-server',
      '!!  or point CORSGUARD_REDIS_SERVER at a redis-server program.',
    ],
  });
}

if (missing.length > 0) {
  const line = '!'.repeat(78);
  const banner = [
    line,
    `!!  SERVER TESTS ${required ? 'FAILED' : 'SKIPPED'}: ${missing.map((m) => m.what).join('; ')}`,
    '!!',
    '!!  The real-server suite (__tests__/servers) did not run, so dynamic origins were not checked',
    '!!  against a real database client (pg) and server, nor the origin cache bus against real',
    '!!  Redis and PostgreSQL servers. To run it, install what is missing:',
    ...missing.flatMap((m) => m.fix),
    '!!  (The tests start their own servers on free 127.0.0.1 ports; the system services are not used.)',
    required
      ? '!!  CI=true, CORSGUARD_REQUIRE_SERVERS=1 or CORSGUARD_REQUIRE_BROWSER=1 is set: a failure.'
      : '!!  (Set CORSGUARD_REQUIRE_SERVERS=1 to make missing servers a failure, as CI does.)',
    line,
  ].join('\n');
  if (required) {
    console.error(banner);
    process.exit(1);
  }
  console.log(banner);
  process.exit(0);
}

const jest = createRequire(import.meta.url).resolve('jest/bin/jest');
const result = spawnSync(
  process.execPath,
  [jest, '-c', 'jest.servers.config.js', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
if (result.error) throw result.error;
process.exit(result.status ?? 1);
