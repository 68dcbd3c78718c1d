// Dynamic origins looked up in a real PostgreSQL server through node-postgres (`pg`), with each
// origin function and options delegate of pg-harness.ts, under Express 5, Express 4 and plain
// node:http: headers, status and how often the database was asked, the origin cache, and failing
// queries (a missing table, a query slower than originTimeout). The server is this file's own.
import { CorsTimeoutError } from 'corsguard';
import { type Client, DatabaseError, type Pool } from 'pg';
import {
  type Db,
  FRAMEWORKS,
  OTHER,
  SQL,
  STYLES,
  TENANT,
  accessControl,
  actual,
  app,
  build,
  closeApps,
  countQueries,
  preflight,
  startDatabase,
} from './pg-harness.js';

/** A table that does not exist: PostgreSQL answers 42P01 undefined_table. */
const MISSING_SQL = 'SELECT 1 FROM missing_origins WHERE origin = $1';
/** Two seconds, then one row: an allow that comes too late. */
const SLOW_SQL = 'SELECT pg_sleep(2), $1::text AS origin';

const DEFAULT_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';

let db: Db;

beforeAll(async () => {
  db = await startDatabase();
});

afterAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- beforeAll may have failed
  await db?.end();
});

// A rejection nobody observed (a late answer corsguard dropped unhandled) fails the running test:
// Jest reports unhandled rejections.
afterEach(async () => {
  jest.restoreAllMocks();
  await closeApps();
});

/**
 * Cancels the queries still sleeping in SLOW_SQL, over and over until pg has called back (with
 * 57014 query_canceled) for each, so a test can check that the late answers changed nothing. A
 * Client runs its queries one after the other: the second starts sleeping once the first is gone.
 */
