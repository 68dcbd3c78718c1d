// Issue 20, "fixes that apply": every CorsConfigIssue whose fix is a value carries it as
// `suggestion`; where no safe value exists there is none, and the message never suggests something
// corsguard would then refuse. The cases users meet first; suggestions.property.test.ts checks the
// rule over generated bad configurations.
import { cors, CorsConfigError, type CorsConfigIssue } from '../lib/index.js';
import { issuesOf } from './helpers/issues.js';

describe('suggestions users meet first', () => {
  const only = (options: unknown): CorsConfigIssue => {
    const issues = issuesOf(options);
    expect(issues).toHaveLength(1);
    return issues[0]!;
  };

  // Each case every run, not only when the generator above happens on it.
  it.each<[string, unknown, string, unknown]>([
    ['a ttl written as a string', { ttl: '1000' }, 'originCache.ttl', 1000],
    ['a ttl of a fraction', { ttl: 1500.4 }, 'originCache.ttl', 1500],
    ['a negative ttl', { ttl: -1 }, 'originCache.ttl', undefined],
    ['a ttl beyond what a timer holds', { ttl: 1e12 }, 'originCache.ttl', undefined],
    ['a max written as a string', { ttl: 1000, max: '50' }, 'originCache.max', 50],
    ['a max of 0', { ttl: 1000, max: 0 }, 'originCache.max', 1000],
    ['a max beyond ten million', { ttl: 1000, max: 2e7 }, 'originCache.max', 1000],
  ])(
    'originCache with %s: a suggestion only where one fixes it',
    (_label, originCache, option, suggestion) => {
      const issue = only({ origin: (_origin: string) => true, originCache });
      expect(issue.option).toBe(option);
      if (suggestion === undefined) expect(issue).not.toHaveProperty('suggestion');
      else expect(issue.suggestion).toBe(suggestion);
    },
  );

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
