// Builds dist/esm (ES modules) and dist/cjs (CommonJS) with plain tsc, then marks dist/cjs as CommonJS.
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
const tsc = (project) =>
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], {
    stdio: 'inherit',
  });
tsc('tsconfig.esm.json');
tsc('tsconfig.cjs.json');
writeFileSync('dist/cjs/package.json', '{\n  "type": "commonjs"\n}\n');
// The CommonJS build only needs its own entry and the modules behind it; index.* there is ESM's surface.
for (const name of ['index.js', 'index.d.ts']) rmSync(`dist/cjs/${name}`, { force: true });
// The bin (package.json "bin"; ES module code, whatever the consumer's module system) runs by its
// shebang: executable here too, as npm makes it on install.
chmodSync('dist/esm/cli/main.js', 0o755);
