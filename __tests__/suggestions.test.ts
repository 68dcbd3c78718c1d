// Issue 20, "fixes that apply": every CorsConfigIssue whose fix is a value carries it as
// `suggestion`, and putting it at `option` removes that issue; where no safe value exists there is
// none, and the message never suggests something corsguard would then refuse.
import fc from 'fast-check';
import { cors, CorsConfigError, type CorsConfigIssue } from '../lib/index.js';

/** The issues `cors(options)` throws with, or none. */
function issuesOf(options: unknown): readonly CorsConfigIssue[] {
  try {
    cors(options as never);
    return [];
  } catch (err) {
    if (!(err instanceof CorsConfigError)) throw err;
    return err.issues;
  }
}

/** A copy of `options` with `value` at `path` (`origin`, `origin[2]`, `origin[0][1]`, `originCache.ttl`). */
function put(options: unknown, path: string, value: unknown): unknown {
  const steps = [...path.matchAll(/\[(\d+)\]|\.?([A-Za-z]+)/g)].map((m) =>
    m[1] === undefined ? m[2]! : Number(m[1]),
  );
  const at = (container: unknown, i: number): unknown => {
    if (i === steps.length) return value;
    const key = steps[i]!;
    if (typeof key === 'number') {
      const list = [...(container as unknown[])];
      list[key] = at(list[key], i + 1);
      return list;
    }
    const object = container as Record<string, unknown>;
    return { ...object, [key]: at(object[key], i + 1) };
  };
  return at(options, 0);
}

const atOrInside = (issue: CorsConfigIssue, path: string): boolean =>
  issue.option === path ||
  issue.option.startsWith(`${path}[`) ||
  issue.option.startsWith(`${path}.`);

// Values users write that corsguard refuses, some with a spelling that fixes them, some without.
const BAD_ORIGINS: unknown[] = [
  'https://App.Example.com',
  'https://app.example.com/',
  'https://app.example.com/login',
  'https://app.example.com:443',
  'app.example.com',
  'https://bücher.example',
  ' https://app.example.com',
  'https://me@app.example.com',
  'http://127.1:3000',
  'http://a.com,http://b.com',
  'https://a.example.com, https://B.example.com',
  'https://a.example.com https://b.example.com',
  'https://a.example.com,not an origin',
  'https://*.Example.com',
  'https://*.example.com:443',
  'https://*.com',
  'null',
  '*',
  '',
  /example\.com$/,
  /^https:\/\/example\.com/,
  /\.example\.com$/,
  /.*/,
  /^https:\/\/app.example.com$/,
  /^https:\/\/a\.example$|^https:\/\/b\.example$/,
  /^https:\/\/a\.example$/m,
  /^https?:\/\/.*$/,
  ['https://ok.example', 'https://Bad.example'],
  ['https://ok.example', /example\.org$/, 'null'],
  [['https://a.example', 'https://A.example']],
];
const origin = fc.constantFrom(...BAD_ORIGINS, 'https://ok.example', ['https://ok.example']);
const configuration = fc.record(
  {
    origin,
    credentials: fc.constantFrom(true, false, 'true', 'false', 'yes', '0'),
    methods: fc.constantFrom('GET,TRACE', ['GET', 'auto'], ['TRACE'], 'GET , CONNECT', [
      'get',
      'patch',
    ]),
    maxAge: fc.constantFrom(1.5, -1, 100000, '600s', ' 600 ', Number.NaN, '7200'),
    optionsSuccessStatus: fc.constantFrom(404, '200', 2.5, 199),
    originTimeout: fc.constantFrom(-5, 1.5, '100', 'soon'),
  },
  { requiredKeys: ['origin'] },
);
const withCache = fc.record(
  {
    origin: fc.constant((_origin: string) => true),
    originCache: fc.constantFrom(
      { ttl: '1000' },
      { ttl: 1000, max: 0 },
      { ttl: 0.5 },
      { ttl: -1 },
      {
        ttl: 1000,
        max: '50',
      },
    ),
  },
  { requiredKeys: ['origin', 'originCache'] },
);