async function cancelSleepers(target: Pool | Client): Promise<void> {
  const idle: Promise<true> =
    target === db.client
      ? db.client.query('SELECT 1').then(() => true) // queued behind the sleepers
      : (async () => {
          while (db.pool.idleCount !== db.pool.totalCount || db.pool.waitingCount !== 0) {
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          return true as const;
        })();
  const tick = () =>
    new Promise<false>((resolve) => {
      setTimeout(() => {
        resolve(false);
      }, 20);
    });
  do {
    await db.pool.query(
      `SELECT pg_cancel_backend(pid) FROM pg_stat_activity
        WHERE query LIKE 'SELECT pg_sleep%' AND pid <> pg_backend_pid()`,
    );
  } while (!(await Promise.race([idle, tick()])));
  await new Promise((resolve) => setImmediate(resolve));
}

describe.each(FRAMEWORKS)('pg under %s', (framework) => {
  describe.each(STYLES)('$style', (style) => {
    const { target, delegate, refusesWithError } = style;
    const isDelegate = delegate !== undefined;

    it('allows an origin that is a row, on the preflight and on the request, one query each', async () => {
      const queries = countQueries(target(db));
      const { url, errors } = await app(framework, build(style, db, SQL));

      const pre = await preflight(url, TENANT);
      expect(pre.status).toBe(204);
      expect(pre.text).toBe('');
      expect(accessControl(pre.headers)).toEqual({
        'access-control-allow-origin': TENANT,
        ...(isDelegate ? { 'access-control-allow-credentials': 'true' } : {}),
        'access-control-allow-methods': DEFAULT_METHODS,
        'access-control-allow-headers': 'content-type',
      });
      expect(pre.headers.vary).toMatch(/\bOrigin\b/);

      const res = await actual(url, TENANT);
      expect(res.status).toBe(200);
      expect(res.text).toBe('app:GET');
      expect(accessControl(res.headers)).toEqual({
        'access-control-allow-origin': TENANT,
        ...(isDelegate ? { 'access-control-allow-credentials': 'true' } : {}),
      });
      expect(res.headers.vary).toBe('Origin');

      expect(queries()).toEqual([TENANT, TENANT]);
      expect(errors).toEqual([]);
    });

    it('gives an origin that is not a row no Access-Control-* header at all', async () => {
      const queries = countQueries(target(db));
      const { url, errors } = await app(framework, build(style, db, SQL));

      const pre = await preflight(url, OTHER);
      const res = await actual(url, OTHER);
      expect(accessControl(pre.headers)).toEqual({});
      expect(accessControl(res.headers)).toEqual({});
      if (refusesWithError) {
        // As with `cors`: the refusal is an error, and the app's error handler answers it.
        for (const answer of [pre, res]) {
          expect(answer.status).toBe(500);
          expect(answer.text).toBe('error:Not allowed by CORS');
        }
        expect(errors).toEqual([
          new Error('Not allowed by CORS'),
          new Error('Not allowed by CORS'),
        ]);
      } else if (isDelegate) {
        // `origin: false` turns CORS off for this request, as in `cors`: the preflight is the app's.
        expect(pre.status).toBe(200);
        expect(pre.text).toBe('app:OPTIONS');
        expect(res.status).toBe(200);
        expect(res.text).toBe('app:GET');
        expect(errors).toEqual([]);
      } else {
        expect(pre.status).toBe(204);
        expect(pre.text).toBe('');
        expect(pre.headers.vary).toMatch(/\bOrigin\b/);
        expect(res.status).toBe(200);
        expect(res.text).toBe('app:GET');
        expect(res.headers.vary).toBe('Origin');
        expect(errors).toEqual([]);
      }
      expect(queries()).toEqual([OTHER, OTHER]);
    });

    it(
      isDelegate
        ? 'answers a request without Origin with no Access-Control-* header, one query'
        : 'does not ask the database for a request without Origin',
      async () => {
        const queries = countQueries(target(db));
        const { url, errors } = await app(framework, build(style, db, SQL));
        const res = await actual(url);
        expect(res.status).toBe(200);
        expect(res.text).toBe('app:GET');
        expect(accessControl(res.headers)).toEqual({});
        // A delegate is asked for every request; its query finds no row for a NULL origin.
        expect(queries()).toEqual(isDelegate ? [undefined] : []);
        expect(errors).toEqual([]);
      },
    );

    it('passes the pg error of a query on a missing table to the error handler unchanged', async () => {
      const { url, errors } = await app(framework, build(style, db, MISSING_SQL));
      const pre = await preflight(url, TENANT);
      const res = await actual(url, TENANT);
      for (const answer of [pre, res]) {
        expect(answer.status).toBe(500);
        expect(answer.text).toBe('error:42P01');
        expect(accessControl(answer.headers)).toEqual({});
      }
      expect(errors).toHaveLength(2);
      for (const err of errors) {
        expect(err).toBeInstanceOf(DatabaseError);
        expect(err).toMatchObject({
          code: '42P01',
          message: 'relation "missing_origins" does not exist',
        });
      }
    });

    it('answers 503 CORS_ORIGIN_TIMEOUT when the query outlasts originTimeout, and ignores its late end', async () => {
      const { url, errors } = await app(
        framework,
        build(style, db, SLOW_SQL, { originTimeout: 300 }),
      );
      const started = Date.now();
      const [pre, res] = await Promise.all([preflight(url, TENANT), actual(url, TENANT)]);
      expect(Date.now() - started).toBeLessThan(1500);
      for (const answer of [pre, res]) {
        expect(answer.status).toBe(503);
        expect(answer.text).toBe('error:CORS_ORIGIN_TIMEOUT');
        expect(accessControl(answer.headers)).toEqual({});
      }
      expect(errors).toHaveLength(2);
      for (const err of errors) {
        expect(err).toBeInstanceOf(CorsTimeoutError);
        expect(err).toMatchObject({ code: 'CORS_ORIGIN_TIMEOUT', status: 503 });
      }

      // Both queries are still sleeping; cancelled, they call back with an error that comes too late.
      await cancelSleepers(target(db));
      expect(errors).toHaveLength(2);
    });
  });
});

let fresh = 0;
/** An origin no other test has seen, so no cache has it yet. */
const freshOrigin = () => `https://cache-${String(++fresh)}.example`;

describe.each(FRAMEWORKS)('originCache with pg under %s', (framework) => {
  const cached = STYLES.filter((style) => style.origin !== undefined);
  const CACHE = { originCache: { ttl: 60_000, max: 100 } };

  describe.each(cached)('$style', (style) => {
    it('asks the database once for 20 requests from one origin, allowed or refused', async () => {
      const queries = countQueries(style.target(db));
      const { url, errors } = await app(framework, build(style, db, SQL, CACHE));
      for (let i = 0; i < 5; i++) {
        expect((await actual(url, TENANT)).headers['access-control-allow-origin']).toBe(TENANT);
        expect((await preflight(url, TENANT)).headers['access-control-allow-origin']).toBe(TENANT);
        expect(accessControl((await actual(url, OTHER)).headers)).toEqual({});
        expect(accessControl((await preflight(url, OTHER)).headers)).toEqual({});
      }
      // A refusal by error (the whitelist style) is not cached: each of its 10 requests asks again.
      expect(queries()).toEqual(
        style.refusesWithError ? [TENANT, ...Array<string>(10).fill(OTHER)] : [TENANT, OTHER],
      );
      expect(errors).toHaveLength(style.refusesWithError ? 10 : 0);
    });

    it('shares one query among 10 concurrent first requests for an origin', async () => {
      const origin = freshOrigin();
      await db.pool.query('INSERT INTO allowed_origins (origin) VALUES ($1)', [origin]);
      const queries = countQueries(style.target(db));
      const { url } = await app(framework, build(style, db, SQL, CACHE));
      const answers = await Promise.all(Array.from({ length: 10 }, () => actual(url, origin)));
      expect(answers.map((res) => res.headers['access-control-allow-origin'])).toEqual(
        Array.from({ length: 10 }, () => origin),
      );
      expect(queries()).toEqual([origin]);
    });

    it('refuses an origin once its row is deleted and clearOriginCache(origin) is called', async () => {
      const origin = freshOrigin();
      await db.pool.query('INSERT INTO allowed_origins (origin) VALUES ($1)', [origin]);
      const queries = countQueries(style.target(db));
      const middleware = build(style, db, SQL, CACHE);
      const { url } = await app(framework, middleware);
      expect((await actual(url, origin)).headers['access-control-allow-origin']).toBe(origin);

      await db.pool.query('DELETE FROM allowed_origins WHERE origin = $1', [origin]);
      // Until the cache is told, the cached allow stands: that is what clearOriginCache is for.
      expect((await actual(url, origin)).headers['access-control-allow-origin']).toBe(origin);
      expect(queries()).toEqual([origin]);

      middleware.clearOriginCache(origin);
      const pre = await preflight(url, origin);
      const res = await actual(url, origin);
      expect(accessControl(pre.headers)).toEqual({});
      expect(accessControl(res.headers)).toEqual({});
      if (style.refusesWithError) {
        // A refusal by error is not an answer: it is not cached, so each request asks again.
        expect(res.status).toBe(500);
        expect(queries()).toEqual([origin, origin, origin]);
      } else {
        expect(res.status).toBe(200);
        expect(res.headers.vary).toBe('Origin');
        expect(queries()).toEqual([origin, origin]);
      }
    });
  });
});
