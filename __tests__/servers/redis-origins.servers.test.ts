// Issue 20: the Redis one-liners users copy for a function origin, against a real redis-server
// (Debian's, started by this file on a free 127.0.0.1 port), under Express 5, Express 4 and node:http.
//
// - node_redis 3 returns true from every command ("written to the socket") and calls back later with
//   the reply: `(...args) => redis.sismember(KEY, ...args)` must wait for the callback, never read the
//   true as "allow".
// - `(origin, cb) => redis.sismember(KEY, origin, cb)` passes the callback straight through: the reply
//   1 or 0 is the answer, as in `cors`.
// - The allow-list changes between two requests (SADD, SREM), and the next request follows it.
import { Redis } from 'ioredis';
import { createClient as createClient3, type RedisClient } from 'redis3';
import request from 'supertest';
import { cors, type CustomOrigin } from '../../lib/index.js';
import { listener } from '../helpers/frameworks.js';
import { type RunningServer, startServer } from './servers.js';

const KEY = 'cors:allowed';
const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';
const LATE = 'https://late.example.com';
const STACKS = ['express5', 'express4', 'node:http'] as const;

let redis: RunningServer;
let client3: RedisClient;
let io: Redis;

beforeAll(async () => {
  redis = await startServer('redis');
  client3 = createClient3({ host: redis.host, port: redis.port });
  await new Promise<void>((resolve, reject) => {
    client3.on('ready', () => {
      resolve();
    });
    client3.on('error', reject);
  });
  io = new Redis({ host: redis.host, port: redis.port, lazyConnect: false });
  await io.sadd(KEY, APP);
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- beforeAll may have failed
    if (client3 === undefined) resolve();
    else client3.quit(resolve);
  });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  await io?.quit();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  await redis?.remove();
});

const ORIGINS: [string, () => CustomOrigin][] = [
  [
    'node_redis 3: (...args) => redis.sismember(KEY, ...args) (the command returns true)',
    () =>
      (...args: [string, (err: Error | null, reply: number) => void]) =>
        client3.sismember(KEY, ...args),
  ],
  [
    'node_redis 3: (origin, cb) => redis.sismember(KEY, origin, cb) (the reply is the answer)',
    () => (origin, cb) => client3.sismember(KEY, origin, cb),
  ],
  [
    'ioredis: (origin, cb) => redis.sismember(KEY, origin, cb) (a Promise returned too)',
    () => (origin, cb) => io.sismember(KEY, origin, cb),
  ],
  [
    'ioredis: async (origin) => (await redis.sismember(KEY, origin)) === 1',
    () => async (origin) => (await io.sismember(KEY, origin)) === 1,
  ],
];

describe.each(STACKS)('under %s', (stack) => {
  it.each(ORIGINS)(
    '%s: members allowed with credentials, strangers refused, changes followed',
    async (_name, make) => {
      const app = listener(stack, cors({ origin: make(), credentials: true }));
      const ask = async (origin: string) => {
        const res = await request(app).get('/').set('Origin', origin);
        return {
          status: res.status,
          acao: res.headers['access-control-allow-origin'],
        };
      };
      expect(await ask(APP)).toEqual({ status: 200, acao: APP });
      expect(await ask(EVIL)).toEqual({ status: 200, acao: undefined });
      expect(await ask(LATE)).toEqual({ status: 200, acao: undefined });
      await io.sadd(KEY, LATE);
      try {
        expect(await ask(LATE)).toEqual({ status: 200, acao: LATE });
      } finally {
        await io.srem(KEY, LATE);
      }
      expect(await ask(LATE)).toEqual({ status: 200, acao: undefined });
      const preflight = await request(app)
        .options('/')
        .set('Origin', EVIL)
        .set('Access-Control-Request-Method', 'PUT');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    },
  );
});
