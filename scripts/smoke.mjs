// Loads the built package by its name, as users do, in both module systems, and checks its shape.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
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
console.log('smoke: corsguard loads by name as ESM and CommonJS');
