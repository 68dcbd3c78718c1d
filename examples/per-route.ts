// CORS on some routes only, each with its own configuration, as with the cors package: a route that
// receives preflighted requests also answers OPTIONS for its path.
import express from 'express';
import cors from 'corsguard';

export function createApp(): express.Express {
  const app = express();

  // Readable by any site, no credentials.
  app.get('/public/catalog', cors(), (_req, res) => {
    res.json(['donut', 'bagel']);
  });

  // Writable only from the shop's front end, with cookies.
  const shop = cors({ origin: 'https://shop.example.org', credentials: true, methods: ['POST'] });
  app.options('/orders', shop); // answers the preflight of POST /orders
  app.post('/orders', shop, express.json(), (_req, res) => {
    res.status(201).json({ id: 1 });
  });

  // Everything else stays same-origin: no Access-Control-* headers.
  app.get('/internal/metrics', (_req, res) => {
    res.json({ requests: 1 });
  });
  return app;
}
