// Shadow rollout: a candidate CORS configuration decides every request beside whatever answers today
// (the `cors` package or corsguard), changes nothing in the response, and reports each request it
// would decide differently, with the configuration the traffic asks for.
//
// Per request it runs the candidate on a copy of the request's CORS-relevant parts (so nothing is
// left on the request for corsDecision() or a later corsguard), and when the live answer is written
// (`finish`) it compares what a browser would make of each answer, with the Fetch Standard's checks
// of `corsguard check`. The Origin is the client's text: everything kept per origin is bounded, log
// lines are rate-limited and escaped.
import { channel } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { debuglog } from 'node:util';
import { type HeaderList, corsCheck, preflightCheck } from '../cli/fetch.js';
import { cors } from '../node/cors.js';
import { corsDecision } from '../node/decisions.js';
import { CorsConfigError, printable, show } from '../core/errors.js';
import { runDescribed } from '../node/explain.js';
import { ACRH, ACRM } from '../core/headers.js';
import { isInsecureOrigin, isOriginSyntax, parseOriginString } from '../core/origin.js';
import { PUBLIC_SUFFIXES } from '../core/suffixes.js';
import type { CorsOptions, CorsMiddleware } from '../types.js';

/**
 * One request the candidate decides differently: `would-refuse` (the live policy let the browser
 * read the answer, the candidate would not), or `would-allow` (the other way round).
 *
 * @public
 */
export interface ShadowEntry {
  /** The request's `Origin` (the client's text: do not use it raw as a metric label). */
  readonly origin: string;
  /** Which way the candidate differs. */
  readonly kind: 'would-refuse' | 'would-allow';
  /** True for a preflight. */
  readonly preflight: boolean;
  /** The request's method (a preflight's is the method it asks for). */
  readonly method: string;
  /** The request's path, without the query. */
  readonly path: string;
  /** Why the candidate decides so, in its own words. */
  readonly reason: string;
}

/** The disagreements of one origin and kind, counted. @public */
export interface ShadowDisagreement {
  /** The request's `Origin`. */
  readonly origin: string;
  /** Which way the candidate differs. */
  readonly kind: 'would-refuse' | 'would-allow';
  /** How many requests. */
  readonly count: number;
  /** True when a preflight was among them. */
  readonly preflight: boolean;
  /** The first such request. */
  readonly example: {
    /** Its method (a preflight's: the method it asks for). */
    readonly method: string;
    /** Its path, without the query. */
    readonly path: string;
    /** Why the candidate decides so. */
    readonly reason: string;
  };
}

/** What the traffic seen so far says about the candidate. @public */
export interface ShadowReport {
  /** Requests seen, CORS or not. */
  readonly requests: number;
  /** Per origin and kind, most requests first. */
  readonly disagreements: readonly ShadowDisagreement[];
  /** Disagreements of origins past `maxOrigins`, counted but not kept. */
  readonly otherOrigins: number;
  /**
   * The candidate's options with the origins the live policy allowed and the candidate refused
   * added (subdomains of one domain as a pattern), but for the risky ones: what enforcing it
   * would take, for `cors(report.suggestion)`.
   */
  readonly suggestion: CorsOptions;
  /** Origins the live policy allowed that the suggestion leaves out, with the reason. */
  readonly risky: readonly {
    /** The origin left out. */
    readonly origin: string;
    /** Why it is not suggested. */
    readonly reason: string;
  }[];
  /** Requests the shadow could not judge because something threw (reported, never raised). */
  readonly errors: number;
}

/** Settings of {@link shadow}. @public */
export interface ShadowSettings {
  /** Called for each request the candidate decides differently; what it throws is ignored. */
  onReport?: ((entry: ShadowEntry, req: IncomingMessage) => void) | undefined;
  /**
   * The most distinct origins kept in the report; the rest are counted in `otherOrigins`.
   * @defaultValue 1000
   */
  maxOrigins?: number | undefined;
}

/** The middleware {@link shadow} returns, with its report. @public */
export interface ShadowMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
  /** What the traffic seen so far says; a fresh object each call. */
  report(): ShadowReport;
}

const channelOf = channel('corsguard:shadow');
const debug = debuglog('corsguard');
/** One NODE_DEBUG line per origin and kind at most this often (milliseconds). */
const LOG_EVERY = 60_000;

/** The request as the browser sent it, for the checks: the method asked for, the headers named. */
interface Asked {
  readonly origin: string;
  readonly preflight: boolean;
  readonly method: string;
  readonly names: readonly string[];
  readonly credentials: boolean;
}

