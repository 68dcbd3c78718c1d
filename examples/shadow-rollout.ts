// Rolling out a stricter policy: the candidate in shadow beside what answers today (the cors package
// reflecting any origin, with credentials), an admin route with its report, and the configuration
// origins come from (CORS_ORIGINS, read with parseOrigins).
import express from 'express';
import corsPackage from 'cors';
import cors, { parseOrigins, shadow } from 'corsguard';

export function createApp(corsOrigins = 'https://app.example.com, https://*.example.com') {
  const app = express();
  const candidate = shadow(
    { origin: parseOrigins(corsOrigins), credentials: true },
    {
      // Count kinds, not raw origins: the Origin is the client's text (one label per attacker).
      onReport: (entry) => {
        reported[entry.kind]++;
      },
    },
  );
  const reported = { 'would-refuse': 0, 'would-allow': 0 };
  // The admin route comes first, so that neither policy answers it (keep it off the public API).
  app.get('/admin/cors-report', (_req, res) => {
    res.json(candidate.report());
  });
  app.use(candidate); // before the live CORS middleware
  app.use(corsPackage({ origin: true, credentials: true })); // what answers today
  app.get('/api/me', (_req, res) => {
    res.json({ name: 'Ada' });
  });
  return { app, candidate, reported };
}

/** The step from report to enforcement: the live middleware replaced by the suggestion. */
export function enforce(suggestion: Parameters<typeof cors>[0]) {
  const app = express();
  app.use(cors(suggestion));
  app.get('/api/me', (_req, res) => {
    res.json({ name: 'Ada' });
  });
  return app;
}
