// Options to a policy, once per content, with the configuration's warnings emitted once per
// process: what every front does when it is built (Node's cors(), corsguard/fetch's cors()).
import { ContentCache } from './content.js';
import { host } from './host.js';
import {
  type CorsWarning,
  type Policy,
  UNKNOWN_OPTIONS_IGNORED,
  compileOptions,
} from './options.js';

/** A configuration compiled once per content, whichever front built it. */
export interface Compiled {
  readonly policy: Policy;
  readonly warnings: readonly CorsWarning[];
}

// Middlewares built per request (`cors({...})(req, res, next)` inside another middleware, as
// Companion does) or several times with equal options compile once: a bounded cache by content
// (content.ts; never by identity alone, so an edited object is compiled afresh).
const compiledOptions = new ContentCache<Compiled>((options) => compileOptions(options), 64);
const NO_OPTIONS: object = Object.freeze({});

/**
 * The compiled form of options as `cors()` takes them: `undefined`, `null` and `true` (engine.io
 * passes `cors: true` through) mean the defaults; anything that is no options object is refused by
 * compileOptions (a CorsConfigError), never cached.
 */
export function compiled(options: unknown): Compiled {
  const given =
    options === undefined || options === null || options === true ? NO_OPTIONS : options;
  return typeof given === 'object' && !Array.isArray(given)
    ? compiledOptions.get(given)
    : compileOptions(given);
}

/**
 * Reports the warnings of a compiled configuration; `compiled` is the configuration they belong to
 * when it is compiled once per content (the same object for equal options), undefined for the
 * answers of a delegate.
 */
export type WarningSink = (warnings: readonly CorsWarning[], compiled?: object) => void;

/** Warnings emitted once per process whatever configuration they come from (by their text). */
const emittedInProcess = new Set<string>();

function warnOnce(warnings: readonly CorsWarning[], emitted: Set<string>): void {
  for (const warning of warnings) {
    if (warning.code === UNKNOWN_OPTIONS_IGNORED) {
      if (emittedInProcess.has(warning.message)) continue;
      emittedInProcess.add(warning.message);
    } else if (emitted.has(warning.code)) continue;
    emitted.add(warning.code);
    host.emitWarning(warning.message, { type: 'CorsguardWarning', code: warning.code });
  }
}

/** Configurations whose warnings have been emitted: each warns once per process. */
const warnedConfigurations = new WeakSet();

/** Emits the warnings of a configuration once per process (it is compiled once per content). */
export const emitOnce: WarningSink = (warnings, compiled) => {
  if (warnings.length === 0 || warnedConfigurations.has(compiled!)) return;
  warnedConfigurations.add(compiled!);
  warnOnce(warnings, new Set());
};

/** Emits the warnings of a delegate's answers once per delegate middleware and code. */
export function perDelegate(): WarningSink {
  const emitted = new Set<string>();
  return (warnings) => {
    warnOnce(warnings, emitted);
  };
}
