// Issue 22, "Drop-in inside real applications: frameworks that call cors for you". Each framework's
// way of calling `cors`, with its real argument shapes copied as data (the frameworks themselves are
// not installed): engine.io's `cors: true`, Express Gateway's `policy(actionParams, config)` with its
// own keys in the options, Companion's `cors({...})(req, res, next)` per request, LoopBack 4's
// default options, NestJS's `enableCors()` options. Under Express 5, Express 4 and node:http.
import request from 'supertest';
import { cors, CorsConfigError } from '../lib/index.js';
import { listener, type Middleware } from './helpers/frameworks.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';
const STACKS = ['express5', 'express4', 'node:http'] as const;
/** The API as the frameworks type it: untyped options, any number of arguments. */
const untyped = cors as unknown as (...args: unknown[]) => Middleware;

let emit: jest.SpiedFunction<typeof process.emitWarning>;
beforeEach(() => {
  emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
});
afterEach(() => {
  emit.mockRestore();
});
const warningsOf = (code: string): string[] =>
  emit.mock.calls
    .filter(([, options]) => (options as { code?: string } | undefined)?.code === code)
    .map(([message]) => String(message));

async function get(stack: (typeof STACKS)[number], mw: Middleware, origin: string) {
  const res = await request(listener(stack, mw)).get('/').set('Origin', origin);
  return {
    status: res.status,
    acao: res.headers['access-control-allow-origin'],
    acac: res.headers['access-control-allow-credentials'],
  };
}

describe.each(STACKS)(
  'engine.io / Socket.IO: new Server({ cors: true }) passes true, under %s',
  (stack) => {
    it('cors(true) means the defaults, as in cors', async () => {
      // engine.io: `if (this.opts.cors) this.middlewares.push(require("cors")(this.opts.cors))`
      const mw = untyped(true);
      expect(await get(stack, mw, EVIL)).toEqual({ status: 200, acao: '*', acac: undefined });
    });

    it('cors(false) and other non-objects are still refused (never the defaults)', () => {
      for (const value of [false, 'https://app.example.com', 42, ['https://app.example.com']]) {
        expect(() => untyped(value)).toThrow(CorsConfigError);
      }
    });
  },
);

describe.each(STACKS)('Express Gateway: policy(actionParams, config), under %s', (stack) => {
  // lib/gateway/pipelines.js: Object.assign({}, policyStep.action, ActionParams.prototype), with the
  // JSON-schema defaults of the cors policy (origin '*', the default methods, 204) filled in.
  const actionParams = (extra: object) => ({
    origin: [APP],
    methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'],
    optionsSuccessStatus: 204,
    ...extra,
    getCommonAuthCallback(_req: unknown, _res: unknown, next: () => void) {
      return next;
    },
  });
  const config = { gatewayConfig: { http: { port: 8080 } }, systemConfig: {} };

  it('the second argument is ignored and the framework’s own keys are ignored beside an explicit origin', async () => {
    const mw = untyped(actionParams({ credentials: true }), config);
    expect(await get(stack, mw, APP)).toEqual({ status: 200, acao: APP, acac: 'true' });
    expect(await get(stack, mw, EVIL)).toEqual({ status: 200, acao: undefined, acac: undefined });
  });

  it('an unknown key is refused when origin is left out: the default * must not hide a misnamed origin', () => {
    expect(() => untyped({ allowedOrigin: [APP] }, config)).toThrow(/did you mean `origin`/);
    expect(() => untyped({ whitelist: [APP] }, config)).toThrow(/did you mean `origin`/);
    expect(() => untyped({ tenants: [APP] }, config)).toThrow(
      /tenants: unknown option, and origin is left out/,
    );
  });

  it('a key close to a known option is refused even beside an explicit origin', () => {
    expect(() => untyped({ origin: [APP], credential: true }, config)).toThrow(
      /did you mean `credentials`/,
    );
    expect(() => untyped({ origin: [APP], allowHeaders: ['X-A'] }, config)).toThrow(
      /did you mean `allowedHeaders`/,
    );
  });

  it('a delegate keeps its settings argument', () => {
    expect(() =>
      untyped(
        (_req: unknown, cb: () => void) => {
          cb();
        },
        { originTimeout: -1 },
      ),
    ).toThrow(/originTimeout/);
  });
});

