// `corsguard check` against live local servers: corsguard under several configurations and
// hand-written servers, run in-process through run().
import type http from 'node:http';
import * as httpModule from '../lib/cli/http.js';
import {
  APP,
  EVIL,
  type Started,
  cli,
  cors,
  startExpress,
  startHandler,
  startHttps,
  startSilent,
} from './helpers/cli.js';

let strict: Started;
let open: Started;
let broken: Started;
let other: Started;

/** Hand-written answers, by path: what no corsguard configuration sends. */
function brokenAnswer(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = new URL(req.url!, 'http://x').pathname;
  const origin = req.headers.origin ?? '';
  const preflight = req.method === 'OPTIONS';
  const answers: Record<string, () => void> = {
    '/no-vary': () => {
      res.setHeader('Access-Control-Allow-Origin', origin);
    },
    '/preflight-404': () => {
      if (preflight) res.statusCode = 404;
      else res.setHeader('Access-Control-Allow-Origin', origin);
    },
    '/preflight-401-cors': () => {
      res.setHeader('Access-Control-Allow-Origin', origin);
      if (preflight) res.statusCode = 401;
    },
    '/preflight-redirect': () => {
      res.statusCode = 301;
      res.setHeader('Location', '/elsewhere');
    },
    '/preflight-redirect-cors': () => {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.statusCode = preflight ? 308 : 200;
      res.setHeader('Location', '/elsewhere');
    },
    '/multiple': () => {
      res.setHeader('Access-Control-Allow-Origin', [origin, 'https://b.example']);
    },
    '/invalid': () => {
      res.setHeader('Access-Control-Allow-Origin', 'app.example.com');
    },
    '/bad-methods': () => {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Methods', 'PUT;');
    },
    '/bad-headers': () => {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Methods', 'PUT');
      res.setHeader('Access-Control-Allow-Headers', 'x a');
    },
    '/redirect-away': () => {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.statusCode = 302;
      res.setHeader('Location', `${other.url}/landing`);
    },
    '/see-other': () => {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      if (!preflight) {
        res.statusCode = req.method === 'GET' ? 200 : 303;
        res.setHeader('Location', '/see-other');
      }
      res.setHeader('Access-Control-Allow-Methods', 'PUT');
      res.setHeader('Access-Control-Allow-Headers', 'content-type');
    },
    '/moved-post': () => {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      if (req.method === 'POST') {
        res.statusCode = 301;
        res.setHeader('Location', '/moved-post');
      }
    },
    '/ftp': () => {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.statusCode = 302;
      res.setHeader('Location', 'ftp://files.example/x');
    },
    '/bad-location': () => {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.statusCode = 302;
      res.setHeader('Location', 'http://[::1');
    },
    '/with-password': () => {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.statusCode = 307;
      res.setHeader('Location', `http://user:pw@127.0.0.1/`);
    },
    '/loop': () => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.statusCode = 302;
      res.setHeader('Location', '/loop');
    },
    '/no-location': () => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.statusCode = 302;
    },
  };
  answers[path]?.();
  if (preflight && res.statusCode === 200) res.statusCode = 204;
  res.end();
}

beforeAll(async () => {
  strict = await startExpress((app) => {
    app.use(
      cors({
        origin: [APP],
        credentials: true,
        methods: ['GET', 'POST', 'PUT'],
        allowedHeaders: ['Content-Type', 'Authorization'],
        maxAge: 600,
      }),
    );
  });
  open = await startExpress((app) => {
    app.use('/public', cors());
    app.use('/list', cors({ origin: [APP] }));
    app.use('/single', cors({ origin: 'https://a.example' }));
    app.use('/star-headers', cors({ origin: [APP], allowedHeaders: '*', methods: '*' }));
    app.use('/long-cache', cors({ origin: [APP], maxAge: 86400 }));
    app.use('/reflect', cors({ origin: [APP] }));
  });
  broken = await startHandler(brokenAnswer);
  other = await startHandler((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '');
    res.setHeader('Vary', 'Origin');
    res.end();
  });
});

