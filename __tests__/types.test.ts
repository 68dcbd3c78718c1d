// Compile-time guarantees of the public types. `npm run typecheck` fails if an @ts-expect-error
// line compiles; the runtime assertions check the same configurations are refused when built. The
// fixtures in fixtures/types are compiled against the built declarations by TypeScript 5.9, 6 and 7,
// and the first error of each is compared with the line a user should read first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import corsDefault, {
  cors,
  CorsConfigError,
  type CorsMiddleware,
  type CorsOptions,
  type CorsOptionsDelegate,
} from '../lib/index.js';

describe('the function types', () => {
  // A callback-style client returns itself, as sqlite3's Database#get does.
  class Database {
    get(_sql: string, _params: unknown[], cb: (err: Error | null, row?: object) => void): this {
      setImmediate(() => {
        cb(null, {});
      });
      return this;
    }
  }
  const db = new Database();
  const sql = 'SELECT 1 FROM origins WHERE origin = ?';

  it('accept the one-line callback arrows users write, whatever the call returns', () => {
    // Each of these must compile: their return value is a Database, a Timeout, a Query.
    const origin = cors({
      origin: (o, cb) =>
        db.get(sql, [o], (err, row) => {
          cb(err, !!row);
        }),
    });
    const timer = cors({
      origin: (o, cb) =>
        setTimeout(() => {
          cb(null, o.endsWith('.example.com'));
        }, 1),
    });
    const delegate = cors((req, cb) =>
      db.get(sql, [req.headers.origin], (err, row) => {
        cb(err, { origin: !!row });
      }),
    );
    for (const mw of [origin, timer, delegate]) expect(typeof mw).toBe('function');
  });

  it('accept functions that return their answer', () => {
    const allowed = new Set(['https://app.example.com']);
    expect(typeof cors({ origin: async (o) => Promise.resolve(allowed.has(o)) })).toBe('function');
    expect(typeof cors({ origin: (o) => allowed.has(o) })).toBe('function');
    expect(typeof cors((_req) => ({ origin: [...allowed] }))).toBe('function');
  });
});