/** Whether a browser lets the page read this answer (or, for a preflight, go on). */
function browserAllows(asked: Asked, status: number, headers: HeaderList): boolean {
  if (!asked.preflight) return corsCheck(asked.origin, asked.credentials, headers) === null;
  const passed = preflightCheck(
    {
      origin: asked.origin,
      method: asked.method,
      credentials: asked.credentials,
      headers: asked.names.map((name) => [name, 'x'] as const),
    },
    status,
    headers,
  );
  return !('cause' in passed);
}

/** Response headers as a list: Node's values are strings, numbers or lists of strings. */
const listOf = (
  headers: Readonly<Record<string, string | number | readonly string[] | undefined>>,
): HeaderList =>
  Object.entries(headers).flatMap(([name, value]) =>
    value === undefined
      ? []
      : [[name, typeof value === 'object' ? value.join(', ') : String(value)] as const],
  );

interface Tally {
  count: number;
  preflight: boolean;
  readonly example: ShadowDisagreement['example'];
  logged: number;
}

/**
 * Tries a candidate CORS configuration on live traffic without enforcing it. Mount it before the
 * middleware that answers today (the `cors` package or corsguard): it changes nothing in any
 * response, never calls `next(err)`, and counts each request the candidate would decide
 * differently. `report()` gives the counts and the configuration the traffic asks for.
 *
 * The candidate is validated and compiled exactly as `cors(options)` is (same errors, same warnings).
 * Each disagreement also goes to `onReport`, to the `node:diagnostics_channel` channel
 * `corsguard:shadow` (`{ entry, req }`), and to a `NODE_DEBUG=corsguard` line at most once a
 * minute per origin and kind.
 *
 * @example
 * ```ts
 * const candidate = shadow({ origin: ['https://app.example.com'], credentials: true });
 * app.use(candidate);
 * app.use(cors({ origin: true, credentials: true })); // what answers today
 * app.get('/admin/cors-report', (_req, res) => res.json(candidate.report()));
 * ```
 * @public
 */
