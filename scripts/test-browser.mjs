// Runs the real-browser suite (jest.browser.config.js) in every engine found on this machine:
// Chromium (Debian's `chromium`) and Firefox (Debian's `firefox-esr`), both driven by puppeteer-core.
// `--engine chromium` or `--engine firefox` runs one engine; the default is both. A missing browser
// is skipped with a loud banner, or fails when CORSGUARD_REQUIRE_BROWSER=1 (CI).
// Other arguments go to jest: `npm run test:browser -- credentials --engine firefox`.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';

const BROWSERS = {
  chromium: {
    path: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    variable: 'CHROMIUM_PATH',
    install: 'apt-get install -y chromium',
  },
  firefox: {
    path: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
    variable: 'FIREFOX_PATH',
    install: 'apt-get install -y firefox-esr',
  },
};
const required = process.env.CORSGUARD_REQUIRE_BROWSER === '1';

const jestArgs = [];
const asked = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--engine') asked.push(args[++i]);
  else if (arg.startsWith('--engine=')) asked.push(arg.slice('--engine='.length));
  else jestArgs.push(arg);
}
for (const engine of asked) {
  if (!(engine in BROWSERS)) {
    console.error(`test-browser: unknown engine "${engine}" (chromium or firefox)`);
    process.exit(2);
  }
}
const engines = asked.length > 0 ? [...new Set(asked)] : Object.keys(BROWSERS);

function found(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const missing = engines.filter((engine) => !found(BROWSERS[engine].path));
if (missing.length > 0) {
  const line = '!'.repeat(78);
  const ran = engines.filter((engine) => !missing.includes(engine));
  const banner = [
    line,
    ...missing.map(
      (engine) =>
        `!!  BROWSER TESTS ${required ? 'FAILED' : 'SKIPPED'} in ${engine}: no browser at ${BROWSERS[engine].path}`,
    ),
    '!!',
    ran.length > 0
      ? `!!  The real-browser suite (__tests__/browser) runs in ${ran.join(' and ')} only, so CORS was`
      : '!!  The real-browser suite (__tests__/browser) did not run, so CORS was not checked',
    ran.length > 0
      ? `!!  not checked in ${missing.join(' or ')}. Install it from your distribution:`
      : '!!  against a real browser. Install the browsers from your distribution:',
    ...missing.map((engine) => `!!      ${BROWSERS[engine].install}`),
    '!!  or point the variable at the binary:',
    ...missing.map(
      (engine) => `!!      ${BROWSERS[engine].variable}=/path/to/${engine} npm run test:browser`,
    ),
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
  if (ran.length === 0) process.exit(0);
}

const run = engines.filter((engine) => !missing.includes(engine));
const jest = createRequire(import.meta.url).resolve('jest/bin/jest');
const result = spawnSync(process.execPath, [jest, '-c', 'jest.browser.config.js', ...jestArgs], {
  stdio: 'inherit',
  env: {
    ...process.env,
    CORSGUARD_BROWSER_ENGINES: run.join(','),
    CHROMIUM_PATH: BROWSERS.chromium.path,
    FIREFOX_PATH: BROWSERS.firefox.path,
  },
});
if (result.error) throw result.error;
// A missing browser skipped outside CI leaves the banner above the results; print it again after
// them, where it is seen.
if (missing.length > 0)
  console.log(`test-browser: not run in ${missing.join(' and ')} (see above)`);
process.exit(result.status ?? 1);
