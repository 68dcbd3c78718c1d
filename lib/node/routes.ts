import { type IncomingMessage, METHODS, type ServerResponse } from 'node:http';
import type { RouteMethods } from '../core/decision.js';
import { ACRM, isToken } from '../core/headers.js';

// Route awareness: which corsguard decides a request, and which methods the application's routes
// handle for its path. Everything corsguard knows about Express's router is in this module, and
// __tests__/routes.internals.test.ts checks each fact on Express 4 and Express 5:
//
// - The application is `req.app`; a sub-application (mounted with app.use) has `app.parent`.
// - The root router: Express 4 `app._router` (reading `app.router` there throws), Express 5
//   `app.router`. Its `stack` is an array of layers.
// - `layer.match(path)`: Express 4 and router 2.0-2.2 return a boolean and leave the matched part in
//   `layer.path` (and `layer.params`) on the shared layer; router 2.3 returns `{ path, ... }` or
//   `false` and touches nothing. Either may throw (a URIError for bad percent-encoding).
// - A route layer has `layer.route` with `methods` (lower-case keys, `_all` for route.all() and
//   router.all()) and `stack`, whose layers carry a lower-case `method` (none for those). app.all()
//   instead registers every method of `http.METHODS` one by one.
// - A mounted router is a layer without `route` whose `handle` has a `stack` array. The router trims
//   the matched prefix from the path, which must end at a `/` (Express 4 also accepts a `.`), and
//   the rest starts with `/`.
// - A sub-application (`app.use(path, sub)`) has `sub.parent` (the application it was mounted on)
//   and `sub.mountpath` (the path given). Its layer, on the parent's root router, is a closure named
//   `mounted_app` without a reference to it: a parent cannot look into its sub-applications. Inside
//   one, `req.app` is the sub-application and `req.originalUrl` still the whole path.
//
// The configuration that decides a request is the last corsguard it passes on its way to the first
// route that handles its method (for a preflight, the method it asks for). `.all()` routes are taken
// as middleware that passes the request on, and a route whose only handlers are corsguards handles
// nothing. With the usual order (app, then router, then route) the last is the most specific.
//
// Sub-applications. Inside one, its own routes are read, with the part of the path its mount
// consumed taken off (worked out from the `mounted_app` layers of each parent). A sub-application
// the path enters is, for the application around it, a route that may handle anything: corsguards
// after it do not count, and 'auto' falls back to the configured list. A corsguard cannot see the
// corsguards of a sub-application, so the first one a preflight meets decides it without them: for
// the actual request to be decided alike, a corsguard leaves alone a request that a corsguard which
// could not see it had decided already (leftAlone).

type Next = (err?: unknown) => void;
type AnyHandler = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

// Symbol.for: the ES module and CommonJS builds, if both are loaded, recognise each other.
const CORSGUARD = Symbol.for('corsguard.handler.v1');
const ROUTED = Symbol.for('corsguard.routed.v1');

/** What the route table says about a method and a path. */
interface Resolution {
  /** The corsguard that decides, undefined when the walk met none. */
  readonly target: AnyHandler | undefined;
  /** Every corsguard the request passes before its route, in the order it passes them. */
  readonly order: readonly AnyHandler[];
  readonly seen: ReadonlySet<AnyHandler>;
  /** The path enters a sub-application before any route handles the method. */
  readonly opaque: boolean;
  /** Undefined when `opaque`: the sub-application's routes are not known. */
  readonly methods: RouteMethods | undefined;
  /** Route stacks the answer was read from, with their lengths then (methods added later show). */
  readonly stamps: readonly Stamp[];
}

interface Stamp {
  readonly stack: readonly unknown[];
  readonly length: number;
}

/** A preflight handed to the configuration that decides it. */
interface Routed {
  readonly target: AnyHandler;
  readonly methods: RouteMethods | undefined;
}

type State = IncomingMessage & {
  [ROUTED]?: Routed;
  app?: unknown;
  originalUrl?: unknown;
};

/** Marks a handler built by corsguard, so the route walk recognises it. */
export function markHandler(handler: AnyHandler): void {
  (handler as AnyHandler & { [CORSGUARD]?: true })[CORSGUARD] = true;
}

function isCorsguard(value: unknown): value is AnyHandler {
  return typeof value === 'function' && (value as { [CORSGUARD]?: true })[CORSGUARD] === true;
}

// ---------------------------------------------------------------------------------------------------
// Preflights

function isPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && req.headers[ACRM] !== undefined;
}

/**
 * Gives a preflight to the configuration that decides it. Returns false when `self` answers it
 * (it decides, or there is no route table to ask), true when another corsguard took it or, with
 * `preflightContinue`, had already answered it. `methods` says whether the answer needs the route
 * methods (an `'auto'` configuration, or a delegate whose options may be).
 */
export function handOver(
  req: IncomingMessage,
  res: ServerResponse,
  next: Next,
  self: AnyHandler,
  methods: boolean,
): boolean {
  const state = req as State;
  const routed = state[ROUTED];
  if (routed !== undefined) {
    if (routed.target === self) return false;
    next();
    return true;
  }
  const resolution = lookup(req, req.headers[ACRM]!, self, !methods);
  if (resolution === undefined) return false;
  const target = resolution.target ?? self;
  state[ROUTED] = { target, methods: resolution.methods };
  if (target === self) return false;
  target(req, res, next);
  return true;
}

/** The route methods for this preflight, or undefined outside Express (the configured list then). */
export function routeMethods(req: IncomingMessage): RouteMethods | undefined {
  return (req as State)[ROUTED]?.methods;
}

/**
 * True when a more specific corsguard will decide this actual request after `self`: its decision is
 * then not published. Only asked when somebody listens to decisions.
 */
export function superseded(req: IncomingMessage, self: AnyHandler): boolean {
  if (isPreflight(req) || typeof req.method !== 'string') return false;
  const resolution = lookup(req, req.method, self, true);
  return (
    resolution !== undefined &&
    resolution.target !== self &&
    resolution.target !== undefined &&
    resolution.seen.has(self)
  );
}

// ---------------------------------------------------------------------------------------------------
// Sub-applications

/** Per request, the sub-applications whose corsguards leave it alone. */
const leaving = new WeakMap<IncomingMessage, object[]>();
/** Corsguards that have said once that they left a request alone. */
const warned = new WeakSet<AnyHandler>();

/**
 * True when `self` must leave this request alone, only calling `next()`, because the corsguard
 * that decided it already also decided its preflight, not seeing `self`:
 *
 * - inside a sub-application, unless that corsguard is one of the sub-application's own that the
 *   request passed before `self` (it may be one of an enclosing application, which cannot see the
 *   sub-application's routes, or one of another sub-application the request went through);
 * - elsewhere, when `self` comes after a sub-application the request went through.
 *
 * Asked only when a corsguard has decided the request already. In an application that mounts no
 * sub-application it costs the read of `req.app.parent` and of the application's table.
 */
export function leftAlone(req: IncomingMessage, self: AnyHandler): boolean {
  const app = (req as State).app;
  if (typeof app !== 'function') {
    // No route table (Connect, node:http): the first corsguard answered the preflight, so it
    // decides the actual request too.
    warnOnce(self, NO_ROUTES);
    return true;
  }
  const sub = (app as { parent?: unknown }).parent !== undefined;
  if (!sub && (tableOf(app)?.mounts.length ?? 0) === 0) return false;
  const left = leaving.get(req);
  if (left?.includes(app) !== true) {
    const method = req.method;
    const resolution = typeof method === 'string' ? lookup(req, method, self, false) : undefined;
    // After an earlier corsguard of this application: takes over, as usual.
    if ((resolution?.order.lastIndexOf(self) ?? -1) > 0) return false;
    if (!sub && resolution?.opaque !== true) return false;
    if (left === undefined) leaving.set(req, [app]);
    else left.push(app);
  }
  warnOnce(self, sub ? shadowedInside(app) : SHADOWED_AFTER);
  return true;
}

function warnOnce(self: AnyHandler, message: string): void {
  if (warned.has(self)) return;
  warned.add(self);
  process.emitWarning(message, {
    type: 'CorsguardWarning',
    code: message === NO_ROUTES ? 'CORSGUARD_NO_ROUTE_TABLE' : 'CORSGUARD_SUBAPP_SHADOWED',
  });
}

const NO_ROUTES =
  'a second cors() on the same request left it to the first one: outside Express (Connect, node:http) corsguard cannot see which of them is more specific, so the first one a request meets answers its preflight and decides its actual request to match. Use one cors() with an options delegate, cors((req, callback) => ...), to vary the configuration by path.';

