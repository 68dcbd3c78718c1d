// A product served from many subdomains, plus local development on any port: pattern strings.
import express from 'express';
import cors from 'corsguard';

export function createApp(): express.Express {
  const app = express();
  app.use(
    cors({
      origin: [
        'https://example.com', // the apex itself: a pattern never covers it
        'https://*.example.com', // any subdomain, at any depth
        'http://localhost:*', // any port on localhost, for development
      ],
    }),
  );
  app.get('/api/status', (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}
