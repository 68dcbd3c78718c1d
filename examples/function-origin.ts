// Origins decided per request by your own code: here an async lookup in a tenant table (a Map
// standing in for a database). A failed lookup goes to Express's error handler, not to a crash.
import express from 'express';
import cors from 'corsguard';

export interface TenantStore {
  isAllowed(origin: string): Promise<boolean>;
}

export function memoryStore(origins: Iterable<string>): TenantStore {
  const allowed = new Set(origins);
  return {
    isAllowed: (origin) => Promise.resolve(allowed.has(origin)),
  };
}

export function createApp(store: TenantStore): express.Express {
  const app = express();
  app.use(cors({ origin: (origin) => store.isAllowed(origin), credentials: true }));
  app.get('/api/invoices', (_req, res) => {
    res.json([{ id: 7, total: 120 }]);
  });
  app.use(
    (err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(503).json({ error: `origin check failed: ${err.message}` });
    },
  );
  return app;
}
