// npm's `prepare` script. npm runs it on `npm install` and `npm ci` in this repository, after
// `prepack` in `npm pack` and `npm publish`, and in the clone it makes for
// `npm install github:owner/corsguard`, where it is the only script npm runs before packing (after
// installing the dev dependencies). It builds dist/ when dist/ is missing, as in a fresh clone, and
// otherwise leaves it: `prepack` has just built it afresh for a pack or a publish, and `npm test`
// builds before testing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const outputs = ['dist/esm/index.js', 'dist/cjs/cjs.js'];
if (outputs.every((file) => existsSync(file))) {
  console.log('prepare: dist/ is there; not building again (npm run build rebuilds it)');
} else if (!existsSync('node_modules/typescript/bin/tsc')) {
  // An install without dev dependencies (npm ci --omit=dev) in this repository: nothing to build with.
  console.log('prepare: TypeScript is not installed (dev dependencies omitted); dist/ not built');
} else {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
