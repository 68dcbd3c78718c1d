// Checks the package as users get it: `npm pack`'s tarball installed into a fresh project (offline:
// corsguard has no runtime dependencies), then loaded by name from a CommonJS script and from an ES
// module script, each running the origin function and the options delegate of issue 11 (sqlite3's
// db.get one-liner) on a loopback server; then the bin, `npx corsguard check|scan|--help`, from that
// CommonJS project and from an ES module project. Needs dist/ (`npm run build`).
//
// Then a clean clone of the committed HEAD (no dist/, this repository's node_modules linked in):
// `npm run prepare`, the one script npm runs in the clone it makes for `npm install github:...`,
// must build dist/ so that the package it packs contains it; and `npm pack` there (prepack) must
// make a tarball with dist/esm and dist/cjs. One line per check; exits non-zero on any failure.
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { Buffer } from 'node:buffer';
import net from 'node:net';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { childEnv, reporter } from './checks.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const { report, failures: failed } = reporter('pack-check');
const env = childEnv;

function npm(args, cwd) {
  const result = spawnSync('npm', args, { cwd, env, encoding: 'utf8' });
  if (result.error) return { ok: false, stdout: '', out: String(result.error) };
  return {
    ok: result.status === 0,
    stdout: result.stdout,
    out: `${result.stdout}${result.stderr}`.trim(),
  };
}

