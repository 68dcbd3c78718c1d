// What Chromium and Firefox print for each CORS failure, what corsguard calls it and how to fix it:
// the one source of the README's "Troubleshooting by browser message" table (rendered by
// troubleshootingTable(), and a unit test checks the README holds exactly that rendering) and of the
// messages `corsguard check` prints. The browser suite reads the README's cells back from both
// engines (__tests__/browser/messages.browser.test.ts), so these texts are the browsers' own.
//
// A text may hold `{value}` (the header value, name, method or status the failure is about) and
// `{origin}` (the page's origin); the README shows each row with its example values.
import type { CorsFailureCause } from './fetch.js';

/** One message an engine prints, as the README cell words it. */
interface Said {
  readonly text: string;
  /** The situation this wording is for, when a cell holds more than one. */
  readonly when?: string;
  /** The README's remark after the message. */
  readonly after?: string;
  /** Chromium prints it after "Response to preflight request doesn't pass access control check: ". */
  readonly preflight?: true;
}

/** One failure: a row of the README table, or one only `corsguard check` prints. */
export interface TroubleshootingEntry {
  readonly cause: CorsFailureCause;
  readonly chromium: readonly Said[];
  readonly firefox: readonly Said[];
  /** The corsguard refusal reason(s) behind it (README column 3). */
  readonly reason: string;
  /** How to change the corsguard configuration (README column 4). */
  readonly fix: string;
  /** What the server must send, whatever runs on it (printed by `corsguard check`). */
  readonly general: string;
  /** The values the README shows. */
  readonly example: { readonly value: string; readonly origin: string };
}

export const CHROMIUM_PREFLIGHT =
  "Response to preflight request doesn't pass access control check: ";
const CHROMIUM_MISSING =
  "No 'Access-Control-Allow-Origin' header is present on the requested resource.";
const FIREFOX_MISSING = 'CORS header ‘Access-Control-Allow-Origin’ missing';
const NO_VALUE = { value: '', origin: 'https://app.example' };

