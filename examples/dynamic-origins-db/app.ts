// Allowed origins that live in a database and change while the application runs: one row per
// tenant's origin in SQLite, looked up by a corsguard function origin whose answers are cached, with
// a time limit, and an admin API that adds and removes rows and drops the cached answer it changes.
import cors, {
  CorsConfigError,
  CorsTimeoutError,
  type OriginCacheBus,
  corsDecision,
  explainCors,
} from 'corsguard';
import express from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { type OriginStore, openSqliteStore } from './db.js';

interface CommonOptions {
  /** The bearer token of the admin API (`ADMIN_TOKEN` in main.ts). Required, not empty. */
  adminToken: string | undefined;
  /**
   * Milliseconds an origin's answer is kept. Changes made through the admin API apply at once (the
   * entry is dropped); a change made behind the application's back (SQL by hand, another instance)
   * applies within this time. Default 60000.
   */
  cacheTtl?: number;
  /** Milliseconds the origin lookup has to answer before the request gets a 503. Default 1000. */
  originTimeout?: number;
  /**
   * Several instances sharing the database: the bus that carries each admin change's cache clear
   * to the others (`redisBus(...)` in main.ts with REDIS_URL), so they refuse a removed origin on
   * their next request instead of after `cacheTtl`. Default none (one instance).
   */
  bus?: OriginCacheBus;
  /** Hears the bus's failures (a clear that could not be published, a lost subscription). */
  onBusError?: (error: unknown, during: 'publish' | 'subscribe') => void;
}

/** Where the origins live: a SQLite file (created if missing), or a store of your own. */
export type AppOptions = CommonOptions &
  ({ databaseFile: string; store?: never } | { store: OriginStore; databaseFile?: never });

export interface DynamicOriginsApp {
  app: express.Express;
  store: OriginStore;
  /** Closes the database (a function, not a method: it may be destructured). Stop the server first. */
  close: () => void;
}

/** JSON error bodies: a stable code for programs, a sentence for people. */
interface ErrorBody {
  error: string;
  message: string;
}

/** Builds the application; throws when the admin token is missing. */
export function createApp(options: AppOptions): DynamicOriginsApp {
  const { adminToken, cacheTtl = 60_000, originTimeout = 1000, bus, onBusError } = options;
  if (adminToken === undefined || adminToken.trim() === '') {
    throw new Error('an admin token is required (set ADMIN_TOKEN); refusing to start without one');
  }
  const isAdmin = bearerCheck(adminToken);
  const store = options.store ?? openSqliteStore(options.databaseFile);

  const tenantsCors = cors({
    origin: (origin) => store.isAllowed(origin),
    originTimeout,
    // Refusals are cached too: a stranger's origin costs one query per ttl, not one per request.
    // With a bus, each clearOriginCache below also reaches the other instances.
    originCache: {
      ttl: cacheTtl,
      max: 10_000,
      ...(bus === undefined ? {} : { bus, onBusError }),
    },
    methods: ['GET', 'POST'],
    allowedHeaders: ['Content-Type', 'Authorization'],
  });

  const app = express();
  app.disable('x-powered-by');

  // CORS covers /api, what the tenants' pages call, and nothing else. The admin API is for operators
  // (curl, a back office served from this origin, another server): with no Access-Control-* header on
  // it, a page on a tenant's origin can neither get a preflight through (admin requests carry
  // Authorization and JSON, so browsers always preflight them) nor read an answer. Mounting the CORS
  // middleware in front of everything would hand every tenant that ability, guarded only by the token.
  const api = express.Router();
  api.use(tenantsCors);
  api.get('/hello', (req, res) => {
    res.json({ message: 'Hello from the API', origin: req.headers.origin ?? null });
  });
  app.use('/api', api);

  const admin = express.Router();
  // The token is checked before the body is even parsed.
  admin.use((req, res, next) => {
    if (isAdmin(req.headers.authorization)) {
      next();
      return;
    }
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="admin"')
      .json({ error: 'UNAUTHORIZED', message: 'send Authorization: Bearer <ADMIN_TOKEN>' });
  });
  admin.use(express.json({ limit: '1kb' }));
  admin.get('/origins', (_req, res) => {
    res.json({ origins: store.list() });
  });
  admin.post('/origins', (req, res) => {
    const checked = checkOrigin((req.body as { origin?: unknown } | undefined)?.origin);
    if ('problem' in checked) {
      res
        .status(400)
        .json({ error: 'INVALID_ORIGIN', message: checked.problem } satisfies ErrorBody);
      return;
    }
    const { origin } = checked;
    const added = store.add(origin);
    // Dropped even when the row was already there: it may have been written behind our back, while
    // a refusal was cached.
    tenantsCors.clearOriginCache(origin);
    res.status(added ? 201 : 200).json({ origin, added });
  });
  // The origin is one path segment, URL-encoded: DELETE /admin/origins/https%3A%2F%2Ftenant.example
  admin.delete('/origins/:origin', (req, res) => {
    const origin = req.params.origin;
    const removed = store.remove(origin);
    tenantsCors.clearOriginCache(origin);
    if (removed) {
      res.status(204).end();
      return;
    }
    res.status(404).json({
      error: 'NOT_FOUND',
      message: `${origin} is not an allowed origin`,
    } satisfies ErrorBody);
  });
  app.use('/admin', admin);

  app.use((req, res) => {
    res.status(404).json({
      error: 'NOT_FOUND',
      message: `no route ${req.method} ${req.path}`,
    } satisfies ErrorBody);
  });
  app.use(errorHandler);

  return {
    app,
    store,
    close: () => {
      store.close();
    },
  };
}

