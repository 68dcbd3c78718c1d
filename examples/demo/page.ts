// The demo's page server: one HTML page, the CORS playground, with its script inline (no build step).
import { readFile } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { join } from 'node:path';
import { policies } from './api.js';

export interface PageOptions {
  /** Where the API is, e.g. `http://localhost:4000`. */
  apiUrl: string;
  /** The page's own origin, e.g. `http://127.0.0.1:3000`, which the API's configuration names. */
  pageOrigin: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

/** `app.use(path, cors({ ... }))` as a user would write it, one option a line when there are several. */
function showMount(path: string, options: object): string {
  const entries = Object.entries(options).map(
    ([key, value]) => `${key}: ${JSON.stringify(value).replace(/"/g, "'").replace(/,/g, ', ')}`,
  );
  const call =
    entries.length === 0
      ? 'cors()'
      : entries.length === 1
        ? `cors({ ${entries[0]!} })`
        : `cors({\n  ${entries.join(',\n  ')},\n})`;
  return `app.use('${path}', ${call});`;
}

// The browser side. Each row is one request the page makes to the API; the runner records what the
// browser let the page see (the value read, or the error fetch() threw) and then asks the API what it
// received and what corsguard answered (GET /exchanges), to explain the outcome in the "reason" column.
const SCRIPT = String.raw`
const RUN = Math.random().toString(36).slice(2, 10);

const json = (body) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

const ROWS = [
  {
    id: 'simple-get',
    title: 'Simple GET',
    code: "fetch(API + '/api/hello')",
    run: async (url) => (await (await fetch(url('/api/hello'))).json()).message,
  },
  {
    id: 'json-post',
    title: 'JSON POST (preflighted)',
    code: "fetch(API + '/api/items', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })",
    run: async (url) => {
      const res = await fetch(url('/api/items'), json({ name: 'donut' }));
      return res.status + ' ' + JSON.stringify(await res.json());
    },
  },
  {
    id: 'put-max-age',
    title: 'PUT, twice (maxAge: 600)',
    code: "fetch(API + '/api/items/7', { method: 'PUT', ... }) ×2",
    run: async (url) => {
      for (const name of ['glazed', 'sprinkled']) {
        const res = await fetch(url('/api/items/7'), { ...json({ name }), method: 'PUT' });
        await res.json();
      }
      return 'both PUTs answered';
    },
  },
  {
    id: 'credentialed',
    title: 'Credentialed, with a cookie',
    code: "fetch(API + '/api/me', { credentials: 'include' })",
    credentials: true,
    run: async (url) => {
      await (await fetch(url('/api/login'), { method: 'POST', credentials: 'include' })).json();
      const me = await (await fetch(url('/api/me'), { credentials: 'include' })).json();
      return me.user
        ? 'cookie sent: signed in as ' + me.user
        : 'read, but no cookie: this browser blocks third-party cookies (127.0.0.1 and localhost are different sites)';
    },
  },
  {
    id: 'header-allowed',
    title: 'Custom header X-Demo-Token',
    code: "fetch(API + '/api/hello', { headers: { 'X-Demo-Token': 'abc' } })",
    run: async (url) =>
      (await (await fetch(url('/api/hello'), { headers: { 'X-Demo-Token': 'abc' } })).json()).message,
  },
  {
    id: 'exposed-header',
    title: 'Reading response headers',
    readsHeaders: true,
    code: "(await fetch(API + '/api/report')).headers.get('X-Request-Id')",
    run: async (url) => {
      const res = await fetch(url('/api/report'));
      await res.json();
      return 'X-Request-Id: ' + res.headers.get('X-Request-Id') +
        ' (exposed); X-Internal-Trace: ' + res.headers.get('X-Internal-Trace') + ' (not exposed)';
    },
  },
  {
    id: 'header-refused',
    title: 'Custom header X-Secret',
    code: "fetch(API + '/api/hello', { headers: { 'X-Secret': '1' } })",
    run: async (url) => (await fetch(url('/api/hello'), { headers: { 'X-Secret': '1' } })).status,
  },
  {
    id: 'method-refused',
    title: 'DELETE',
    code: "fetch(API + '/api/items/7', { method: 'DELETE' })",
    run: async (url) => (await fetch(url('/api/items/7'), { method: 'DELETE' })).status,
  },
  {
    id: 'origin-refused',
    title: 'Another area: /admin',
    code: "fetch(API + '/admin/stats')",
    run: async (url) => (await fetch(url('/admin/stats'))).status,
  },
  {
    id: 'credentials-public',
    title: 'Credentials to a public route',
    code: "fetch(API + '/public/status', { credentials: 'include' })",
    credentials: true,
    run: async (url) => (await fetch(url('/public/status'), { credentials: 'include' })).status,
  },
];

// Where each row's behaviour is explained: the guides in docs/, served by this page's server.
const TROUBLESHOOTING = ['/docs/diagnostics.md', 'guide: this browser message, its cause and fix'];
const GUIDES = {
  allowed: ['/docs/origins.md', 'guide: what each request gets'],
  'put-max-age': ['/docs/origins.md', 'guide: preflights and maxAge'],
  'header-refused': TROUBLESHOOTING,
  'method-refused': TROUBLESHOOTING,
  'origin-refused': TROUBLESHOOTING,
  'credentials-public': TROUBLESHOOTING,
};

const SIMPLE_METHODS = ['GET', 'HEAD', 'POST'];
const list = (value) => (value || '').split(',').map((s) => s.trim()).filter(Boolean);
// Methods compare case-sensitively, header names case-insensitively; "*" means any only without
// credentials, and never covers Authorization (Fetch Standard, "CORS-preflight fetch").
const methodAllowed = (method, allowed, credentials) =>
  SIMPLE_METHODS.includes(method) || list(allowed).includes(method) ||
  (!credentials && list(allowed).includes('*'));
const headerAllowed = (name, allowed, credentials) =>
  list(allowed).some((h) => h.toLowerCase() === name) ||
  (!credentials && name !== 'authorization' && list(allowed).includes('*'));

// The "reason" column, read off what corsguard answered (the Access-Control-* headers the API logged
// for this row). corsguard has no diagnostics API yet; once it has, its decision fills this column.
function reason(row, exchanges, allowed) {
  const isPreflight = (e) => e.method === 'OPTIONS' && e.requestMethod !== null;
  const preflights = exchanges.filter(isPreflight);
  const actuals = exchanges.filter((e) => !isPreflight(e));
  const last = actuals[actuals.length - 1];
  if (allowed) {
    const parts = [];
    if (preflights.length === 0) parts.push('no preflight (a simple request)');
    else {
      const maxAge = preflights[0].answer['access-control-max-age'];
      parts.push(preflights.length + ' preflight' + (preflights.length > 1 ? 's' : '') +
        ' for ' + actuals.length + ' request' +
        (actuals.length > 1 ? 's' : '') + (maxAge ? ' (cached ' + maxAge + ' s)' : ''));
    }
    if (last) {
      const credentialed = last.answer['access-control-allow-credentials'] === 'true';
      parts.push('origin allowed' + (row.credentials && credentialed ? ', with credentials' : ''));
      if (row.readsHeaders) parts.push('Expose-Headers: ' + (last.answer['access-control-expose-headers'] || '(none)'));
    }
    return parts.join('; ');
  }
  // corsguard's own diagnosis, when it refused: the reason and the fix (see corsDecision).
  const refused = exchanges.find((e) => e.decision && !e.decision.allowed);
  if (refused) return 'corsguard: ' + refused.decision.reason + ': ' + refused.decision.message;
  const p = preflights[0];
  if (p) {
    const a = p.answer;
    if (!a['access-control-allow-origin'])
      return 'preflight: origin ' + p.origin + ' is not allowed here (no Access-Control-Allow-Origin)';
    if (row.credentials && a['access-control-allow-origin'] === '*')
      return 'preflight: Access-Control-Allow-Origin is "*", which browsers refuse for credentialed requests';
    if (!methodAllowed(p.requestMethod, a['access-control-allow-methods'], row.credentials))
      return 'preflight: method ' + p.requestMethod + ' is not in Access-Control-Allow-Methods: ' + a['access-control-allow-methods'];
    const missing = list(p.requestHeaders).filter((h) => !headerAllowed(h, a['access-control-allow-headers'], row.credentials));
    if (missing.length > 0)
      return 'preflight: header ' + missing.join(', ') + ' is not in Access-Control-Allow-Headers: ' + (a['access-control-allow-headers'] || '(none)');
    if (row.credentials && a['access-control-allow-credentials'] !== 'true')
      return 'preflight: credentials are not allowed here (no Access-Control-Allow-Credentials)';
  }
  if (!last) return p ? 'the preflight passed but the request was never sent' : 'the request never reached the API';
  const acao = last.answer['access-control-allow-origin'];
  if (!acao)
    return 'origin ' + last.origin + ' is not allowed here (no Access-Control-Allow-Origin); the API still ran the request';
  if (acao === '*' && row.credentials)
    return 'Access-Control-Allow-Origin is "*", which browsers refuse for credentialed requests';
  if (acao !== last.origin) return 'Access-Control-Allow-Origin is ' + acao + ', not ' + last.origin;
  if (row.credentials && last.answer['access-control-allow-credentials'] !== 'true')
    return 'credentials are not allowed here (no Access-Control-Allow-Credentials)';
  return 'corsguard allowed it: see the browser console';
}

function cell(tr, name, text) {
  const td = tr.querySelector('[data-col="' + name + '"]');
  td.textContent = text;
  return td;
}

async function runRow(row, tr) {
  const url = (path) => API + path + '?run=' + RUN + '&row=' + row.id;
  let outcome;
  let got;
  try {
    got = String(await row.run(url));
    outcome = 'allowed';
  } catch (err) {
    got = String(err);
    outcome = 'blocked';
  }
  let reasonText;
  try {
    const res = await fetch(API + '/exchanges?run=' + RUN, { cache: 'no-store' });
    const all = await res.json();
    reasonText = reason(row, all.filter((e) => e.row === row.id), outcome === 'allowed');
  } catch (err) {
    reasonText = 'could not ask the API what it answered: ' + err;
  }
  cell(tr, 'outcome', outcome).className = 'badge ' + outcome;
  cell(tr, 'got', got).className = outcome === 'blocked' ? 'error' : '';
  cell(tr, 'reason', reasonText);
  tr.dataset.outcome = outcome;
}

async function main() {
  const body = document.querySelector('#rows');
  for (const row of ROWS) {
    const tr = document.createElement('tr');
    tr.dataset.row = row.id;
    tr.innerHTML = '<td><strong></strong><code></code><a class="guide"></a></td><td><span data-col="outcome" class="badge">…</span></td><td data-col="got"></td><td data-col="reason"></td>';
    tr.querySelector('strong').textContent = row.title;
    tr.querySelector('code').textContent = row.code;
    const guide = GUIDES[row.id] || GUIDES.allowed;
    tr.querySelector('a.guide').href = guide[0];
    tr.querySelector('a.guide').textContent = guide[1];
    body.append(tr);
  }
  // All at once: the table fills as soon as the API answers. Each row asks the API about its own
  // requests only (its run and row ids), and no two rows share a preflight cache entry.
  await Promise.all(ROWS.map((row) => runRow(row, body.querySelector('[data-row="' + row.id + '"]'))));
  document.body.dataset.done = 'true';
}
main();
`;

const STYLE = `
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; max-width: 1000px; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  p { margin: 4px 0 12px; color: #4a5263; }
  pre { background: #f4f6fa; padding: 8px 12px; border-radius: 6px; font-size: 12px; overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; vertical-align: top; padding: 7px 8px; border-bottom: 1px solid #e3e7ef; }
  th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #6a7386; }
  td:nth-child(1) { width: 30%; }
  td:nth-child(3) { width: 24%; overflow-wrap: anywhere; }
  code { display: block; font-size: 11px; color: #6a7386; margin-top: 2px; overflow-wrap: anywhere; }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; font-size: 12px; }
  .badge.allowed { background: #dcf5e3; color: #146c2e; }
  .badge.blocked { background: #fde2e1; color: #a4161a; }
  .error { color: #a4161a; font-family: ui-monospace, monospace; font-size: 12px; }
  a.guide { display: block; font-size: 11px; margin-top: 2px; }
  details.intro { background: #f8f9fc; border: 1px solid #e3e7ef; border-radius: 6px; padding: 6px 12px; margin: 8px 0 12px; }
  details.intro summary { cursor: pointer; font-weight: 600; }
  details.intro p { font-size: 13px; }
`;

/** The playground page for a given API; the API's configuration is shown as written. */
export function renderPage({ apiUrl, pageOrigin }: PageOptions): string {
  const policy = policies(pageOrigin);
  const config = [
    showMount('/api', policy.api),
    showMount('/admin', policy.admin),
    showMount('/public', policy.public),
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>corsguard playground</title>
<style>${STYLE}</style>
</head>
<body>
<h1>corsguard playground</h1>
<p>This page (<strong>${escapeHtml(pageOrigin)}</strong>) calls an API on another origin
(<strong>${escapeHtml(apiUrl)}</strong>) whose areas are guarded by corsguard:</p>
<pre>${escapeHtml(config)}</pre>
<details open class="intro"><summary>What you are looking at</summary>
<p><strong>The same-origin policy.</strong> A page may send requests anywhere, but its script may read
an answer only from its own origin (scheme, host and port: this page and the API are two origins).
CORS is how the API says, in <code style="display:inline">Access-Control-*</code> response headers,
which other origins may read its answers. The browser enforces it, not the server.</p>
<p><strong>Simple and preflighted requests.</strong> A GET, HEAD or POST with only plain headers is sent
at once, and the browser checks the answer's headers before the script may read it. Anything else (a
PUT or DELETE, a JSON body, a custom header) is first asked about with a <em>preflight</em>: an
<code style="display:inline">OPTIONS</code> request the browser sends itself. Only when the preflight's
answer allows the method, the headers and this origin is the real request sent.</p>
<p><strong>What the script sees.</strong> When the browser blocks, the script gets nothing but
<code style="display:inline">TypeError: Failed to fetch</code> (Chromium) or <code style="display:inline">NetworkError when
attempting to fetch resource</code> (Firefox): never the status, never the reason. The reason is in the
browser's console, on the server (<code style="display:inline">NODE_DEBUG=corsguard</code>, or
<code style="display:inline">corsDecision(req)</code>, which fills the last column here), and in
<code style="display:inline">npx corsguard check</code> from a terminal.</p>
</details>
<p>Each row is a real <code style="display:inline">fetch()</code> from this page. The browser decides;
the reason is corsguard's own decision when it refused (corsDecision), otherwise read off the headers it answered. The browser console has Chromium's own wording.</p>
<table>
<thead><tr><th>Request</th><th>Outcome</th><th>What the page got</th><th>Reason</th></tr></thead>
<tbody id="rows"></tbody>
</table>
<script>const API = ${JSON.stringify(apiUrl).replace(/</g, '\\u003c')};${SCRIPT}</script>
</body>
</html>
`;
}

/** The guides the rows link to, from the repository's docs/ folder. */
const GUIDE_FILES = new Set(['origins.md', 'diagnostics.md']);
// Served from the repository the demo runs in (`npm run demo` runs at its root).
const DOCS = join(process.cwd(), 'docs');

/** The page server's request listener: the playground at `/` and the guides it links to. */
export function createPage(options: PageOptions): RequestListener {
  const html = renderPage(options);
  return (req, res) => {
    const guide = /^\/docs\/([a-z-]+\.md)(?:[?#].*)?$/.exec(req.url ?? '')?.[1];
    if (req.method === 'GET' && guide !== undefined && GUIDE_FILES.has(guide)) {
      readFile(join(DOCS, guide), 'utf8').then(
        (text) => {
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
        },
        () => {
          res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
        },
      );
      return;
    }
    if (req.method === 'GET' && (req.url === '/' || req.url?.startsWith('/?'))) {
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
      });
      res.end(html);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: the playground is at /\n');
  };
}