/** The consumer script: `header` loads corsguard and node:http in one module system or the other. */
function consumer(mode, header) {
  return `${header}
const MODE = ${JSON.stringify(mode)};
const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';
const SQL = 'SELECT origin FROM allowed_origins WHERE origin = ?';

/** sqlite3's Database.get: calls back on a later turn with (err, row) and returns the Database. */
class Database {
  constructor(origins) {
    this.origins = new Set(origins);
    this.runs = 0;
  }
  get(sql, params, callback) {
    this.runs++;
    const origin = params[0];
    setImmediate(() => callback(null, this.origins.has(origin) ? { origin } : undefined));
    return this;
  }
}

let failures = 0;
function check(what, ok, detail) {
  console.log(\`pack-check: \${ok ? 'ok  ' : 'FAIL'} \${MODE}: \${what}\${ok ? '' : ': ' + detail}\`);
  if (!ok) failures++;
}

/** Sends each request to a loopback server running the middleware; resolves status and ACAO. */
async function exchange(middleware, requests) {
  const server = http.createServer((req, res) => {
    middleware(req, res, (err) => {
      res.statusCode = err ? (typeof err.status === 'number' ? err.status : 500) : 200;
      res.end(err ? 'error:' + (err.code ?? err.message) : 'app');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  try {
    const answers = [];
    for (const { method, headers } of requests) {
      answers.push(
        await new Promise((resolve, reject) => {
          const req = http.request(
            { host: '127.0.0.1', port, method, path: '/', headers, agent: false },
            (res) => {
              res.resume();
              res.on('end', () =>
                resolve({ status: res.statusCode, acao: res.headers['access-control-allow-origin'] }),
              );
            },
          );
          req.on('error', reject);
          req.end();
        }),
      );
    }
    return answers;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const REQUESTS = [
  { what: 'GET from APP', method: 'GET', headers: { origin: APP } },
  { what: 'GET from EVIL', method: 'GET', headers: { origin: EVIL } },
  {
    what: 'preflight from EVIL',
    method: 'OPTIONS',
    headers: { origin: EVIL, 'access-control-request-method': 'PUT' },
  },
];

function expectAnswers(label, answers, db) {
  const [app, evil, evilPreflight] = answers;
  check(
    label + ': ' + REQUESTS[0].what + ' is allowed',
    app.status === 200 && app.acao === APP,
    'status ' + app.status + ', Access-Control-Allow-Origin ' + app.acao,
  );
  check(
    label + ': ' + REQUESTS[1].what + ' gets no Access-Control-Allow-Origin (never *)',
    evil.status === 200 && evil.acao === undefined,
    'status ' + evil.status + ', Access-Control-Allow-Origin ' + evil.acao,
  );
  check(
    label + ': ' + REQUESTS[2].what + ' gets no Access-Control-Allow-Origin (never *)',
    evilPreflight.status >= 200 && evilPreflight.status < 300 && evilPreflight.acao === undefined,
    'status ' + evilPreflight.status + ', Access-Control-Allow-Origin ' + evilPreflight.acao,
  );
  check(label + ': looked up once per request', db.runs === REQUESTS.length, db.runs + ' lookups');
}

async function main() {
  check(
    'CorsFunctionError is exported',
    typeof CorsFunctionError === 'function' && CorsFunctionError.prototype instanceof Error,
    'got ' + typeof CorsFunctionError,
  );

  const originDb = new Database([APP]);
  const originFunction = cors({
    origin: (origin, cb) => originDb.get(SQL, [origin], (err, row) => cb(err, !!row)),
  });
  expectAnswers('origin function', await exchange(originFunction, REQUESTS), originDb);

  const delegateDb = new Database([APP]);
  const delegate = cors((req, cb) =>
    delegateDb.get(SQL, [req.headers.origin], (err, row) => cb(err, { origin: !!row })),
  );
  expectAnswers('options delegate', await exchange(delegate, REQUESTS), delegateDb);

  // Issue 20: the four fail-open paths and the Redis pass-through, as users write them.
  const GET = (origin) => ({ method: 'GET', headers: { origin } });
  const acaoOf = async (mw, origin) => (await exchange(mw, [GET(origin)]))[0];
  /** node_redis 2/3: every command returns true ("written") and calls back later with the reply. */
  const redis = {
    members: new Set([APP]),
    sismember(_key, member, cb) {
      setImmediate(() => cb(null, this.members.has(member) ? 1 : 0));
      return true;
    },
  };
  const wrapper = cors({
    origin: (...args) => redis.sismember('allowed', ...args),
    credentials: true,
  });
  const strangerByWrapper = await acaoOf(wrapper, EVIL);
  check('issue 20: a wrapper returning true does not allow a stranger', strangerByWrapper.acao === undefined, 'Access-Control-Allow-Origin ' + strangerByWrapper.acao);
  const passThrough = cors({ origin: (origin, cb) => redis.sismember('allowed', origin, cb) });
  const [member, stranger] = await exchange(passThrough, [GET(APP), GET(EVIL)]);
  check('issue 20: the Redis reply passed through allows a member and refuses a stranger', member.acao === APP && stranger.acao === undefined && stranger.status === 200, JSON.stringify([member, stranger]));
  const allowed = [APP, EVIL];
  const list = cors({ origin: (_origin, cb) => cb(null, allowed), credentials: true });
  await acaoOf(list, EVIL);
  allowed.splice(1, 1);
  const removed = await acaoOf(list, EVIL);
  check('issue 20: an origin removed from the answered array in place is refused', removed.acao === undefined, 'Access-Control-Allow-Origin ' + removed.acao);
  const opts = { origin: [APP], credentials: true };
  const edited = cors((_req, cb) => cb(null, opts));
  await acaoOf(edited, APP);
  opts.origin = false;
  const revoked = await acaoOf(edited, APP);
  check('issue 20: options edited to origin: false are obeyed', revoked.acao === undefined, 'Access-Control-Allow-Origin ' + revoked.acao);
  const withNull = cors({ origin: (_origin, cb) => cb(null, ['null', APP]), credentials: true });
  const sandboxed = await acaoOf(withNull, 'null');
  check("issue 20: 'null' in an answered array is refused", sandboxed.acao === undefined && sandboxed.status === 500, JSON.stringify(sandboxed));
  let comma;
  try {
    cors({ origin: 'http://a.com,http://b.com' });
  } catch (err) {
    comma = err.issues[0];
  }
  check('issue 20: a comma list gets the array as its suggestion', comma !== undefined && JSON.stringify(comma.suggestion) === '["http://a.com","http://b.com"]', JSON.stringify(comma));

  // Issue 24: the shadow and parseOrigins, from the package as users load it.
  const shadowed = shadow({ origin: parseOrigins('https://app.example.com'), credentials: true });
  const live = cors({ origin: [APP, EVIL], credentials: true });
  await exchange((req, res, next) => shadowed(req, res, () => live(req, res, next)), [GET(EVIL)]);
  const shadowReport = shadowed.report();
  check('issue 24: the shadow reports what the candidate would refuse', shadowReport.disagreements.length === 1 && shadowReport.disagreements[0].origin === EVIL && shadowReport.disagreements[0].kind === 'would-refuse', JSON.stringify(shadowReport));

  // Issue 25: corsguard/fetch, the same policy for a Fetch handler.
  const guard = fetchCors({ origin: [APP], credentials: true });
  const fetched = await guard(new Request('http://api.test/x', { headers: { Origin: APP } }), () => new Response('ok'));
  const fetchedPreflight = await guard(new Request('http://api.test/x', { method: 'OPTIONS', headers: { Origin: EVIL, 'Access-Control-Request-Method': 'PUT' } }), () => new Response('no'));
  check('issue 25: corsguard/fetch allows the listed origin and answers a refused preflight without CORS headers', fetched.headers.get('access-control-allow-origin') === APP && fetchedPreflight.status === 204 && fetchedPreflight.headers.get('access-control-allow-origin') === null, JSON.stringify([...fetched.headers, ...fetchedPreflight.headers]));

  // Issue 22: the way frameworks call cors.
  const engineIo = await acaoOf(cors(true), EVIL);
  check('issue 22: cors(true) (engine.io) means the defaults', engineIo.acao === '*', JSON.stringify(engineIo));
  const gatewayParams = Object.assign({}, { origin: [APP], optionsSuccessStatus: 204 }, {
    getCommonAuthCallback() {},
  });
  let gateway;
  try {
    gateway = cors(gatewayParams, { gatewayConfig: {} });
  } catch (err) {
    gateway = err;
  }
  check('issue 22: policy(actionParams, config) (Express Gateway) builds, its own keys ignored', typeof gateway === 'function', String(gateway));
  if (typeof gateway === 'function') {
    const [allowedByGateway, refusedByGateway] = await exchange(gateway, [GET(APP), GET(EVIL)]);
    check('issue 22: the Express Gateway policy allows its origin and refuses a stranger', allowedByGateway.acao === APP && refusedByGateway.acao === undefined, JSON.stringify([allowedByGateway, refusedByGateway]));
  }
  const warned = [];
  const emitWarning = process.emitWarning;
  process.emitWarning = (message, options) => warned.push(options && options.code);
  try {
    const companion = (req, res, next) =>
      cors({ origin: [APP, 'http://partner.example'], credentials: true })(req, res, next);
    const answers = await exchange(companion, [GET(APP), GET(APP), GET(APP)]);
    check('issue 22: a middleware built per request (Companion) answers and warns once', answers.every((a) => a.acao === APP) && warned.filter((c) => c === 'CORSGUARD_INSECURE_ORIGIN_WITH_CREDENTIALS').length === 1, JSON.stringify({ answers, warned }));
  } finally {
    process.emitWarning = emitWarning;
  }
  let loopback;
  try {
    cors({ origin: '*', methods: 'GET,HEAD,PUT,PATCH,POST,DELETE', preflightContinue: false, optionsSuccessStatus: 204, maxAge: 86400, credentials: true });
  } catch (err) {
    loopback = err;
  }
  check("issue 22: LoopBack 4's default options are refused with a word about frameworks", loopback !== undefined && /LoopBack 4/.test(loopback.message), String(loopback));
}

main().then(
  () => {
    process.exitCode = failures === 0 ? 0 : 1;
  },
  (err) => {
    console.log('pack-check: FAIL ' + MODE + ': ' + (err && err.stack ? err.stack : String(err)));
    process.exitCode = 1;
  },
);
`;
}

