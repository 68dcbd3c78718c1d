// Compile-time guarantees of the public types. `npm run typecheck` fails if an @ts-expect-error
// line compiles; the runtime assertions check the same configurations are refused when built.
import type { IncomingMessage } from 'node:http';
import express from 'express';
import corsDefault, {
  cors,
  CorsConfigError,
  type CorsMiddleware,
  type CorsOptions,
} from '../lib/index.js';

describe('the options type', () => {
  it("makes { origin: '*', credentials: true } a compile-time error, and a build-time one", () => {
    // @ts-expect-error -- '*' cannot be combined with credentials
    expect(() => cors({ origin: '*', credentials: true })).toThrow(CorsConfigError);
  });

  it('accepts every origin form of the cors package', () => {
    const forms: CorsOptions['origin'][] = [
      '*',
      true,
      false,
      'https://a.example',
      /^https:\/\/a\.example$/,
      ['https://a.example', /^https:\/\/b\.example$/, 'https://*.c.example'],
      (origin: string | undefined, callback: (err: Error | null, allow?: boolean) => void) => {
        callback(null, origin === 'https://a.example');
      },
      (origin: string) => Promise.resolve(origin.endsWith('.example')),
    ];
    for (const origin of forms) expect(typeof cors({ origin })).toBe('function');
  });

  it('accepts credentials with a list, a string typed as string, and a function', () => {
    const fromEnv: string = process.env.CORSGUARD_TYPES_TEST_ORIGIN ?? 'https://app.example';
    expect(typeof cors({ origin: fromEnv, credentials: true })).toBe('function');
    expect(typeof cors({ origin: ['https://a.example'], credentials: true })).toBe('function');
    expect(typeof cors({ origin: () => true, credentials: true })).toBe('function');
  });

  it('refuses unknown option names at compile time too', () => {
    // @ts-expect-error -- a typo of credentials
    expect(() => cors({ credential: true })).toThrow(/did you mean `credentials`/);
  });
});

describe('the middleware type', () => {
  it('fits app.use of Express and is the same function as the default export', () => {
    const app = express();
    const mw: CorsMiddleware = corsDefault();
    app.use(mw);
    app.post('/x', cors({ origin: 'https://a.example' }), (_req, res) => {
      res.end();
    });
    expect(corsDefault).toBe(cors);
  });

  it('gives a delegate the request type the application uses', () => {
    interface TenantRequest extends IncomingMessage {
      tenant?: string;
    }
    const mw: CorsMiddleware<TenantRequest> = cors<TenantRequest>((req, callback) => {
      callback(null, {
        origin: req.tenant === undefined ? false : [`https://${req.tenant}.example`],
      });
    });
    expect(mw.length).toBe(3);
  });
});
