import {
  MAX_ORIGIN_LENGTH,
  type OriginEntry,
  compileMatcher,
  isInsecureOrigin,
  isOriginSyntax,
  parseOriginString,
  regexpProblem,
  scanOrigin,
} from '../lib/core/origin.js';

/** Parses a configured origin string, collecting what it reports. */
function parse(value: string): { entry: OriginEntry | undefined; messages: string[] } {
  const messages: string[] = [];
  const entry = parseOriginString(value, (message) => {
    messages.push(message);
  });
  return { entry, messages };
}

/** The entry a valid configured string compiles to (fails the test when it is refused). */
function entry(value: string): OriginEntry {
  const { entry: parsed, messages } = parse(value);
  expect(messages).toEqual([]);
  expect(parsed).toBeDefined();
  return parsed!;
}

/** A matcher for configured strings and RegExps. */
function matcher(values: readonly string[], regexps: readonly RegExp[] = []) {
  return compileMatcher(values.map(entry), regexps, false);
}

describe('scanOrigin', () => {
  it.each([
    'https://example.com',
    'http://localhost:3000',
    'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
    'moz-extension://0a1b2c3d-4e5f',
    'git+ssh://example.com',
    'a://b',
    'https://[::1]',
    'http://[2001:db8::1]:8080',
    'http://[::ffff:192.0.2.1]',
    'https://example.com.',
    'https://example.com.:8443',
    'https://a-b_c.example.com',
    'http://127.0.0.1:65535',
    'http://example.com:0',
    'https://xn--bcher-kva.example',
    `https://${'a'.repeat(MAX_ORIGIN_LENGTH - 'https://'.length)}`,
  ])('accepts the serialized origin %j', (value) => {
    expect(scanOrigin(value)).toBe(true);
  });

  it.each([
    ['the empty string', ''],
    ['null, which is not a tuple origin', 'null'],
    ['an upper-case scheme', 'HTTPS://example.com'],
    ['an upper-case host', 'https://Example.com'],
    ['an upper-case IPv6 address', 'https://[::ABCD]'],
    ['a scheme starting with a digit', '1http://example.com'],
    ['a missing scheme', 'example.com'],
    ['a missing slash', 'https:/example.com'],
    ['a missing host', 'https://'],
    ['a trailing slash', 'https://example.com/'],
    ['a path', 'https://example.com/app'],
    ['a query', 'https://example.com?q=1'],
    ['a fragment', 'https://example.com#top'],
    ['a user name', 'https://user@example.com'],
    ['a user name and password', 'https://user:pw@example.com'],
    ['a host that is only a dot', 'https://.'],
    ['an empty first label', 'https://.example.com'],
    ['an empty inner label', 'https://example..com'],
    ['an empty port', 'https://example.com:'],
    ['a port above 65535', 'https://example.com:65536'],
    ['a port of six digits', 'https://example.com:123456'],
    ['a port with a leading zero', 'https://example.com:08080'],
    ['a port with a letter', 'https://example.com:80a'],
    ['two ports', 'https://example.com:443:443'],
    ['empty brackets', 'https://[]'],
    ['an unclosed bracket', 'https://[::1'],
    ['a non-hex IPv6 digit', 'https://[::g]'],
    ['text after the brackets', 'https://[::1]x'],
    ['an empty port after brackets', 'https://[::1]:'],
    ['an IPv6 port above 65535', 'https://[::1]:99999'],
    ['a space in the host', 'https://exa mple.com'],
    ['a tab at the end', 'https://example.com\t'],
    ['a non-ASCII host', 'https://bücher.example'],
    ['two origins joined by a comma', 'https://example.com, https://evil.example'],
    ['an origin one character too long', `https://${'a'.repeat(MAX_ORIGIN_LENGTH)}`],
  ])('refuses %s', (_what, value) => {
    expect(scanOrigin(value)).toBe(false);
  });
});