export function shadow(options: CorsOptions, settings: ShadowSettings = {}): ShadowMiddleware {
  if (typeof options === 'function') {
    throw new CorsConfigError([
      {
        option: 'options',
        value: options,
        message:
          'shadow() takes options, not an options delegate: the candidate must be one configuration to report on.',
      },
    ]);
  }
  const candidate: CorsMiddleware = cors(options);
  const maxOrigins = settings.maxOrigins ?? 1000;
  if (!Number.isInteger(maxOrigins) || maxOrigins < 1) {
    throw new CorsConfigError([
      {
        option: 'maxOrigins',
        value: maxOrigins,
        message: `expected a whole number of origins to keep, at least 1, got ${show(maxOrigins)}.`,
      },
    ]);
  }
  const onReport = settings.onReport;
  const tallies = new Map<string, Tally>();
  let requests = 0;
  let otherOrigins = 0;
  let errors = 0;

  const failed = (err: unknown): void => {
    errors++;
    debug('%s', printable(`shadow: a request could not be judged: ${String(err)}`));
  };

  const disagree = (entry: ShadowEntry, req: IncomingMessage): void => {
    const key = `${entry.kind} ${entry.origin}`;
    let tally = tallies.get(key);
    if (tally === undefined) {
      if (tallies.size >= maxOrigins * 2) {
        otherOrigins++;
      } else {
        tally = {
          count: 0,
          preflight: false,
          example: { method: entry.method, path: entry.path, reason: entry.reason },
          logged: -Infinity,
        };
        tallies.set(key, tally);
      }
    }
    if (tally !== undefined) {
      tally.count++;
      tally.preflight ||= entry.preflight;
      const now = Date.now();
      // debug() writes nothing unless NODE_DEBUG names corsguard.
      if (now - tally.logged >= LOG_EVERY) {
        tally.logged = now;
        debug(
          '%s',
          printable(
            `shadow: the candidate ${entry.kind === 'would-refuse' ? 'would refuse' : 'would allow'} ${entry.preflight ? 'a preflight' : 'a request'} ${entry.method} ${entry.path} from ${entry.origin} (${String(tally.count)} so far): ${entry.reason}`,
          ),
        );
      }
    }
    if (channelOf.hasSubscribers) channelOf.publish({ entry, req });
    if (onReport !== undefined) {
      try {
        onReport(entry, req);
      } catch {
        // onReport's failures are its own: the shadow changes nothing, raises nothing.
      }
    }
  };

  const observe = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = req.headers;
    const origin = headers.origin;
    if (typeof origin !== 'string') return; // not a CORS request: nothing for a browser to check
    const requested = headers[ACRM];
    const preflight = req.method === 'OPTIONS' && typeof requested === 'string';
    const asked: Omit<Asked, 'credentials'> = {
      origin,
      preflight,
      method: preflight ? requested : String(req.method),
      names:
        preflight && typeof headers[ACRH] === 'string'
          ? headers[ACRH].split(',')
              .map((name) => name.trim().toLowerCase())
              .filter((name) => name !== '')
          : [],
    };
    // Only what the candidate reads, copied: nothing is left on the live request.
    const copied: Record<string, string> = { origin };
    for (const name of [ACRM, ACRH, 'access-control-request-private-network']) {
      const value = headers[name];
      if (typeof value === 'string') copied[name] = value;
    }
    const described = {
      method: req.method,
      url: req.url,
      headers: copied,
    } as unknown as IncomingMessage;
    let candidateAnswer: { status: number; headers: HeaderList } | undefined;
    let live: { status: number; headers: HeaderList } | undefined;
    const compare = (): void => {
      if (candidateAnswer === undefined || live === undefined) return;
      // A cookie or Authorization makes an actual request credentialed; a preflight carries no
      // cookie, so it is judged as the live answer treats it.
      const credentials = preflight
        ? live.headers.some(
            ([name, value]) => name === 'access-control-allow-credentials' && value === 'true',
          )
        : headers.cookie !== undefined || headers.authorization !== undefined;
      const full = { ...asked, credentials };
      const liveAllows = browserAllows(full, live.status, live.headers);
      const candidateAllows = browserAllows(full, candidateAnswer.status, candidateAnswer.headers);
      if (liveAllows === candidateAllows) return;
      const decision = corsDecision(described);
      const reason =
        decision !== undefined && !decision.allowed
          ? `${decision.reason}: ${decision.message}`
          : candidateAllows
            ? 'the candidate allows it, and what answers today does not'
            : 'what the candidate answers would not pass the browser’s checks';
      disagree(
        {
          origin,
          kind: candidateAllows ? 'would-allow' : 'would-refuse',
          preflight,
          method: asked.method,
          path: String(req.url).split('?')[0]!,
          reason,
        },
        req,
      );
    };
    runDescribed(candidate, described, (answer) => {
      // A preflight passed on (preflightContinue) is answered by what follows; judged as a 200.
      candidateAnswer = { status: answer.statusCode ?? 200, headers: listOf(answer.headers) };
      compare();
    });
    res.once('finish', () => {
      try {
        live = { status: res.statusCode, headers: listOf(res.getHeaders()) };
        compare();
      } catch (err) {
        failed(err);
      }
    });
  };

  const middleware = function corsguardShadow(
    req: IncomingMessage,
    res: ServerResponse,
    next: (err?: unknown) => void,
  ): void {
    requests++;
    try {
      observe(req, res);
    } catch (err) {
      failed(err);
    }
    next();
  } as ShadowMiddleware;

  middleware.report = (): ShadowReport => {
    const disagreements = [...tallies.entries()]
      .map(([key, tally]) => ({
        origin: key.slice(key.indexOf(' ') + 1),
        kind: key.slice(0, key.indexOf(' ')) as ShadowEntry['kind'],
        count: tally.count,
        preflight: tally.preflight,
        example: tally.example,
      }))
      .sort((a, b) => b.count - a.count);
    const refusedButAllowedToday = disagreements
      .filter((d) => d.kind === 'would-refuse')
      .map((d) => d.origin);
    const { added, risky } = suggest(options, refusedButAllowedToday);
    return {
      requests,
      disagreements,
      otherOrigins,
      suggestion: withOrigins(options, added),
      risky,
      errors,
    };
  };
  return middleware;
}

/** The candidate's options with origins added to its list (a single origin becomes a list). */
function withOrigins(options: CorsOptions, added: readonly string[]): CorsOptions {
  if (added.length === 0) return { ...options };
  const origin = options.origin;
  // Left out, '*', true, false or a function: nothing to extend; the disagreements say the rest.
  const listed: readonly unknown[] | undefined = Array.isArray(origin)
    ? (origin as readonly unknown[])
    : (typeof origin === 'string' && origin !== '*') || origin instanceof RegExp
      ? [origin]
      : undefined;
  if (listed === undefined) return { ...options };
  return { ...options, origin: [...listed, ...added] as (string | RegExp)[] };
}

