// Runs the real-browser suite (jest.browser.config.js) when Chromium is on this machine.
// Without it the suite is skipped with a loud banner, or fails when CORSGUARD_REQUIRE_BROWSER=1 (CI).
// Extra arguments go to jest: `npm run test:browser -- credentials`.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const required = process.env.CORSGUARD_REQUIRE_BROWSER === '1';

function found(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

if (!found(chromium)) {
  const line = '!'.repeat(78);
  const banner = [
    line,
    `!!  BROWSER TESTS ${required ? 'FAILED' : 'SKIPPED'}: no Chromium at ${chromium}`,
    '!!',
    '!!  The real-browser suite (__tests__/browser) did not run, so CORS was not checked',
    '!!  against a real browser. To run it, install Chromium from your distribution:',
    '!!      apt-get install -y chromium',
    '!!  or point CHROMIUM_PATH at a Chromium or Chrome binary:',
    '!!      CHROMIUM_PATH=/path/to/chromium npm run test:browser',
    required
      ? '!!  CORSGUARD_REQUIRE_BROWSER=1 is set, so a missing browser is a failure.'
      : '!!  (Set CORSGUARD_REQUIRE_BROWSER=1 to make a missing browser a failure, as CI does.)',
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
  [jest, '-c', 'jest.browser.config.js', ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, CHROMIUM_PATH: chromium } },
);
if (result.error) throw result.error;
process.exit(result.status ?? 1);