describe('isOriginSyntax', () => {
  it.each([
    ['null', true],
    ['https://example.com', true],
    ['http://[::1]:8080', true],
    // A colon sixth from the end that is an IPv6 one, not a port's.
    ['https://[::abcd]', true],
    ['https://[::1234]', true],
    ['https://example.com:65535', true],
    ['https://example.com:65536', false],
    ['NULL', false],
    ['null ', false],
    ['', false],
    ['https://example.com/', false],
  ])('answers %j with %j', (value, expected) => {
    expect(isOriginSyntax(value)).toBe(expected);
  });
});

describe('parseOriginString', () => {
  describe('with an exact origin', () => {
    it.each([
      'https://example.com',
      'http://localhost:3000',
      'http://[::1]:8080',
      'chrome-extension://abcdefghijklmnop',
      'https://example.com.',
    ])('compiles %j to an exact entry', (value) => {
      expect(parse(value)).toEqual({ entry: { kind: 'exact', origin: value }, messages: [] });
    });
  });

  describe('with a pattern', () => {
    it.each([
      [
        'https://*.example.com',
        { scheme: 'https://', host: 'example.com', subdomains: true, port: '' },
      ],
      [
        'https://*.example.com:*',
        { scheme: 'https://', host: 'example.com', subdomains: true, port: '*' },
      ],
      [
        'https://*.example.com:8443',
        { scheme: 'https://', host: 'example.com', subdomains: true, port: ':8443' },
      ],
      [
        'http://localhost:*',
        { scheme: 'http://', host: 'localhost', subdomains: false, port: '*' },
      ],
      ['http://[::1]:*', { scheme: 'http://', host: '[::1]', subdomains: false, port: '*' }],
      ['http://*.localhost', { scheme: 'http://', host: 'localhost', subdomains: true, port: '' }],
      [
        'https://*.example.co.uk',
        { scheme: 'https://', host: 'example.co.uk', subdomains: true, port: '' },
      ],
    ])('compiles %j structurally', (value, expected) => {
      expect(parse(value)).toEqual({ entry: { kind: 'pattern', ...expected }, messages: [] });
    });
  });

  describe('with a string that is not a serialized origin', () => {
    it.each([
      ['https://example.com/', 'not even a trailing slash', 'did you mean "https://example.com"?'],
      ['https://example.com/app', 'no path', 'did you mean "https://example.com"?'],
      ['https://example.com/@evil', 'no path', 'did you mean "https://example.com"?'],
      ['https://Example.COM', 'lower case', 'did you mean "https://example.com"?'],
      ['HTTPS://EXAMPLE.COM', 'lower case', 'did you mean "https://example.com"?'],
      ['https://example.com:443', 'default port', 'did you mean "https://example.com"?'],
      ['http://example.com:80', 'default port', 'did you mean "http://example.com"?'],
      ['wss://example.com:443', 'default port', 'did you mean "wss://example.com"?'],
      ['example.com', 'no scheme', 'did you mean "https://example.com"?'],
      ['https://bücher.example', 'punycode', 'did you mean "https://xn--bcher-kva.example"?'],
      [
        'https://user:pw@example.com',
        'user name or password',
        'did you mean "https://example.com"?',
      ],
      [' https://example.com', 'white space', 'did you mean "https://example.com"?'],
      ['https://exa mple.com', 'white space', 'write it as scheme://host[:port]'],
      ['https://example.com:0443', 'not of the form', 'did you mean "https://example.com"?'],
      ['http://127.1', 'canonical form', 'did you mean "http://127.0.0.1"?'],
      ['http://[0:0:0:0:0:0:0:1]', 'canonical form', 'did you mean "http://[::1]"?'],
      ['http://a.1', 'canonical form', 'write it as scheme://host[:port]'],
      ['https://', 'not of the form scheme://host[:port]', 'write it as scheme://host[:port]'],
      ['https://a!b.example', 'not of the form', 'write it as scheme://host[:port]'],
      [
        'chrome-extension://abcdef/',
        'not even a trailing slash',
        'write it as scheme://host[:port]',
      ],
    ])('refuses %j saying %j and suggesting %j', (value, why, fix) => {
      const { entry: parsed, messages } = parse(value);
      expect(parsed).toBeUndefined();
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain('is not an origin as browsers send it');
      expect(messages[0]).toContain(why);
      expect(messages[0]).toContain(fix);
    });
  });

  describe('with "null"', () => {
    it('refuses it, explaining that any page can send it', () => {
      const { entry: parsed, messages } = parse('null');
      expect(parsed).toBeUndefined();
      expect(messages).toEqual([expect.stringContaining('any page can send Origin: null')]);
    });
  });

  describe('with a bad pattern', () => {
    it.each([
      ['a bare wildcard host', 'https://*'],
      ['a wildcard inside a label', 'https://app-*.example.com'],
      ['a wildcard glued to a label', 'https://*example.com'],
      ['a wildcard in the middle', 'https://example.*.com'],
      ['two wildcard labels', 'https://*.*.example.com'],
      ['a wildcard scheme', '*://example.com'],
      ['a wildcard port followed by a path', 'https://example.com:*/'],
      ['a partial port wildcard', 'https://example.com:80*'],
    ])('refuses %s (%j) with the pattern rules', (_what, value) => {
      const { entry: parsed, messages } = parse(value);
      expect(parsed).toBeUndefined();
      expect(messages).toEqual([
        expect.stringContaining(
          'is not a valid pattern: a wildcard stands only for whole leftmost',
        ),
      ]);
    });

    it.each([
      [
        'https://*.example.com/',
        'not even a trailing slash',
        'did you mean "https://*.example.com"?',
      ],
      ['https://*.Example.com', 'lower case', 'did you mean "https://*.example.com"?'],
      ['https://*.example.com:443', 'default port', 'did you mean "https://*.example.com"?'],
      ['http://127.1:*', 'canonical form', 'did you mean "http://127.0.0.1:*"?'],
      ['http://LOCALHOST:*', 'lower case', 'did you mean "http://localhost:*"?'],
      [
        'https://*.example.com:08443',
        'not of the form',
        'did you mean "https://*.example.com:8443"?',
      ],
    ])('refuses %j for its host part, saying %j and suggesting %j', (value, why, fix) => {
      const { entry: parsed, messages } = parse(value);
      expect(parsed).toBeUndefined();
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain(why);
      expect(messages[0]).toContain(fix);
      expect(messages[0]).not.toContain('://x.');
    });

    it('says which part of a pattern is at fault', () => {
      expect(parse('https://*.Example.com').messages[0]).toMatch(
        /^"https:\/\/\*\.Example\.com" is not a valid pattern: the host part is not an origin as browsers send it: /,
      );
    });

    it.each([
      ['https://*.com', '"com"'],
      ['https://*.dev', '"dev"'],
      ['https://*.com.', '"com."'],
      ['https://*.co.uk', '"co.uk"'],
      ['https://*.vercel.app', '"vercel.app"'],
      ['https://*.github.io', '"github.io"'],
      ['https://*.herokuapp.com:*', '"herokuapp.com"'],
    ])('refuses %j, a wildcard over the public suffix %s', (value, suffix) => {
      const { entry: parsed, messages } = parse(value);
      expect(parsed).toBeUndefined();
      expect(messages).toEqual([
        expect.stringContaining(`would trust every site under the public suffix ${suffix}`),
      ]);
      expect(messages[0]).toContain('*.yourdomain.');
    });

    it.each(['https://*.0.0.1', 'http://*.127.0.0.1:*', 'http://*.[::1]', 'http://*.[::1]:*'])(
      'refuses %j, a wildcard in an IP address',
      (value) => {
        const { entry: parsed, messages } = parse(value);
        expect(parsed).toBeUndefined();
        expect(messages).toEqual([expect.stringContaining('puts a wildcard in an IP address')]);
      },
    );
  });
});

