// The packed package in the test runners and bundlers people run it under (issue 22): `npm pack`'s
// tarball installed into a fresh project, then one test through each of Jest 26 (the last release
// that knows no `node:` module names), Jest 30, Mocha (CommonJS and ES module specs), Vitest,
// ts-node (type-checked), and bundles made by esbuild (ES module and CommonJS output) and webpack 5
// (require and import), each run by Node; each loads corsguard/fetch too. The runners are this repository's dev dependencies, run by
// path; the project holds only the package under test. One line per check; exits non-zero on any
// failure. Needs dist/ (`npm run build`).
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, reporter } from './checks.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const modules = join(root, 'node_modules');
const { report, failures } = reporter('runners-check');
const env = childEnv;

function run(command, args, cwd, extraEnv = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return {
    ok: result.status === 0,
    out: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.trim(),
  };
}

const tail = (text) => text.split('\n').slice(-25).join('\n');

// What every test checks, on a real loopback server: the listed origin is allowed, a stranger is
// not, and a refused origin gets no Access-Control-Allow-Origin. Written with `require('http')` and
// plain ES2017 so that it runs as it is under every runner.
const BODY = `
const APP = 'https://app.example.com';
function exchange(middleware, origin) {
  return new Promise((resolve, reject) => {
    const server = http.createServer((req, res) => {
      middleware(req, res, (err) => {
        res.statusCode = err ? 500 : 200;
        res.end();
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const req = http.request(
        { host: '127.0.0.1', port: server.address().port, path: '/', headers: { origin }, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => {
            server.close();
            resolve({ status: res.statusCode, acao: res.headers['access-control-allow-origin'] });
          });
        },
      );
      req.on('error', (err) => {
        server.close();
        reject(err);
      });
      req.end();
    });
  });
}
async function corsguardWorks() {
  const mw = cors({ origin: [APP, 'https://*.example.org'], credentials: true });
  const allowed = await exchange(mw, APP);
  const pattern = await exchange(mw, 'https://a.example.org');
  const stranger = await exchange(mw, 'https://evil.example.net');
  return (
    allowed.status === 200 && allowed.acao === APP &&
    pattern.acao === 'https://a.example.org' &&
    stranger.status === 200 && stranger.acao === undefined &&
    (await fetchFrontWorks())
  );
}
// corsguard/fetch (issue 25) loads under the runner too; where the environment has the Fetch API
// (not Jest 26's), a guard answers.
async function fetchFrontWorks() {
  const guard = fetchCors({ origin: [APP] });
  if (typeof Request !== 'function') return typeof guard === 'function';
  const res = await guard(new Request('http://api.example.test/', { headers: { origin: APP } }), () => new Response('ok'));
  return res.headers.get('access-control-allow-origin') === APP;
}
`;

const CJS_HEAD =
  "const http = require('http');\nconst cors = require('corsguard');\nconst { cors: fetchCors } = require('corsguard/fetch');\n";
const ESM_HEAD =
  "import http from 'http';\nimport cors from 'corsguard';\nimport { cors as fetchCors } from 'corsguard/fetch';\n";
const jestTest = `${CJS_HEAD}${BODY}\ntest('corsguard answers under this runner', async () => {\n  expect(await corsguardWorks()).toBe(true);\n});\n`;
const mochaSpec = (head) =>
  `${head}${BODY}\nit('corsguard answers under mocha', async () => {\n  if (!(await corsguardWorks())) throw new Error('corsguard answered wrongly');\n});\n`;
const script = (head) =>
  `${head}${BODY}\ncorsguardWorks().then((ok) => { console.log(ok ? 'corsguard-ok' : 'corsguard-wrong'); process.exitCode = ok ? 0 : 1; });\n`;

// The same check in TypeScript, as a TypeScript user writes it against the CommonJS declarations
// (the @types/cors names on the factory).
const TS_CHECK = `import http = require('http');
import cors = require('corsguard');

const APP = 'https://app.example.com';
const options: cors.CorsOptions = { origin: [APP], credentials: true };

function exchange(middleware: cors.CorsMiddleware, origin: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const server = http.createServer((req, res) => {
      middleware(req, res, () => res.end());
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      const req = http.request({ host: '127.0.0.1', port, headers: { origin }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => {
          server.close();
          const acao = res.headers['access-control-allow-origin'];
          resolve(typeof acao === 'string' ? acao : undefined);
        });
      });
      req.on('error', reject);
      req.end();
    });
  });
}

async function main(): Promise<void> {
  const mw = cors(options);
  const ok = (await exchange(mw, APP)) === APP && (await exchange(mw, 'https://evil.example')) === undefined;
  console.log(ok ? 'corsguard-ok' : 'corsguard-wrong');
  process.exitCode = ok ? 0 : 1;
}
void main();
`;

function project(work, name, type, tarball) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `corsguard-${name}`, version: '1.0.0', private: true, type }),
  );
  const installed = run(
    'npm',
    ['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    dir,
  );
  return installed.ok ? dir : (report(false, `install into ${name}`, installed.out), undefined);
}

