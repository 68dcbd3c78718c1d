import request from 'supertest';
import { createApp as allowList } from '../examples/allow-list.js';

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