describe('regexpProblem', () => {
  it.each([
    /^https:\/\/example\.com$/,
    /^https:\/\/(?:app|admin)\.example\.com$/,
    /^https:\/\/[a|b]\.example\.com$/,
    /^https:\/\/[\]|]\.example\.com$/,
    /^https:\/\/example\.com\\$/,
    /^https:\/\/example\.com$/i,
    /^https:\/\/example\.com$/g,
  ])('accepts %s, anchored at both ends', (re) => {
    expect(regexpProblem(re)).toBeUndefined();
  });

  it.each([
    [/example\.com$/, 'is not anchored at the start'],
    [/https:\/\/example\.com/, 'is not anchored at the start'],
    [/^https:\/\/example\.com/, 'is not anchored at the end'],
    [/^https:\/\/example\.com\$/, 'is not anchored at the end'],
    [/^https:\/\/example\.[$]/, 'is not anchored at the end'],
    [/^https:\/\/a\.com$|^https:\/\/b\.com$/, 'has a top-level |'],
    [/^https:\/\/a\.com|b\.com$/, 'has a top-level |'],
    [/^https:\/\/example\.com$/m, 'has the m flag'],
  ])('refuses %s: it %s', (re, why) => {
    const problem = regexpProblem(re);
    expect(problem).toContain(why);
    expect(problem).toContain(String(re));
  });

  it('suggests an anchored RegExp or a pattern string for an unanchored one', () => {
    expect(regexpProblem(/example\.com$/)).toContain('"https://*.example.com"');
  });

  describe('an unescaped dot', () => {
    it.each([
      /^https:\/\/[a-z]+\.example\.com$/,
      /^https:\/\/.*\.example\.com$/,
      /^https:\/\/.+\.example\.com$/,
      /^https:\/\/.?app\.example\.com$/,
      /^https:\/\/.{1,3}\.example\.com$/,
      /^https:\/\/app[.]example[.]com$/,
      /^https:\/\/app[\].]example\.com$/,
      /^https:\/\/(?:.+\.)?example\.com$/,
    ])('is accepted in %s: escaped, in a class, or followed by a quantifier', (re) => {
      expect(regexpProblem(re)).toBeUndefined();
    });

    it.each([
      [/^https:\/\/app.example\.com$/, '/^https:\\/\\/app\\.example\\.com$/'],
      [/^https:\/\/app.example.com$/, '/^https:\\/\\/app\\.example\\.com$/'],
      [/^https:\/\/app.example.com$/i, '/^https:\\/\\/app\\.example\\.com$/i'],
      [/^https:\/\/(?:app|admin).example\.com$/, '/^https:\\/\\/(?:app|admin)\\.example\\.com$/'],
      [/^https:\/\/[a-z]+.example\.com$/, '/^https:\\/\\/[a-z]+\\.example\\.com$/'],
      [/^https:\/\/app\\.example\.com$/, '/^https:\\/\\/app\\\\\\.example\\.com$/'],
      [/^https:\/\/.*.example\.com$/, '/^https:\\/\\/.*\\.example\\.com$/'],
    ])('is refused in %s, quoting it escaped: %s', (re, fixed) => {
      const problem = regexpProblem(re);
      expect(problem).toContain(String(re));
      expect(problem).toContain('unescaped "." outside a character class');
      expect(problem).toContain(`escape it: ${fixed} `);
    });

    it('is refused in a RegExp that admits a host with any letter where the dot was (the bug it pins)', () => {
      const re = /^https:\/\/app.example\.com$/;
      expect(re.test('https://appxexample.com')).toBe(true);
      expect(regexpProblem(re)).toContain('app.example also admits appxexample');
    });

    it('suggests a RegExp that no longer admits the stranger and still admits the origin', () => {
      const problem = regexpProblem(/^https:\/\/app.example.com$/)!;
      const source = /escape it: \/(.*)\/ \(/.exec(problem)![1]!;
      const fixed = new RegExp(source);
      expect(fixed.test('https://app.example.com')).toBe(true);
      expect(fixed.test('https://appxexample.com')).toBe(false);
      expect(fixed.test('https://app.examplexcom')).toBe(false);
    });

    it('is reported after the anchors, which come first', () => {
      expect(regexpProblem(/^https:\/\/app.example.com/)).toContain('is not anchored at the end');
      expect(regexpProblem(/^https:\/\/app.example./)).toContain('is not anchored at the end');
    });
  });
});

