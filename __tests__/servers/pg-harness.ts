// Shared by the pg suites: a PostgreSQL server of the file's own with a Pool and a Client on it, the
// origin functions and options delegates written the way pg's README and tutorials write them, and
// apps under Express 5, Express 4 and node:http that record what corsguard passes to next(err).
import cors, { type CorsMiddleware, type CorsOptionsDelegate, type CustomOrigin } from 'corsguard';
import type http from 'node:http';
import { Client, Pool } from 'pg';
import request from 'supertest';
import { type Middleware, close, listener, serve } from '../helpers/frameworks.js';
import { type RunningServer, startServer } from './servers.js';

export const FRAMEWORKS = ['express5', 'express4', 'node:http'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** The lookup every style runs: one row when the origin is allowed. */
export const SQL = 'SELECT 1 FROM allowed_origins WHERE origin = $1';

export const TENANT = 'https://tenant.example';
export const OTHER = 'https://other.example';

/** A PostgreSQL server with the allowed_origins table (holding TENANT), a Pool and a Client. */
export interface Db {
  server: RunningServer;
  pool: Pool;
  client: Client;
  /** 'error' events of the Pool and the Client (connections that died); pg's README says to listen. */
  connectionErrors: unknown[];
  /** Closes the Pool and the Client and removes the server. */
  end(): Promise<void>;
}

export async function startDatabase(): Promise<Db> {
  const server = await startServer('postgresql');
  const config = { host: server.host, port: server.port, user: 'postgres', database: 'postgres' };
  const connectionErrors: unknown[] = [];
  const pool = new Pool({ ...config, max: 10 });
  pool.on('error', (err) => connectionErrors.push(err));
  const client = new Client(config);
  client.on('error', (err) => connectionErrors.push(err));
  const end = async () => {
    await Promise.allSettled([client.end(), pool.end()]);
    await server.remove();
  };
  try {
    await client.connect();
    await pool.query('CREATE TABLE allowed_origins (origin text PRIMARY KEY)');
    await pool.query('INSERT INTO allowed_origins (origin) VALUES ($1)', [TENANT]);
  } catch (err) {
    await end();
    throw err;
  }
  return { server, pool, client, connectionErrors, end };
}

// ---------------------------------------------------------------------------------------------
// The app under each framework, and the requests a page sends

const running: http.Server[] = [];

export interface App {
  url: string;
  /** Every error corsguard passed to next(err), in order: what the app's error handler got. */
  errors: unknown[];
}

/** Serves `middleware` then the app (or its error handler) under `framework`, on 127.0.0.1. */
export async function app(framework: Framework, middleware: CorsMiddleware): Promise<App> {
  const errors: unknown[] = [];
  const recording: Middleware = (req, res, next) => {
    middleware(req, res, (err?: unknown) => {
      if (err !== undefined) errors.push(err);
      next(err);
    });
  };
  const { server, url } = await serve(listener(framework, recording));
  running.push(server);
  return { url, errors };
}

/** Closes the apps started since the last call (in afterEach or afterAll). */
export async function closeApps(): Promise<void> {
  for (const server of running.splice(0)) await close(server);
}

/** Never waits long: a hanging request fails its test instead of the suite. */
const LIMIT = 5000;

export const preflight = (url: string, origin: string) =>
  request(url)
    .options('/things')
    .set('Origin', origin)
    .set('Access-Control-Request-Method', 'PUT')
    .set('Access-Control-Request-Headers', 'content-type')
    .timeout(LIMIT);

export const actual = (url: string, origin?: string) => {
  const req = request(url).get('/things').timeout(LIMIT);
  return origin === undefined ? req : req.set('Origin', origin);
};

/** The response's Access-Control-* headers. */
export const accessControl = (headers: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.startsWith('access-control-')),
  );

/**
 * Counts the lookups `target` runs (its `query` calls with `sql`, still made for real; the tests' own
 * INSERT and DELETE do not count) and gives the origin each one asked.
 */
export function countQueries(target: Pool | Client, sql = SQL): () => unknown[] {
  const spy = jest.spyOn(target as unknown as { query: (...args: unknown[]) => unknown }, 'query');
  return () =>
    spy.mock.calls
      .filter((args) => args[0] === sql)
      .map((args) => (args[1] as unknown[] | undefined)?.[0]);
}

