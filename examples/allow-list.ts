// An API read by two known front ends, with cookies: an allow-list with credentials.
import express from 'express';
import cors from 'corsguard';

export function createApp(): express.Express {
  const app = express();
  app.use(
    cors({
      origin: ['https://app.example.com', 'https://admin.example.com'],
      credentials: true,
      allowedHeaders: ['Content-Type', 'Authorization'],
      exposedHeaders: ['X-Request-Id'],
      maxAge: 600,
    }),
  );
  app.get('/api/me', (_req, res) => {
    res.set('X-Request-Id', 'r-1').json({ name: 'Ada' });
  });
  app.put('/api/me', express.json(), (req, res) => {
    res.json({ saved: req.body as unknown });
  });
  return app;
}