function shadowedInside(app: object): string {
  return `a cors() inside the sub-application mounted at ${mountedAt(app)} left a request to another cors() that had decided it first: a cors() outside a sub-application cannot see the sub-application's routes, so it answers their preflights, and decides their actual requests to match. This configuration is not used for them. Mount these routes with express.Router() instead (corsguard reads a router's routes), or remove the other cors().`;
}

const SHADOWED_AFTER =
  "a cors() placed after a sub-application (app.use(path, subApp)) on the request's path left a request to the cors() that had decided it first: that one answers the preflights of the path, not seeing this one, and decides the actual requests to match. Put this cors() before the app.use(path, subApp) line, or mount the sub-application's routes with express.Router().";

/** Where a sub-application is mounted, for messages: `'/v2'`, or `'/inner' in '/v2'`. */
function mountedAt(app: object): string {
  const parts: string[] = [];
  for (let at: unknown = app; parts.length < MAX_DEPTH;) {
    const parent = (at as { parent?: unknown }).parent;
    if (parent === undefined) break;
    parts.push(showPath((at as { mountpath?: unknown }).mountpath));
    at = parent;
  }
  return parts.join(' in ');
}

function showPath(mountpath: unknown): string {
  if (typeof mountpath === 'string') return `'${mountpath}'`;
  if (Array.isArray(mountpath)) return `[${mountpath.map(showPath).join(', ')}]`;
  return String(mountpath);
}

// ---------------------------------------------------------------------------------------------------
// The route table of an application

interface Layer {
  readonly handle?: unknown;
  readonly route?: { readonly methods?: unknown; readonly stack?: unknown } | undefined;
  readonly method?: unknown;
  match?: (path: string) => unknown;
  path?: unknown;
  params?: unknown;
}

interface Table {
  readonly root: readonly Layer[];
  /** Express 4: a mount prefix may also end at a dot. */
  readonly dotBoundary: boolean;
  /** Router stacks (the root and every mounted router), to notice layers added later. */
  routers: Stamp[];
  /** Every corsguard in the tree. */
  handlers: Set<unknown>;
  /** Layers of the root stack that mount a sub-application. */
  mounts: Layer[];
  readonly cache: Map<string, Resolution>;
}

const tables = new WeakMap<object, Table>();

/** The methods app.all() registers one by one. */
const EVERY_METHOD = METHODS.map((m) => m.toLowerCase());

/** Most answers kept per application; past it the oldest goes (paths are chosen by clients). */
export const MAX_CACHED = 1000;
/** Longest method and path kept in the cache; longer ones are walked each time. */
export const MAX_CACHED_KEY = 2048;
/** Deepest nesting of routers walked. */
const MAX_DEPTH = 32;

const NO_METHODS: RouteMethods = methodsOf([]);
const SHORTCUT: Resolution = {
  target: undefined,
  order: [],
  seen: new Set(),
  opaque: false,
  methods: undefined,
  stamps: [],
};

/** The root stack of an application, and which router rules apply. */
function rootOf(app: unknown): { router: object; stack: Layer[]; v4: boolean } | undefined {
  if (typeof app !== 'function') return undefined;
  // Express 4 first: its `app.router` getter throws.
  const v4 = (app as { _router?: unknown })._router;
  const router = v4 ?? (app as { router?: unknown }).router;
  const stack = (router as { stack?: unknown } | undefined)?.stack;
  if (!Array.isArray(stack)) return undefined;
  return { router: router as object, stack: stack as Layer[], v4: v4 !== undefined };
}

function tableOf(app: unknown): Table | undefined {
  const root = rootOf(app);
  if (root === undefined) return undefined;
  let table = tables.get(root.router);
  if (table?.root !== root.stack) {
    table = {
      root: root.stack,
      dotBoundary: root.v4,
      routers: [],
      handlers: new Set(),
      mounts: [],
      cache: new Map(),
    };
    census(table);
    tables.set(root.router, table);
    return table;
  }
  for (const stamp of table.routers) {
    if (stamp.stack.length !== stamp.length) {
      census(table);
      break;
    }
  }
  return table;
}

/** Reads the whole tree once: its routers (to notice changes) and the corsguards in it. */
function census(table: Table): void {
  table.routers = [];
  table.handlers = new Set();
  table.mounts = table.root.filter(isMount);
  table.cache.clear();
  const visit = (stack: readonly Layer[], depth: number): void => {
    table.routers.push({ stack, length: stack.length });
    for (const layer of stack) {
      const inner = layer.route?.stack;
      if (Array.isArray(inner)) {
        for (const l of inner as Layer[]) if (isCorsguard(l.handle)) table.handlers.add(l.handle);
      } else if (isCorsguard(layer.handle)) {
        table.handlers.add(layer.handle);
      } else {
        const sub = routerStack(layer);
        if (sub !== undefined && depth < MAX_DEPTH && !table.routers.some((r) => r.stack === sub)) {
          visit(sub, depth + 1);
        }
      }
    }
  };
  visit(table.root, 0);
}