describe('compileMatcher', () => {
  describe('with exact origins only', () => {
    const match = matcher(['https://example.com', 'http://localhost:3000']);

    it.each([
      ['https://example.com', true],
      ['http://localhost:3000', true],
      ['https://example.com.', false],
      ['https://Example.com', false],
      ['https://example.com:443', false],
      ['http://example.com', false],
      ['https://app.example.com', false],
      ['http://localhost:3001', false],
      ['http://localhost', false],
      ['null', false],
      ['', false],
    ])('answers %j with %j', (origin, expected) => {
      expect(match(origin)).toBe(expected);
    });
  });

  describe('with any origin (true)', () => {
    const match = compileMatcher([], [], true);

    it.each([
      ['https://anything.example', true],
      ['null', true],
      ['https://example.com/', false],
      ['HTTPS://EXAMPLE.COM', false],
      ['https://example.com, https://evil.example', false],
    ])('answers %j with %j, accepting exactly what a browser could send', (origin, expected) => {
      expect(match(origin)).toBe(expected);
    });
  });

  describe('with patterns, refusing what a match would reflect without a scan of the whole origin', () => {
    const match = matcher([
      'https://*.example.com',
      'https://*.example.org:*',
      'http://localhost:*',
      'http://[::1]:*',
    ]);

    it.each([
      ['https://a.example.com', true],
      ['https://a.example.org:8443', true],
      ['http://localhost:5173', true],
      ['http://[::1]:8080', true],
      ['https://a..b.example.com', false],
      ['https://.a.example.com', false],
      ['https://a b.example.com', false],
      ['https://a/b.example.com', false],
      ['https://a.example.org:08443', false],
      ['https://a.example.org:65536', false],
      ['https://a.example.org:', false],
      ['https://a.example.org:123456', false],
      ['https://a.example.org:84x3', false],
      ['http://localhost:', false],
      ['http://localhost@evil', false],
      ['http://[::1', false],
      ['http://[::1]x', false],
      // After brackets the port is read in place: a letter in it, anywhere, misses.
      ['http://[::1]:8a', false],
      ['http://[::1]:80a0', false],
      ['http://[::1]:0', true],
      ['://a.example.com', false],
      ['https:a.example.com', false],
    ])('answers %j with %j', (origin, expected) => {
      expect(match(origin)).toBe(expected);
    });
  });

  describe('with a RegExp that matches more than origins', () => {
    const match = matcher([], [/^https:\/\/.*$/]);

    it.each([
      ['https://app.example', true],
      ['https://app example', false],
      [`https://${'a'.repeat(1100)}`, false],
    ])('checks the syntax of what it matched: %j is %j', (origin, expected) => {
      expect(match(origin)).toBe(expected);
    });
  });

  describe('with a subdomain pattern', () => {
    const match = matcher(['https://*.example.com']);

    it.each([
      ['https://app.example.com', true],
      ['https://a.b.c.example.com', true],
      ['https://example.com', false],
      ['https://evil-example.com', false],
      ['https://example.com.evil.com', false],
      ['https://app.example.com.evil.com', false],
      ['https://appexample.com', false],
      ['https://app.example.com.', false],
      ['https://app.example.com:8443', false],
      ['https://app.example.com:443', false],
      ['http://app.example.com', false],
      ['https://APP.example.com', false],
      ['https://example.com@evil.com', false],
      ['https://app.example.com/', false],
      ['null', false],
    ])('answers %j with %j', (origin, expected) => {
      expect(match(origin)).toBe(expected);
    });
  });

  describe('with a subdomain pattern and any port', () => {
    const match = matcher(['https://*.example.com:*']);

    it.each([
      ['https://app.example.com', true],
      ['https://app.example.com:8443', true],
      ['https://a.b.example.com:1', true],
      ['https://example.com:8443', false],
      ['http://app.example.com:8443', false],
    ])('answers %j with %j', (origin, expected) => {
      expect(match(origin)).toBe(expected);
    });
  });

  describe('with a subdomain pattern and one port', () => {
    const match = matcher(['https://*.example.com:8443']);

    it.each([
      ['https://app.example.com:8443', true],
      ['https://app.example.com', false],
      ['https://app.example.com:8444', false],
      ['https://app.example.com:84430', false],
      ['https://example.com:8443', false],
    ])('answers %j with %j', (origin, expected) => {
      expect(match(origin)).toBe(expected);
    });
  });

  describe('with a host on any port', () => {
    const match = matcher(['http://localhost:*', 'http://[::1]:*']);

    it.each([
      ['http://localhost', true],
      ['http://localhost:3000', true],
      ['http://localhost:65535', true],
      ['http://[::1]:8080', true],
      ['http://[::1]', true],
      ['https://localhost:3000', false],
      ['http://localhost.evil.com:3000', false],
      ['http://app.localhost:3000', false],
      ['http://[::2]:8080', false],
      ['http://localhost:99999', false],
    ])('answers %j with %j', (origin, expected) => {
      expect(match(origin)).toBe(expected);
    });
  });

  describe('with a pattern whose host has a trailing dot', () => {
    const match = matcher(['https://*.example.com.']);

    it.each([
      ['https://app.example.com.', true],
      ['https://app.example.com', false],
    ])('answers %j with %j', (origin, expected) => {
      expect(match(origin)).toBe(expected);
    });
  });

  describe('with RegExps', () => {
    it.each([/^https:\/\/app\.example\.com$/g, /^https:\/\/app\.example\.com$/y])(
      'gives the same answer twice in a row for %s, whose flags would make it stateful',
      (re) => {
        const match = compileMatcher([], [re], false);
        expect([match('https://app.example.com'), match('https://app.example.com')]).toEqual([
          true,
          true,
        ]);
        expect([match('https://evil.example'), match('https://evil.example')]).toEqual([
          false,
          false,
        ]);
        expect(re.lastIndex).toBe(0);
      },
    );

    it('never shows a malformed origin to a RegExp', () => {
      const match = compileMatcher([], [/^https:\/\/.*$/], false);
      expect(match('https://example.com/path')).toBe(false);
      expect(match('https://example.com')).toBe(true);
    });

    it('tries each RegExp in turn', () => {
      const match = compileMatcher([], [/^https:\/\/a\.example$/, /^https:\/\/b\.example$/], false);
      expect(match('https://b.example')).toBe(true);
      expect(match('https://c.example')).toBe(false);
    });
  });

  describe('with exact origins, patterns and RegExps together', () => {
    const match = matcher(
      ['https://example.com', 'https://*.example.org', 'http://localhost:*'],
      [/^https:\/\/[a-z]+\.example\.net$/],
    );

    it.each([
      ['https://example.com', true],
      ['https://app.example.org', true],
      ['http://localhost:5173', true],
      ['https://api.example.net', true],
      ['https://a.b.example.net', false],
      ['https://app.example.com', false],
      ['https://example.org', false],
      ['null', false],
      ['https://example.com/', false],
    ])('answers %j with %j', (origin, expected) => {
      expect(match(origin)).toBe(expected);
    });
  });
});

describe('isInsecureOrigin', () => {
  it.each([
    ['https://example.com', false],
    ['wss://example.com', false],
    ['chrome-extension://abcdef', false],
    ['http://localhost', false],
    ['http://localhost:3000', false],
    ['http://app.localhost:3000', false],
    ['http://127.0.0.1:3000', false],
    ['http://127.0.0.1', false],
    ['http://[::1]:8080', false],
    ['ws://localhost:8080', false],
    ['http://example.com', true],
    ['ws://example.com', true],
    ['http://localhost.evil.com', true],
    ['http://127.0.0.1.evil.com', true],
    ['http://[::2]:8080', true],
    ['http://192.168.1.10:8080', true],
    ['http://*.localhost', false],
    ['http://localhost:*', false],
    ['https://*.example.com', false],
    ['http://*.example.com', true],
    ['http://*.example.com:*', true],
  ])('answers %j with %j', (value, expected) => {
    expect(isInsecureOrigin(entry(value))).toBe(expected);
  });
});
