import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createNestApp } from '../examples/nestjs/app.js';

describe('examples/nestjs (corsguard with app.use on the Express adapter)', () => {
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    app = await createNestApp();
    server = app.getHttpServer() as Server;
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers the preflight of a JSON POST from a listed origin before Nest routes it', async () => {
    const res = await request(server)
      .options('/items')
      .set('Origin', 'https://pr-7.preview.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://pr-7.preview.example.com');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,PUT,PATCH,POST,DELETE');
    expect(res.headers['access-control-allow-headers']).toBe('Content-Type,Authorization');
    expect(res.headers['access-control-max-age']).toBe('600');
  });

  it("lets a listed origin read the controller's answer, with credentials", async () => {
    const res = await request(server)
      .post('/items')
      .set('Origin', 'https://app.example.com')
      .send({ name: 'second' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ created: 'second' });
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers.vary).toBe('Origin');
  });

  it('gives an unlisted origin the response without any Access-Control-* header', async () => {
    const res = await request(server).get('/items').set('Origin', 'https://evil.example');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ id: 1, name: 'first' }]);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(res.headers.vary).toBe('Origin');
  });

  it('answers the preflight of an unlisted origin itself, without any Access-Control-Allow-* header', async () => {
    const res = await request(server)
      .options('/items')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(res.status).toBe(204);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(res.headers.vary).toBe('Origin');
  });
});