afterAll(async () => {
  for (const server of [strict, open, broken, other]) await server.close();
});

interface Case {
  what: string;
  args: () => string[];
  status: number;
  /** Parts of stdout, in order. */
  says: string[] | (() => string[]);
}

const CASES: Case[] = [
  {
    what: 'a GET from a listed origin',
    args: () => [strict.url, '--origin', APP],
    status: 0,
    says: ['preflight: not needed', `< Access-Control-Allow-Origin: ${APP}`, 'verdict: ALLOWED'],
  },
  {
    what: 'a GET from an origin not listed',
    args: () => [`${strict.url}/things`, '--origin', EVIL],
    status: 1,
    says: () => [
      'verdict: BLOCKED at the actual request (allow-origin-missing)',
      `Chromium: Access to fetch at '${strict.url}/things' from origin '${EVIL}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
      `Firefox:  Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${strict.url}/things. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200.`,
      `fix: the response must carry Access-Control-Allow-Origin: ${EVIL}`,
      "with corsguard: add the page's origin",
    ],
  },
  {
    what: 'a credentialed JSON PUT from a listed origin',
    args: () => [
      strict.url,
      '--origin',
      APP,
      '--method',
      'put',
      '--header',
      'Content-Type: application/json',
      '--credentials',
    ],
    status: 0,
    says: [
      "credentials 'include'",
      'preflight: needed, because method PUT is not CORS-safelisted (GET, HEAD, POST); header content-type has a value that is not CORS-safelisted',
      '> OPTIONS',
      '> Access-Control-Request-Method: PUT',
      '> Access-Control-Request-Headers: content-type',
      '< 204 No Content',
      '< Access-Control-Max-Age: 600',
      '> PUT',
      'preflight cached: Access-Control-Max-Age 600 (Chromium keeps it 600 s, Firefox 600 s)',
      'verdict: ALLOWED',
    ],
  },
  {
    what: 'a method not listed',
    args: () => [strict.url, '--origin', APP, '--method', 'DELETE'],
    status: 1,
    says: [
      'BLOCKED at the preflight (method-not-allowed)',
      'has been blocked by CORS policy: Method DELETE is not allowed by Access-Control-Allow-Methods in preflight response.',
      '(Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’).',
      'fix: the preflight answer must list DELETE in Access-Control-Allow-Methods',
      'with corsguard: add DELETE to methods',
    ],
  },
  {
    what: 'a header not listed',
    args: () => [strict.url, '--origin', APP, '-H', 'X-Foo: 1'],
    status: 1,
    says: [
      'header x-foo is not CORS-safelisted',
      'policy: Request header field x-foo is not allowed by Access-Control-Allow-Headers in preflight response.',
      'with corsguard: add x-foo to allowedHeaders',
    ],
  },
  {
    what: 'credentials to a public route',
    args: () => [`${open.url}/public`, '--origin', APP, '--credentials'],
    status: 1,
    says: [
      "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
    ],
  },
  {
    what: 'a public route without credentials',
    args: () => [`${open.url}/public`, '--origin', APP],
    status: 0,
    says: [
      'verdict: ALLOWED',
      "warning: Access-Control-Allow-Origin is '*': the same request with credentials: 'include' is blocked",
    ],
  },
  {
    what: 'credentials to a route without credentials: true',
    args: () => [`${open.url}/list`, '--origin', APP, '--credentials'],
    status: 1,
    says: [
      "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true'",
    ],
  },
  {
    what: 'a single exact origin that is another one',
    args: () => [`${open.url}/single`, '--origin', APP],
    status: 1,
    says: [
      "The 'Access-Control-Allow-Origin' header has a value 'https://a.example' that is not equal to the supplied origin. Have the server send the header with a valid value.",
      "with corsguard: add the other origin: origin: ['https://a.example', 'https://app.example.com']",
    ],
  },
  {
    // Issue 21 item 6: the verdict is the browsers' (Chromium 156 and Firefox 153 let it through),
    // with a warning naming the Fetch Standard's rule and what breaks when they enforce it.
    what: "Authorization under allowedHeaders '*' (allowed by today's browsers, with a warning)",
    args: () => [`${open.url}/star-headers`, '--origin', APP, '-H', 'Authorization: Bearer t'],
    status: 0,
    says: [
      'verdict: ALLOWED',
      "warning: Authorization passes only because today's browsers still let Access-Control-Allow-Headers: * cover it",
      'once they enforce it this preflight fails with "Request header field authorization is not allowed"',
    ],
  },
  {
    what: "a header under allowedHeaders '*' without credentials",
    args: () => [
      `${open.url}/star-headers`,
      '--origin',
      APP,
      '-H',
      'X-Foo: 1',
      '--method',
      'PATCH',
    ],
    status: 0,
    says: [
      'verdict: ALLOWED',
      "warning: the preflight passes through '*' in Access-Control-Allow-Methods, which covers nothing once credentials are included: PATCH would be refused",
    ],
  },
  {
    what: "a header under allowedHeaders '*' with a safelisted method",
    args: () => [`${open.url}/star-headers`, '--origin', APP, '-H', 'X-Foo: 1'],
    status: 0,
    says: ["warning: the preflight passes through '*' in Access-Control-Allow-Headers"],
  },
  {
    what: 'a Max-Age above Chromium’s cap',
    args: () => [`${open.url}/long-cache`, '--origin', APP, '--method', 'PUT'],
    status: 0,
    says: [
      'Access-Control-Max-Age 86400 (Chromium keeps it 7200 s, Firefox 86400 s)',
      "warning: Access-Control-Max-Age 86400 is above Chromium's cap: it keeps the preflight 7200 s",
    ],
  },
  {
    what: 'safelisted values over 1024 bytes',
    args: () => [
      `${open.url}/reflect`,
      '--origin',
      APP,
      ...Array.from({ length: 9 }, () => ['-H', `Accept: ${'a'.repeat(128)}`]).flat(),
    ],
    status: 0,
    says: [
      'header accept is safelisted, but the safelisted values add up to more than 1024 bytes',
      'no Access-Control-Max-Age, so 5 s',
    ],
  },
  {
    what: 'an origin-dependent answer without Vary',
    args: () => [`${broken.url}/no-vary`, '--origin', APP, '--method', 'PUT'],
    status: 1,
    says: [
      'method-not-allowed',
      `warning: Access-Control-Allow-Origin names ${APP} but the answer has no Vary: Origin`,
    ],
  },
  {
    what: 'an origin-dependent actual answer without Vary',
    args: () => [`${broken.url}/no-vary`, '--origin', APP],
    status: 0,
    says: ['ALLOWED', 'warning: Access-Control-Allow-Origin names'],
  },
  {
    what: 'a preflight answered 404 without CORS headers',
    args: () => [`${broken.url}/preflight-404`, '--origin', APP, '--method', 'PUT'],
    status: 1,
    says: [
      '< 404 Not Found',
      "blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
      '(Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 404.',
    ],
  },
  {
    what: 'a preflight answered 401 with CORS headers',
    args: () => [`${broken.url}/preflight-401-cors`, '--origin', APP, '--method', 'PUT'],
    status: 1,
    says: [
      '(preflight-status)',
      "Response to preflight request doesn't pass access control check: It does not have HTTP ok status.",
      '(Reason: CORS preflight response did not succeed). Status code: 401.',
      'fix: the preflight (OPTIONS) must be answered with a 2xx status, not 401',
    ],
  },
  {
    what: 'a preflight redirected',
    args: () => [`${broken.url}/preflight-redirect`, '--origin', APP, '--method', 'PUT'],
    status: 1,
    says: [
      "Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request.",
      '(Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 301.',
    ],
  },
  {
    what: 'a preflight redirected with CORS headers',
    args: () => [`${broken.url}/preflight-redirect-cors`, '--origin', APP, '--method', 'PUT'],
    status: 1,
    says: [
      '(preflight-redirect)',
      "Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request.",
      '(Reason: CORS request external redirect not allowed).',
    ],
  },
  {
    what: 'two Access-Control-Allow-Origin values',
    args: () => [`${broken.url}/multiple`, '--origin', APP],
    status: 1,
    says: [`contains multiple values '${APP}, https://b.example', but only one is allowed.`],
  },
  {
    what: 'an Access-Control-Allow-Origin that is no origin',
    args: () => [`${broken.url}/invalid`, '--origin', APP],
    status: 1,
    says: [
      "The 'Access-Control-Allow-Origin' header contains the invalid value 'app.example.com'.",
    ],
  },
  {
    what: 'an Access-Control-Allow-Methods that does not parse',
    args: () => [`${broken.url}/bad-methods`, '--origin', APP, '--method', 'PUT'],
    status: 1,
    says: [
      'Cannot parse Access-Control-Allow-Methods response header field in preflight response.',
    ],
  },
  {
    what: 'an Access-Control-Allow-Headers that does not parse',
    args: () => [`${broken.url}/bad-headers`, '--origin', APP, '--method', 'PUT'],
    status: 1,
    says: ['Cannot parse Access-Control-Allow-Headers response header field'],
  },
  {
    what: 'a redirect to another origin (which makes the origin null)',
    args: () => [`${broken.url}/redirect-away`, '--origin', APP],
    status: 0,
    says: () => ['< 302 Found', `> GET ${other.url}/landing`, '> Origin: null', 'ALLOWED'],
  },
  {
    what: 'a 303 after a PUT (followed with GET, without the body headers)',
    args: () => [
      `${broken.url}/see-other`,
      '--origin',
      APP,
      '--method',
      'PUT',
      '-H',
      'Content-Type: application/json',
    ],
    status: 0,
    says: () => ['> PUT', '< 303 See Other', `> GET ${broken.url}/see-other`, 'ALLOWED'],
  },
  {
    what: 'a 301 after a POST (followed with GET)',
    args: () => [`${broken.url}/moved-post`, '--origin', APP, '--method', 'POST'],
    status: 0,
    says: ['> POST', '< 301 Moved Permanently', '> GET', 'ALLOWED'],
  },
  {
    what: 'a redirect to ftp:',
    args: () => [`${broken.url}/ftp`, '--origin', APP],
    status: 1,
    says: ['(redirect-invalid)', "Redirect location 'ftp://files.example/x'"],
  },
  {
    what: 'a redirect to no URL',
    args: () => [`${broken.url}/bad-location`, '--origin', APP],
    status: 1,
    says: ['(redirect-invalid)'],
  },
  {
    what: 'a redirect to a URL with a password',
    args: () => [`${broken.url}/with-password`, '--origin', APP],
    status: 1,
    says: [
      '(redirect-with-credentials)',
      "Redirect location '' contains a username and password",
      '(Reason: CORS request did not succeed). Status code: (null).',
    ],
  },
  {
    what: 'a redirect loop',
    args: () => [`${broken.url}/loop`, '--origin', APP],
    status: 1,
    says: () => ['(redirect-invalid)', `(redirected from '${broken.url}/loop')`],
  },
  {
    what: 'a redirect status without Location',
    args: () => [`${broken.url}/no-location`, '--origin', APP],
    status: 0,
    says: ['ALLOWED'],
  },
  {
    what: 'a forbidden header',
    args: () => [strict.url, '--origin', APP, '-H', 'Cookie: a=1'],
    status: 0,
    says: [
      'note: fetch() drops the forbidden header Cookie; it is not sent',
      'preflight: not needed',
    ],
  },
  {
    what: 'the origin null',
    args: () => [strict.url, '--origin', 'null'],
    status: 1,
    says: ["from origin 'null'"],
  },
];

describe('corsguard check', () => {
  it.each(CASES)('reports $what', async ({ args, status, says }) => {
    const ran = await cli('check', ...args());
    let from = 0;
    for (const part of typeof says === 'function' ? says() : says) {
      const at = ran.stdout.indexOf(part, from);
      if (at < 0)
        throw new Error(
          `missing ${JSON.stringify(part)} after offset ${from} in:\n${ran.stdout}${ran.stderr}`,
        );
      from = at + part.length;
    }
    expect(ran.status).toBe(status);
  });

  it('sends the preflight as Chromium does and no cookie', async () => {
    const before = open.seen.length;
    await cli(
      'check',
      `${open.url}/star-headers`,
      '--origin',
      APP,
      '-H',
      'X-B: 1',
      '-H',
      'X-A: 2',
      '-H',
      'Content-Type: text/plain',
    );
    const [preflight, actual] = open.seen.slice(before);
    expect(preflight).toMatchObject({
      method: 'OPTIONS',
      headers: {
        origin: APP,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-a,x-b',
        accept: '*/*',
      },
    });
    expect(preflight?.headers.cookie).toBeUndefined();
    expect(actual).toMatchObject({
      method: 'GET',
      headers: { origin: APP, 'x-a': '2', 'content-type': 'text/plain' },
    });
  });

  it('prints one JSON object with every step', async () => {
    const ran = await cli('check', strict.url, '--origin', APP, '--method', 'PUT', '--json');
    const result = JSON.parse(ran.stdout);
    expect(ran.status).toBe(0);
    expect(result).toMatchObject({
      verdict: 'allowed',
      origin: APP,
      method: 'PUT',
      preflight: { needed: true },
      maxAge: { sent: 600, chromium: 600, firefox: 600 },
      dropped: [],
    });
    expect(result.exchanges.map((e: { step: string }) => e.step)).toEqual(['preflight', 'actual']);
    const blocked = JSON.parse((await cli('check', strict.url, '--origin', EVIL, '--json')).stdout);
    expect(blocked).toMatchObject({
      verdict: 'blocked',
      failure: { step: 'actual', cause: 'allow-origin-missing' },
    });
  });

  it('says a same-origin request is not restricted', async () => {
    const ran = await cli('check', `${strict.url}/x`, '--origin', strict.url);
    expect(ran).toEqual({
      status: 0,
      stdout: expect.stringContaining('a same-origin request'),
      stderr: '',
    });
  });
});

describe('corsguard check, network errors (exit status 2)', () => {
  it('reports a refused connection', async () => {
    const closed = await startHandler(() => undefined);
    await closed.close();
    const ran = await cli('check', closed.url, '--origin', APP);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(
      /^corsguard check: network error: http:\/\/127\.0\.0\.1:\d+\/: ECONNREFUSED/,
    );
    const json = await cli('check', closed.url, '--origin', APP, '--json');
    expect(JSON.parse(json.stdout)).toEqual({
      error: { kind: 'network', message: expect.stringContaining('ECONNREFUSED') },
    });
  });

  it('gives up after --timeout', async () => {
    const silent = await startSilent();
    const ran = await cli('check', silent.url, '--origin', APP, '--timeout', '100');
    await silent.close();
    expect(ran.status).toBe(2);
    expect(ran.stderr).toContain('no complete response head within the --timeout of 100 ms');
  });

  it('refuses a self-signed certificate, and says --insecure, which warns loudly', async () => {
    const tls = await startHttps((req, res) => {
      res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '');
      res.setHeader('Vary', 'Origin');
      res.end();
    });
    const refused = await cli('check', tls.url, '--origin', APP);
    const insecure = await cli('check', tls.url, '--origin', APP, '--insecure');
    await tls.close();
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(refused.stderr).toContain('--insecure skips the check');
    expect(insecure.status).toBe(0);
    expect(insecure.stderr).toContain('WARNING: --insecure: TLS certificates are NOT verified');
  });
});

describe('corsguard check, a failure that is no network error', () => {
  it('rejects run(), which the bin reports with the stack (exit status 2)', async () => {
    const spy = jest.spyOn(httpModule, 'send').mockRejectedValue(new Error('boom'));
    await expect(cli('check', strict.url, '--origin', APP)).rejects.toThrow('boom');
    spy.mockRestore();
  });
});

describe('corsguard usage (exit status 2)', () => {
  it.each([
    [['check'], 'corsguard check takes one URL, got 0'],
    [['check', 'http://a.example', 'http://b.example', '--origin', APP], 'takes one URL, got 2'],
    [['deploy'], 'unknown command "deploy"'],
    [['check', 'http://a.example', '--origin', APP, '--verbose'], 'unknown option --verbose'],
    [['check', 'http://a.example'], 'corsguard check needs --origin'],
    [['check', 'http://a.example', '--origin'], '--origin needs a value'],
    [
      ['check', 'http://a.example', '--origin', 'https://app.example.com/'],
      'is not an origin as browsers send it',
    ],
    [
      ['check', 'ftp://a.example', '--origin', APP],
      '"ftp://a.example" is not an http: or https: URL',
    ],
    [['check', 'a.example', '--origin', APP], 'is not an http: or https: URL'],
    [['check', 'http://a.example', '--origin', APP, '--header', 'X-Foo'], "expected 'Name: value'"],
    [
      ['check', 'http://a.example', '--origin', APP, '--header', 'X Foo: 1'],
      "expected 'Name: value'",
    ],
    [
      ['check', 'http://a.example', '--origin', APP, '--header', 'X-Foo: caf\u0113'],
      'a character above U+00FF',
    ],
    [
      ['check', 'http://a.example', '--origin', APP, '--timeout', 'soon'],
      '--timeout "soon": expected a whole number',
    ],
    [['check', 'http://a.example', '--origin', APP, '--timeout', '0'], 'expected a whole number'],
    [
      ['check', 'http://a.example', '--origin', APP, '--method', 'trace'],
      'fetch() refuses CONNECT, TRACE and TRACK',
    ],
    [
      ['check', 'http://a.example', '--origin', APP, '--method', 'GET POST'],
      'is not a method name',
    ],
    [
      ['check', 'http://a.example', '--origin', APP, '--delay', '5'],
      '--delay is an option of corsguard scan',
    ],
    [
      ['scan', 'http://a.example', '--credentials'],
      '--credentials is an option of corsguard check',
    ],
    [['check', 'http://a.example', '--origin', APP, '--json=yes'], '--json takes no value'],
  ])('%j says %s', async (argv, message) => {
    const ran = await cli(...argv);
    expect(ran.status).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain(message);
  });

  it.each([[[]], [['--help']], [['help']], [['check', '--help']], [['scan', '-h']]])(
    '%j prints the help',
    async (argv) => {
      const ran = await cli(...argv);
      expect(ran).toEqual({
        status: 0,
        stdout: expect.stringContaining('corsguard check <url> --origin <origin>'),
        stderr: '',
      });
    },
  );

  it('says it in JSON too with --json', async () => {
    const ran = await cli('check', 'http://a.example', '--json');
    expect(ran.status).toBe(2);
    expect(JSON.parse(ran.stdout)).toEqual({
      error: {
        kind: 'usage',
        message: 'corsguard check needs --origin, the origin of the page that fetches',
      },
    });
  });

  it('takes --option=value', async () => {
    const ran = await cli('check', strict.url, `--origin=${APP}`, '--method=put', '--timeout=5000');
    expect(ran.status).toBe(0);
    expect(ran.stdout).toContain('> Access-Control-Request-Method: PUT');
  });
});
