// The corsguard build under test. The first module to load this copies dist/esm to a private
// temporary directory and every part of the run (this process and the HTTP servers, through the
// environment) imports that copy: a rebuild while the benchmark runs (another terminal, a watcher)
// cannot swap the code halfway through. CORSGUARD_BENCH_DIST=<dir with index.js> measures another
// build instead, e.g. one made from a clean checkout of a commit.
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function snapshot() {
  const built = path.join(ROOT, 'dist', 'esm');
  if (!existsSync(path.join(built, 'index.js'))) {
    throw new Error(
      'bench: dist/esm/index.js is missing; run `npm run build` (npm run bench does).',
    );
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'corsguard-bench-'));
  cpSync(built, dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  process.on('exit', () => {
    rmSync(dir, { recursive: true, force: true });
  });
  process.env.CORSGUARD_BENCH_DIST = dir;
  return dir;
}

/** True when CORSGUARD_BENCH_DIST named the build, rather than this run's snapshot of dist/esm. */
export const EXTERNAL = process.env.CORSGUARD_BENCH_DIST !== undefined;
export const DIST = process.env.CORSGUARD_BENCH_DIST ?? snapshot();
const loaded = await import(pathToFileURL(path.join(DIST, 'index.js')).href);

/** The factory, as `import cors from 'corsguard'` gives it. */
export default loaded.default;
