import cors, { CorsConfigError } from 'corsguard';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  type AppOptions,
  type DynamicOriginsApp,
  createApp,
} from '../examples/dynamic-origins-db/app.js';
import { type OriginStore, openSqliteStore } from '../examples/dynamic-origins-db/db.js';

const TOKEN = 'test-admin-token';
const TENANT = 'https://tenant.example';
const OTHER = 'https://other.example';

let dir: string;
let databaseFile: string;
const opened: DynamicOriginsApp[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'corsguard-origins-'));
  databaseFile = join(dir, 'origins.db');
});

afterEach(() => {
  for (const running of opened.splice(0)) running.close();
  rmSync(dir, { recursive: true, force: true });
});

type Extra = Omit<AppOptions, 'databaseFile' | 'store' | 'adminToken'>;

/** The example on this test's database file (or on `store`), closed after the test. */
function start(extra: Extra & { store?: OriginStore } = {}): DynamicOriginsApp {
  const { store, ...rest } = extra;
  const running = createApp(
    store === undefined
      ? { databaseFile, adminToken: TOKEN, ...rest }
      : { store, adminToken: TOKEN, ...rest },
  );
  opened.push(running);
  return running;
}

/**
 * A store that records every lookup it is asked, around the real SQLite store; with `delay`, it
 * answers that many milliseconds later, like a database across a network.
 */
function countingStore(inner: OriginStore, delay = 0): { store: OriginStore; lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    store: {
      ...inner,
      isAllowed: (origin) => {
        lookups.push(origin);
        const answer = inner.isAllowed(origin);
        if (delay === 0) return answer;
        return new Promise<boolean>((resolve) =>
          setTimeout(() => {
            resolve(answer);
          }, delay),
        );
      },
    },
  };
}

/** A store whose lookups are `isAllowed`; the admin side is never reached in those tests. */
function lookupOnly(isAllowed: OriginStore['isAllowed']): OriginStore {
  return { isAllowed, add: () => false, remove: () => false, list: () => [], close: () => {} };
}

const add = (app: DynamicOriginsApp['app'], origin: unknown, auth = `Bearer ${TOKEN}`) =>
  request(app).post('/admin/origins').set('Authorization', auth).send({ origin });

const remove = (app: DynamicOriginsApp['app'], origin: string, auth = `Bearer ${TOKEN}`) =>
  request(app)
    .delete(`/admin/origins/${encodeURIComponent(origin)}`)
    .set('Authorization', auth);

const list = async (app: DynamicOriginsApp['app']) => {
  const res = await request(app).get('/admin/origins').set('Authorization', `Bearer ${TOKEN}`);
  expect(res.status).toBe(200);
  return (res.body as { origins: string[] }).origins;
};

const preflight = (app: DynamicOriginsApp['app'], origin: string) =>
  request(app)
    .options('/api/hello')
    .set('Origin', origin)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'content-type, authorization');

const actual = (app: DynamicOriginsApp['app'], origin: string) =>
  request(app).get('/api/hello').set('Origin', origin);

const accessControl = (headers: Record<string, string>) =>
  Object.keys(headers).filter((name) => name.startsWith('access-control-'));

/** The message corsguard itself gives for `value` as an origin. */
function corsguardMessage(value: string): string {
  try {
    cors({ origin: [value] });
  } catch (err) {
    if (err instanceof CorsConfigError) return err.issues.map((issue) => issue.message).join(' ');
    throw err;
  }
  throw new Error(`corsguard accepts ${value}`);
}

