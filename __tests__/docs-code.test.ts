// Issue 23: every TypeScript block of the README and the guides (docs/*.md) compiles under `strict`
// against the built package, imported by name as users import it, with TypeScript 6 (the project's);
// every JSON block parses. A block is its own module; the names a snippet uses without defining them
// (`app`, a route handler, your database) are declared once, below, as a reader would have them.
// The terminal guide's output blocks are run by readme-cli.test.ts; the examples/ files by
// examples.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');
const DOCS = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(root, 'docs', name)),
];

interface Block {
  readonly where: string;
  readonly lang: string;
  readonly code: string;
}

function blocks(): Block[] {
  return DOCS.flatMap((file) => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const found: Block[] = [];
    for (let i = 0; i < lines.length; i++) {
      const lang = /^```(\w+)$/.exec(lines[i]!)?.[1];
      if (lang === undefined) continue;
      const end = lines.findIndex((line, j) => j > i && line === '```');
      found.push({
        where: `${relative(root, file)}:${String(i + 1)}`,
        lang,
        code: lines.slice(i + 1, end).join('\n'),
      });
      i = end;
    }
    return found;
  });
}

/** What the snippets take as given: the reader's application and its own functions. */
const AMBIENT = `import type express from 'express';
import type corsguard from 'corsguard';
import type { NestFactory as Factory } from '@nestjs/core';
import type { NestExpressApplication as ExpressApplication } from '@nestjs/platform-express';
declare global {
  const cors: typeof corsguard;
  const express: typeof import('express');
  const app: express.Express;
  const db: { isAllowed(origin: string): Promise<boolean> };
  const tenants: { isAllowed(origin: string): Promise<boolean> };
  const metrics: { count(name: string): void };
  const candidate: import('corsguard').ShadowMiddleware;
  const Bun: {
    serve(options: { port?: number; fetch: (request: Request) => Promise<Response> }): unknown;
  };
  const Deno: {
    serve(options: { port?: number }, handler: (request: Request) => Promise<Response>): unknown;
  };
  function isAllowed(origin: string): Promise<boolean>;
  const onWebhook: express.RequestHandler;
  const listCatalog: express.RequestHandler;
  const createOrder: express.RequestHandler;
  const updateItem: express.RequestHandler;
  const replaceThing: express.RequestHandler;
  const listThings: express.RequestHandler;
  const getThing: express.RequestHandler;
  const getPrivate: express.RequestHandler;
  const deleteThing: express.RequestHandler;
  const createThing: express.RequestHandler;
  const NestFactory: typeof Factory;
  type NestExpressApplication = ExpressApplication;
  class AppModule {}
}
`;

const all = blocks();
const typescript = all.filter((b) => b.lang === 'ts');

describe('code blocks of the README and the guides', () => {
  it('are found', () => {
    expect(typescript.length).toBeGreaterThan(20);
  });

  it.each(all.filter((b) => b.lang === 'json').map((b) => [b.where, b.code] as const))(
    '%s (JSON) parses',
    (_where, code) => {
      expect(() => JSON.parse(code) as unknown).not.toThrow();
    },
  );

  it('every TypeScript block compiles under strict, against the built package', () => {
    expect(existsSync(join(root, 'dist', 'esm', 'index.d.ts'))).toBe(true); // npm run build first
    // Inside the repository, so that 'corsguard', express and @nestjs resolve as in an application.
    const dir = join(root, '.build', 'doc-blocks');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ambient.d.ts'), AMBIENT);
    const names = typescript.map((block, i) => {
      const name = `block${String(i).padStart(2, '0')}.ts`;
      writeFileSync(join(dir, name), `${block.code}\nexport {};\n`);
      return name;
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          noEmit: true,
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          types: ['node'],
          skipLibCheck: true,
          // A Next.js application resolves 'next/server' as a bundler does: next has no exports map,
          // so Node's ESM resolution would want 'next/server.js'.
          paths: { 'next/server': ['../../node_modules/next/server.d.ts'] },
        },
        files: ['ambient.d.ts', ...names],
      }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], {
      encoding: 'utf8',
    });
    // Each error named by the block's place in the documentation.
    const errors = `${result.stdout}${result.stderr}`
      .split('\n')
      .filter((line) => /error TS\d+/.test(line))
      .map((line) =>
        line.replace(/^.*block(\d+)\.ts\((\d+),\d+\)/, (_m, n: string, at: string) => {
          const block = typescript[Number(n)]!;
          const [file, start] = block.where.split(':') as [string, string];
          return `${file}:${String(Number(start) + Number(at))}`;
        }),
      );
    expect(errors).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
