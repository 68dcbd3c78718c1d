// Issue 20, "fixes that apply", over generated bad configurations: every CorsConfigIssue whose fix
// is a value carries it as `suggestion`, and putting it at `option` removes that issue; where no safe
// value exists there is none, and the message never suggests something corsguard would then refuse.
// suggestions.test.ts has the cases users meet first, each run every time.
import fc from 'fast-check';
import type { CorsConfigIssue } from '../lib/index.js';
import { issuesOf } from './helpers/issues.js';

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