describe.each(STACKS)(
  'Companion: cors({...})(req, res, next) inside its own middleware, under %s',
  (stack) => {
    // @uppy/companion's cors middleware builds the options from the request and calls cors with them.
    const companion: Middleware = (req, res, next) => {
      untyped({
        credentials: true,
        origin: [APP],
        methods: ['GET', 'POST', 'OPTIONS', 'DELETE'],
        allowedHeaders: [
          'uppy-auth-token',
          'uppy-versions',
          'uppy-credentials-params',
          'content-type',
        ],
        exposedHeaders: ['access-control-allow-headers'],
      })(req, res, next);
    };

    it('answers as the prebuilt middleware does', async () => {
      expect(await get(stack, companion, APP)).toEqual({ status: 200, acao: APP, acac: 'true' });
      expect(await get(stack, companion, EVIL)).toEqual({
        status: 200,
        acao: undefined,
        acac: undefined,
      });
    });

    it('an options object edited between two builds is compiled afresh (content, not identity)', async () => {
      const options = { origin: [APP], credentials: true };
      const built: Middleware = (req, res, next) => {
        untyped(options)(req, res, next);
      };
      expect((await get(stack, built, APP)).acao).toBe(APP);
      options.origin = [EVIL];
      expect((await get(stack, built, APP)).acao).toBeUndefined();
      expect((await get(stack, built, EVIL)).acao).toBe(EVIL);
    });
  },
);

// Warnings are once per process: these run once, not per stack.
describe('warnings of frameworks’ options, once per process', () => {
  const actionParams = (extra: object) => ({
    origin: [APP],
    optionsSuccessStatus: 204,
    ...extra,
    passThrough: false, // a key of Express Gateway's authentication policies
  });

  it('Express Gateway: the ignored keys are named once, however many policies are built', () => {
    for (let i = 0; i < 5; i++) untyped(actionParams({ maxAge: 600 + i }), {});
    expect(warningsOf('CORSGUARD_UNKNOWN_OPTIONS_IGNORED')).toEqual([
      expect.stringContaining('ignored an unknown option "passThrough" (keys a framework adds'),
    ]);
    // Another set of keys is named once more.
    untyped({ name: 'cors', ...actionParams({}) }, {});
    untyped({ name: 'cors', ...actionParams({ maxAge: 1 }) }, {});
    expect(warningsOf('CORSGUARD_UNKNOWN_OPTIONS_IGNORED')).toHaveLength(2);
    expect(warningsOf('CORSGUARD_UNKNOWN_OPTIONS_IGNORED')[1]).toContain(
      'unknown options "name", "passThrough"',
    );
  });

  it('Companion: a configuration built for every request warns once, not once per request', async () => {
    const risky: Middleware = (req, res, next) => {
      untyped({ origin: [APP, 'http://partner.example'], credentials: true })(req, res, next);
    };
    for (let i = 0; i < 20; i++) await get('express5', risky, APP);
    expect(warningsOf('CORSGUARD_INSECURE_ORIGIN_WITH_CREDENTIALS')).toHaveLength(1);
  });
});

describe('LoopBack 4: RestServer’s default cors options', () => {
  // @loopback/rest, RestServer: the options it hands to cors when the application sets none.
  const LOOPBACK_DEFAULT = {
    origin: '*',
    methods: 'GET,HEAD,PUT,PATCH,POST,DELETE',
    preflightContinue: false,
    optionsSuccessStatus: 204,
    maxAge: 86400,
    credentials: true,
  };

  it('is refused at startup, and the message says such options may come from a framework', () => {
    let error: unknown;
    try {
      untyped(LOOPBACK_DEFAULT);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CorsConfigError);
    const message = (error as Error).message;
    expect(message).toContain('origin "*" cannot be combined with credentials: true');
    expect(message).toContain('a framework');
    expect(message).toContain('LoopBack 4');
  });

  it('works once the application lists its origins, as the README says', async () => {
    const mw = untyped({ ...LOOPBACK_DEFAULT, origin: [APP] });
    expect(await get('express5', mw, APP)).toEqual({ status: 200, acao: APP, acac: 'true' });
  });
});