/**
 * The site of a host: one label more than the longest public suffix it ends with (its top-level
 * domain at least), so that a pattern under it never covers names anyone can register.
 */
function siteOf(host: string): string {
  const labels = host.split('.');
  let suffix = 1;
  for (let n = 2; n < labels.length; n++) {
    if (PUBLIC_SUFFIXES.has(labels.slice(-n).join('.'))) suffix = n;
  }
  return labels.slice(-(suffix + 1)).join('.');
}

/** The origins to add to the candidate, collapsed into patterns, and the risky ones left out. */
function suggest(
  options: CorsOptions,
  origins: readonly string[],
): { added: string[]; risky: { origin: string; reason: string }[] } {
  const credentials = options.credentials === true;
  const listed = Array.isArray(options.origin) ? options.origin : [options.origin];
  const hasLocalhost = listed.some((o) => typeof o === 'string' && /\/\/localhost(:|$)/.test(o));
  const risky: { origin: string; reason: string }[] = [];
  const safe: string[] = [];
  for (const origin of origins) {
    if (origin === 'null') {
      risky.push({
        origin,
        reason:
          'any page can send Origin: null (sandboxed iframes, data: URLs); corsguard refuses it in a list',
      });
    } else if (
      !isOriginSyntax(origin) ||
      parseOriginString(origin, () => undefined) === undefined
    ) {
      risky.push({ origin, reason: 'not an origin as browsers send it' });
    } else if (/^https?:\/\/localhost(:|$)/.test(origin) && !hasLocalhost) {
      risky.push({
        origin,
        reason: 'a developer machine: a page on anyone’s localhost could read these answers',
      });
    } else if (
      credentials &&
      isInsecureOrigin({ kind: 'exact', origin }) // http: on a host other than loopback
    ) {
      risky.push({
        origin,
        reason: 'plain http: with credentials: anyone on the network can impersonate it',
      });
    } else safe.push(origin);
  }
  // Several subdomains of one site (same scheme and port): one pattern under the site.
  const groups = new Map<string, string[]>();
  for (const origin of safe) {
    const { protocol, hostname, port } = new URL(origin);
    const site = siteOf(hostname);
    if (hostname === site || /^[0-9.]+$|^\[/.test(hostname)) continue;
    const key = `${protocol}//*.${site}${port === '' ? '' : `:${port}`}`;
    groups.set(key, [...(groups.get(key) ?? []), origin]);
  }
  const added: string[] = [];
  const covered = new Set<string>();
  for (const [pattern, members] of groups) {
    if (members.length < 2) continue;
    added.push(pattern);
    for (const origin of members) covered.add(origin);
  }
  for (const origin of safe) if (!covered.has(origin)) added.push(origin);
  return { added, risky };
}

/**
 * Reads origins from configuration text (`CORS_ORIGINS`): separated by commas and/or white space,
 * each an exact origin or a pattern, checked as the `origin` option checks it. A RegExp is never
 * built from the text. Throws a {@link CorsConfigError} naming each bad entry and its position,
 * with the spelling that fixes it as `suggestion` when there is one.
 *
 * @example
 * ```ts
 * app.use(cors({ origin: parseOrigins(process.env.CORS_ORIGINS ?? ''), credentials: true }));
 * ```
 * @public
 */
export function parseOrigins(text: string): string[] {
  if (typeof text !== 'string') {
    throw new CorsConfigError([
      {
        option: 'parseOrigins',
        value: text,
        message: `expected the text of a variable such as process.env.CORS_ORIGINS, got ${show(text)}; for an unset variable, decide what it means (process.env.CORS_ORIGINS ?? '').`,
      },
    ]);
  }
  const entries = text.split(/[\s,]+/).filter((entry) => entry !== '');
  const issues: { option: string; value: unknown; message: string; suggestion?: unknown }[] = [];
  entries.forEach((entry, i) => {
    parseOriginString(entry, (message, fix) => {
      const option = `entry ${String(i + 1)} of ${String(entries.length)}`;
      issues.push(
        fix === undefined
          ? { option, value: entry, message }
          : { option, value: entry, message, suggestion: fix.suggestion },
      );
    });
  });
  if (issues.length > 0) throw new CorsConfigError(issues);
  return entries;
}
