// Issue 25: the corsguard/fetch recipes under examples/, each started on its runtime and sent a
// preflight, an allowed request and a refused one. Hono on Node (@hono/node-server) for now.
import { start } from '../examples/fetch-hono.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

describe('Hono on Node (examples/fetch-hono.ts)', () => {
  let url: string;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    const started = await start();
    url = started.url;
    stop = () =>
      new Promise<void>((resolve) => {
        started.server.close(() => {
          resolve();
        });
      });
  });
  afterAll(() => stop());

  it('answers the preflight itself, with the policy’s headers', async () => {
    const res = await fetch(`${url}/api/items/7`, {
      method: 'OPTIONS',
      headers: {
        Origin: APP,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('adds the headers to Hono’s answer for an allowed origin', async () => {
    const res = await fetch(`${url}/api/hello`, { headers: { Origin: APP } });
    expect(await res.json()).toEqual({ hello: 'world' });
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('vary')).toBe('Origin');
  });

  it('gives a refused origin Hono’s answer without CORS headers', async () => {
    const res = await fetch(`${url}/api/hello`, { headers: { Origin: EVIL } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${url}/api/items/7`, {
      method: 'OPTIONS',
      headers: { Origin: EVIL, 'Access-Control-Request-Method': 'PUT' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
