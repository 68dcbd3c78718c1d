// Issue 20: answers are values, read fresh. Over generated allow-lists and options, edited in place
// between two requests, the second answer is the one the static configuration of the edited value
// gives (fresh-answers.test.ts has the cases users write, on real servers).
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { cors, type CorsOptions } from '../lib/index.js';
import { run } from './helpers/mock.js';

const A = 'https://a.example';
const B = 'https://b.example';
const C = 'https://c.example';

describe('answers read fresh: a change between two requests is never answered stale (property)', () => {
  const POOL = [A, B, C, 'https://*.example.org', 'https://x.example.org', 'http://localhost:*'];
  const ORIGINS = [
    A,
    B,
    C,
    'https://x.example.org',
    'http://localhost:3000',
    'https://evil.example',
  ];
  const list = fc.uniqueArray(fc.constantFrom(...POOL), { maxLength: 5 });

  /** What a static `cors({ origin: list })` answers, the reference. */
  async function reference(origins: string[], origin: string): Promise<string | undefined> {
    const out = await run(cors({ origin: origins }), { headers: { Origin: origin } });
    return out.headers['access-control-allow-origin'];
  }

  it('an origin function’s array, edited in place between requests', async () => {
    await fc.assert(
      fc.asyncProperty(list, list, fc.constantFrom(...ORIGINS), async (first, second, origin) => {
        const allowed = [...first];
        const mw = cors({
          origin: (_o, cb) => {
            cb(null, allowed);
          },
        });
        await run(mw, { headers: { Origin: origin } });
        allowed.splice(0, allowed.length, ...second);
        const out = await run(mw, { headers: { Origin: origin } });
        expect(out.headers['access-control-allow-origin']).toBe(await reference(second, origin));
      }),
      { numRuns: 200 },
    );
  });

  it('a delegate’s options object, edited in place between requests, answers as the static options do', async () => {
    const options = fc.record({
      origin: list,
      credentials: fc.boolean(),
      exposedHeaders: fc.constantFrom(undefined, 'X-Total', ['X-A', 'X-B']),
      maxAge: fc.constantFrom(undefined, 0, 600),
      methods: fc.constantFrom(undefined, 'GET,POST', ['PUT']),
    });
    await fc.assert(
      fc.asyncProperty(
        options,
        options,
        fc.constantFrom(...ORIGINS),
        fc.boolean(),
        async (first, second, origin, preflight) => {
          const opts: Record<string, unknown> = { ...first, origin: [...first.origin] };
          const mw = cors((_req: IncomingMessage, cb) => {
            cb(null, opts);
          });
          const req = preflight
            ? {
                method: 'OPTIONS',
                headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT' },
              }
            : { headers: { Origin: origin } };
          await run(mw, req);
          // The edit an admin endpoint makes: fields replaced, the list changed in place.
          (opts.origin as string[]).splice(0, (opts.origin as string[]).length, ...second.origin);
          for (const key of ['credentials', 'exposedHeaders', 'maxAge', 'methods'] as const) {
            if (second[key] === undefined) Reflect.deleteProperty(opts, key);
            else opts[key] = second[key];
          }
          const out = await run(mw, req);
          const expected = await run(
            cors({ ...(opts as CorsOptions), origin: second.origin }),
            req,
          );
          const corsOnly = (headers: Record<string, string>): Record<string, string> =>
            Object.fromEntries(
              Object.entries(headers).filter(([name]) => name.startsWith('access-control-')),
            );
          expect(corsOnly(out.headers)).toEqual(corsOnly(expected.headers));
          expect(out.status).toBe(expected.status);
        },
      ),
      { numRuns: 200 },
    );
  });
});
