// Options chosen per request, as with the cors package's options delegate: public paths are open
// to every site, the rest only to the admin front end.
import express from 'express';
import cors, { type CorsOptions } from 'corsguard';

// Each distinct options object is validated and compiled once, so keep them as constants.
const PUBLIC: CorsOptions = { origin: '*' };
const ADMIN: CorsOptions = { origin: ['https://admin.example.com'], credentials: true };

export function createApp(): express.Express {
  const app = express();
  app.use(
    cors<express.Request>((req, callback) => {
      callback(null, req.path.startsWith('/public/') ? PUBLIC : ADMIN);
    }),
  );
  app.get('/public/news', (_req, res) => {
    res.json([]);
  });
  app.get('/admin/users', (_req, res) => {
    res.json([]);
  });
  return app;
}