/** A layer that mounts a sub-application: `app.use(path, sub)`. */
function isMount(layer: Layer): boolean {
  return typeof layer.handle === 'function' && layer.handle.name === 'mounted_app';
}

function routerStack(layer: Layer): Layer[] | undefined {
  const stack = (layer.handle as { stack?: unknown } | null | undefined)?.stack;
  return Array.isArray(stack) ? (stack as Layer[]) : undefined;
}

/** The path Express routes on: the request target's path, without the query. */
function pathOf(req: IncomingMessage): string | undefined {
  const url = (req as State).originalUrl ?? req.url;
  if (typeof url !== 'string' || url.charCodeAt(0) !== 0x2f) return undefined; // absolute-form, *
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The path a sub-application routes on: what is left of `path` (the path its parent routes on)
 * once its mount consumed its part; undefined when that is not known, as when mounts at different
 * depths all match. A parent's mount layers do not say which sub-application they hold:
 * `mountpath`, when it is a plain path, tells them apart.
 */
function restOf(app: object, path: string, depth: number): string | undefined {
  const parent = (app as { parent?: unknown }).parent;
  if (parent === undefined) return path;
  const table = depth < MAX_DEPTH ? tableOf(parent) : undefined;
  const at = table === undefined ? undefined : restOf(parent as object, path, depth + 1);
  if (at === undefined) return undefined;
  const mountpath = (app as { mountpath?: unknown }).mountpath;
  let rest: string | undefined;
  for (const layer of table!.mounts) {
    const matched = matchLayer(layer, at);
    if (matched === STOP) return undefined;
    if (matched === undefined || !fits(mountpath, matched)) continue;
    const trimmed = trimPrefix(at, matched, table!.dotBoundary);
    if (trimmed === undefined) continue;
    if (rest !== undefined && trimmed !== rest) return undefined;
    rest = trimmed;
  }
  return rest;
}

/** Characters that make a mount path a pattern, in Express 4's paths and in Express 5's. */
const PATTERN = /[^A-Za-z0-9\-_.~/]/;

/** False when `matched` cannot be what the plain mount path `mountpath` matched. */
function fits(mountpath: unknown, matched: string): boolean {
  if (typeof mountpath !== 'string' || PATTERN.test(mountpath)) return true;
  return trimSlashes(mountpath).toLowerCase() === trimSlashes(matched).toLowerCase();
}

function trimSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return path.slice(0, end);
}

/**
 * What the route table says about `method` on the request's path, or undefined when there is no
 * table (not Express, a path Express would not route, a sub-application whose part of the path is
 * not known). With `shortcut`, a table where `self` is the only corsguard answers at once: `self`
 * decides everything.
 */
function lookup(
  req: IncomingMessage,
  method: string,
  self: AnyHandler,
  shortcut: boolean,
): Resolution | undefined {
  const app = (req as State).app;
  const table = tableOf(app);
  if (table === undefined) return undefined;
  if (
    shortcut &&
    (table.handlers.size === 0 || (table.handlers.size === 1 && table.handlers.has(self)))
  ) {
    return SHORTCUT;
  }
  const full = pathOf(req);
  const path = full === undefined ? undefined : restOf(app as object, full, 0);
  if (path === undefined) return undefined;
  const key = `${method} ${path}`;
  const cached = table.cache.get(key);
  if (cached?.stamps.every((s) => s.stack.length === s.length)) {
    return cached;
  }
  const resolution = walk(table, method, path);
  if (key.length <= MAX_CACHED_KEY) {
    table.cache.delete(key);
    if (table.cache.size >= MAX_CACHED) table.cache.delete(table.cache.keys().next().value!);
    table.cache.set(key, resolution);
  }
  return resolution;
}

