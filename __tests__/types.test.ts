// Compile-time guarantees of the public types. `npm run typecheck` fails if an @ts-expect-error
// line compiles; the runtime assertions check the same configurations are refused when built.
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import express from 'express';
import ts from 'typescript';
import corsDefault, {
  cors,
  CorsConfigError,
  type CorsMiddleware,
  type CorsOptions,
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

describe('the compiler messages', () => {
  // The fixture is compiled in memory next to the tests, with the project's compiler options, so the
  // messages checked are the ones a user's editor shows.
  const fixture = path.join(__dirname, 'types-fixture.mts');
  const STAR = 'origin "*" cannot be combined with credentials: true; list the origins';

  function diagnostics(source: string): string[] {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts'],
      types: ['node'],
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: true,
      noEmit: true,
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    const readFile = host.readFile.bind(host);
    host.fileExists = (name) => name === fixture || fileExists(name);
    host.readFile = (name) => (name === fixture ? source : readFile(name));
    host.getSourceFile = (name, version, ...rest) =>
      name === fixture
        ? ts.createSourceFile(name, source, version)
        : getSourceFile(name, version, ...rest);
    const program = ts.createProgram([fixture], options, host);
    return ts
      .getPreEmitDiagnostics(program, program.getSourceFile(fixture))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }

  const header = `import { cors } from '${path.join(__dirname, '..', 'lib', 'index.js')}';\n`;

  it('give the same text for the default "*" and an explicit "*" with credentials, and none with a list', () => {
    const [leftOut, explicit, ...others] = [
      diagnostics(`${header}cors({ credentials: true });\n`),
      diagnostics(`${header}cors({ origin: '*', credentials: true });\n`),
      diagnostics(`${header}cors({ credentials: true, origin: ['https://a.example'] });\n`),
      diagnostics(`${header}cors({ maxAge: '600' });\n`),
    ];
    expect(leftOut).toHaveLength(1);
    expect(leftOut[0]).toContain(JSON.stringify(STAR));
    expect(leftOut[0]).toContain("Property 'origin' is missing");
    expect(explicit).toHaveLength(1);
    expect(explicit[0]).toContain(JSON.stringify(STAR));
    expect(others).toEqual([[], []]);
  }, 60_000);
});
