// Builds dist/esm (ES modules) and dist/cjs (CommonJS) with plain tsc, then marks dist/cjs as CommonJS.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
const tsc = (project) =>
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], {
    stdio: 'inherit',
  });
tsc('tsconfig.esm.json');
tsc('tsconfig.cjs.json');
writeFileSync('dist/cjs/package.json', '{\n  "type": "commonjs"\n}\n');
// The CommonJS build is what old tools load (Jest 26 resolves require('node:util') as a file, webpack 4
// and browserify do not know the scheme): its requires of Node's modules go by their bare names,
// which every Node version corsguard supports resolves to the same modules. The ES module build
// keeps the node: scheme (Deno and bundlers for the edge need it).
for (const file of readdirSync('dist/cjs', { recursive: true })) {
  if (!String(file).endsWith('.js')) continue;
  const path = `dist/cjs/${String(file)}`;
  const code = readFileSync(path, 'utf8');
  const bare = code.replace(/require\("node:([a-z_/]+)"\)/g, 'require("$1")');
  if (bare !== code) writeFileSync(path, bare);
}
// The CommonJS build only needs its own entry and the modules behind it; index.* there is ESM's surface.
for (const name of ['index.js', 'index.d.ts']) rmSync(`dist/cjs/${name}`, { force: true });
// The bin (package.json "bin"; ES module code, whatever the consumer's module system) runs by its
// shebang: executable here too, as npm makes it on install.
chmodSync('dist/esm/cli/main.js', 0o755);