function main() {
  if (
    !report(existsSync(join(root, 'dist', 'cjs', 'cjs.js')), 'dist/ is built', 'run npm run build')
  ) {
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'corsguard-runners-'));
  try {
    const packed = run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], root);
    const tarball = join(work, readdirSync(work).find((file) => file.endsWith('.tgz')) ?? '-');
    if (!report(packed.ok && existsSync(tarball), 'npm pack made a tarball', tail(packed.out))) {
      return;
    }

    // CommonJS runners: Jest 26 and 30, Mocha, ts-node.
    const cjs = project(work, 'cjs', 'commonjs', tarball);
    if (cjs === undefined) return;
    writeFileSync(join(cjs, 'cors.test.js'), jestTest);
    for (const [label, bin] of [
      ['Jest 26', join(modules, 'jest26', 'bin', 'jest.js')],
      ['Jest 30', join(modules, 'jest', 'bin', 'jest.js')],
    ]) {
      const result = run(
        process.execPath,
        [
          bin,
          '--ci',
          '--watchman=false',
          '--rootDir',
          cjs,
          '--testEnvironment',
          'node',
          '--config',
          '{}',
        ],
        cjs,
      );
      report(
        result.ok && /1 passed/.test(result.out),
        `${label} runs a test through the package`,
        tail(result.out),
      );
    }
    writeFileSync(join(cjs, 'cors.spec.cjs'), mochaSpec(CJS_HEAD));
    writeFileSync(join(cjs, 'cors.spec.mjs'), mochaSpec(ESM_HEAD));
    const mocha = join(modules, 'mocha', 'bin', 'mocha.js');
    for (const spec of ['cors.spec.cjs', 'cors.spec.mjs']) {
      const result = run(process.execPath, [mocha, spec], cjs);
      report(result.ok && /1 passing/.test(result.out), `Mocha runs ${spec}`, tail(result.out));
    }
    // ts-node type-checks the file against the package's own declarations.
    symlinkSync(join(modules, '@types'), join(cjs, 'node_modules', '@types'));
    writeFileSync(
      join(cjs, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2020',
          strict: true,
          types: ['node'],
        },
      }),
    );
    writeFileSync(join(cjs, 'check.ts'), TS_CHECK);
    const tsNode = run(
      process.execPath,
      [join(modules, 'ts-node', 'dist', 'bin.js'), 'check.ts'],
      cjs,
      { TS_NODE_COMPILER: join(modules, 'typescript') },
    );
    report(
      tsNode.ok && /corsguard-ok/.test(tsNode.out),
      'ts-node type-checks and runs a script through the package',
      tail(tsNode.out),
    );

    // Vitest, in an ES module project (its test files are ES modules).
    const esm = project(work, 'esm', 'module', tarball);
    if (esm === undefined) return;
    writeFileSync(
      join(esm, 'cors.test.js'),
      `${ESM_HEAD}${BODY}\ntest('corsguard answers under vitest', async () => {\n  expect(await corsguardWorks()).toBe(true);\n});\n`,
    );
    const vitest = run(
      process.execPath,
      [join(modules, 'vitest', 'vitest.mjs'), 'run', '--globals', '--root', esm],
      esm,
    );
    report(
      vitest.ok && /1 passed/.test(vitest.out),
      'Vitest runs a test through the package',
      tail(vitest.out),
    );

    // Bundlers: the package bundled into one file, then run by Node without node_modules.
    writeFileSync(join(esm, 'entry.mjs'), script(ESM_HEAD));
    writeFileSync(join(esm, 'entry.cjs'), script(CJS_HEAD));
    const esbuild = join(modules, 'esbuild', 'bin', 'esbuild');
    for (const [entry, format, out] of [
      ['entry.mjs', 'esm', 'esbuild-out.mjs'],
      ['entry.cjs', 'cjs', 'esbuild-out.cjs'],
    ]) {
      const built = run(
        esbuild,
        [entry, '--bundle', '--platform=node', `--format=${format}`, `--outfile=dist/${out}`],
        esm,
      );
      if (!report(built.ok, `esbuild bundles ${entry} (${format})`, tail(built.out))) continue;
      const ran = run(process.execPath, [join('dist', out)], esm);
      report(
        ran.ok && /corsguard-ok/.test(ran.out),
        `the esbuild bundle ${out} runs`,
        tail(ran.out),
      );
    }
    const webpackScript = join(esm, 'pack.cjs');
    writeFileSync(
      webpackScript,
      `const webpack = require(${JSON.stringify(join(modules, 'webpack'))});
const path = require('path');
const configs = [
  { entry: './entry.cjs', output: { path: path.join(__dirname, 'dist'), filename: 'webpack-require.cjs' } },
  { entry: './entry.mjs', output: { path: path.join(__dirname, 'dist'), filename: 'webpack-import.cjs' } },
].map((c) => ({ ...c, context: __dirname, target: 'node', mode: 'production', optimization: { minimize: false } }));
webpack(configs, (err, stats) => {
  if (err || stats.hasErrors()) {
    console.log(err ? String(err) : stats.toString('errors-only'));
    process.exitCode = 1;
  }
});
`,
    );
    const packedByWebpack = run(process.execPath, [webpackScript], esm);
    if (
      report(
        packedByWebpack.ok,
        'webpack 5 bundles require and import entries (target node)',
        tail(packedByWebpack.out),
      )
    ) {
      for (const out of ['webpack-require.cjs', 'webpack-import.cjs']) {
        const ran = run(process.execPath, [join('dist', out)], esm);
        report(
          ran.ok && /corsguard-ok/.test(ran.out),
          `the webpack bundle ${out} runs`,
          tail(ran.out),
        );
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
console.log(
  failures() === 0
    ? 'runners-check: the packed package loads and answers under every runner and bundler'
    : `runners-check: ${String(failures())} failure(s)`,
);
process.exitCode = failures() === 0 ? 0 : 1;