/** Packs, installs and runs the consumer scripts; stops at the first step that later ones need. */
function packInstallRun(work) {
  const built = ['dist/esm/index.js', 'dist/cjs/cjs.js'].filter((f) => !existsSync(join(root, f)));
  if (
    !report(built.length === 0, 'dist/ is built', `missing ${built.join(', ')}; run npm run build`)
  ) {
    return;
  }

  const packs = join(work, 'packs');
  mkdirSync(packs);
  // dist/ is built already: no prepack build here (the clean clone below checks that one).
  const pack = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', packs], root);
  let tarball;
  try {
    tarball = join(packs, JSON.parse(pack.stdout)[0].filename);
  } catch {
    tarball = undefined;
  }
  if (
    !report(
      pack.ok && tarball !== undefined && existsSync(tarball),
      'npm pack made a tarball',
      pack.out,
    )
  ) {
    return;
  }

  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'corsguard-pack-check', version: '1.0.0', private: true }, null, 2)}\n`,
  );
  const installed = npm(
    ['install', tarball, '--prefix', project, '--offline', '--no-audit', '--no-fund'],
    project,
  );
  const home = join(project, 'node_modules', name);
  const installedVersion = existsSync(join(home, 'package.json'))
    ? JSON.parse(readFileSync(join(home, 'package.json'), 'utf8')).version
    : undefined;
  if (
    !report(
      installed.ok && installedVersion === version && !lstatSync(home).isSymbolicLink(),
      `npm install of the tarball into a fresh project (offline) gives ${name}@${version}`,
      installed.ok ? `found ${String(installedVersion)}` : installed.out,
    )
  ) {
    return;
  }

  writeFileSync(
    join(project, 'check.cjs'),
    consumer(
      'cjs',
      "const http = require('node:http');\nconst cors = require('corsguard');\nconst { CorsFunctionError, shadow, parseOrigins } = require('corsguard');\nconst { cors: fetchCors } = require('corsguard/fetch');",
    ),
  );
  writeFileSync(
    join(project, 'check.mjs'),
    consumer(
      'esm',
      // A namespace import, so that a missing export fails its check instead of the whole script.
      "import http from 'node:http';\nimport cors, * as named from 'corsguard';\nimport { cors as fetchCors } from 'corsguard/fetch';\nconst { CorsFunctionError, shadow, parseOrigins } = named;",
    ),
  );
  for (const script of ['check.cjs', 'check.mjs']) {
    const result = spawnSync(process.execPath, [script], {
      cwd: project,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    report(
      result.status === 0,
      `${script} ran in the fresh project`,
      `exit ${String(result.status)}`,
    );
  }
  return { tarball, project };
}

/** Runs a command without blocking this process (the loopback server below must answer). */
function spawnAsync(command, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => resolve({ status: null, stdout, stderr: String(err) }));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * The bin, as users run it: `npx corsguard ...` in a project with the tarball installed (a CommonJS
 * project and an ES module one), against a loopback server that allows one origin.
 */
async function binRuns(tarball, cjsProject, work) {
  const esmProject = join(work, 'project-esm');
  mkdirSync(esmProject);
  writeFileSync(
    join(esmProject, 'package.json'),
    `${JSON.stringify({ name: 'corsguard-pack-check-esm', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  const installed = npm(
    ['install', tarball, '--prefix', esmProject, '--offline', '--no-audit', '--no-fund'],
    esmProject,
  );
  if (
    !report(
      installed.ok,
      'npm install of the tarball into a fresh ES module project',
      installed.out,
    )
  ) {
    return;
  }
  const APP = 'https://app.example.com';
  const server = http.createServer((req, res) => {
    res.setHeader('Vary', 'Origin');
    if (req.headers.origin === APP) {
      res.setHeader('Access-Control-Allow-Origin', APP);
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
    }
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${String(server.address().port)}/`;
  try {
    for (const [label, project] of [
      ['CommonJS project', cjsProject],
      ['ES module project', esmProject],
    ]) {
      const npx = (...args) =>
        spawnAsync('npx', ['--offline', '--no-install', 'corsguard', ...args], project);
      const help = await npx('--help');
      report(
        help.status === 0 && help.stdout.includes('corsguard check <url>'),
        `${label}: npx corsguard --help documents the commands`,
        `exit ${String(help.status)}: ${help.stderr}`,
      );
      const allowed = await npx('check', url, '--origin', APP, '--json');
      let verdict;
      try {
        verdict = JSON.parse(allowed.stdout).verdict;
      } catch {
        verdict = undefined;
      }
      report(
        allowed.status === 0 && verdict === 'allowed',
        `${label}: npx corsguard check from an allowed origin exits 0 (allowed)`,
        `exit ${String(allowed.status)}: ${allowed.stdout}${allowed.stderr}`,
      );
      const blocked = await npx('check', url, '--origin', 'https://evil.example.net');
      report(
        blocked.status === 1 && blocked.stdout.includes('verdict: BLOCKED'),
        `${label}: npx corsguard check from another origin exits 1 (blocked)`,
        `exit ${String(blocked.status)}: ${blocked.stdout}${blocked.stderr}`,
      );
      const scanned = await npx('scan', url, '--origin', APP);
      report(
        scanned.status === 0 && scanned.stdout.includes('no finding'),
        `${label}: npx corsguard scan finds nothing on a strict server (exit 0)`,
        `exit ${String(scanned.status)}: ${scanned.stdout}${scanned.stderr}`,
      );
      // Issue 21: a hostile server controls neither the terminal nor the exit status.
      const escaped = await npx('check', hostileUrl('escapes'), '--origin', APP);
      report(
        escaped.status === 1 &&
          !RAW_CONTROL.test(escaped.stdout) &&
          escaped.stdout.includes('\\x1b[32m'),
        `${label}: npx corsguard check prints a server's terminal escapes escaped`,
        JSON.stringify(escaped),
      );
      const switched = await npx('check', hostileUrl('101'), '--origin', APP, '--json');
      report(
        switched.status === 2 && switched.stdout.includes('switched protocols'),
        `${label}: npx corsguard check exits 2 on 101 Switching Protocols, --json included`,
        JSON.stringify(switched),
      );
    }
  } finally {
    server.close();
    hostile.close();
  }
}

// eslint-disable-next-line no-control-regex -- what must not reach a terminal
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

/** A raw TCP server answering by the path it is asked: /escapes, /101. */
const hostile = net.createServer((socket) => {
  socket.on('error', () => undefined);
  socket.once('data', (chunk) => {
    const path = / (\/\S*) HTTP/.exec(chunk.toString('latin1'))?.[1];
    if (path === '/101') {
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
      );
    } else {
      socket.end(
        Buffer.from(
          'HTTP/1.1 200 \x1b[2K\x1b[32mverdict: ALLOWED\x1b[0m\r\nAccess-Control-Allow-Origin: https://a.example\x9b2K\r\nContent-Length: 0\r\n\r\n',
          'latin1',
        ),
      );
    }
  });
});
await new Promise((resolve) => hostile.listen(0, '127.0.0.1', resolve));
const hostileUrl = (path) => `http://127.0.0.1:${String(hostile.address().port)}/${path}`;