describe('the options type', () => {
  it("makes { origin: '*', credentials: true } a compile-time error, and a build-time one", () => {
    // @ts-expect-error -- '*' cannot be combined with credentials
    expect(() => cors({ origin: '*', credentials: true })).toThrow(CorsConfigError);
  });

  it('makes { credentials: true } with origin left out (the default "*") a compile-time error, and a build-time one', () => {
    // @ts-expect-error -- the default origin '*' cannot be combined with credentials
    expect(() => cors({ credentials: true })).toThrow(CorsConfigError);
    // @ts-expect-error -- still '*' when other options are given
    expect(() => cors({ credentials: true, maxAge: 600 })).toThrow(
      /the origin option was left out/,
    );
  });

  it('accepts credentials: false or a boolean variable without an origin (the latter is checked when built)', () => {
    const fromEnv: boolean = process.env.CORSGUARD_TYPES_TEST_CREDENTIALS === 'yes';
    expect(typeof cors({ credentials: false })).toBe('function');
    expect(typeof cors({ credentials: fromEnv })).toBe('function');
  });

  it('accepts maxAge as a number or a string of digits, and refuses other strings', () => {
    expect(typeof cors({ maxAge: 600 })).toBe('function');
    expect(typeof cors({ maxAge: '600' })).toBe('function');
    // @ts-expect-error -- not a number at all
    expect(() => cors({ maxAge: 'abc' })).toThrow(/Number\(process\.env\.CORS_MAX_AGE\)/);
    // @ts-expect-error -- maxAge is seconds, not a boolean
    expect(() => cors({ maxAge: true })).toThrow(CorsConfigError);
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
    expect(typeof cors({ origin: (_origin) => true, credentials: true })).toBe('function');
  });

  it('refuses settings after options at compile time, while the run time ignores them as cors does', () => {
    expect(() =>
      // @ts-expect-error -- originTimeout belongs in the options
      cors({ origin: 'https://a.example' }, { originTimeout: 10 }),
    ).not.toThrow();
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

  it('takes settings after a delegate, written inline or typed', () => {
    const inline = cors(
      (req, callback) => {
        callback(null, { origin: req.url === '/public' });
      },
      { originTimeout: 1000 },
    );
    const typed: CorsOptionsDelegate = (_req, callback) => {
      callback(null, null);
    };
    expect([inline, cors(typed, { originTimeout: 0 })].map((mw) => typeof mw)).toEqual([
      'function',
      'function',
    ]);
  });
});

describe('the first compiler error, under TypeScript 5.9, 6 and 7', () => {
  const root = path.join(__dirname, '..');
  const fixtures = path.join(__dirname, 'fixtures', 'types');
  const STAR = `"origin '*' cannot be combined with credentials: true; list the origins"`;
  const DEFAULT_STAR = `"credentials: true needs an origin option: left out, it is '*', which cannot be combined with credentials; list the origins"`;
  const TYPO = `"unknown option 'credential': did you mean 'credentials'?"`;
  const SETTINGS = `"a second argument is only for an options delegate; put these options in the first"`;
  // Each fixture's first diagnostic, as `tsc --pretty false` prints it; null: it must compile cleanly.
  const FIRST_LINE: Record<string, string | null> = {
    'star-with-credentials.mts': `(6,16): error TS2322: Type '"*"' is not assignable to type '${STAR}'.`,
    'star-with-credentials.cts': `(7,16): error TS2322: Type '"*"' is not assignable to type '${STAR}'.`,
    'default-star-with-credentials.mts': `(7,16): error TS2322: Type 'true' is not assignable to type '${DEFAULT_STAR}'.`,
    'typo.mts': `(7,53): error TS2322: Type 'true' is not assignable to type '${TYPO}'.`,
    'typo-alone.mts': `(6,16): error TS2322: Type 'true' is not assignable to type '${TYPO}'.`,
    'settings-after-options.mts': `(7,53): error TS2345: Argument of type '{ originTimeout: number; }' is not assignable to parameter of type '${SETTINGS}'.`,
    'valid.mts': null,
    'valid.cts': null,
    'namespace.mts': null,
    'namespace.cts': null,
    'fetch-valid.mts': null,
    'fetch-star-with-credentials.mts': `(6,3): error TS2322: Type '"*"' is not assignable to type '${STAR}'.`,
  };
  // The package's own TypeScript (~6.0) and the two installed beside it under npm aliases.
  const COMPILERS: [string, string, string][] = [
    ['5.9', '5.9.', 'typescript-5.9'],
    ['6', '6.0.', 'typescript'],
    ['7', '7.', 'typescript-7'],
  ];

  it('has an expected first line for every fixture file', () => {
    expect(readdirSync(fixtures).sort()).toEqual(Object.keys(FIRST_LINE).sort());
  });

  describe.each(COMPILERS)('TypeScript %s', (_label, version, pkg) => {
    const firstLines = new Map<string, string>();
    let output = '';

    beforeAll(() => {
      expect(existsSync(path.join(root, 'dist', 'esm', 'index.d.ts'))).toBe(true); // npm run build first
      const work = mkdtempSync(path.join(tmpdir(), 'corsguard-types-'));
      try {
        // The fixtures import 'corsguard' by name: inside this package that resolves through its
        // "exports" to the built declarations, import and require alike.
        writeFileSync(
          path.join(work, 'tsconfig.json'),
          JSON.stringify({
            compilerOptions: {
              noEmit: true,
              strict: true,
              module: 'nodenext',
              moduleResolution: 'nodenext',
              target: 'es2022',
              types: ['node'],
              typeRoots: [path.join(root, 'node_modules', '@types')],
              pretty: false,
            },
            files: Object.keys(FIRST_LINE).map((name) => path.join(fixtures, name)),
          }),
        );
        const tsc = path.join(root, 'node_modules', pkg, 'bin', 'tsc');
        // Run from the fixtures folder, so that tsc names each file by its bare name.
        const result = spawnSync(process.execPath, [tsc, '-p', work], {
          cwd: fixtures,
          encoding: 'utf8',
        });
        output = `${result.stdout}${result.stderr}`;
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
      for (const line of output.split('\n')) {
        const name = /^([\w.-]+)\(\d+,\d+\): /.exec(line)?.[1];
        if (name !== undefined && !firstLines.has(name)) {
          firstLines.set(name, line.slice(name.length));
        }
      }
    }, 120_000);

    it('is the compiler it says', () => {
      const { version: installed } = JSON.parse(
        readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8'),
      ) as { version: string };
      expect(installed.startsWith(version)).toBe(true);
    });

    it('prints only diagnostics of the fixtures (no configuration or resolution error)', () => {
      // A diagnostic starts at the beginning of a line with its file; its elaboration is indented.
      const starts = output.split('\n').filter((line) => /^\S/.test(line));
      expect(starts.filter((line) => !/^[\w.-]+\(\d+,\d+\): error TS\d+: /.test(line))).toEqual([]);
      expect(starts.length).toBeGreaterThanOrEqual(
        Object.values(FIRST_LINE).filter((line) => line !== null).length,
      );
    });

    it('never wraps a message in "No overload matches this call"', () => {
      expect(output).not.toContain('No overload matches this call');
    });

    it.each(Object.entries(FIRST_LINE))('gives %s the expected first line', (name, expected) => {
      expect(firstLines.get(name) ?? null).toBe(expected);
    });
  });
});
