// Loads the built package by its name, as users do, in both module systems, and checks its shape.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import esmDefault, {
  cors as esmNamed,
  CorsConfigError as EsmError,
  CorsTimeoutError as EsmTimeout,
  corsDecision as esmDecision,
  explainCors as esmExplain,
  postgresBus as esmPostgresBus,
  redisBus as esmRedisBus,
} from 'corsguard';

const require = createRequire(import.meta.url);
const cjs = require('corsguard');

assert.equal(typeof esmDefault, 'function', 'ESM default export is the factory');
assert.equal(esmDefault, esmNamed, 'ESM default and named cors are the same function');
assert.equal(typeof cjs, 'function', "require('corsguard') is the factory itself");
assert.equal(cjs.cors, cjs, 'require(...).cors is the factory');
assert.equal(cjs.default, cjs, 'require(...).default is the factory');
assert.equal(typeof cjs.CorsConfigError, 'function');
for (const [name, value] of [
  ['CorsTimeoutError', [EsmTimeout, cjs.CorsTimeoutError]],
  ['corsDecision', [esmDecision, cjs.corsDecision]],
  ['explainCors', [esmExplain, cjs.explainCors]],
  ['redisBus', [esmRedisBus, cjs.redisBus]],
  ['postgresBus', [esmPostgresBus, cjs.postgresBus]],
]) {
  assert.equal(typeof value[0], 'function', `ESM exports ${name}`);
  assert.equal(typeof value[1], 'function', `require(...).${name} exists`);
}
const explained = esmExplain(
  { origin: ['https://app.example'] },
  { headers: { Origin: 'https://evil.example' } },
);
assert.equal(explained.decision.reason, 'origin-not-allowed', 'explainCors works from the package');
for (const [name, factory, ErrorClass] of [
  ['esm', esmDefault, EsmError],
  ['cjs', cjs, cjs.CorsConfigError],
]) {
  const headers = new Map();
  const res = {
    headersSent: false,
    getHeader: (k) => headers.get(k.toLowerCase()),
    setHeader: (k, v) => headers.set(k.toLowerCase(), v),
  };
  let nextCalls = 0;
  factory({ origin: 'https://app.example' })(
    { method: 'GET', headers: { origin: 'https://app.example' } },
    res,
    () => nextCalls++,
  );
  assert.equal(
    headers.get('access-control-allow-origin'),
    'https://app.example',
    `${name}: sets the header`,
  );
  assert.equal(nextCalls, 1, `${name}: calls next once`);
  assert.throws(
    () => factory({ origin: '*', credentials: true }),
    ErrorClass,
    `${name}: refuses * with credentials`,
  );
}
// The bin: package.json names it, it starts with a shebang, and --help runs.
const { bin } = require('corsguard/package.json');
const binPath = join(dirname(require.resolve('corsguard/package.json')), bin.corsguard);
assert.match(
  readFileSync(binPath, 'utf8'),
  /^#!\/usr\/bin\/env node\n/,
  'the bin starts with a shebang',
);
const help = spawnSync(process.execPath, [binPath, '--help'], { encoding: 'utf8' });
assert.equal(help.status, 0, `corsguard --help exits 0: ${help.stderr}`);
assert.match(
  help.stdout,
  /corsguard check <url> --origin <origin>/,
  'corsguard --help documents check',
);
assert.match(help.stdout, /corsguard scan <url>/, 'corsguard --help documents scan');
console.log('smoke: corsguard loads by name as ESM and CommonJS, and its bin runs');
