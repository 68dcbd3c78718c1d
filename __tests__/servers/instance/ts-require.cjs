// Lets a forked child process run the TypeScript sources as they are, as jest's ts-jest does for
// the test files themselves: `.ts` files are transpiled to CommonJS on require, `./x.js` imports
// resolve to `./x.ts`, and `corsguard` to lib/index.ts. The bus tests fork instance.cjs, which
// loads this first, so every instance runs the current source, never a stale build.
'use strict';
/* global __dirname */
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const crypto = require('node:crypto');
const os = require('node:os');

const root = path.resolve(__dirname, '../../..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  let target = request;
  if (request === 'corsguard') target = path.join(root, 'lib', 'index.ts');
  else if (
    parent?.filename?.endsWith('.ts') &&
    /^\.\.?\//.test(request) &&
    request.endsWith('.js')
  ) {
    const candidate = path.resolve(path.dirname(parent.filename), `${request.slice(0, -3)}.ts`);
    if (fs.existsSync(candidate)) target = candidate;
  }
  return resolve.call(this, target, parent, ...rest);
};

// Transpiled files are kept by content hash, in the run's folder when there is one: the first
// instance pays for loading TypeScript, the others start in a fraction of the time.
const cache = path.join(process.env.CORSGUARD_SERVERS_DIR || os.tmpdir(), 'ts-require-cache');
fs.mkdirSync(cache, { recursive: true });
let ts;
function transpile(source, filename) {
  ts ??= require('typescript');
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
  };
  return ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
}
Module._extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto
    .createHash('sha256')
    .update(filename)
    .update('\0')
    .update(source)
    .digest('hex');
  const cached = path.join(cache, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    output = transpile(source, filename);
    const temporary = `${cached}.${String(process.pid)}`;
    fs.writeFileSync(temporary, output);
    fs.renameSync(temporary, cached);
  }
  module._compile(output, filename);
};
