#!/usr/bin/env node
// The `corsguard` bin: run() with the process's arguments and streams. Left out of the unit suite's
// coverage (jest.config.js): it only wires process to run(), which the tests call in-process; the
// packed bin is run by scripts/pack-check.mjs.
import { run } from './run.js';

// 2 until a verdict exists: a path nobody thought of (a promise that never settles, the event loop
// running dry) must not end as "allowed".
process.exitCode = 2;
run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    process.stderr.write(
      `corsguard: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 2;
  },
);
