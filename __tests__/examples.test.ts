import request from 'supertest';
import { createApp as allowList } from '../examples/allow-list.js';
import { createApp as delegate } from '../examples/delegate.js';
import { createApp as functionOrigin, memoryStore } from '../examples/function-origin.js';
import { createApp as perRoute } from '../examples/per-route.js';
import { createApp as subdomains } from '../examples/subdomains.js';

describe('examples/allow-list', () => {
  const app = allowList();

  it('lets a listed front end read a credentialed response and its exposed header', async () => {
    const res = await request(app).get('/api/me').set('Origin', 'https://app.example.com');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-expose-headers']).toBe('X-Request-Id');
    expect(res.headers.vary).toBe('Origin');
  });

  it('answers the preflight of a JSON PUT with the configured lists', async () => {
    const res = await request(app)
      .options('/api/me')
      .set('Origin', 'https://admin.example.com')
      .set('Access-Control-Request-Method', 'PUT')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,PUT,PATCH,POST,DELETE');
    expect(res.headers['access-control-allow-headers']).toBe('Content-Type,Authorization');
    expect(res.headers['access-control-max-age']).toBe('600');
  });

  it('gives an unlisted site no Access-Control-* header at all', async () => {
    const res = await request(app).get('/api/me').set('Origin', 'https://evil.example');
    expect(res.status).toBe(200);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(res.headers.vary).toBe('Origin');
  });
});

const accessControl = (headers: Record<string, string>) =>
  Object.keys(headers).filter((h) => h.startsWith('access-control-'));

describe('examples/subdomains', () => {
  const app = subdomains();

  it.each([
    'https://example.com',
    'https://shop.example.com',
    'https://eu.shop.example.com',
    'http://localhost:5173',
    'http://localhost',
  ])('allows %s', async (origin) => {
    const res = await request(app).get('/api/status').set('Origin', origin);
    expect(res.headers['access-control-allow-origin']).toBe(origin);
  });

  it.each([
    'https://example.com.evil.net',
    'https://evilexample.com',
    'http://shop.example.com',
    'http://127.0.0.1:5173',
  ])('refuses the lookalike %s', async (origin) => {
    const res = await request(app).get('/api/status').set('Origin', origin);
    expect(accessControl(res.headers)).toEqual([]);
  });
});

describe('examples/per-route', () => {
  const app = perRoute();

  it('opens the public catalog to any site', async () => {
    const res = await request(app).get('/public/catalog').set('Origin', 'https://anyone.example');
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('answers the preflight of POST /orders for the shop, with credentials', async () => {
    const res = await request(app)
      .options('/orders')
      .set('Origin', 'https://shop.example.org')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-methods']).toBe('POST');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    const post = await request(app)
      .post('/orders')
      .set('Origin', 'https://shop.example.org')
      .send({ item: 'donut' });
    expect(post.status).toBe(201);
    expect(post.headers['access-control-allow-origin']).toBe('https://shop.example.org');
  });

  it('leaves other routes without any Access-Control-* header', async () => {
    const res = await request(app)
      .get('/internal/metrics')
      .set('Origin', 'https://shop.example.org');
    expect(accessControl(res.headers)).toEqual([]);
  });
});

describe('examples/function-origin', () => {
  it('allows the origins the store knows and refuses the others', async () => {
    const app = functionOrigin(memoryStore(['https://tenant-a.example']));
    const ok = await request(app).get('/api/invoices').set('Origin', 'https://tenant-a.example');
    expect(ok.headers['access-control-allow-origin']).toBe('https://tenant-a.example');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    const no = await request(app).get('/api/invoices').set('Origin', 'https://tenant-b.example');
    expect(accessControl(no.headers)).toEqual([]);
  });

  it('turns a failing store into the error handler answer, and keeps serving', async () => {
    const app = functionOrigin({ isAllowed: () => Promise.reject(new Error('database down')) });
    const res = await request(app).get('/api/invoices').set('Origin', 'https://tenant-a.example');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'origin check failed: database down' });
    const again = await request(app).get('/api/invoices');
    expect(again.status).toBe(200);
  });
});

describe('examples/delegate', () => {
  const app = delegate();

  it('opens /public/ to every site', async () => {
    const res = await request(app).get('/public/news').set('Origin', 'https://anyone.example');
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('keeps /admin/ for the admin front end, with credentials', async () => {
    const admin = await request(app).get('/admin/users').set('Origin', 'https://admin.example.com');
    expect(admin.headers['access-control-allow-origin']).toBe('https://admin.example.com');
    expect(admin.headers['access-control-allow-credentials']).toBe('true');
    const other = await request(app).get('/admin/users').set('Origin', 'https://anyone.example');
    expect(accessControl(other.headers)).toEqual([]);
  });
});