/** The paths in a .tgz (ustar, as npm writes it), without npm's `package/` prefix. */
function tarballPaths(tarball) {
  const tar = gunzipSync(readFileSync(tarball));
  const text = (from, length) => tar.toString('utf8', from, from + length).replace(/\0.*$/s, '');
  const paths = [];
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0;) {
    const name =
      text(at + 345, 155) === '' ? text(at, 100) : `${text(at + 345, 155)}/${text(at, 100)}`;
    if (!'xg'.includes(String.fromCharCode(tar[at + 156])))
      paths.push(name.replace(/^package\//, ''));
    at += 512 + Math.ceil(parseInt(text(at + 124, 12).trim() || '0', 8) / 512) * 512;
  }
  return paths;
}

/** What the package must hold: each module of lib/ compiled to dist/esm and dist/cjs. */
function expectedPaths(clone) {
  // lib/ and its folders (core, node, fetch, shadow, cli); the CommonJS build has no CLI.
  const modules = readdirSync(join(clone, 'lib'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3));
  return [
    'package.json',
    'README.md',
    'CHANGELOG.md',
    'LICENSE',
    ...modules
      .filter((m) => m !== 'cjs')
      .flatMap((m) => [`dist/esm/${m}.js`, `dist/esm/${m}.d.ts`]),
    ...modules
      .filter((m) => m !== 'index' && !m.startsWith('cli/'))
      .flatMap((m) => [`dist/cjs/${m}.js`, `dist/cjs/${m}.d.ts`]),
    'dist/cjs/package.json',
    // The bin's modules, ES modules only (package.json "bin").
    ...readdirSync(join(clone, 'lib', 'cli'))
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [`dist/esm/cli/${f.slice(0, -3)}.js`]),
  ];
}

