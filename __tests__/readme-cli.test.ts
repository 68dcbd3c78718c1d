// The guide "From the terminal" (docs/terminal.md): each `$ npx corsguard check|scan` example is run
// against the servers the guide describes (on free ports, shown as 4000, 4001 and 4002), and what it
// prints must be what the guide shows under it.
import express from 'express';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Started, cli, cors, corsPackage, startExpress } from './helpers/cli.js';

const GUIDE = join(__dirname, '..', 'docs', 'terminal.md');

/** `$ npx corsguard ...` lines of the section, each with the lines printed under it. */
function examples(): { argv: string[]; printed: string }[] {
  const section = readFileSync(GUIDE, 'utf8');
  const out: { argv: string[]; printed: string }[] = [];
  for (const block of section
    .split('```text\n')
    .slice(1)
    .map((b) => b.split('\n```')[0]!)) {
    const lines = block.split('\n');
    lines.forEach((line, i) => {
      const command = /^\$ npx corsguard (.*)$/.exec(line)?.[1];
      if (command === undefined || !/localhost:400[012]\//.test(command)) return;
      const next = lines.findIndex((l, j) => j > i && l.startsWith('$ '));
      const argv = [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
      out.push({ argv, printed: lines.slice(i + 1, next < 0 ? undefined : next).join('\n') });
    });
  }
  return out;
}

let api: Started;
let legacy: Started;
let perRoute: Started;

beforeAll(async () => {
  api = await startExpress((app) => {
    app.use(
      '/api',
      cors({
        origin: ['https://app.example.com'],
        credentials: true,
        methods: ['GET', 'POST', 'PUT'],
        allowedHeaders: ['Content-Type', 'Authorization'],
        maxAge: 600,
      }),
    );
  });
  legacy = await startExpress((app) => {
    app.use(corsPackage({ origin: /^https:\/\/app.example.com/, credentials: true }));
  });
  // The most common per-route mistake: cors() on the POST route only, no app.options. Served as
  // the application is (no catch-all answer), so Express answers the preflight itself.
  const app = express();
  app.post('/api/orders', cors(), (_req, res) => {
    res.status(201).json({});
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  perRoute = {
    url: `http://localhost:${String((server.address() as AddressInfo).port)}`,
    seen: [],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
});

afterAll(async () => {
  await api.close();
  await legacy.close();
  await perRoute.close();
});

describe('the README section on corsguard check and corsguard scan', () => {
  it('has examples of both commands', () => {
    const commands = examples().map((e) => e.argv[0]);
    expect(commands).toContain('check');
    expect(commands).toContain('scan');
  });

  it.each(examples())('shows what `corsguard $argv` prints', async ({ argv, printed }) => {
    const port = (url: string): string => url.slice(url.lastIndexOf(':') + 1);
    const real = argv.map((a) =>
      a
        .replace('localhost:4000', `localhost:${port(api.url)}`)
        .replace('localhost:4001', `localhost:${port(legacy.url)}`)
        .replace('localhost:4002', `localhost:${port(perRoute.url)}`),
    );
    const ran = await cli(...real);
    const shown = `${ran.stdout}${ran.stderr}`
      .replaceAll(`localhost:${port(api.url)}`, 'localhost:4000')
      .replaceAll(`localhost:${port(legacy.url)}`, 'localhost:4001')
      .replaceAll(`localhost:${port(perRoute.url)}`, 'localhost:4002')
      .replace(/\n$/, '');
    expect(shown).toBe(printed.replace(/\n\$ echo \$\?\n\d$/, ''));
  });
});