// ---------------------------------------------------------------------------------------------
// The styles, as users write them (the README's "With node-postgres" shows the first and third).
// @types/pg declares the callback's result always present; it is undefined when `err` is set, so
// `res?.` is what a careful user writes. The one-liners return pg's `undefined` on purpose: that is
// how they are written, and corsguard must wait for their callback.
/* eslint-disable @typescript-eslint/no-unnecessary-condition, @typescript-eslint/no-confusing-void-expression */

export interface Style {
  style: string;
  /** What the function queries, to count the lookups. */
  target: (db: Db) => Pool | Client;
  /** An origin function asking `sql`... */
  origin?: (sql: string, db: Db) => CustomOrigin;
  /** ...or an options delegate (asked for every request). */
  delegate?: (sql: string, db: Db) => CorsOptionsDelegate;
  /** Refused as the `cors` README's whitelist refuses: callback(new Error('Not allowed by CORS')). */
  refusesWithError?: true;
}

export const STYLES: readonly Style[] = [
  {
    style: 'origin (origin, cb) => pool.query(sql, [origin], (err, res) => cb(err, ...))',
    target: ({ pool }) => pool,
    origin:
      (sql, { pool }): CustomOrigin =>
      (origin, cb) =>
        pool.query(sql, [origin], (err, res) => cb(err, (res?.rowCount ?? 0) > 0)),
  },
  {
    style: 'origin (origin, cb) => client.query(sql, [origin], (err, res) => cb(err, ...))',
    target: ({ client }) => client,
    origin:
      (sql, { client }): CustomOrigin =>
      (origin, cb) =>
        client.query(sql, [origin], (err, res) => cb(err, (res?.rowCount ?? 0) > 0)),
  },
  {
    style: 'origin async (origin) => (await pool.query(sql, [origin])).rowCount > 0',
    target: ({ pool }) => pool,
    origin:
      (sql, { pool }): CustomOrigin =>
      async (origin) =>
        ((await pool.query(sql, [origin])).rowCount ?? 0) > 0,
  },
  {
    style: 'origin async (origin) => (await client.query(sql, [origin])).rowCount > 0',
    target: ({ client }) => client,
    origin:
      (sql, { client }): CustomOrigin =>
      async (origin) =>
        ((await client.query(sql, [origin])).rowCount ?? 0) > 0,
  },
  {
    style: 'origin async (origin, cb) => { const r = await pool.query(...); cb(null, ...) }',
    target: ({ pool }) => pool,
    origin:
      (sql, { pool }): CustomOrigin =>
      async (origin, cb) => {
        const r = await pool.query(sql, [origin]);
        cb(null, (r.rowCount ?? 0) > 0);
      },
  },
  {
    style: "origin function (origin, callback), the cors README's whitelist, backed by a query",
    target: ({ pool }) => pool,
    origin: (sql, { pool }): CustomOrigin =>
      function (origin, callback) {
        pool.query(sql, [origin], (err, res) => {
          if (err) {
            callback(err);
            return;
          }
          if (res.rowCount === 1) {
            callback(null, true);
          } else {
            callback(new Error('Not allowed by CORS'));
          }
        });
      },
    refusesWithError: true,
  },
  {
    style:
      'delegate (req, cb) => pool.query(sql, [req.headers.origin], (err, r) => cb(err, {...}))',
    target: ({ pool }) => pool,
    delegate:
      (sql, { pool }): CorsOptionsDelegate =>
      (req, cb) =>
        pool.query(sql, [req.headers.origin], (err, r) =>
          cb(err, { origin: (r?.rowCount ?? 0) > 0, credentials: true }),
        ),
  },
  {
    style: 'delegate async (req) => ({ origin: (await pool.query(...)).rowCount > 0, ... })',
    target: ({ pool }) => pool,
    delegate:
      (sql, { pool }): CorsOptionsDelegate =>
      async (req) => ({
        origin: ((await pool.query(sql, [req.headers.origin])).rowCount ?? 0) > 0,
        credentials: true,
      }),
  },
];

/* eslint-enable @typescript-eslint/no-unnecessary-condition, @typescript-eslint/no-confusing-void-expression */

export interface Settings {
  originTimeout?: number;
  originCache?: { ttl: number; max?: number };
}

/** The middleware of `style` asking `sql` on `db`, as `cors(...)` is called in the application. */
export function build(
  { origin, delegate }: Style,
  db: Db,
  sql: string,
  settings: Settings = {},
): CorsMiddleware {
  if (delegate !== undefined) {
    const { originTimeout } = settings;
    return originTimeout === undefined
      ? cors(delegate(sql, db))
      : cors(delegate(sql, db), { originTimeout });
  }
  return cors({ origin: origin!(sql, db), ...settings });
}
