// The PostgreSQL server stops while the application runs (pg_ctl stop -m fast, as in a failover or
// a restart) and comes back: every style of pg-harness.ts, under Express 5, Express 4 and
// node:http, must fail each request through next(err) at once, never hang or crash, and answer
// again once the server is back. The server is this file's own, so stopping it disturbs no other.
import type { CorsMiddleware } from 'corsguard';
import { isNativeError } from 'node:util/types';
import {
  type App,
  type Db,
  FRAMEWORKS,
  type Framework,
  OTHER,
  SQL,
  STYLES,
  type Style,
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

let db: Db;

interface Case extends App {
  framework: Framework;
  style: Style;
}
const cases: Case[] = [];
/** The first style with an origin cache, one app per framework. */
const cachedApps: (App & { framework: Framework; middleware: CorsMiddleware })[] = [];

beforeAll(async () => {
  db = await startDatabase();
  for (const framework of FRAMEWORKS) {
    for (const style of STYLES) {
      cases.push({ framework, style, ...(await app(framework, build(style, db, SQL))) });
    }
    const middleware = build(STYLES[0]!, db, SQL, { originCache: { ttl: 60_000 } });
    cachedApps.push({ framework, middleware, ...(await app(framework, middleware)) });
  }
});

afterAll(async () => {
  await closeApps();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- beforeAll may have failed
  await db?.end();
});

// A rejection nobody observed (a late answer corsguard dropped unhandled) fails the running test:
// Jest reports unhandled rejections.
afterEach(() => {
  jest.restoreAllMocks();
});

/** The preflight and the request for TENANT, both failed through next(err), and quickly. */
async function expectFailedFast({ url, errors }: App): Promise<unknown[]> {
  const before = errors.length;
  const started = Date.now();
  const answers = await Promise.all([preflight(url, TENANT), actual(url, TENANT)]);
  expect(Date.now() - started).toBeLessThan(2000);
  const failures = errors.slice(before);
  expect(failures).toHaveLength(2);
  for (const answer of answers) {
    expect(answer.status).toBe(500);
    expect(accessControl(answer.headers)).toEqual({});
  }
  // Node's socket errors come from outside Jest's sandbox, where `instanceof Error` is false.
  for (const err of failures) expect(isNativeError(err)).toBe(true);
  // The framework's error handler answered with the errors corsguard passed on.
  const told = failures.map((err) => {
    const { code, message } = err as { code?: string; message: string };
    return `error:${code ?? message}`;
  });
  expect(answers.map((answer) => answer.text).sort()).toEqual(told.sort());
  return failures;
}

describe('when the PostgreSQL server stops mid-run', () => {
  it('answers from the database while it runs', async () => {
    for (const { url, errors } of [...cases, ...cachedApps]) {
      const res = await actual(url, TENANT);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(TENANT);
      expect(errors).toEqual([]);
    }
  });

  it('fails every request through next(err), at once, once the server is stopped', async () => {
    await db.server.stop('fast');
    for (const served of cases) await expectFailedFast(served);

    // A cached answer stands through the outage; an origin that is not cached fails.
    const queries = countQueries(db.pool);
    for (const { url, errors } of cachedApps) {
      expect((await actual(url, TENANT)).headers['access-control-allow-origin']).toBe(TENANT);
      const res = await actual(url, OTHER);
      expect(res.status).toBe(500);
      expect(accessControl(res.headers)).toEqual({});
      expect(errors).toHaveLength(1);
    }
    expect(queries()).toEqual([OTHER, OTHER, OTHER]);
  });

  it('answers again once the server is back; failures were not cached', async () => {
    await db.server.start();
    for (const served of cases) {
      if (served.style.target(db) === db.client) {
        // A pg Client does not reconnect: it keeps failing, at once, until the app makes a new one.
        const failures = await expectFailedFast(served);
        for (const err of failures)
          expect(err).toHaveProperty('message', expect.stringMatching(/not queryable/));
        continue;
      }
      const res = await actual(served.url, TENANT);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(TENANT);
    }

    const queries = countQueries(db.pool);
    for (const { url } of cachedApps) {
      const res = await actual(url, OTHER);
      expect(res.status).toBe(200);
      expect(accessControl(res.headers)).toEqual({});
    }
    expect(queries()).toEqual([OTHER, OTHER, OTHER]);
    // pg reported the connections the stop cut, to the listeners its README asks for.
    expect(db.connectionErrors.length).toBeGreaterThan(0);
  });
});
