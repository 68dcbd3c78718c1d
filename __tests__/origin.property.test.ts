// The compiled origin matcher against a reference written for obviousness, not speed: origins are
// split with string operations and compared field by field with the configured structure.
import fc from 'fast-check';
import { compileOptions } from '../lib/core/options.js';
import { type OriginMatcher, isOriginSyntax, scanOrigin } from '../lib/core/origin.js';

// ---------------------------------------------------------------------------------------------------
// Reference

interface RefOrigin {
  scheme: string;
  host: string;
  /** '' or ':digits' */
  port: string;
}

/** One configured entry, as the test generated it: an exact origin or a pattern. */
interface RefEntry {
  scheme: string;
  /** The exact host, or for a subdomain pattern the part after `*.`. */
  host: string;
  subdomains: boolean;
  /** '', ':digits' or '*' (any port) */
  port: string;
}

/** Splits an origin as a browser serializes it, or undefined when it is not one. */
function refParse(origin: string): RefOrigin | undefined {
  if (origin.length > 1024) return undefined;
  const separator = origin.indexOf('://');
  if (separator < 0) return undefined;
  const scheme = origin.slice(0, separator);
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) return undefined;
  const rest = origin.slice(separator + 3);
  let host: string;
  let port: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return undefined;
    host = rest.slice(0, close + 1);
    port = rest.slice(close + 1);
    if (!/^\[[0-9a-f:.]+\]$/.test(host)) return undefined;
  } else {
    const colon = rest.indexOf(':');
    host = colon < 0 ? rest : rest.slice(0, colon);
    port = colon < 0 ? '' : rest.slice(colon);
    const labels = host.split('.');
    if (labels.length > 1 && labels[labels.length - 1] === '') labels.pop(); // a trailing dot
    if (!labels.every((label) => /^[a-z0-9_-]+$/.test(label))) return undefined;
  }
  if (port !== '') {
    const digits = port.slice(1);
    if (!/^(0|[1-9][0-9]{0,4})$/.test(digits) || Number(digits) > 65535) return undefined;
  }
  return { scheme, host, port };
}

function refAllows(config: readonly RefEntry[], origin: string): boolean {
  const o = refParse(origin);
  if (o === undefined) return false;
  return config.some(
    (c) =>
      c.scheme === o.scheme &&
      (c.port === '*' || c.port === o.port) &&
      (c.subdomains
        ? o.host.endsWith(`.${c.host}`) && o.host.length > c.host.length + 1
        : o.host === c.host),
  );
}

/** The configuration string the reference entry stands for. */
function serialize(c: RefEntry): string {
  return `${c.scheme}://${c.subdomains ? '*.' : ''}${c.host}${c.port === '*' ? ':*' : c.port}`;
}

// ---------------------------------------------------------------------------------------------------
// Generators

const scheme = fc.constantFrom('http', 'https', 'ws', 'chrome-extension');
const label = fc.constantFrom('a', 'b', 'app', 'api', 'www', 'example', 'evil', 'x-y', 'a_b');
const tld = fc.constantFrom('com', 'org', 'test', 'example');
/** A registrable-looking domain: at least two labels, never a public suffix. */
const domain = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), tld)
  .map(([labels, top]) => [...labels, top].join('.'));
const ipHost = fc.constantFrom('127.0.0.1', '10.0.0.1', '[::1]', '[2001:db8::1]');
const anyHost = fc.oneof(domain, tld, ipHost, fc.constant('localhost'));
const port = fc.oneof(
  fc.constant(''),
  fc.constantFrom(':3000', ':8080', ':8443'),
  fc
    .integer({ min: 1, max: 65535 })
    .filter((n) => n !== 80 && n !== 443)
    .map((n) => `:${String(n)}`),
);

