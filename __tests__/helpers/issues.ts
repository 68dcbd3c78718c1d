// What cors() refuses a configuration with, as the tests read it.
import { cors, CorsConfigError, type CorsConfigIssue } from '../../lib/index.js';

/** The issues `cors(options)` throws with, or none. */
export function issuesOf(options: unknown): readonly CorsConfigIssue[] {
  try {
    cors(options as never);
    return [];
  } catch (err) {
    if (!(err instanceof CorsConfigError)) throw err;
    return err.issues;
  }
}