/** The README table's rows, in its order. */
export const TROUBLESHOOTING: readonly TroubleshootingEntry[] = [
  {
    cause: 'allow-origin-missing',
    chromium: [{ text: CHROMIUM_MISSING }],
    firefox: [{ text: FIREFOX_MISSING }],
    reason: '`origin-not-allowed` (or `invalid-origin`, `cors-disabled`)',
    fix: "add the page's origin, exactly as the message prints it, to `origin`. If NODE_DEBUG shows nothing, the request never reached corsguard: mount `cors()` before your routes and before anything that answers or fails first (auth, 404).",
    general: 'the response must carry Access-Control-Allow-Origin: {origin}',
    example: NO_VALUE,
  },
  {
    cause: 'allow-origin-mismatch',
    chromium: [
      {
        text: "The 'Access-Control-Allow-Origin' header has a value '{value}' that is not equal to the supplied origin.",
      },
    ],
    firefox: [{ text: 'CORS header ‘Access-Control-Allow-Origin’ does not match ‘{value}’' }],
    reason: '`origin-not-allowed` with a single exact `origin` (it is sent to everyone)',
    fix: "add the other origin: `origin: ['{value}', '{origin}']`",
    general: "Access-Control-Allow-Origin must be {origin}, the page's origin, not {value}",
    example: { value: 'https://a.example', origin: 'https://b.example' },
  },
  {
    cause: 'allow-origin-wildcard-credentials',
    chromium: [
      {
        text: "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
      },
    ],
    firefox: [
      {
        text: 'Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’',
      },
    ],
    reason: "(allowed by `origin: '*'`)",
    fix: "list the origins (`origin: [...]`) and set `credentials: true`; `'*'` with credentials is refused when built",
    general:
      'with credentials, Access-Control-Allow-Origin must name {origin} (not *) and Access-Control-Allow-Credentials be true',
    example: NO_VALUE,
  },
  {
    cause: 'allow-credentials-not-true',
    chromium: [
      {
        text: "The value of the 'Access-Control-Allow-Credentials' header in the response is '{value}' which must be 'true' when the request's credentials mode is 'include'.",
      },
    ],
    firefox: [{ text: 'expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’' }],
    reason: '(allowed, without credentials)',
    fix: 'set `credentials: true`, or do not send credentials from the page',
    general: 'with credentials, the response must carry Access-Control-Allow-Credentials: true',
    example: NO_VALUE,
  },
  {
    cause: 'header-not-allowed',
    chromium: [
      {
        text: 'Request header field {value} is not allowed by Access-Control-Allow-Headers in preflight response.',
      },
    ],
    firefox: [
      {
        text: 'header ‘{value}’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response',
      },
      {
        when: "(older versions, from Mozilla's documentation",
        text: 'missing token ‘{value}’ in CORS header ‘Access-Control-Allow-Headers’ from CORS preflight channel',
        after: ')',
      },
    ],
    reason: '`header-not-allowed` (or `invalid-request-headers`)',
    fix: 'add `{value}` to `allowedHeaders` (or leave `allowedHeaders` out to reflect)',
    general: 'the preflight answer must list {value} in Access-Control-Allow-Headers',
    example: { value: 'x-foo', origin: NO_VALUE.origin },
  },
  {
    cause: 'method-not-allowed',
    chromium: [
      {
        text: 'Method {value} is not allowed by Access-Control-Allow-Methods in preflight response.',
      },
    ],
    firefox: [{ text: 'Did not find method in CORS header ‘Access-Control-Allow-Methods’' }],
    reason: '`method-not-allowed`',
    fix: 'add `{value}` to `methods` (methods are case-sensitive: `patch` is not `PATCH`)',
    general: 'the preflight answer must list {value} in Access-Control-Allow-Methods',
    example: { value: 'PUT', origin: NO_VALUE.origin },
  },
  {
    cause: 'preflight-status',
    chromium: [
      { text: 'It does not have HTTP ok status.', preflight: true },
      {
        when: 'When the failed answer has no CORS headers (authentication in front of corsguard)',
        text: CHROMIUM_MISSING,
        preflight: true,
      },
    ],
    firefox: [
      { text: 'CORS preflight response did not succeed', after: '.' },
      {
        when: 'Without CORS headers',
        text: FIREFOX_MISSING,
        after: ', followed by the status (Status code: {value})',
      },
    ],
    reason:
      "the preflight did not reach corsguard, or `preflightContinue` handed it to a route that failed; an `origin-resolver-error` gives the error's status",
    fix: 'mount `cors()` before routes and authentication (preflights carry no credentials); with `preflightContinue`, answer OPTIONS with a 2xx',
    general: 'the preflight (OPTIONS) must be answered with a 2xx status, not {value}',
    example: { value: '401', origin: NO_VALUE.origin },
  },
  {
    cause: 'preflight-redirect',
    chromium: [{ text: 'Redirect is not allowed for a preflight request.', preflight: true }],
    firefox: [
      {
        text: FIREFOX_MISSING,
        after: ", followed by the redirect's status (Status code: {value});",
      },
      {
        when: 'when the redirect carries CORS headers',
        text: 'CORS request external redirect not allowed',
      },
    ],
    reason: '(never reached corsguard)',
    fix: 'call the final URL: a trailing-slash, http-to-https or login redirect answers the preflight before corsguard does',
    general: 'the preflight must be answered at this URL, not redirected ({value})',
    example: { value: '301', origin: NO_VALUE.origin },
  },
  {
    cause: 'allow-origin-multiple',
    chromium: [
      {
        text: "The 'Access-Control-Allow-Origin' header contains multiple values '{value}', but only one is allowed.",
      },
    ],
    firefox: [{ text: 'Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed' }],
    reason: '(two CORS layers)',
    fix: 'use one CORS layer: a proxy (nginx, an API gateway) also adds the header',
    general: 'the response must carry one Access-Control-Allow-Origin with one value',
    example: { value: 'https://a.example, https://b.example', origin: NO_VALUE.origin },
  },
];

/**
 * Failures rare enough to be left out of the README table. `corsguard check` prints these too; the
 * browser suite (check-answers.browser.test.ts) holds each engine's wording to them, except for
 * `redirect-invalid` (a redirect to another scheme, to no URL, or past 20 hops), whose Chromium
 * wording is this tool's own.
 */