/** Walks the tree as the router would dispatch `method` on `path`. */
function walk(table: Table, method: string, path: string): Resolution {
  const lower = method.toLowerCase();
  const candidates: AnyHandler[] = [];
  const names: string[] = [];
  const stamps: Stamp[] = [];
  let terminal = false;
  let any = false as boolean; // set inside visitRoute
  let stopped = false;
  let opaque = false as boolean; // set inside visit

  const visitRoute = (route: NonNullable<Layer['route']>): void => {
    const stack = route.stack;
    const declared = route.methods;
    if (!Array.isArray(stack) || typeof declared !== 'object' || declared === null) return;
    stamps.push({ stack, length: stack.length });
    const methods = declared as Readonly<Record<string, unknown>>;
    // Express serves HEAD with the GET handlers unless the route has its own HEAD.
    const served = lower === 'head' && methods.head !== true ? 'get' : lower;
    // .all() in either form: every method.
    const everything = methods._all === true || EVERY_METHOD.every((m) => methods[m] === true);
    let handles = false;
    for (const layer of stack as Layer[]) {
      const m = layer.method;
      if (isCorsguard(layer.handle)) {
        if (!terminal && (m === undefined || m === served)) candidates.push(layer.handle);
      } else if (everything || typeof m !== 'string') {
        any = true;
      } else {
        const name = m.toUpperCase();
        if (!names.includes(name)) names.push(name);
        if (m === served) handles = true;
      }
    }
    if (handles) terminal = true;
  };

  const visit = (stack: readonly Layer[], at: string, depth: number): void => {
    for (const layer of stack) {
      if (stopped) return;
      const matched = matchLayer(layer, at);
      if (matched === STOP) {
        // The router sends a request whose path it cannot decode to the error handlers.
        stopped = true;
        return;
      }
      if (matched === undefined) continue;
      if (layer.route !== undefined) {
        visitRoute(layer.route);
      } else if (isCorsguard(layer.handle)) {
        if (!terminal) candidates.push(layer.handle);
      } else if (isMount(layer)) {
        // A sub-application the request enters: what happens in it cannot be seen from here.
        if (!terminal && trimPrefix(at, matched, table.dotBoundary) !== undefined) {
          terminal = true;
          opaque = true;
        }
      } else {
        const sub = routerStack(layer);
        const rest = sub === undefined ? undefined : trimPrefix(at, matched, table.dotBoundary);
        if (sub !== undefined && rest !== undefined && depth < MAX_DEPTH)
          visit(sub, rest, depth + 1);
      }
    }
  };
  visit(table.root, path, 0);

  const get = names.indexOf('GET');
  if (get !== -1 && !names.includes('HEAD')) names.splice(get + 1, 0, 'HEAD');
  // Only a method name is ever sent back (RFC 9110 §5.6.2 token).
  if (any && isToken(method) && !names.includes(method)) names.push(method);
  return {
    target: candidates[candidates.length - 1],
    order: candidates,
    seen: new Set(candidates),
    opaque,
    methods: opaque ? undefined : names.length === 0 ? NO_METHODS : methodsOf(names),
    stamps,
  };
}

function methodsOf(list: readonly string[]): RouteMethods {
  return {
    list,
    set: new Set(list),
    header: list.length === 0 ? undefined : list.join(','),
    allow: list.length === 0 ? undefined : list.join(', '),
  };
}

const STOP = Symbol('stop');

/**
 * Matches a layer as the router does: the part of `path` it matched (`''` for a middleware on `/`),
 * undefined when it does not match, STOP when matching threw.
 */
function matchLayer(layer: Layer, path: string): string | undefined | typeof STOP {
  if (typeof layer.match !== 'function') return undefined;
  // The boolean form keeps its result on the shared layer: read it, then put back what was there.
  const { path: before, params } = layer;
  let matched: unknown;
  try {
    const result = layer.match(path);
    matched =
      result === true
        ? layer.path
        : typeof result === 'object' && result !== null
          ? (result as { path?: unknown }).path
          : undefined;
  } catch {
    return STOP;
  } finally {
    if (layer.path !== before) layer.path = before;
    if (layer.params !== params) layer.params = params;
  }
  return typeof matched === 'string' ? matched : undefined;
}

/** The path a mounted router sees, or undefined when the router would not take the request. */
function trimPrefix(path: string, matched: string, dotBoundary: boolean): string | undefined {
  if (matched.length === 0) return path;
  if (!path.startsWith(matched)) return undefined;
  const c = path[matched.length];
  if (c !== undefined && c !== '/' && !(dotBoundary && c === '.')) return undefined;
  const rest = path.slice(matched.length);
  return rest.charCodeAt(0) === 0x2f ? rest : `/${rest}`;
}