describe('suggestions (property over generated bad configurations)', () => {
  it('putting a suggestion at its option removes every issue at that option', () => {
    let offered = 0;
    fc.assert(
      fc.property(fc.oneof(configuration, withCache), (options) => {
        for (const issue of issuesOf(options)) {
          if (!('suggestion' in issue)) continue;
          offered++;
          const fixed = put(options, issue.option, issue.suggestion);
          const left = issuesOf(fixed).filter((other) => atOrInside(other, issue.option));
          expect({ issue, left }).toEqual({ issue, left: [] });
        }
      }),
      { numRuns: 1000 },
    );
    expect(offered).toBeGreaterThan(500);
  });

  it('an issue without a suggestion offers no value in its words', () => {
    fc.assert(
      fc.property(fc.oneof(configuration, withCache), (options) => {
        for (const issue of issuesOf(options)) {
          if ('suggestion' in issue) continue;
          expect(issue.message).not.toMatch(
            /did you mean "|anchor it: \/|escape it: \/|remove it: \//,
          );
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('suggestions users meet first', () => {
  const only = (options: unknown): CorsConfigIssue => {
    const issues = issuesOf(options);
    expect(issues).toHaveLength(1);
    return issues[0]!;
  };

  it('a comma list from an environment variable gets the array of its origins', () => {
    process.env.CORSGUARD_TEST_ORIGINS = 'http://a.com,http://b.com';
    const issue = only({ origin: process.env.CORSGUARD_TEST_ORIGINS });
    expect(issue.suggestion).toEqual(['http://a.com', 'http://b.com']);
    expect(issue.message).toContain('did you mean the array ["http://a.com","http://b.com"]?');
    expect(issue.message).not.toContain('"http://a.com,http"');
    expect(() => cors({ origin: issue.suggestion as string[] })).not.toThrow();
  });

  it('a comma list with a part that has a spelling gets the respelled array', () => {
    const issue = only({ origin: 'https://A.example, https://b.example/' });
    expect(issue.suggestion).toEqual(['https://a.example', 'https://b.example']);
  });

  it('a comma list with a part that has none says to split it, with no array', () => {
    const issue = only({ origin: 'https://a.example,not an origin' });
    expect('suggestion' in issue).toBe(false);
    expect(issue.message).toContain("split the text, e.g. process.env.CORS_ORIGINS.split(',')");
  });

  it('/.*/ with credentials gets no RegExp that would then be refused', () => {
    const issue = only({ origin: /.*/, credentials: true });
    expect('suggestion' in issue).toBe(false);
    expect(issue.message).not.toContain('anchor it');
    expect(issue.message).toContain('decide which origins to trust and list them');
    expect(issuesOf({ origin: /^https:\/\/.*$/, credentials: true })).toHaveLength(1);
  });

  it('/.*/ without credentials gets the anchored RegExp, which is accepted', () => {
    const issue = only({ origin: /.*/ });
    expect(issue.suggestion).toEqual(/^https:\/\/.*$/);
    expect(() => cors({ origin: issue.suggestion as RegExp })).not.toThrow();
  });

  it('an unset environment variable with credentials is not told to leave the option out', () => {
    const issue = only({ origin: process.env.CORSGUARD_UNSET_VARIABLE, credentials: true });
    expect(issue.message).not.toContain('leave the option out');
    expect(issue.message).toContain('set it to the origins trusted with credentials');
    // Leaving it out is refused with credentials: the advice would not have worked.
    expect(issuesOf({ credentials: true })).toHaveLength(1);
  });

  it('an unset environment variable without credentials may leave the option out', () => {
    const issue = only({ origin: process.env.CORSGUARD_UNSET_VARIABLE });
    expect(issue.message).toContain('leave the option out');
    expect(issuesOf({})).toHaveLength(0);
  });

  it.each<[string, Record<string, unknown>, string, unknown]>([
    [
      'credentials from text',
      { credentials: 'true', origin: ['https://a.example'] },
      'credentials',
      true,
    ],
    ['maxAge with a fraction', { maxAge: 600.4 }, 'maxAge', 600],
    ['maxAge over a day', { maxAge: 100000 }, 'maxAge', 7200],
    ['maxAge below zero', { maxAge: -1 }, 'maxAge', 0],
    ['optionsSuccessStatus as text', { optionsSuccessStatus: '200' }, 'optionsSuccessStatus', 200],
    [
      'optionsSuccessStatus out of range',
      { optionsSuccessStatus: 404 },
      'optionsSuccessStatus',
      204,
    ],
    ['a forbidden method', { methods: 'GET,TRACE' }, 'methods', 'GET'],
    ['auto inside a list', { methods: ['GET', 'auto'] }, 'methods', 'auto'],
    [
      'a RegExp with the m flag',
      { origin: /^https:\/\/a\.example$/m },
      'origin',
      /^https:\/\/a\.example$/,
    ],
    [
      'a top-level |',
      { origin: /^https:\/\/a\.example$|^https:\/\/b\.example$/ },
      'origin',
      /^(?:https:\/\/a\.example$|^https:\/\/b\.example)$/,
    ],
  ])('%s', (_what, options, option, suggestion) => {
    const issue = only(options);
    expect(issue.option).toBe(option);
    expect(issue.suggestion).toEqual(suggestion);
  });

  it.each<[string, unknown]>([
    ['a pattern whose host has no spelling', 'https://*.ex ample.com'],
    ['a top-level | without an end anchor', /^https:\/\/a\.example|b\.example/],
    ['a top-level | before an escaped $', /^https:\/\/a\.example|b\$/],
  ])('%s gets no suggestion', (_what, origin) => {
    const issue = only({ origin });
    expect('suggestion' in issue).toBe(false);
    expect(issue.message).not.toMatch(/did you mean "|group the alternatives: \/\^\(\?:h/);
  });

  it('a suggestion inside an answer of an origin function names the same value', async () => {
    const { run } = await import('./helpers/mock.js');
    const out = await run(
      cors({
        origin: (_origin, cb) => {
          cb(null, ['https://ok.example', 'https://Bad.example']);
        },
      }),
      { headers: { Origin: 'https://ok.example' } },
    );
    expect(out.err).toBeInstanceOf(CorsConfigError);
    expect((out.err as CorsConfigError).issues[0]).toMatchObject({
      option: 'origin[1] (answer of the origin function)',
      suggestion: 'https://bad.example',
    });
  });
});

describe('methods spelled in lower case', () => {
  let emit: jest.SpiedFunction<typeof process.emitWarning>;
  beforeEach(() => {
    emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  });
  afterEach(() => {
    emit.mockRestore();
  });
  const caseWarnings = (): string[] =>
    emit.mock.calls
      .filter(([, options]) => (options as { code?: string }).code === 'CORSGUARD_METHOD_CASE')
      .map(([message]) => String(message));

  it('warns once, naming the upper-case spelling, and keeps the preflight exact', async () => {
    const { run } = await import('./helpers/mock.js');
    const mw = cors({ methods: ['get', 'post', 'patch'] });
    expect(caseWarnings()).toHaveLength(1);
    expect(caseWarnings()[0]).toContain('methods lists "patch"');
    expect(caseWarnings()[0]).toContain('write "PATCH"');
    const out = await run(mw, {
      method: 'OPTIONS',
      headers: { Origin: 'https://a.example', 'Access-Control-Request-Method': 'PATCH' },
    });
    // The six standard methods a browser upper-cases are written so; patch stays as written.
    expect(out.headers['access-control-allow-methods']).toBe('GET,POST,patch');
  });

  it('says nothing of methods a browser upper-cases itself (get, delete)', () => {
    cors({ methods: 'get,delete,PATCH' });
    expect(emit).toHaveBeenCalledTimes(0);
  });
});
