// The demo's API: three areas, each behind its own corsguard configuration, plus a log of what the
// API received, what corsguard answered and the decision it took (corsDecision), which the
// playground page reads to explain each outcome.
import cors, { corsDecision, type CorsDecision } from 'corsguard';
import express from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The corsguard options of each area of the API, given the playground page's origin. */
export function policies(pageOrigin: string) {
  return {
    /** /api: the page's own back end; trusts the page, with cookies. */
    api: {
      origin: [pageOrigin],
      credentials: true,
      methods: ['GET', 'POST', 'PUT'],
      allowedHeaders: ['Content-Type', 'X-Demo-Token'],
      exposedHeaders: ['X-Request-Id'],
      maxAge: 600,
    },
    /** /admin: only the admin front end may read it; the playground is not that. */
    admin: { origin: ['https://admin.example.com'] },
    /** /public: anyone may read it, without credentials (the `cors` package's defaults). */
    public: {},
  } as const;
}

/** One request as the API received it, and the Access-Control-* headers corsguard answered. */
export interface Exchange {
  row: string;
  method: string;
  path: string;
  origin: string | null;
  requestMethod: string | null;
  requestHeaders: string | null;
  cookie: boolean;
  status: number;
  answer: Record<string, string>;
  /** The decision corsguard took for this request (its diagnostics), null if none saw it. */
  decision: CorsDecision | null;
}

/** The page tags each of its requests `?run=<id>&row=<name>`; tagged requests are logged per run. */
class ExchangeLog {
  readonly #runs = new Map<string, Exchange[]>();

  record(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://api.invalid');
    const run = url.searchParams.get('run');
    const row = url.searchParams.get('row');
    if (run === null || row === null) return;
    res.on('finish', () => {
      const answer: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.getHeaders())) {
        if (name.startsWith('access-control-') || name === 'vary') answer[name] = String(value);
      }
      const exchanges = this.#runs.get(run) ?? [];
      exchanges.push({
        row,
        method: req.method ?? '',
        path: url.pathname,
        origin: req.headers.origin ?? null,
        requestMethod: req.headers['access-control-request-method'] ?? null,
        requestHeaders: req.headers['access-control-request-headers'] ?? null,
        cookie: req.headers.cookie?.includes('demo_session=') ?? false,
        status: res.statusCode,
        answer,
        decision: corsDecision(req) ?? null,
      });
      // Keep the last few runs only: this is a demo, not a logging system.
      this.#runs.delete(run);
      this.#runs.set(run, exchanges);
      if (this.#runs.size > 20) this.#runs.delete(this.#runs.keys().next().value!);
    });
  }

  of(run: string): Exchange[] {
    return this.#runs.get(run) ?? [];
  }
}

export interface ApiOptions {
  /** The playground page's origin, e.g. `http://127.0.0.1:3000`. */
  pageOrigin: string;
}

/** Builds the demo API (an Express application); the caller decides where it listens. */
export function createApi({ pageOrigin }: ApiOptions): express.Express {
  const policy = policies(pageOrigin);
  const log = new ExchangeLog();
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    log.record(req, res);
    next();
  });

  // What the API saw and answered for one run of the page: the playground's "reason" column.
  app.get('/exchanges', cors({ origin: [pageOrigin] }), (req, res) => {
    const run = typeof req.query.run === 'string' ? req.query.run : '';
    res.set('Cache-Control', 'no-store').json(log.of(run));
  });

  const api = express.Router();
  api.use(cors(policy.api));
  api.get('/hello', (_req, res) => {
    res.json({ message: 'Hello from the API' });
  });
  api.post('/items', express.json(), (req, res) => {
    res.status(201).json({ created: req.body as unknown });
  });
  api.put('/items/:id', express.json(), (req, res) => {
    res.json({ id: req.params.id, saved: req.body as unknown });
  });
  // The application would delete, but the configuration does not list DELETE for browsers.
  api.delete('/items/:id', (req, res) => {
    res.json({ deleted: req.params.id });
  });
  api.post('/login', (_req, res) => {
    // 127.0.0.1 and localhost are different sites: a cookie that crosses them must be
    // SameSite=None; Secure (allowed over http on localhost, a secure context).
    res
      .cookie('demo_session', 'ada', {
        httpOnly: true,
        sameSite: 'none',
        secure: true,
        path: '/api',
      })
      .json({ loggedIn: true });
  });
  api.get('/me', (req, res) => {
    const session = /(?:^|;\s*)demo_session=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
    res.json({ user: session ?? null });
  });
  api.get('/report', (_req, res) => {
    res.set({ 'X-Request-Id': 'req-7f3a', 'X-Internal-Trace': 'db=12ms' }).json({ rows: 3 });
  });
  app.use('/api', api);

  const admin = express.Router();
  admin.use(cors(policy.admin));
  admin.get('/stats', (_req, res) => {
    res.json({ users: 42 });
  });
  app.use('/admin', admin);

  const publicArea = express.Router();
  publicArea.use(cors(policy.public));
  publicArea.get('/status', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/public', publicArea);

  return app;
}
