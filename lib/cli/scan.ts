// `corsguard scan`: probes a URL for the CORS misconfigurations attackers use, and for preflights a
// trusted front end cannot pass. Bounded: a fixed plan of at most MAX_REQUESTS requests, sent one at
// a time (with an optional delay between them), only GET and OPTIONS, no cookies.
import { type HeaderList, getHeader, isOkStatus, preflightCheck } from './fetch.js';
import { type Received, type SentRequest, type Transport, send } from './http.js';
import { entryFor, fill } from './messages.js';

export const MAX_REQUESTS = 50;

/** The origin the probes pretend to come from: a reserved name (RFC 2606), never anyone's site. */
export const PROBE_HOST = 'corsguard-probe.example';
const ATTACKER = `https://${PROBE_HOST}`;

export type Severity = 'high' | 'medium' | 'low';

export interface Finding {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly fix: string;
  /** The request that shows it, and the answer. */
  readonly evidence: { readonly request: SentRequest; readonly response: Received };
}

export interface ScanResult {
  readonly url: string;
  readonly trusted?: string;
  readonly requests: number;
  readonly findings: readonly Finding[];
  readonly notes: readonly string[];
}

export interface ScanOptions {
  readonly url: string;
  /** An origin the server trusts, from which the bypass probes are derived. */
  readonly trusted?: string | undefined;
  readonly delay: number;
}

type Exchange = Finding['evidence'];

const acao = (e: Exchange): string | null =>
  getHeader(e.response.headers, 'access-control-allow-origin');
const withCredentials = (e: Exchange): boolean =>
  getHeader(e.response.headers, 'access-control-allow-credentials') === 'true';
const origin = (e: Exchange): string | null => getHeader(e.request.headers, 'origin');

/** Origins derived from a trusted one that a careless check admits. */
function bypasses(trusted: URL): { id: string; origin: string; what: string }[] {
  const { protocol, hostname, port } = trusted;
  const colonPort = port === '' ? '' : `:${port}`;
  const labels = hostname.split('.');
  const out = [
    {
      id: 'prefix-bypass',
      origin: `${protocol}//${hostname}.${PROBE_HOST}${colonPort}`,
      what: 'the trusted origin as a prefix of another host (a RegExp without $, startsWith)',
    },
    {
      // evil + the site's name (the last two labels): a name anyone can register, unlike
      // evil + a subdomain, which the site's owner controls.
      id: 'suffix-bypass',
      origin: `${protocol}//evil${labels.slice(-2).join('.')}${colonPort}`,
      what: "another site whose name ends with the trusted site's name (a RegExp without ^ or a dot, endsWith)",
    },
  ];
  for (let i = 0; i < Math.min(labels.length - 1, 3); i++) {
    const host = [...labels.slice(0, i), `${labels[i]!}x${labels[i + 1]!}`, ...labels.slice(i + 2)];
    out.push({
      id: 'unescaped-dot-bypass',
      origin: `${protocol}//${host.join('.')}${colonPort}`,
      what: 'a dot of the trusted host replaced by another character (an unescaped . in a RegExp)',
    });
  }
  return out;
}