const exactEntry: fc.Arbitrary<RefEntry> = fc.record({
  scheme,
  host: anyHost,
  subdomains: fc.constant(false),
  port,
});
const anyPortEntry: fc.Arbitrary<RefEntry> = fc.record({
  scheme,
  host: anyHost,
  subdomains: fc.constant(false),
  port: fc.constant('*'),
});
const subdomainEntry: fc.Arbitrary<RefEntry> = fc.record({
  scheme,
  host: fc.oneof(domain, fc.constant('localhost')),
  subdomains: fc.constant(true),
  port: fc.oneof(port, fc.constant('*')),
});
const config = fc.array(fc.oneof(exactEntry, anyPortEntry, subdomainEntry), {
  minLength: 1,
  maxLength: 5,
});

/** Origins a browser could send, built from the same pools so that some are allowed. */
const randomOrigin = fc
  .tuple(
    scheme,
    fc.oneof(
      anyHost,
      fc.tuple(label, domain).map(([l, d]) => `${l}.${d}`),
    ),
    fc.oneof(port, fc.constantFrom(':80', ':443')),
  )
  .map(([s, h, p]) => `${s}://${h}${p}`);

/** Strings that look like origins but mostly are not. */
const originish = fc
  .array(fc.constantFrom(...'ahpst:/.[]@0123456789-_*A ,\t\u00e9'.split('')), { maxLength: 30 })
  .map((chars) => chars.join(''));

/** Lookalikes of a configured entry: the origin itself, its subdomains, and tricks played on them. */
function lookalikes(c: RefEntry): string[] {
  const p = c.port === '*' ? ':3000' : c.port;
  const other = c.scheme === 'https' ? 'http' : 'https';
  const h = c.host;
  const base = `${c.scheme}://${h}${p}`;
  const sub = `${c.scheme}://app.${h}${p}`;
  const withoutFirstLabel = h.includes('.') ? h.slice(h.indexOf('.') + 1) : h;
  return [
    base,
    sub,
    `${c.scheme}://a.b.${h}${p}`,
    `${c.scheme}://${h}`,
    `${c.scheme}://app.${h}`,
    // suffix and prefix tricks
    `${c.scheme}://evil-${h}${p}`,
    `${c.scheme}://app${h}${p}`,
    `${c.scheme}://${h}.evil.com${p}`,
    `${c.scheme}://app.${h}.evil.com${p}`,
    `${c.scheme}://${withoutFirstLabel}${p}`,
    `${c.scheme}://evil.${withoutFirstLabel}${p}`,
    // case
    `${c.scheme}://${h.toUpperCase()}${p}`,
    `${c.scheme.toUpperCase()}://${h}${p}`,
    `${c.scheme}://App.${h}${p}`,
    // trailing dot
    `${c.scheme}://${h}.${p}`,
    `${c.scheme}://app.${h}.${p}`,
    // ports
    `${base}:1`,
    `${c.scheme}://${h}:1`,
    `${c.scheme}://app.${h}:65535`,
    `${c.scheme}://${h}:65536`,
    `${c.scheme}://${h}:0${p.slice(1)}`,
    `${c.scheme}://${h}:80`,
    `${c.scheme}://${h}:443`,
    // scheme
    `${other}://${h}${p}`,
    `${other}://app.${h}${p}`,
    // userinfo
    `${c.scheme}://${h}@evil.com`,
    `${c.scheme}://evil.com@${h}${p}`,
    `${c.scheme}://app.${h}${p}@evil.com`,
    `${c.scheme}://user:pw@${h}${p}`,
    // not an origin at all
    'null',
    `${base}/`,
    `${base}/path`,
    ` ${base}`,
    `${base}, https://evil.com`,
    `${c.scheme}://[::1]${p}`,
    `${c.scheme}://[::1]`,
  ];
}