function missingFrom(paths, expected) {
  const have = new Set(paths);
  const missing = expected.filter((p) => !have.has(p));
  if (missing.length === 0) return '';
  const more = missing.length > 6 ? ` and ${String(missing.length - 6)} more` : '';
  return `missing ${missing.slice(0, 6).join(', ')}${more}`;
}

/** A clean clone of HEAD: the git install's prepare, then npm pack's prepack, each yield dist/. */
function cleanClone(work) {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  const clone = join(work, 'clone');
  const cloned = spawnSync('git', ['clone', '--quiet', root, clone], { encoding: 'utf8' });
  if (
    !report(
      cloned.status === 0 && !existsSync(join(clone, 'dist')),
      `a clean clone of HEAD (${head.stdout.trim()}) has no dist/`,
      `${cloned.stderr}${String(cloned.error ?? '')}`.trim() || 'dist/ is committed',
    )
  ) {
    return;
  }
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');
  const expected = expectedPaths(clone);

  // npm install github:owner/corsguard: npm clones, installs the dev dependencies, runs prepare
  // (and only prepare) and packs what the "files" field lists.
  const prepared = npm(['run', 'prepare'], clone);
  const listed = npm(['pack', '--dry-run', '--json', '--ignore-scripts'], clone);
  let files;
  try {
    files = JSON.parse(listed.stdout)[0].files.map((f) => f.path);
  } catch {
    files = [];
  }
  report(
    prepared.ok && listed.ok && missingFrom(files, expected) === '',
    'install from git: prepare builds dist/ in the clean clone, and the package npm packs has dist/esm and dist/cjs',
    prepared.ok ? missingFrom(files, expected) || listed.out : prepared.out,
  );

  // npm pack (and npm publish) in the clean clone: prepack builds dist/ afresh.
  rmSync(join(clone, 'dist'), { recursive: true, force: true });
  const packs = join(work, 'clone-packs');
  mkdirSync(packs);
  const pack = npm(['pack', '--json', '--pack-destination', packs], clone);
  let paths;
  try {
    // Found by listing the folder: prepack's build output comes before npm's JSON on stdout.
    paths = tarballPaths(
      join(
        packs,
        readdirSync(packs).find((f) => f.endsWith('.tgz')),
      ),
    );
  } catch {
    paths = [];
  }
  report(
    pack.ok && missingFrom(paths, expected) === '' && paths.every((p) => !p.startsWith('lib/')),
    `npm pack in the clean clone: the tarball has dist/esm and dist/cjs (${String(paths.length)} files)`,
    pack.ok ? missingFrom(paths, expected) || 'lib/ sources shipped' : pack.out,
  );
}

const work = mkdtempSync(join(tmpdir(), 'corsguard-pack-'));
try {
  const installed = packInstallRun(work);
  if (installed !== undefined) await binRuns(installed.tarball, installed.project, work);
  cleanClone(work);
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failed() > 0) {
  console.log(`pack-check: ${String(failed())} step(s) failed (see the FAIL lines above)`);
  process.exit(1);
}
console.log(
  'pack-check: the packed package installs and works under require and import, and a clean clone packs dist/',
);