/** Runs the probes; a network failure rejects with a NetworkError. */
export async function scan(options: ScanOptions, transport: Transport): Promise<ScanResult> {
  const { url } = options;
  const findings: Finding[] = [];
  const notes: string[] = [];
  const exchanges: Exchange[] = [];
  const probe = async (
    method: 'GET' | 'OPTIONS',
    from: string | undefined,
    extra: HeaderList = [],
  ): Promise<Exchange> => {
    if (exchanges.length > 0 && options.delay > 0) {
      await new Promise((resolve) => setTimeout(resolve, options.delay));
    }
    const request: SentRequest = {
      method,
      url,
      headers: [
        ['Accept', '*/*'],
        ...(from === undefined ? [] : [['Origin', from] as const]),
        ...extra,
        ['User-Agent', 'corsguard-scan'],
      ],
    };
    const exchange = { request, response: await send(request, transport) };
    exchanges.push(exchange);
    return exchange;
  };
  const found = (
    id: string,
    severity: Severity,
    title: string,
    fix: string,
    evidence: Exchange,
  ): void => {
    findings.push({ id, severity, title, fix, evidence });
  };
  const reflected = (e: Exchange): boolean => acao(e) === origin(e);
  const credentialed = (e: Exchange): Severity => (withCredentials(e) ? 'high' : 'medium');
  const creds = (e: Exchange): string => (withCredentials(e) ? ' with credentials' : '');

  await probe('GET', undefined);
  const any = await probe('GET', ATTACKER);
  const reflectsAny = reflected(any);
  if (reflectsAny) {
    found(
      'reflects-any-origin',
      credentialed(any),
      `any origin is reflected in Access-Control-Allow-Origin${creds(any)}: every site ${withCredentials(any) ? "can read its visitors' authenticated responses" : 'can read the responses'}`,
      'allow a list of origins (corsguard: origin: [...]; cors: not origin: true or a function that always allows)',
      any,
    );
  }
  if (acao(any) === '*' && withCredentials(any)) {
    found(
      'wildcard-with-credentials',
      'low',
      "Access-Control-Allow-Origin '*' with Access-Control-Allow-Credentials true: browsers refuse it, so credentialed requests fail, and a fix that reflects the origin instead would trust every site",
      "list the origins and reflect only those (corsguard refuses '*' with credentials when built)",
      any,
    );
  }
  const nul = await probe('GET', 'null');
  if (acao(nul) === 'null') {
    found(
      'null-origin-trusted',
      credentialed(nul),
      `Origin null is trusted${creds(nul)}: any page can send it (a sandboxed iframe, a data: URL)`,
      reflectsAny
        ? 'the server reflects any origin, null included: allow a list of origins (corsguard: origin: [...], which never holds null)'
        : "stop trusting null: remove 'null' from the allowed origins, or stop an origin function answering true for it",
      nul,
    );
  }
  const crlf = await probe('GET', `${ATTACKER}%0d%0aSet-Cookie:%20corsguard-probe=1`);
  if (
    crlf.response.headers.some(
      ([n, v]) => n.toLowerCase() === 'set-cookie' && v.includes('corsguard-probe=1'),
    )
  ) {
    found(
      'crlf-injection',
      'high',
      'a CR/LF sequence in Origin reached the response headers: response splitting',
      'validate Origin before reflecting it',
      crlf,
    );
  } else if (reflected(crlf)) {
    found(
      'reflects-unvalidated-origin',
      'medium',
      'an Origin that is no origin (with %0d%0a in it) is reflected verbatim: nothing validates the value before it goes into a response header',
      'compare Origin with a list of allowed origins and reflect only a match',
      crlf,
    );
  }
  // A raw CR/LF inside Origin is never sent: Node refuses to, and no browser does; the %0d%0a
  // probe above stands for it (a server that decodes what it reflects splits its response).

  let allowedFrom: string | undefined = reflectsAny || acao(any) === '*' ? ATTACKER : undefined;
  if (options.trusted !== undefined) {
    const trusted = new URL(options.trusted);
    const mine = await probe('GET', options.trusted);
    if (acao(mine) === options.trusted || acao(mine) === '*') allowedFrom ??= options.trusted;
    else
      notes.push(
        `${options.trusted} is not allowed by the server (no matching Access-Control-Allow-Origin)`,
      );
    if (reflectsAny) {
      notes.push(
        'every origin is reflected, so the bypass probes derived from the trusted origin were not sent',
      );
    } else {
      for (const bypass of bypasses(trusted)) {
        const e = await probe('GET', bypass.origin);
        if (reflected(e))
          found(
            bypass.id,
            credentialed(e),
            `${bypass.origin} is trusted${creds(e)}: ${bypass.what}`,
            'match whole origins: a list of exact origins, or an anchored RegExp with escaped dots',
            e,
          );
      }
      const port = trusted.port === '8443' ? '8444' : '8443';
      const related = [
        {
          id: 'subdomain-trusted-with-credentials',
          origin: `${trusted.protocol}//${PROBE_HOST.split('.')[0]!}.${trusted.host}`,
          what: 'a subdomain (any one: a subdomain takeover or an XSS there reads authenticated responses)',
        },
        {
          id: 'other-port-trusted-with-credentials',
          origin: `${trusted.protocol}//${trusted.hostname}:${port}`,
          what: 'another port of the trusted host',
        },
        ...(trusted.protocol === 'https:'
          ? [
              {
                id: 'http-origin-trusted-with-credentials',
                origin: `http://${trusted.host}`,
                what: 'the http: origin (anyone on the network can inject a script into it)',
              },
            ]
          : []),
      ];
      for (const r of related) {
        const e = await probe('GET', r.origin);
        if (reflected(e) && withCredentials(e))
          found(
            r.id,
            'medium',
            `${r.origin} is trusted with credentials: ${r.what}`,
            `trust only the origins that serve the front end${r.id.startsWith('http') ? ', over https:' : ''}`,
            e,
          );
      }
    }
  }

  if (allowedFrom === undefined) {
    notes.push(
      'no origin was allowed, so the preflight probes were not sent (give --origin an origin the server trusts)',
    );
  } else {
    const json = await probe('OPTIONS', allowedFrom, [
      ['Access-Control-Request-Method', 'POST'],
      ['Access-Control-Request-Headers', 'content-type'],
    ]);
    const passed = preflightCheck(
      {
        origin: allowedFrom,
        method: 'POST',
        credentials: false,
        headers: [['Content-Type', 'application/json']],
      },
      json.response.status,
      json.response.headers,
    );
    if ('cause' in passed) {
      const entry = entryFor(passed.cause);
      found(
        !isOkStatus(json.response.status)
          ? 'preflight-not-ok'
          : passed.cause === 'header-not-allowed'
            ? 'preflight-refuses-content-type'
            : 'preflight-fails',
        'low',
        `a JSON POST from ${allowedFrom} is blocked at its preflight (${passed.cause}): ${fill(entry.chromium[0]!.text, { value: passed.value, origin: allowedFrom })}`,
        fill(entry.general, { value: passed.value, origin: allowedFrom }),
        json,
      );
    }
    const headers = await probe('OPTIONS', allowedFrom, [
      ['Access-Control-Request-Method', 'POST'],
      ['Access-Control-Request-Headers', 'x-corsguard-probe, "unvalidated"'],
    ]);
    if (
      getHeader(headers.response.headers, 'access-control-allow-headers')?.includes(
        '"unvalidated"',
      ) === true
    ) {
      found(
        'reflects-request-headers-unvalidated',
        'medium',
        'Access-Control-Request-Headers is reflected without validation (a quoted string that is no header name came back)',
        'reflect only a list of valid header names, or list the allowed headers',
        headers,
      );
    }
    const method = await probe('OPTIONS', allowedFrom, [
      ['Access-Control-Request-Method', 'CORSGUARD-PROBE'],
    ]);
    if (
      getHeader(method.response.headers, 'access-control-allow-methods')?.includes(
        'CORSGUARD-PROBE',
      ) === true
    ) {
      found(
        'reflects-request-method',
        'low',
        'Access-Control-Request-Method is reflected: any method a page asks for is allowed',
        'list the allowed methods',
        method,
      );
    }
  }

  // Origin-dependent: two answers with different Access-Control-Allow-Origin values.
  if (new Set(exchanges.map(acao)).size > 1) {
    const unvaried = exchanges
      .filter(
        (e) => !/(^|,)\s*(origin|\*)\s*(,|$)/i.test(getHeader(e.response.headers, 'vary') ?? ''),
      )
      .sort((a, b) => Number(acao(b) !== null) - Number(acao(a) !== null));
    if (unvaried.length > 0) {
      found(
        'missing-vary-origin',
        'medium',
        `the answer depends on Origin but ${unvaried.length} of ${exchanges.length} responses have no Vary: Origin: a shared cache can serve one origin's answer to another`,
        'add Vary: Origin to every response whose CORS headers depend on Origin, allowed or not',
        unvaried[0]!,
      );
    }
  }
  return {
    url,
    ...(options.trusted === undefined ? {} : { trusted: options.trusted }),
    requests: exchanges.length,
    findings,
    notes,
  };
}
