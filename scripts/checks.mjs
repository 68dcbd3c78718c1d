// What the package checks of scripts/ share: one line per check, a count of failures, and an
// environment for the npm and node commands they run.

/** A reporter printing `<name>: ok|FAIL <what>[: <detail>]` lines and counting the failures. */
export function reporter(name) {
  let failures = 0;
  return {
    report(ok, what, detail = '') {
      console.log(
        `${name}: ${ok ? 'ok  ' : 'FAIL'} ${what}${ok || detail === '' ? '' : `: ${detail}`}`,
      );
      if (!ok) failures++;
      return ok;
    },
    failures: () => failures,
  };
}

// npm run exports its own settings (npm_config_local_prefix is this repository): the commands the
// checks run must not inherit them, or an install could land here instead of in a fresh project;
// nor a Jest worker's variables.
export const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD' && !key.startsWith('JEST_'),
  ),
);
