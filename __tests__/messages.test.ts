// Messages derived from the user's own value (a newcomer reads them first): the fix for *their*
// RegExp, their environment variable, their list.
import { cors, CorsConfigError, explainCors, type CorsRefusedDecision } from '../lib/index.js';

/** The one issue message of a configuration that must be refused. */
function refusal(options: unknown): string {
  try {
    cors(options as never);
  } catch (err) {
    expect(err).toBeInstanceOf(CorsConfigError);
    const issues = (err as CorsConfigError).issues;
    expect(issues).toHaveLength(1);
    return issues[0]!.message;
  }
  throw new Error('expected a CorsConfigError');
}

/** The RegExp a message suggests after "anchor it: ". */
function suggested(message: string): RegExp {
  const m = /anchor it: \/(.*)\/([a-z]*)(?:,|$)/.exec(message);
  expect(m).not.toBeNull();
  return new RegExp(m![1]!, m![2]);
}

describe('an unanchored RegExp', () => {
  it("gets the anchored form of the user's own RegExp (the cors README's /example\\.com$/)", () => {
    const message = refusal({ origin: /example\.com$/ });
    expect(message).toContain('("https://evil-example.com")');
    const fix = suggested(message);
    expect(String(fix)).toBe(String(/^https:\/\/(?:[a-z0-9-]+\.)*example\.com$/));
    expect(fix.test('https://example.com')).toBe(true);
    expect(fix.test('https://api.example.com')).toBe(true);
    expect(fix.test('https://evil-example.com')).toBe(false);
    expect(fix.test('https://example.com.evil.example')).toBe(false);
    // ...and it is accepted as it stands.
    expect(typeof cors({ origin: fix })).toBe('function');
    expect(message).toContain('"https://example.com" and "https://*.example.com"');
  });

  it('keeps a scheme the user wrote and only adds what is missing', () => {
    const end = refusal({ origin: /^https:\/\/app\.example\.com/ });
    expect(end).toContain('("https://app.example.com.evil.example")');
    expect(String(suggested(end))).toBe(String(/^https:\/\/app\.example\.com$/));
    const start = refusal({ origin: /https?:\/\/localhost:\d+$/ });
    expect(String(suggested(start))).toBe(String(/^https?:\/\/localhost:\d+$/));
  });

  it('turns a leading dot into at least one label, and suggests the subdomain pattern', () => {
    const message = refusal({ origin: /\.example\.com$/i });
    const fix = suggested(message);
    expect(fix.flags).toBe('i');
    expect(fix.test('https://a.example.com')).toBe(true);
    expect(fix.test('https://example.com')).toBe(false);
    expect(message).toContain('"https://*.example.com"');
    expect(message).toContain('("http://evil.example.com")');
  });

  it('names no stranger it cannot be sure of', () => {
    const message = refusal({ origin: /^https:\/\/[a-z]+\.example\.com/ });
    expect(message).toContain('also matches longer origins; anchor it');
  });
});

describe('values from environment variables', () => {
  it.each<[string, unknown, string]>([
    [
      'Number(undefined)',
      Number(undefined),
      'such as an unset environment variable (Number(undefined))',
    ],
    ['a fraction', 1.5, 'whole seconds only, e.g. Math.round(1.5)'],
    ['more than a day', 100000, '86400 (one day) is the most any browser keeps'],
    ['a word', 'abc', 'maxAge: Number(process.env.CORS_MAX_AGE)'],
  ])('maxAge %s says how to fix it', (_what, maxAge, fix) => {
    expect(refusal({ origin: ['https://a.example'], maxAge })).toContain(fix);
  });

  it.each(['true', 'false', '1', 'YES'])(
    'credentials "%s" says how to read the variable',
    (value) => {
      expect(refusal({ origin: ['https://a.example'], credentials: value })).toContain(
        "credentials: process.env.X === 'true'",
      );
    },
  );

  it('credentials of another type gets the plain message', () => {
    expect(refusal({ origin: ['https://a.example'], credentials: 1 })).toBe(
      'expected true or false, got 1.',
    );
  });
});

describe('refusals by the request', () => {
  const refusedBy = async (options: Parameters<typeof explainCors>[0], origin: string) =>
    (await explainCors(options, { headers: { Origin: origin } })).decision as CorsRefusedDecision;

  it('says a function origin refused the origin itself', async () => {
    const decision = await refusedBy({ origin: (_o: string) => false }, 'https://evil.example');
    expect(decision.reason).toBe('origin-not-allowed');
    expect(decision.message).toBe(
      'origin https://evil.example is not allowed: the origin function refused it (it answered false, null or a value that does not match); change what the function answers for https://evil.example',
    );
  });

  it('says a subdomain wildcard never covers the apex', async () => {
    const decision = await refusedBy({ origin: ['https://*.example.org'] }, 'https://example.org');
    expect(decision.message).toContain(
      'the wildcard in "https://*.example.org" covers subdomains only, never the apex https://example.org itself; add "https://example.org"',
    );
  });

  it.each([
    ['http', 'https'],
    ['https', 'http'],
  ])('points at the scheme when a page on %s: meets an entry on %s:', async (page, listed) => {
    const decision = await refusedBy(
      { origin: [`${listed}://localhost:3000`, 'https://other.example'] },
      `${page}://localhost:3000`,
    );
    expect(decision.message).toContain(
      `the origin option has "${listed}://localhost:3000", but the page is served over ${page}:`,
    );
  });

  it('keeps the plain message otherwise', async () => {
    const decision = await refusedBy({ origin: ['https://a.example'] }, 'https://b.example');
    expect(decision.message).toBe(
      'origin https://b.example is not allowed; add "https://b.example" to the origin option (allowed: https://a.example)',
    );
    const other = await refusedBy({ origin: ['https://a.example'] }, 'wss://a.example');
    expect(other.message).toMatch(/^origin wss:\/\/a\.example is not allowed; add/);
  });
});
