import type { IncomingMessage, ServerResponse } from 'node:http';
import { CorsConfigError, type CorsConfigIssue, type CorsOptions, cors } from '../lib/index.js';
import { run } from './helpers/mock.js';

/** cors() without the compile-time checks, to hand it what JavaScript callers can. */
const untypedCors = cors as unknown as (...args: unknown[]) => unknown;

/** The CorsConfigError that `options` are refused with (fails the test when they are accepted). */
function refusal(options: unknown): CorsConfigError {
  let thrown: unknown;
  try {
    untypedCors(options);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(CorsConfigError);
  return thrown as CorsConfigError;
}

/** The single issue `options` are refused with. */
function onlyIssue(options: unknown): CorsConfigIssue {
  const { issues } = refusal(options);
  expect(issues).toHaveLength(1);
  return issues[0]!;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

const LIST = ['https://app.example.com'];

describe('cors() options', () => {
  describe('origin "*" with credentials', () => {
    it('is refused, saying to list the origins', () => {
      const issue = onlyIssue({ origin: '*', credentials: true });
      expect(issue.option).toBe('origin');
      expect(issue.value).toBe('*');
      expect(issue.message).toContain('cannot be combined with credentials: true');
      expect(issue.message).toContain('list the trusted origins');
    });

    it('is accepted without credentials', () => {
      expect(typeof cors({ origin: '*', credentials: false })).toBe('function');
    });
  });

  describe('the default origin "*" with credentials', () => {
    it('is refused when origin is left out, with the message of an explicit "*"', () => {
      const issue = onlyIssue({ credentials: true });
      const explicit = onlyIssue({ origin: '*', credentials: true });
      expect(issue.option).toBe('origin');
      expect(issue.value).toBe('*');
      expect(issue.message).toContain('the origin option was left out');
      expect(issue.message).toContain('cannot be combined with credentials: true');
      expect(issue.message).toContain('list the trusted origins, e.g. ["https://app.example.com"]');
      expect(issue.message.replace(' (the default: the origin option was left out)', '')).toBe(
        explicit.message,
      );
    });

    it('is listed with the other problems of the configuration', () => {
      const { issues } = refusal({ credentials: true, maxAge: 'abc' });
      expect(issues.map((issue) => issue.option)).toEqual(['origin', 'maxAge']);
    });

    it.each<CorsOptions>([
      { origin: ['https://app.example.com'], credentials: true },
      { origin: 'https://app.example.com', credentials: true },
      { origin: (_origin) => true, credentials: true },
      { credentials: false },
    ])('is not involved in %j', (options) => {
      expect(typeof cors(options)).toBe('function');
    });

    it('is refused through next(err) when an options delegate answers { credentials: true }', async () => {
      const middleware = cors((_req, callback) => {
        callback(null, { credentials: true });
      });
      const out = await run(middleware, {
        method: 'GET',
        headers: { Origin: 'https://app.example.com' },
      });
      expect(out.via).toBe('next');
      expect(out.err).toBeInstanceOf(CorsConfigError);
      const [issue] = (out.err as CorsConfigError).issues;
      expect(issue?.option).toBe('origin');
      expect(issue?.message).toContain('the origin option was left out');
      expect(out.headers['access-control-allow-origin']).toBeUndefined();
      expect(out.headers['access-control-allow-credentials']).toBeUndefined();
    });
  });

  describe('an origin string that is not a serialized origin', () => {
    it.each([
      ['a trailing slash', 'https://app.example.com/', 'https://app.example.com'],
      ['a path', 'https://app.example.com/login', 'https://app.example.com'],
      ['upper case', 'https://App.Example.com', 'https://app.example.com'],
      ['a default port', 'https://app.example.com:443', 'https://app.example.com'],
      ['no scheme', 'app.example.com', 'https://app.example.com'],
      ['a Unicode host', 'https://bücher.example', 'https://xn--bcher-kva.example'],
      ['a user name', 'https://me@app.example.com', 'https://app.example.com'],
      ['white space', 'https://app.example.com ', 'https://app.example.com'],
      ['a non-canonical IPv4 address', 'http://127.1:3000', 'http://127.0.0.1:3000'],
    ])('is refused when it has %s, suggesting the right spelling', (_what, value, right) => {
      const issue = onlyIssue({ origin: value });
      expect(issue).toEqual({
        option: 'origin',
        value,
        message: expect.stringContaining(`did you mean "${right}"?`),
        suggestion: right,
      });
    });

    it('is refused inside a list, naming its position', () => {
      const issue = onlyIssue({ origin: ['https://app.example.com', 'https://Admin.example.com'] });
      expect(issue.option).toBe('origin[1]');
      expect(issue.value).toBe('https://Admin.example.com');
      expect(issue.message).toContain('did you mean "https://admin.example.com"?');
    });

    it('is quoted briefly when it is long', () => {
      const long = `https://${'a'.repeat(100)}.example/`;
      const { message } = onlyIssue({ origin: long });
      expect(message).toContain(`"${long.slice(0, 77)}..."`);
      expect(message).not.toContain(long);
    });
  });

  describe('"null" as an origin', () => {
    it.each([
      [{ origin: 'null' }, 'origin'],
      [{ origin: ['https://app.example.com', 'null'] }, 'origin[1]'],
    ])('is refused in %j', (options, option) => {
      const issue = onlyIssue(options);
      expect(issue.option).toBe(option);
      expect(issue.message).toContain('any page can send Origin: null');
    });
  });

  describe('a pattern over a public suffix', () => {
    it.each(['https://*.com', 'https://*.co.uk', 'https://*.vercel.app', 'https://*.github.io'])(
      'is refused for %j',
      (pattern) => {
        expect(onlyIssue({ origin: pattern }).message).toContain(
          'would trust every site under the public suffix',
        );
      },
    );

    it('is refused inside a list', () => {
      const issue = onlyIssue({ origin: ['https://app.example.com', 'https://*.netlify.app'] });
      expect(issue.option).toBe('origin[1]');
    });
  });

  describe('a bad pattern', () => {
    it.each(['https://*', 'https://app-*.example.com', '*://example.com'])(
      'is refused for %j',
      (pattern) => {
        expect(onlyIssue({ origin: pattern }).message).toContain('is not a valid pattern');
      },
    );
  });

  describe('"*" inside a list', () => {
    it('is refused, saying it matches nothing there', () => {
      const issue = onlyIssue({ origin: ['https://app.example.com', '*'] });
      expect(issue.option).toBe('origin[1]');
      expect(issue.message).toContain('"*" inside a list matches nothing');
    });
  });

  describe('an unanchored RegExp', () => {
    it.each([
      [/example\.com$/, 'not anchored at the start'],
      [/^https:\/\/app\.example\.com/, 'not anchored at the end'],
      [/^https:\/\/a\.example$|^https:\/\/b\.example$/, 'top-level |'],
      [/^https:\/\/app\.example\.com$/m, 'm flag'],
    ])('is refused: %s is %s', (re, why) => {
      const issue = onlyIssue({ origin: re });
      expect(issue.value).toBe(re);
      expect(issue.message).toContain(why);
    });

    it('is refused inside a list, naming its position', () => {
      const re = /\.example\.com$/;
      const issue = onlyIssue({ origin: ['https://app.example.com', re] });
      expect(issue).toEqual({
        option: 'origin[1]',
        value: re,
        message: expect.any(String),
        suggestion: /^https:\/\/(?:[a-z0-9-]+\.)*[a-z0-9-]+\.example\.com$/,
      });
    });
  });

  describe('a RegExp with an unescaped dot', () => {
    it('is refused, quoting the RegExp with the dot escaped (app.example admitted appxexample)', () => {
      const re = /^https:\/\/app.example\.com$/;
      const issue = onlyIssue({ origin: re });
      expect(issue.option).toBe('origin');
      expect(issue.value).toBe(re);
      expect(issue.message).toContain('unescaped "."');
      expect(issue.message).toContain('escape it: /^https:\\/\\/app\\.example\\.com$/');
    });

    it('is refused inside a list, naming its position', () => {
      const issue = onlyIssue({ origin: ['https://a.example', /^https:\/\/b.example$/] });
      expect(issue.option).toBe('origin[1]');
      expect(issue.message).toContain('escape it: /^https:\\/\\/b\\.example$/');
    });

    it('is refused when a function origin answers with it, through next(err)', async () => {
      const out = await run(cors({ origin: (_origin) => /^https:\/\/app.example\.com$/ }), {
        method: 'GET',
        headers: { Origin: 'https://appxexample.com' },
      });
      expect(out.err).toBeInstanceOf(CorsConfigError);
      expect((out.err as CorsConfigError).message).toContain(
        'escape it: /^https:\\/\\/app\\.example\\.com$/',
      );
      expect(out.headers['access-control-allow-origin']).toBeUndefined();
    });

    it.each([
      /^https:\/\/app\.example\.com$/,
      /^https:\/\/app[.]example[.]com$/,
      /^https:\/\/.+\.example\.com$/,
      /^https:\/\/[a-z]{1,3}\.example\.com$/,
    ])('is not involved in %s', (origin) => {
      expect(typeof cors({ origin })).toBe('function');
    });
  });

  describe('a RegExp matching every origin', () => {
    it.each([
      [/^.*$/, 'https://corsguard-probe.invalid'],
      [/^https?:\/\/.+$/, 'https://corsguard-probe.invalid'],
      [/^.*$/g, 'https://corsguard-probe.invalid'],
      [/^.*$/y, 'https://corsguard-probe.invalid'],
      [/^[\s\S]*$/i, 'https://corsguard-probe.invalid'],
      [/^https:\/\/.*$/, 'https://corsguard-probe.invalid'],
      [/^http:\/\/[^/]+$/, 'http://attacker.example'],
    ])('is refused with credentials: %s admits %j', (re, stranger) => {
      const issue = onlyIssue({ origin: re, credentials: true });
      expect(issue.option).toBe('origin');
      expect(issue.value).toBe(re);
      expect(issue.message).toContain(`matches any origin (even "${stranger}")`);
    });

    it('is refused with credentials inside a list', () => {
      const issue = onlyIssue({ origin: [...LIST, /^https:\/\/.*$/], credentials: true });
      expect(issue.message).toContain('matches any origin');
      expect(issue.option).toBe(`origin[${String(LIST.length)}]`);
    });

    it('is accepted without credentials', () => {
      expect(typeof cors({ origin: /^.*$/ })).toBe('function');
    });

    it('is reported for the RegExp at fault only', () => {
      const wide = /^https:\/\/.*$/;
      const { issues } = refusal({
        origin: [/^https:\/\/app\.example\.com$/, wide],
        credentials: true,
      });
      expect(issues.map((issue) => issue.value)).toEqual([wide]);
    });

    it('is refused with credentials even with the g flag, which once made the check alternate (regression)', () => {
      const re = deepFreeze(/^.*$/g);
      expect(onlyIssue({ origin: re, credentials: true }).message).toContain('matches any origin');
      expect(re.lastIndex).toBe(0);
    });

    it('accepts an anchored RegExp with credentials', () => {
      expect(typeof cors({ origin: /^https:\/\/[a-z]+\.example\.com$/, credentials: true })).toBe(
        'function',
      );
    });
  });

  describe('origin: false', () => {
    it('is accepted, even with credentials, and turns CORS off', () => {
      const middleware = cors({ origin: false, credentials: true });
      const setHeader = jest.fn();
      const next = jest.fn();
      middleware(
        { method: 'GET', headers: { origin: 'https://x.example' } } as unknown as IncomingMessage,
        { getHeader: () => undefined, setHeader } as unknown as ServerResponse,
        next,
      );
      expect(next).toHaveBeenCalledTimes(1);
      expect(next.mock.calls[0]?.[0]).toBeUndefined();
      expect(setHeader).not.toHaveBeenCalled();
    });
  });

  describe('false inside a list', () => {
    it('is accepted and allows nothing, as in the cors package', () => {
      expect(typeof cors({ origin: ['https://app.example.com', false] })).toBe('function');
    });
  });

  describe('an origin of the wrong type', () => {
    it.each([
      [undefined, 'origin is undefined'],
      [null, 'origin is null'],
      ['', 'origin is ""'],
    ])('is refused when given explicitly as %j, hinting at an unset variable', (origin, start) => {
      const issue = onlyIssue({ origin });
      expect(issue.option).toBe('origin');
      expect(issue.message).toContain(start);
      expect(issue.message).toContain('an unset environment variable?');
    });

    it.each([
      [42, 'got 42'],
      [{}, 'got an object'],
      [Symbol.iterator, 'got Symbol(Symbol.iterator)'],
    ])('is refused for %p', (origin, got) => {
      expect(onlyIssue({ origin }).message).toContain(got);
    });

    it.each([
      [42, 'got 42'],
      [null, 'got null'],
    ])('is refused inside a list for %p', (item, got) => {
      const issue = onlyIssue({ origin: ['https://app.example.com', item] });
      expect(issue.option).toBe('origin[1]');
      expect(issue.message).toContain(got);
    });
  });

  describe('methods', () => {
    it.each([
      [['GET', 'BAD METHOD'], '"BAD METHOD" is not a valid method name'],
      ['GET, PO ST', '"PO ST" is not a valid method name'],
      [['GET', 42], '42 is not a valid method name'],
      [['GET:'], '"GET:" is not a valid method name'],
    ])('refuses the invalid name in %j', (methods, message) => {
      expect(onlyIssue({ methods }).message).toContain(message);
    });

    it.each(['CONNECT', 'TRACE', 'TRACK', 'connect', 'Trace'])(
      'refuses the forbidden method %s',
      (method) => {
        const issue = onlyIssue({ methods: ['GET', method] });
        expect(issue.option).toBe('methods');
        expect(issue.message).toContain('forbidden method');
      },
    );

    it('refuses "*" with credentials', () => {
      const issue = onlyIssue({ origin: LIST, credentials: true, methods: '*' });
      expect(issue.option).toBe('methods');
      expect(issue.message).toContain('"*" means "any" only for requests without credentials');
    });

    it.each([
      [42, 'got 42'],
      [() => 'GET', 'got a function'],
      [/GET/, 'got /GET/'],
      [true, 'got true'],
    ])('refuses %p, which is neither a string nor an array', (methods, got) => {
      const issue = onlyIssue({ methods });
      expect(issue.message).toContain(
        'expected a comma-separated string or an array of method names',
      );
      expect(issue.message).toContain(got);
    });
  });

  describe.each(['allowedHeaders', 'headers', 'exposedHeaders'])('%s', (option) => {
    it.each([
      ['Content-Type, X Foo', '"X Foo" is not a valid header name'],
      [['X-Ok', 'Bad:Header'], '"Bad:Header" is not a valid header name'],
      [['X-Ok', 'X-Caf\u00e9'], 'is not a valid header name'],
      [['X-Ok', null], 'null is not a valid header name'],
    ])('refuses the invalid name in %j', (value, message) => {
      const issue = onlyIssue({ [option]: value });
      expect(issue.option).toBe(option);
      expect(issue.message).toContain(message);
    });

    it('refuses "*" with credentials', () => {
      const issue = onlyIssue({ origin: LIST, credentials: true, [option]: ['X-Id', '*'] });
      expect(issue.message).toContain('with credentials: true it is a literal name');
    });

    it('accepts "*" without credentials', () => {
      expect(typeof untypedCors({ [option]: '*' })).toBe('function');
    });

    it('refuses a value that is neither a string nor an array', () => {
      expect(onlyIssue({ [option]: { 'X-Id': true } }).message).toContain(
        'expected a comma-separated string or an array of header names, got an object',
      );
    });
  });

  describe('headers and allowedHeaders together', () => {
    it('is refused: give only one of them', () => {
      const issue = onlyIssue({ headers: 'X-A', allowedHeaders: 'X-B' });
      expect(issue).toEqual({
        option: 'headers',
        value: 'X-A',
        message: expect.stringContaining('give only one of them'),
      });
    });
  });

  describe('maxAge', () => {
    const preflight = {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'PUT' },
    };

    it.each([
      [-1, 'got -1'],
      [1.5, 'got 1.5'],
      [86401, 'got 86401'],
      ['86401', 'got "86401"'],
      ['99999999999999999999999', 'got "99999999999999999999999"'],
      [Number.NaN, 'got NaN'],
      [Number.POSITIVE_INFINITY, 'got Infinity'],
      [null, 'got null'],
    ])('refuses %p', (maxAge, got) => {
      const issue = onlyIssue({ maxAge });
      expect(issue.option).toBe('maxAge');
      expect(issue.value).toBe(maxAge);
      expect(issue.message).toContain('expected a whole number of seconds from 0 to 86400');
      expect(issue.message).toContain(got);
    });

    it.each([
      ['abc', 'got "abc"'],
      ['1.5', 'got "1.5"'],
      ['', 'got ""'],
      [' 600', 'got " 600"'],
      ['600 ', 'got "600 "'],
      ['-1', 'got "-1"'],
      ['6e2', 'got "6e2"'],
      ['0x258', 'got "0x258"'],
      ['\uff16\uff10\uff10', 'got "\uff16\uff10\uff10"'],
    ])(
      'refuses the string %p, which is not decimal digits, saying how to convert it',
      (maxAge, got) => {
        const issue = onlyIssue({ maxAge });
        expect(issue.option).toBe('maxAge');
        expect(issue.value).toBe(maxAge);
        expect(issue.message).toContain('expected a whole number of seconds from 0 to 86400');
        expect(issue.message).toContain(got);
        expect(issue.message).toContain('a string must be decimal digits only');
        expect(issue.message).toContain('e.g. maxAge: Number(process.env.CORS_MAX_AGE)');
      },
    );

    it.each([0, 600, 7200])('accepts %d', (maxAge) => {
      expect(typeof cors({ maxAge })).toBe('function');
    });

    it.each([
      [0, '0'],
      [600, '600'],
      ['0', '0'],
      ['600', '600'],
      ['0600', '600'],
      ['7200', '7200'],
      ['86400', '86400'],
    ])('sends %p as Access-Control-Max-Age: %s', async (maxAge, header) => {
      const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      try {
        const out = await run(untypedCors({ maxAge }) as ReturnType<typeof cors>, preflight);
        expect(out.headers['access-control-max-age']).toBe(header);
      } finally {
        emitWarning.mockRestore();
      }
    });
  });

  describe('optionsSuccessStatus', () => {
    it.each([199, 300, 404, 204.5, '204', null])('refuses %p', (optionsSuccessStatus) => {
      const issue = onlyIssue({ optionsSuccessStatus });
      expect(issue.option).toBe('optionsSuccessStatus');
      expect(issue.message).toContain('expected an integer from 200 to 299');
    });

    it.each([200, 204, 299])('accepts %d', (optionsSuccessStatus) => {
      expect(typeof cors({ optionsSuccessStatus })).toBe('function');
    });
  });

  describe.each(['credentials', 'preflightContinue', 'privateNetworkAccess'])(
    'the boolean option %s',
    (option) => {
      it.each(['true', 1, 0, null])('refuses %p', (value) => {
        const issue = onlyIssue({ [option]: value });
        expect(issue.option).toBe(option);
        expect(issue.message).toContain('expected true or false');
      });
    },
  );

  describe('onDecision', () => {
    it.each([
      [42, 'got 42'],
      ['log', 'got "log"'],
      [null, 'got null'],
    ])('refuses %p, which is not a function', (onDecision, got) => {
      const issue = onlyIssue({ onDecision });
      expect(issue.option).toBe('onDecision');
      expect(issue.message).toContain('expected a function (decision, req) => void');
      expect(issue.message).toContain(got);
    });
  });

  describe('an unknown option', () => {
    it.each([
      ['credential', 'credentials'],
      ['allowHeaders', 'allowedHeaders'],
      ['exposeHeaders', 'exposedHeaders'],
      ['allowMethods', 'methods'],
      ['allowOrigins', 'origin'],
      ['origins', 'origin'],
      ['allow_origin', 'origin'],
      ['allowCredentials', 'credentials'],
      ['maxage', 'maxAge'],
      ['max_age', 'maxAge'],
      ['preflightContinu', 'preflightContinue'],
      ['optionSuccessStatus', 'optionsSuccessStatus'],
    ])('%s is refused with "did you mean `%s`?"', (key, guess) => {
      const issue = onlyIssue({ [key]: true });
      expect(issue).toEqual({
        option: key,
        value: true,
        message: `unknown option; did you mean \`${guess}\`?`,
      });
    });

    it('is refused, when origin is left out, even when nothing is close', () => {
      expect(onlyIssue({ somethingElse: 1 }).message).toBe(
        'unknown option, and origin is left out (allowing any origin): if this is meant as the origin option, rename it to origin; otherwise set origin explicitly',
      );
    });
  });

  describe('options that are not an object', () => {
    it.each([
      [42, 'got 42'],
      ['https://app.example.com', 'got "https://app.example.com"'],
      [['https://app.example.com'], 'got an array of 1'],
    ])('%p is refused', (options, got) => {
      const issue = onlyIssue(options);
      expect(issue.option).toBe('options');
      expect(issue.message).toContain('expected an options object or a function (req, callback)');
      expect(issue.message).toContain(got);
    });

    it.each([undefined, null])('%p means the defaults', (options) => {
      expect(typeof untypedCors(options)).toBe('function');
    });
  });

  describe('a configuration with several problems', () => {
    const options = {
      origin: ['https://app.example.com/', 'null', /example\.com$/],
      credentials: true,
      methods: 'GET,TRACE',
      exposedHeaders: ['X Id'],
      maxAge: -1,
      optionsSuccessStatus: 404,
      credentail: true,
    };

    it('is refused with one CorsConfigError listing every problem, in option order', () => {
      const err = refusal(options);
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe('CorsConfigError');
      expect(err.code).toBe('CORS_CONFIG_INVALID');
      expect(err.status).toBe(500);
      expect(err.issues.map((issue) => issue.option)).toEqual([
        'credentail',
        'origin[0]',
        'origin[1]',
        'origin[2]',
        'methods',
        'exposedHeaders',
        'maxAge',
        'optionsSuccessStatus',
      ]);
      expect(err.issues[3]!.value).toBe(options.origin[2]);
    });

    it('says how many problems there are and lists each in the message', () => {
      const err = refusal(options);
      const lines = err.message.split('\n');
      expect(lines[0]).toBe('corsguard: invalid configuration (8 problems):');
      expect(lines.slice(1)).toEqual(
        err.issues.map((issue) => `  - ${issue.option}: ${issue.message}`),
      );
    });

    it('says "1 problem" for one', () => {
      expect(refusal({ maxAge: -1 }).message).toMatch(
        /^corsguard: invalid configuration \(1 problem\):\n {2}- maxAge: /,
      );
    });

    it('freezes its list of issues', () => {
      const err = refusal(options);
      expect(Object.isFrozen(err.issues)).toBe(true);
    });
  });

  describe('the options object', () => {
    it.each([
      [
        'valid options',
        {
          origin: ['https://a.example', 'https://*.b.example', /^https:\/\/c\.example$/g],
          methods: ['GET', 'patch'],
          allowedHeaders: ['Content-Type'],
          exposedHeaders: 'X-Id',
          credentials: true,
          maxAge: 600,
        },
      ],
      [
        'valid options with headers',
        { origin: 'https://a.example', headers: ['X-A', 'x-a'], methods: 'get,post' },
      ],
      [
        'invalid options',
        {
          origin: ['https://A.example/', '*', /x$/g],
          methods: ['TRACE'],
          allowedHeaders: [' bad name '],
          maxAge: 1.5,
          credential: true,
        },
      ],
      [
        'options with a RegExp matching everything',
        { origin: [/^.*$/g, /^.*$/y], credentials: true },
      ],
    ])(
      'is never mutated: %s, frozen deeply, are compiled without a TypeError and stay equal to a copy',
      (_what, options) => {
        const copy = structuredClone(options);
        deepFreeze(options);
        try {
          untypedCors(options);
        } catch (err) {
          expect(err).toBeInstanceOf(CorsConfigError);
        }
        expect(options).toEqual(copy);
        const regexps = [options.origin].flat().filter((o): o is RegExp => o instanceof RegExp);
        expect(regexps.map((re) => re.lastIndex)).toEqual(regexps.map(() => 0));
      },
    );
  });

  describe('warnings', () => {
    let emitWarning: jest.SpyInstance;

    beforeEach(() => {
      emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    });

    afterEach(() => {
      emitWarning.mockRestore();
    });

    const codes = (): unknown[] =>
      emitWarning.mock.calls.map((call: unknown[]) => (call[1] as { code: string }).code);

    it.each([
      [{ origin: true, credentials: true }, 'CORSGUARD_REFLECT_ANY_WITH_CREDENTIALS'],
      [{ origin: [true], credentials: true }, 'CORSGUARD_REFLECT_ANY_WITH_CREDENTIALS'],
      [{ maxAge: 7201 }, 'CORSGUARD_MAX_AGE_ABOVE_CHROMIUM_CAP'],
      [{ maxAge: 86400 }, 'CORSGUARD_MAX_AGE_ABOVE_CHROMIUM_CAP'],
      [{ maxAge: '7201' }, 'CORSGUARD_MAX_AGE_ABOVE_CHROMIUM_CAP'],
      [
        { origin: 'http://app.example.com', credentials: true },
        'CORSGUARD_INSECURE_ORIGIN_WITH_CREDENTIALS',
      ],
      [
        { origin: ['http://app.example.com'], credentials: true },
        'CORSGUARD_INSECURE_ORIGIN_WITH_CREDENTIALS',
      ],
      [
        { origin: 'http://*.example.com', credentials: true },
        'CORSGUARD_INSECURE_ORIGIN_WITH_CREDENTIALS',
      ],
      [
        { origin: ['http://192.168.1.10:8080'], credentials: true },
        'CORSGUARD_INSECURE_ORIGIN_WITH_CREDENTIALS',
      ],
    ])('warns for %j with %s', (options, code) => {
      untypedCors(options);
      expect(codes()).toEqual([code]);
      expect(emitWarning).toHaveBeenCalledWith(expect.stringMatching(/^corsguard: /), {
        type: 'CorsguardWarning',
        code,
      });
    });

    it.each([
      { origin: true },
      { maxAge: 7200 },
      { maxAge: '7200' },
      { origin: 'http://app.example.com' },
      { origin: ['https://app.example.com', 'https://*.example.com'], credentials: true },
      { origin: 'http://localhost', credentials: true },
      { origin: 'http://localhost:3000', credentials: true },
      { origin: 'http://127.0.0.1:3000', credentials: true },
      { origin: 'http://[::1]:8080', credentials: true },
      { origin: 'http://*.localhost', credentials: true },
      { origin: ['http://localhost:*', 'http://[::1]:*'], credentials: true },
    ])('does not warn for %j', (options) => {
      untypedCors(options);
      expect(emitWarning).not.toHaveBeenCalled();
    });

    it('names every insecure origin in one warning', () => {
      cors({
        origin: [
          'http://a.example',
          'https://b.example',
          'http://*.c.example',
          'http://d.example:*',
          'http://*.e.example:8080',
        ],
        credentials: true,
      });
      expect(emitWarning).toHaveBeenCalledTimes(1);
      expect(emitWarning.mock.calls[0]![0]).toContain(
        'http://a.example, http://*.c.example, http://d.example:*, http://*.e.example:8080 are trusted with credentials over plain http:',
      );
    });

    it.each([
      /^http:\/\/app\.example\.com$/,
      /^https?:\/\/app\.example\.com$/,
      /^ws:\/\/a\.example$/,
    ])('warns for the RegExp %s written for plain http: with credentials', (re) => {
      cors({ origin: [re, 'https://b.example'], credentials: true });
      expect(codes()).toEqual(['CORSGUARD_INSECURE_ORIGIN_WITH_CREDENTIALS']);
      expect(emitWarning.mock.calls[0]![0]).toContain(
        `${String(re)} is trusted with credentials over plain http:`,
      );
    });

    it('does not warn for an https: RegExp with credentials', () => {
      cors({ origin: /^https:\/\/app\.example\.com$/, credentials: true });
      expect(emitWarning).not.toHaveBeenCalled();
    });

    it('an options delegate warns once per code, whatever number of its answers have it', async () => {
      const { run } = await import('./helpers/mock.js');
      let n = 0;
      const mw = cors((_req) => ({ origin: ['https://a.example'], maxAge: 8000 + n++ }));
      await run(mw, { headers: { Origin: 'https://a.example' } });
      await run(mw, { headers: { Origin: 'https://a.example' } });
      expect(codes()).toEqual(['CORSGUARD_MAX_AGE_ABOVE_CHROMIUM_CAP']);
    });

    it('says that origin: true with credentials also trusts Origin: null', () => {
      // Another configuration than the table's: each configuration warns once per process.
      cors({ origin: true, credentials: true, maxAge: 5 });
      expect(emitWarning.mock.calls[0]![0]).toContain('Origin: null');
    });

    it('says "is" for a single insecure origin', () => {
      cors({ origin: 'http://a.example', credentials: true });
      expect(emitWarning.mock.calls[0]![0]).toContain('http://a.example is trusted');
    });

    it('emits each warning once per middleware, however many requests it handles', () => {
      const middleware = cors({
        origin: [true, 'http://a.example'],
        credentials: true,
        maxAge: 8000,
      });
      for (let i = 0; i < 3; i++) {
        const res = {
          getHeader: () => undefined,
          setHeader: () => undefined,
          end: () => undefined,
        };
        middleware(
          { method: 'GET', headers: { origin: 'https://x.example' } } as unknown as IncomingMessage,
          res as unknown as ServerResponse,
          () => undefined,
        );
      }
      expect(codes().sort()).toEqual([
        'CORSGUARD_INSECURE_ORIGIN_WITH_CREDENTIALS',
        'CORSGUARD_MAX_AGE_ABOVE_CHROMIUM_CAP',
        'CORSGUARD_REFLECT_ANY_WITH_CREDENTIALS',
      ]);
      cors({ maxAge: 8000 });
      expect(
        codes().filter((code) => code === 'CORSGUARD_MAX_AGE_ABOVE_CHROMIUM_CAP'),
      ).toHaveLength(2);
    });

    it('is not emitted for a refused configuration', () => {
      refusal({ origin: true, credentials: true, maxAge: -1 });
      expect(emitWarning).not.toHaveBeenCalled();
    });
  });

  describe('the app.use(cors) slip', () => {
    const req = { method: 'GET', url: '/', headers: {} };

    it('throws a CorsConfigError telling to write cors() when called as a middleware', () => {
      let thrown: unknown;
      try {
        untypedCors(req, {}, () => undefined);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(CorsConfigError);
      expect((thrown as CorsConfigError).issues[0]!.option).toBe('cors');
      expect((thrown as CorsConfigError).message).toContain('write app.use(cors())');
    });

    it('throws when handed a request alone', () => {
      expect(() => untypedCors(req)).toThrow(/write app\.use\(cors\(\)\)/);
    });

    it('ignores arguments after an options object, as cors does (Express Gateway passes its config)', () => {
      expect(() => untypedCors({}, {})).not.toThrow();
      expect(() =>
        untypedCors({ origin: 'https://a.example' }, { x: 1 }, () => undefined),
      ).not.toThrow();
    });
  });
});
