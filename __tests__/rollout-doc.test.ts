// Issue 24: the guide "Rolling out a stricter policy" (docs/rollout.md) shows the report of
// examples/shadow-rollout.ts after the traffic it describes; this sends that traffic and the report
// must be the one the guide shows. Then the step to enforcement: the suggestion, enforced, answers
// the origins it lists and refuses the risky ones.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createApp, enforce } from '../examples/shadow-rollout.js';

/** The traffic of the guide: Origin headers in the order they arrive, a preflight for the partner. */
const TRAFFIC = [
  'https://app.example.com',
  'https://admin.example.com',
  'https://shop.partner.example',
  'https://blog.partner.example',
  'https://shop.partner.example',
  'null',
  'http://localhost:3000',
];

/** The JSON block that follows the line `GET /admin/cors-report` in the guide. */
function shownReport(): unknown {
  const guide = readFileSync(join(__dirname, '..', 'docs', 'rollout.md'), 'utf8');
  const after = guide.slice(guide.indexOf('$ curl http://localhost:4000/admin/cors-report'));
  const block = after.slice(
    after.indexOf('```json\n') + 8,
    after.indexOf('\n```', after.indexOf('```json\n')),
  );
  return JSON.parse(block) as unknown;
}

/** The README's excerpt of the same report: the JSON block of its rollout section. */
function readmeExcerpt(): unknown {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Rolling out a stricter policy'));
  const start = section.indexOf('```json\n') + 8;
  return JSON.parse(section.slice(start, section.indexOf('\n```', start))) as unknown;
}

describe('the rollout guide', () => {
  it("the README's excerpt is the guide's report", () => {
    const { suggestion, risky } = shownReport() as { suggestion: unknown; risky: unknown };
    expect(readmeExcerpt()).toEqual({ suggestion, risky });
  });

  it('shows the report the example gives after its traffic', async () => {
    const { app, reported } = createApp();
    for (const origin of TRAFFIC) {
      await request(app).get('/api/me').set('Origin', origin).set('Cookie', 'session=1');
    }
    await request(app)
      .options('/api/me')
      .set('Origin', 'https://shop.partner.example')
      .set('Access-Control-Request-Method', 'PUT');
    const report = (await request(app).get('/admin/cors-report')).body as unknown;
    expect(report).toEqual(shownReport());
    expect(reported).toEqual({ 'would-refuse': 6, 'would-allow': 0 });
  });

  it('enforces the suggestion: its origins are allowed, the risky ones refused', async () => {
    const { suggestion } = shownReport() as { suggestion: Parameters<typeof enforce>[0] };
    const app = enforce(suggestion);
    const acao = async (origin: string) =>
      (await request(app).get('/api/me').set('Origin', origin)).headers[
        'access-control-allow-origin'
      ];
    expect(await acao('https://shop.partner.example')).toBe('https://shop.partner.example');
    expect(await acao('https://app.example.com')).toBe('https://app.example.com');
    expect(await acao('null')).toBeUndefined();
    expect(await acao('http://localhost:3000')).toBeUndefined();
  });
});