export const TROUBLESHOOTING_EXTRA: readonly TroubleshootingEntry[] = [
  {
    cause: 'allow-origin-invalid',
    chromium: [
      { text: "The 'Access-Control-Allow-Origin' header contains the invalid value '{value}'." },
    ],
    firefox: [{ text: 'CORS header ‘Access-Control-Allow-Origin’ does not match ‘{value}’' }],
    reason: '(not corsguard: it only sends serialized origins)',
    fix: 'let corsguard set Access-Control-Allow-Origin instead of setting it by hand',
    general: 'Access-Control-Allow-Origin must be {origin} or *',
    example: NO_VALUE,
  },
  {
    cause: 'allow-methods-invalid',
    chromium: [
      {
        text: 'Cannot parse Access-Control-Allow-Methods response header field in preflight response.',
      },
    ],
    firefox: [{ text: 'invalid token ‘{value}’ in CORS header ‘Access-Control-Allow-Methods’' }],
    reason: '(not corsguard: it validates `methods`)',
    fix: 'let corsguard set Access-Control-Allow-Methods instead of setting it by hand',
    general: 'Access-Control-Allow-Methods must be a comma-separated list of method names',
    example: NO_VALUE,
  },
  {
    cause: 'allow-headers-invalid',
    chromium: [
      {
        text: 'Cannot parse Access-Control-Allow-Headers response header field in preflight response.',
      },
    ],
    firefox: [{ text: 'invalid token ‘{value}’ in CORS header ‘Access-Control-Allow-Headers’' }],
    reason: '(not corsguard: it validates `allowedHeaders` and what it reflects)',
    fix: 'let corsguard set Access-Control-Allow-Headers instead of setting it by hand',
    general: 'Access-Control-Allow-Headers must be a comma-separated list of header names',
    example: NO_VALUE,
  },
  {
    cause: 'redirect-with-credentials',
    // Chromium 156 prints the location as '' here.
    chromium: [
      {
        text: "Redirect location '' contains a username and password, which is disallowed for cross-origin requests.",
      },
    ],
    firefox: [{ text: 'CORS request did not succeed' }],
    reason: '(never reached corsguard)',
    fix: 'redirect to a URL without a user name or password',
    general: 'a redirect of a CORS request must not carry a user name or password ({value})',
    example: NO_VALUE,
  },
  {
    cause: 'redirect-invalid',
    chromium: [{ text: "Redirect location '{value}' is not allowed for a cross-origin request." }],
    firefox: [{ text: 'CORS request external redirect not allowed' }],
    reason: '(never reached corsguard)',
    fix: 'call the final URL',
    general:
      'a redirect of a CORS request must go to an http(s) URL without a user name or password',
    example: NO_VALUE,
  },
];

/** Fills `{value}` and `{origin}`. */
export function fill(
  text: string,
  values: { readonly value: string; readonly origin: string },
): string {
  return text.replace(/\{(value|origin)\}/g, (_m, key: 'value' | 'origin') => values[key]);
}

/** The entry for a cause. */
export function entryFor(cause: CorsFailureCause): TroubleshootingEntry {
  return [...TROUBLESHOOTING, ...TROUBLESHOOTING_EXTRA].find((e) => e.cause === cause)!;
}

function cell(said: readonly Said[], example: TroubleshootingEntry['example']): string {
  return said
    .map((s) => {
      const text = `${s.preflight === true ? CHROMIUM_PREFLIGHT : ''}${s.text}${s.after ?? ''}`;
      return fill(s.when === undefined ? text : `${s.when}: ${text}`, example);
    })
    .join(' ');
}

/** The README's table, Markdown, one line per row, ending with a newline. */
export function troubleshootingTable(): string {
  const lines = [
    '| Chromium says ("Access to fetch at \'…\' from origin \'…\' has been blocked by CORS policy: …") | Firefox says ("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at … (Reason: …)") | corsguard reason | fix |',
    '|---|---|---|---|',
    ...TROUBLESHOOTING.map((e) =>
      [
        '',
        cell(e.chromium, e.example),
        cell(e.firefox, e.example),
        fill(e.reason, e.example),
        fill(e.fix, e.example),
        '',
      ]
        .join(' | ')
        .trim(),
    ),
  ];
  return `${lines.join('\n')}\n`;
}