/**
 * `value` as a row, or why it cannot be one: it must be an origin exactly as browsers send it.
 * corsguard itself is the judge, so the message is corsguard's own ("did you mean ...?").
 */
function checkOrigin(value: unknown): { origin: string } | { problem: string } {
  if (typeof value !== 'string') {
    return { problem: 'expected a JSON body {"origin": "https://tenant.example"}' };
  }
  try {
    const { decision } = explainCors({ origin: [value] }, { headers: { Origin: value } });
    // Patterns are valid corsguard origins, but no browser sends one and rows are matched exactly.
    if (!decision.allowed) {
      return {
        problem: `${JSON.stringify(value)} is a pattern; each row is one exact origin, as browsers send it ("https://tenant.example")`,
      };
    }
  } catch (err) {
    if (err instanceof CorsConfigError) {
      return { problem: err.issues.map((issue) => issue.message).join(' ') };
    }
    throw err;
  }
  return { origin: value };
}

/** Compares SHA-256 digests in constant time, so neither the token nor its length leaks. */
function bearerCheck(token: string): (header: string | undefined) => boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const expected = digest(token);
  return (header) => {
    const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
    return match !== null && timingSafeEqual(digest(match[1]!), expected);
  };
}

function errorHandler(
  err: unknown,
  req: express.Request,
  res: express.Response,
  next: express.NextFunction,
): void {
  if (res.headersSent) {
    next(err);
    return;
  }
  // The origin lookup timed out or failed: the request failed closed (no Access-Control-* header),
  // and the client may try again. The store's own error stays in the log.
  if (err instanceof CorsTimeoutError) {
    res
      .status(err.status)
      .json({ error: err.code, message: 'the origin check took too long' } satisfies ErrorBody);
    return;
  }
  const decision = corsDecision(req);
  if (decision?.allowed === false && decision.reason === 'origin-resolver-error') {
    console.error(`origin lookup failed for ${decision.origin}:`, err);
    res.status(503).json({
      error: 'ORIGIN_LOOKUP_FAILED',
      message: 'the origin check failed',
    } satisfies ErrorBody);
    return;
  }
  // express.json(): malformed JSON (400), body too large (413), unsupported charset (415).
  if (typeof err === 'object' && err !== null) {
    const { status, expose, message } = err as {
      status?: unknown;
      expose?: unknown;
      message?: unknown;
    };
    if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
      res
        .status(status)
        .json({ error: 'BAD_REQUEST', message: String(message) } satisfies ErrorBody);
      return;
    }
  }
  console.error(err);
  res.status(500).json({ error: 'INTERNAL', message: 'internal error' } satisfies ErrorBody);
}