describe('examples/dynamic-origins-db', () => {
  describe('adding and removing origins', () => {
    it('allows an origin added through the admin API on the next preflight and request', async () => {
      const { app } = start();
      // Refused first, and that refusal is now cached.
      expect(accessControl((await actual(app, TENANT)).headers)).toEqual([]);

      const added = await add(app, TENANT);
      expect(added.status).toBe(201);
      expect(added.body).toEqual({ origin: TENANT, added: true });

      const pre = await preflight(app, TENANT);
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(TENANT);
      expect(pre.headers['access-control-allow-methods']).toBe('GET,POST');
      expect(pre.headers['access-control-allow-headers']).toBe('Content-Type,Authorization');
      const res = await actual(app, TENANT);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(TENANT);
      expect(res.headers.vary).toBe('Origin');
      expect(res.body).toEqual({ message: 'Hello from the API', origin: TENANT });
    });

    it('refuses a removed origin on the next request, although its answer was cached', async () => {
      const counted = countingStore(openSqliteStore(databaseFile));
      const { app } = start({ store: counted.store });
      expect((await add(app, TENANT)).status).toBe(201);
      expect((await actual(app, TENANT)).headers['access-control-allow-origin']).toBe(TENANT);
      expect((await actual(app, TENANT)).headers['access-control-allow-origin']).toBe(TENANT);
      expect(counted.lookups).toEqual([TENANT]); // the second answer came from the cache

      const removed = await remove(app, TENANT);
      expect(removed.status).toBe(204);

      const pre = await preflight(app, TENANT);
      expect(pre.status).toBe(204);
      expect(accessControl(pre.headers)).toEqual([]);
      const res = await actual(app, TENANT);
      expect(accessControl(res.headers)).toEqual([]);
      expect(res.headers.vary).toBe('Origin');
      expect(counted.lookups).toEqual([TENANT, TENANT]);
      expect(await list(app)).toEqual([]);
    });

    it('lists the origins, answers 200 for one already there and 404 for one that is not', async () => {
      const { app } = start();
      expect((await add(app, OTHER)).status).toBe(201);
      expect((await add(app, TENANT)).status).toBe(201);
      const again = await add(app, TENANT);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ origin: TENANT, added: false });
      expect(await list(app)).toEqual([OTHER, TENANT]);

      const missing = await remove(app, 'https://never.example');
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({
        error: 'NOT_FOUND',
        message: 'https://never.example is not an allowed origin',
      });
    });

    it('keeps the origins in the database file across a restart', async () => {
      const first = start();
      expect((await add(first.app, TENANT)).status).toBe(201);
      first.close();

      const second = start();
      const res = await actual(second.app, TENANT);
      expect(res.headers['access-control-allow-origin']).toBe(TENANT);
      expect(await list(second.app)).toEqual([TENANT]);
    });
  });

  describe('the admin token', () => {
    it.each([
      ['a wrong token', 'Bearer not-the-token'],
      ['a token with a different length', `Bearer ${TOKEN}x`],
      ['another scheme', `Basic ${TOKEN}`],
      ['no token', undefined],
    ])('rejects %s with 401 and changes nothing', async (_name, auth) => {
      const { app } = start();
      expect((await add(app, TENANT)).status).toBe(201);
      const send = <T extends request.Test>(test: T) =>
        auth === undefined ? test : test.set('Authorization', auth);

      const post = await send(request(app).post('/admin/origins').send({ origin: OTHER }));
      expect(post.status).toBe(401);
      expect(post.headers['www-authenticate']).toBe('Bearer realm="admin"');
      expect(post.body).toEqual({
        error: 'UNAUTHORIZED',
        message: 'send Authorization: Bearer <ADMIN_TOKEN>',
      });
      const del = await send(request(app).delete(`/admin/origins/${encodeURIComponent(TENANT)}`));
      expect(del.status).toBe(401);
      expect((await send(request(app).get('/admin/origins'))).status).toBe(401);

      expect(await list(app)).toEqual([TENANT]);
      expect((await actual(app, TENANT)).headers['access-control-allow-origin']).toBe(TENANT);
      expect(accessControl((await actual(app, OTHER)).headers)).toEqual([]);
    });

    it.each([undefined, '', '   '])('refuses to start with the admin token %p', (adminToken) => {
      expect(() => createApp({ databaseFile, adminToken })).toThrow(
        'an admin token is required (set ADMIN_TOKEN); refusing to start without one',
      );
      expect(existsSync(databaseFile)).toBe(false);
    });
  });

  describe('checking submitted origins', () => {
    it.each([
      'https://tenant.example/',
      'https://Tenant.example',
      'tenant.example',
      'https://tenant.example:443',
      'https://bücher.example',
      'null',
      '*',
      'https://*.com',
    ])('refuses %p with corsguard’s own message', async (value) => {
      const { app } = start();
      const res = await add(app, value);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'INVALID_ORIGIN', message: corsguardMessage(value) });
      expect(await list(app)).toEqual([]);
    });

    it('tells what to write instead of a trailing slash', async () => {
      const { app } = start();
      const res = await add(app, 'https://tenant.example/');
      expect((res.body as { message: string }).message).toBe(
        '"https://tenant.example/" is not an origin as browsers send it: an origin has no path, query or fragment, not even a trailing slash; did you mean "https://tenant.example"?',
      );
    });

    it('refuses a pattern: rows are exact origins', async () => {
      const { app } = start();
      const res = await add(app, 'https://*.tenant.example');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'INVALID_ORIGIN',
        message:
          '"https://*.tenant.example" is a pattern; each row is one exact origin, as browsers send it ("https://tenant.example")',
      });
      expect(await list(app)).toEqual([]);
    });

    it.each([
      ['no body', undefined],
      ['a form instead of JSON', 'origin=https://tenant.example'],
      ['no origin field', {}],
      ['a number', { origin: 42 }],
    ])('refuses %s', async (_name, body) => {
      const { app } = start();
      const post = request(app).post('/admin/origins').set('Authorization', `Bearer ${TOKEN}`);
      const res = await (body === undefined ? post : post.send(body));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'INVALID_ORIGIN',
        message: 'expected a JSON body {"origin": "https://tenant.example"}',
      });
      expect(await list(app)).toEqual([]);
    });

    it('answers malformed JSON with a 400 JSON body', async () => {
      const { app } = start();
      const res = await request(app)
        .post('/admin/origins')
        .set('Authorization', `Bearer ${TOKEN}`)
        .set('Content-Type', 'application/json')
        .send('{"origin": ');
      expect(res.status).toBe(400);
      expect((res.body as { error: string }).error).toBe('BAD_REQUEST');
    });
  });

  describe('CORS covers /api only', () => {
    it('gives the admin API no Access-Control-* header, even for an allowed origin', async () => {
      const { app } = start();
      expect((await add(app, TENANT)).status).toBe(201);
      const pre = await request(app)
        .options('/admin/origins')
        .set('Origin', TENANT)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization, content-type');
      expect(accessControl(pre.headers)).toEqual([]);
      const post = await add(app, OTHER).set('Origin', TENANT);
      expect(post.status).toBe(201); // server to server, the token is what counts
      expect(accessControl(post.headers)).toEqual([]);
    });
  });

  describe('the origin cache', () => {
    it('asks the database once for 20 requests from one origin, allowed or refused', async () => {
      const counted = countingStore(openSqliteStore(databaseFile));
      const { app } = start({ store: counted.store });
      expect((await add(app, TENANT)).status).toBe(201);
      for (let i = 0; i < 10; i++) {
        expect((await actual(app, TENANT)).headers['access-control-allow-origin']).toBe(TENANT);
        expect((await preflight(app, TENANT)).headers['access-control-allow-origin']).toBe(TENANT);
        expect(accessControl((await actual(app, OTHER)).headers)).toEqual([]);
        expect(accessControl((await preflight(app, OTHER)).headers)).toEqual([]);
      }
      expect(counted.lookups).toEqual([TENANT, OTHER]);
    });

    it('shares one lookup among concurrent first requests', async () => {
      const counted = countingStore(openSqliteStore(databaseFile), 100);
      const { app } = start({ store: counted.store });
      expect((await add(app, TENANT)).status).toBe(201);
      const answers = await Promise.all(Array.from({ length: 20 }, () => actual(app, TENANT)));
      expect(answers.map((res) => res.headers['access-control-allow-origin'])).toEqual(
        Array.from({ length: 20 }, () => TENANT),
      );
      expect(counted.lookups).toEqual([TENANT]);
    });

    it('asks again once the ttl has passed', async () => {
      const counted = countingStore(openSqliteStore(databaseFile));
      const { app } = start({ store: counted.store, cacheTtl: 500 });
      await actual(app, TENANT);
      await actual(app, TENANT);
      expect(counted.lookups).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 550));
      await actual(app, TENANT);
      expect(counted.lookups).toHaveLength(2);
    });
  });

  describe('a failing lookup', () => {
    it('answers 503 with a JSON body when the store never answers', async () => {
      const { app } = start({
        store: lookupOnly(() => new Promise<boolean>(() => {})),
        originTimeout: 50,
      });
      const started = Date.now();
      // Were the limit not enforced, supertest would give up after a second and the test fail.
      const pre = await preflight(app, TENANT).timeout(1000);
      const res = await actual(app, TENANT).timeout(1000);
      expect(Date.now() - started).toBeLessThan(1000);
      for (const answer of [pre, res]) {
        expect(answer.status).toBe(503);
        expect(answer.body).toEqual({
          error: 'CORS_ORIGIN_TIMEOUT',
          message: 'the origin check took too long',
        });
        expect(accessControl(answer.headers)).toEqual([]);
      }
      // Still serving: a request without Origin needs no lookup.
      expect((await request(app).get('/api/hello')).status).toBe(200);
    });

    it('answers 503 when the store throws, logs the error, and asks again next time', async () => {
      const log = jest.spyOn(console, 'error').mockImplementation(() => {});
      try {
        let calls = 0;
        const { app } = start({
          store: lookupOnly(() => {
            calls++;
            throw new Error('SQLITE_IOERR: disk I/O error');
          }),
        });
        for (const answer of [await actual(app, TENANT), await actual(app, TENANT)]) {
          expect(answer.status).toBe(503);
          expect(answer.body).toEqual({
            error: 'ORIGIN_LOOKUP_FAILED',
            message: 'the origin check failed',
          });
          expect(accessControl(answer.headers)).toEqual([]);
        }
        expect(calls).toBe(2); // errors are not cached
        expect(log).toHaveBeenCalledWith(
          `origin lookup failed for ${TENANT}:`,
          expect.objectContaining({ message: 'SQLITE_IOERR: disk I/O error' }),
        );
      } finally {
        log.mockRestore();
      }
    });

    it('answers 503 when the real database is gone', async () => {
      const log = jest.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const { app, close } = start();
        close();
        const res = await actual(app, TENANT);
        expect(res.status).toBe(503);
        expect((res.body as { error: string }).error).toBe('ORIGIN_LOOKUP_FAILED');
        expect(log).toHaveBeenCalledTimes(1);
      } finally {
        log.mockRestore();
      }
    });
  });

  it('leaves nothing but the database in its directory', async () => {
    const { app, close } = start();
    expect((await add(app, TENANT)).status).toBe(201);
    close();
    expect(readdirSync(dir)).toEqual(['origins.db']);
  });
});