/** The matcher cors() compiles for a list origin. */
function compiled(origin: unknown): OriginMatcher {
  const { policy } = compileOptions({ origin });
  if (policy.origin.kind !== 'match')
    throw new Error(`expected a matcher, got ${policy.origin.kind}`);
  return policy.origin.match;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------------

describe('the compiled origin matcher', () => {
  it('agrees with the reference on lookalikes of every configured origin and pattern', () => {
    fc.assert(
      fc.property(config, (entries) => {
        const match = compiled(entries.map(serialize));
        const disagreements = entries
          .flatMap(lookalikes)
          .map((origin) => [origin, refAllows(entries, origin), match(origin), match(origin)])
          .filter(([, expected, first, second]) => first !== expected || second !== expected);
        expect(disagreements).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with the reference on random origins and origin-like strings', () => {
    fc.assert(
      fc.property(
        config,
        fc.array(fc.oneof(randomOrigin, originish, fc.string({ maxLength: 40 })), {
          maxLength: 20,
        }),
        (entries, origins) => {
          const match = compiled(entries.map(serialize));
          const disagreements = origins
            .map((origin) => [origin, refAllows(entries, origin), match(origin)])
            .filter(([, expected, actual]) => actual !== expected);
          expect(disagreements).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('allows every origin a configured entry stands for', () => {
    fc.assert(
      fc.property(config, fc.nat(), (entries, pick) => {
        const c = entries[pick % entries.length]!;
        const concrete = `${c.scheme}://${c.subdomains ? 'app.' : ''}${c.host}${c.port === '*' ? ':3000' : c.port}`;
        expect(compiled(entries.map(serialize))(concrete)).toBe(true);
      }),
    );
  });

  it('with origin: true accepts exactly null and what has the shape of an origin', () => {
    const match = compiled(true);
    fc.assert(
      fc.property(
        fc.oneof(
          randomOrigin,
          originish,
          fc.string({ maxLength: 40 }),
          exactEntry.chain((c) => fc.constantFrom(...lookalikes(c))),
        ),
        (origin) => {
          expect(match(origin)).toBe(origin === 'null' || refParse(origin) !== undefined);
        },
      ),
    );
  });

  it('with anchored RegExps answers as exact comparison does, statelessly, whatever the flags', () => {
    fc.assert(
      fc.property(
        fc.array(exactEntry, { minLength: 1, maxLength: 3 }),
        fc.constantFrom('', 'g', 'y', 'gy', 'i'),
        (entries, flags) => {
          const regexps = entries.map((c) => new RegExp(`^${escapeRegExp(serialize(c))}$`, flags));
          const match = compiled(regexps);
          const disagreements = entries
            .flatMap(lookalikes)
            .map((origin) => {
              const expected =
                refParse(origin) !== undefined &&
                entries.some((e) =>
                  flags === 'i'
                    ? serialize(e).toLowerCase() === origin.toLowerCase()
                    : serialize(e) === origin,
                );
              return [origin, expected, match(origin), match(origin)];
            })
            .filter(([, expected, first, second]) => first !== expected || second !== expected);
          expect(disagreements).toEqual([]);
          // Compiling and matching never moved the configured RegExps' lastIndex.
          expect(regexps.map((re) => re.lastIndex)).toEqual(regexps.map(() => 0));
        },
      ),
    );
  });
});

describe('isOriginSyntax', () => {
  // Strings made of what origins are made of, so that most are near misses.
  const PIECES = [
    'https',
    'http',
    'ws',
    'a',
    'b-c',
    'x_y',
    '0',
    '1',
    '65535',
    '65536',
    '08',
    ':',
    '/',
    '//',
    '://',
    '.',
    '..',
    '[',
    ']',
    '::1',
    'f',
    'A',
    ' ',
    '%',
    '+',
    '-',
  ];
  const near = fc
    .array(fc.constantFrom(...PIECES), { maxLength: 12 })
    .map((parts) => parts.join(''));

  it('accepts exactly what scanOrigin accepts, and null', () => {
    fc.assert(
      fc.property(fc.oneof(near, fc.string({ maxLength: 40 })), (value) => {
        expect(isOriginSyntax(value)).toBe(value === 'null' || scanOrigin(value));
      }),
      { numRuns: 20000 },
    );
  });

  it.each([
    'http://[::1]:80',
    'http://[::1]:65535',
    'http://[::1]:65536',
    'http://[1::2]',
    'https://a.example:12345',
    'https://a.example:99999',
    'https://a.example:0',
    'https://a.example:00',
    `https://${'a'.repeat(1100)}`,
  ])('agrees with scanOrigin on %j', (value) => {
    expect(isOriginSyntax(value)).toBe(scanOrigin(value));
  });
});
