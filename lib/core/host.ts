// What the core uses of the runtime it runs in: the `corsguard:decision` diagnostics channel, the
// NODE_DEBUG=corsguard lines and process warnings. The core imports no Node module, so that the
// Fetch front loads where there is none (workerd without nodejs_compat). Each front hands the core
// its host once, when it loads: the Node front from its own imports of node:diagnostics_channel and
// node:util (every Node version corsguard supports), the Fetch front through
// process.getBuiltinModule where the runtime has it (Node 20.16 and later, Bun, Deno, workerd with
// nodejs_compat). Until then, and where there is none, nothing is published and warnings go to
// console.warn.

/** The part of a diagnostics channel the core uses. */
export interface Channel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

/** The part of `util.debuglog('corsguard')` the core uses. */
export type DebugLog = ((format: string, ...args: unknown[]) => void) & {
  readonly enabled: boolean;
};

/** A process warning, as `process.emitWarning(message, { type, code })` takes it. */
export type EmitWarning = (message: string, options: { type: string; code: string }) => void;

/** What a front provides. */
export interface Provided {
  readonly decisions: Channel;
  readonly debug: DebugLog;
  readonly emitWarning: EmitWarning;
}

export interface Host extends Provided {
  /** `debug.enabled`, read once: the per-request path asks it of every decision. */
  readonly debugEnabled: boolean;
}

/** A debug log that is off. */
export const SILENT: DebugLog = Object.assign((): void => undefined, { enabled: false });

const NONE: Host = {
  decisions: { hasSubscribers: false, publish: SILENT },
  debug: SILENT,
  debugEnabled: false,
  emitWarning: (message) => {
    console.warn(message);
  },
};

/** The runtime's channel, debug lines and warnings (read at each use: a front may set it later). */
export let host: Host = NONE;

/** Sets the host, once: the first front that loads provides it. */
export function provideHost(make: () => Provided | undefined): void {
  if (host !== NONE) return;
  const provided = make();
  if (provided !== undefined) host = { ...provided, debugEnabled: provided.debug.enabled };
}
