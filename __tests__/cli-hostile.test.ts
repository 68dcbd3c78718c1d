// Issue 21: `corsguard check` and `corsguard scan` against servers that fight back, as the built bin
// (dist/esm/cli/main.js) run in a child process with a hard time limit: terminal escapes in the
// status text and header values, 101 Switching Protocols, header bytes trickled, 103 answers sent for
// ever, an endless body, a closed socket, bytes that are not HTTP; Authorization on a redirect to
// another origin; and the Express apps users write (per-route cors() without app.options).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import express4 from 'express4';
import { APP, type Started, cli, cors, startExpress, startHttps } from './helpers/cli.js';

const BIN = join(__dirname, '..', 'dist', 'esm', 'cli', 'main.js');
/** Control characters that must never reach a terminal raw: C0 but tab and line feed, DEL, C1. */
// eslint-disable-next-line no-control-regex -- the characters under test
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs the bin; kills it (and fails the test) if it is still running after `limit` ms. run() is
 * called in-process first, which must end with the same status (and counts for coverage).
 */
async function bin(args: string[], limit = 8000): Promise<Ran> {
  const inProcess = await cli(...args);
  const ran = await child(args, limit);
  expect({ args, inProcess: inProcess.status }).toEqual({ args, inProcess: ran.status });
  return ran;
}

function child(args: string[], limit: number): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`corsguard ${args.join(' ')} still ran after ${limit} ms`));
    }, limit);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A raw TCP server: `mode` writes whatever it wants; every connection is counted. */
async function hostile(
  mode: (socket: net.Socket, head: string) => void,
): Promise<Started & { peak: () => number; open: () => number }> {
  let open = 0;
  let peak = 0;
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    open++;
    peak = Math.max(peak, open);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      open--;
      sockets.delete(socket);
    });
    // Answer once the request head has arrived.
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      if (head.includes('\r\n\r\n')) return;
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) mode(Object.assign(socket, { timers }), head);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/`,
    seen: [],
    peak: () => peak,
    open: () => open,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

/** Repeats `write` on the socket every `ms` until it closes. */
function every(socket: net.Socket, ms: number, write: () => void): void {
  const timers = (socket as net.Socket & { timers: Set<NodeJS.Timeout> }).timers;
  const timer = setInterval(() => {
    if (socket.destroyed) clearInterval(timer);
    else write();
  }, ms);
  timers.add(timer);
}

const ESCAPES = 'HTTP/1.1 200 \x1b[2K\x1b[32mverdict: ALLOWED\x1b[0m\x1b]0;pwned\x07\r\n';
const C1_VALUE = 'https://app.example.com\x9b2K\x9d52;c;cHduZWQ=\x9c';

beforeAll(() => {
  expect(existsSync(BIN)).toBe(true); // npm run build first
});

describe('everything from the network is made printable', () => {
  let server: Started;
  beforeAll(async () => {
    server = await hostile((socket, head) => {
      // The probes of scan get their Origin reflected (a finding, so the answer is printed);
      // check's page origin gets a value with C1 bytes.
      const origin = /\r\norigin: ([^\r]*)/i.exec(head)?.[1] ?? '';
      const allow = origin === APP ? C1_VALUE : origin;
      socket.end(
        Buffer.from(
          `${ESCAPES}Access-Control-Allow-Origin: ${allow}\r\nAccess-Control-Allow-Headers: x-\x9b2K\r\nX-Other: \x85\x9f\r\nContent-Length: 0\r\n\r\n`,
          'latin1',
        ),
      );
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it.each([[[]], [['--json']]])('check %p writes no raw control character', async (extra) => {
    const ran = await bin(['check', server.url, '--origin', APP, ...extra]);
    expect(ran.status).toBe(1); // the value is no origin: blocked, whatever the status text says
    expect(ran.stdout).not.toMatch(RAW_CONTROL);
    expect(ran.stderr).not.toMatch(RAW_CONTROL);
    expect(ran.stdout).toContain(extra.length === 0 ? '\\x1b[32mverdict: ALLOWED' : '\\u001b[32m');
    expect(ran.stdout).toContain('\\u009b2K');
    if (extra.length > 0) expect(JSON.parse(ran.stdout)).toMatchObject({ verdict: 'blocked' });
  });

  it.each([[[]], [['--json']]])('scan %p writes no raw control character', async (extra) => {
    const ran = await bin(['scan', server.url, ...extra]);
    expect(ran.status).toBe(1); // any origin reflected
    expect(ran.stdout).not.toMatch(RAW_CONTROL);
    expect(ran.stderr).not.toMatch(RAW_CONTROL);
    expect(ran.stdout).toContain('x-\\u009b2K');
  });
});

describe('an exchange that ends without a verdict exits 2, with one line saying what happened', () => {
  const MODES: [string, (socket: net.Socket) => void, RegExp][] = [
    [
      '101 Switching Protocols',
      (socket) => {
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
        );
      },
      /switched protocols \(101 Switching Protocols\)/,
    ],
    [
      'a socket closed without a response',
      (socket) => socket.destroy(),
      /socket hang up|closed without a response/,
    ],
    [
      'bytes that are not HTTP',
      (socket) => socket.end('NOT HTTP AT ALL\r\n\r\n'),
      /HPE_|Parse Error/,
    ],
  ];

  it.each(MODES)('%s: check and scan, --json included', async (_what, mode, says) => {
    const server = await hostile(mode);
    try {
      for (const args of [
        ['check', server.url, '--origin', APP],
        ['check', server.url, '--origin', APP, '--json'],
        ['scan', server.url],
        ['scan', server.url, '--json'],
      ]) {
        const ran = await bin([...args, '--timeout', '2000']);
        expect({ args, status: ran.status }).toEqual({ args, status: 2 });
        expect(ran.stderr).toMatch(says);
        if (args.includes('--json')) {
          expect(JSON.parse(ran.stdout)).toEqual({
            error: { kind: 'network', message: expect.stringMatching(says) as unknown },
          });
        } else expect(ran.stdout).toBe('');
      }
    } finally {
      await server.close();
    }
  });
});

describe('--timeout is a deadline, not an idle timer', () => {
  it.each<[string, (socket: net.Socket) => void]>([
    [
      'header bytes trickled one at a time',
      (socket) => {
        const head = 'HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://app.example.com\r\n';
        let i = 0;
        every(socket, 100, () => socket.write(head[i++ % head.length]!));
      },
    ],
    [
      '103 Early Hints every 300 ms',
      (socket) => {
        every(socket, 300, () =>
          socket.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n'),
        );
      },
    ],
  ])('%s: check --timeout 1500 ends within it, exit 2', async (_what, mode) => {
    const server = await hostile(mode);
    try {
      const ran = await bin(['check', server.url, '--origin', APP, '--timeout', '1500'], 6000);
      expect(ran.status).toBe(2);
      expect(ran.stderr).toMatch(/no complete response head within|more than 10 informational/);
      expect(ran.ms).toBeLessThan(4000);
      const scanned = await bin(['scan', server.url, '--timeout', '500'], 6000);
      expect(scanned.status).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('an endless body after complete headers: the verdict is printed, the process ends and every socket is closed', async () => {
    const server = await hostile((socket) => {
      socket.write(
        'HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://app.example.com\r\nVary: Origin\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
      every(socket, 20, () => socket.write('10\r\n0123456789abcdef\r\n'));
    });
    try {
      const ran = await bin(['check', server.url, '--origin', APP], 6000);
      expect(ran.status).toBe(0);
      expect(ran.stdout).toContain('verdict: ALLOWED');
      expect(ran.ms).toBeLessThan(4000);
      const scanned = await bin(['scan', server.url, '--origin', APP], 10000);
      expect(scanned.status).not.toBe(2);
      await until(() => server.open() === 0, 1000);
    } finally {
      await server.close();
    }
  });

  it('a flood of 103 answers ends the exchange after ten', async () => {
    const server = await hostile((socket) => {
      every(socket, 5, () => socket.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n'));
    });
    try {
      const ran = await bin(['check', server.url, '--origin', APP, '--timeout', '5000'], 6000);
      expect(ran.status).toBe(2);
      expect(ran.stderr).toContain('more than 10 informational answers (the last 103)');
    } finally {
      await server.close();
    }
  });

  it('scan keeps one request in flight: a slow server never sees two waiting at once', async () => {
    let waiting = 0;
    let most = 0;
    const server = await hostile((socket) => {
      most = Math.max(most, ++waiting);
      setTimeout(() => {
        waiting--;
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      }, 30);
    });
    try {
      const scanned = await bin(['scan', server.url, '--origin', APP], 10000);
      expect(scanned.status).not.toBe(2);
      expect(most).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('a request the run has no time left for is not sent', async () => {
    const { send } = await import('../lib/cli/http.js');
    await expect(
      send(
        { method: 'GET', url: 'http://127.0.0.1:9/', headers: [] },
        { timeout: 1000, insecure: false, deadline: Date.now() - 1 },
      ),
    ).rejects.toThrow("not sent, the run's --timeout has passed");
  });
});

/** Waits until `done()` holds, failing after `ms`. */
async function until(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`not within ${String(ms)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('redirects follow the Fetch Standard’s header rules', () => {
  let target: Started;
  const received: (string | undefined)[] = [];
  beforeAll(async () => {
    target = await startExpress((app) => {
      app.use(cors({ origin: [APP], allowedHeaders: ['Authorization'] }));
      app.use((req, res) => {
        received.push(req.headers.authorization);
        res.end('ok');
      });
    });
  });
  afterAll(async () => {
    await target.close();
  });

  it('drops Authorization on a 307 to another origin, and says so', async () => {
    const redirector = await startExpress((app) => {
      app.use(cors({ origin: [APP], allowedHeaders: ['Authorization'] }));
      app.get('/go', (_req, res) => {
        res.redirect(307, `${target.url}/there`);
      });
      app.get('/here', (req, res) => {
        received.push(`same-origin:${String(req.headers.authorization)}`);
        res.end('ok');
      });
      app.get('/stay', (_req, res) => {
        res.redirect(307, '/here');
      });
    });
    try {
      received.length = 0;
      const ran = await bin([
        'check',
        `${redirector.url}/go`,
        '--origin',
        APP,
        '-H',
        'Authorization: Bearer secret',
      ]);
      expect(received).toEqual([undefined, undefined]); // in-process, then the bin
      expect(ran.stdout).toContain(
        'crosses origins, so the browser drops the Authorization header',
      );
      // A redirect within one origin keeps it.
      received.length = 0;
      await bin([
        'check',
        `${redirector.url}/stay`,
        '--origin',
        APP,
        '-H',
        'Authorization: Bearer secret',
      ]);
      expect(received).toEqual(['same-origin:Bearer secret', 'same-origin:Bearer secret']);
    } finally {
      await redirector.close();
    }
  });
});

describe('Local Network Access', () => {
  it.each<[string, string, string | undefined]>([
    ['https://app.example.com', 'http://127.0.0.1:4000/', "targetAddressSpace: 'loopback'"],
    ['https://app.example.com', 'http://localhost:4000/', "targetAddressSpace: 'loopback'"],
    ['https://app.example.com', 'http://10.1.2.3/', "targetAddressSpace: 'local'"],
    ['https://app.example.com', 'http://192.168.1.5:8080/', "targetAddressSpace: 'local'"],
    ['https://app.example.com', 'http://[fd00::1]/', "targetAddressSpace: 'local'"],
    ['null', 'http://172.16.0.1/', "targetAddressSpace: 'local'"],
    ['http://localhost:5173', 'http://127.0.0.1:4000/', undefined],
    ['http://192.168.1.4:3000', 'http://10.0.0.2/', undefined],
    ['https://app.example.com', 'https://api.example.com/', undefined],
    ['https://app.example.com', 'http://172.32.0.1/', undefined],
  ])('a page on %s fetching %s', async (page, url, says) => {
    const { localNetworkNote } = await import('../lib/cli/check.js');
    const note = localNetworkNote(page, url);
    if (says === undefined) expect(note).toBeUndefined();
    else expect(note).toContain(says);
  });

  it('check says nothing of it between two local origins', async () => {
    const server = await startExpress((app) => {
      app.use(cors({ origin: ['http://localhost:5173'] }));
    });
    try {
      const ran = await bin(['check', `${server.url}/`, '--origin', 'http://localhost:5173']);
      expect(ran.status).toBe(0);
      expect(ran.stdout).not.toContain('Local Network Access');
    } finally {
      await server.close();
    }
  });
});

describe('a redirect through the page’s own origin', () => {
  it('is followed from the page’s own origin to another one', async () => {
    // X (another origin) -> Y (the page's own origin) -> X: the hop from Y leaves the page's origin.
    const back = { url: '' };
    const y = await startExpress((app) => {
      app.use(cors({ origin: true }));
      app.get('/hop', (_req, res) => {
        res.redirect(307, `${back.url}/final`);
      });
    });
    const x = await startExpress((app) => {
      app.use(cors({ origin: true }));
      app.get('/start', (_req, res) => {
        res.redirect(307, `${y.url}/hop`);
      });
    });
    back.url = x.url;
    try {
      const ran = await bin(['check', `${x.url}/start`, '--origin', y.url]);
      expect(ran.status).toBe(0);
      // A redirect to another origin makes the request's origin opaque from then on.
      expect(ran.stdout).toContain('> Origin: null');
    } finally {
      await x.close();
      await y.close();
    }
  });
});

describe('a redirect from https: to http:', () => {
  it('is reported as a downgrade', async () => {
    const plain = await startExpress((app) => {
      app.use(cors({ origin: [APP] }));
    });
    const tls = await startHttps((_req, res) => {
      res.statusCode = 307;
      res.setHeader('Location', `${plain.url}/there`);
      res.setHeader('Access-Control-Allow-Origin', APP);
      res.end();
    });
    try {
      const ran = await bin(['check', `${tls.url}/`, '--origin', APP, '--insecure']);
      expect(ran.stdout).toContain('the redirect leaves https: for http:');
    } finally {
      await tls.close();
      await plain.close();
    }
  });
});

describe('who answered the preflight: the Express apps users write', () => {
  /** Serves a user's application as it is (no catch-all answer added). */
  async function serve(
    app: http.RequestListener,
  ): Promise<{ url: string; close: () => Promise<void> }> {
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) =>
          server.close(() => {
            resolve();
          }),
        );
      },
    };
  }
  const postJson = (url: string) => [
    'check',
    `${url}/x`,
    '--origin',
    APP,
    '--method',
    'POST',
    '-H',
    'Content-Type: application/json',
  ];
  const STACKS: [string, () => http.RequestListener, () => http.RequestListener][] = [
    [
      'Express 5',
      () => {
        const app = express();
        app.post('/x', cors(), (_req, res) => res.json({ ok: true }));
        return app;
      },
      () => {
        const app = express();
        app.options('/{*splat}', cors());
        app.post('/x', cors(), (_req, res) => res.json({ ok: true }));
        return app;
      },
    ],
    [
      'Express 4',
      () => {
        const app = express4();
        app.post('/x', cors(), (_req, res) => res.json({ ok: true }));
        return app;
      },
      () => {
        const app = express4();
        app.options('*', cors());
        app.post('/x', cors(), (_req, res) => res.json({ ok: true }));
        return app;
      },
    ],
  ];

  it.each(STACKS)(
    '%s, per-route cors() only: check names the application as the one that answered, with its Allow',
    async (_stack, perRoute) => {
      const server = await serve(perRoute());
      try {
        const ran = await bin(postJson(server.url));
        expect(ran.status).toBe(1);
        expect(ran.stdout).toMatch(/< Allow: POST/);
        expect(ran.stdout).toContain(
          'no CORS middleware answered this preflight: the application did (200 with Allow: POST',
        );
        expect(ran.stdout).toContain('add app.options(path, cors(...)) beside the route');
        expect(ran.stdout).not.toContain("add the page's origin");
      } finally {
        await server.close();
      }
    },
  );

  it.each(STACKS)(
    '%s, with app.options for every path: allowed',
    async (_stack, _perRoute, fixed) => {
      const server = await serve(fixed());
      try {
        const ran = await bin(postJson(server.url));
        expect(ran.status).toBe(0);
        expect(ran.stdout).toContain('verdict: ALLOWED');
      } finally {
        await server.close();
      }
    },
  );

  it('a refusal by corsguard is told apart: its answer varies on Origin', async () => {
    const app = express();
    app.use(cors({ origin: ['https://other.example'] }));
    const server = await serve(app);
    try {
      const ran = await bin(postJson(server.url));
      expect(ran.status).toBe(1);
      expect(ran.stdout).toContain('a CORS middleware ran and refused this origin');
      expect(ran.stdout).toContain('NODE_DEBUG=corsguard');
    } finally {
      await server.close();
    }
  });
});

describe('usage errors say what was meant', () => {
  it.each<[string[], string]>([
    [
      ['check', 'http://127.0.0.1:9/', '--origin', 'localhost:3000'],
      'did you mean http://localhost:3000?',
    ],
    [
      ['check', 'http://127.0.0.1:9/', '--origin', 'app.example.com'],
      'did you mean https://app.example.com?',
    ],
    [
      ['check', 'http://127.0.0.1:9/', '--origin', 'https://App.example.com/'],
      'did you mean https://app.example.com?',
    ],
    [
      ['check', 'http://127.0.0.1:9/', '--origin', APP, '--methd', 'PUT'],
      'unknown option --methd; did you mean --method?',
    ],
    [['scan', 'http://127.0.0.1:9/', '--jsn'], 'unknown option --jsn; did you mean --json?'],
    [
      ['check', 'http://127.0.0.1:9/', '--origin', 'https://'],
      'is not an origin as browsers send it',
    ],
    [['check', 'http://127.0.0.1:9/', '--origin', 'a..b'], 'or null)\n'],
    [
      ['check', 'http://127.0.0.1:9/', '--origin', APP, '--zzzzzz'],
      'unknown option --zzzzzz (corsguard',
    ],
  ])('%p', async (args, says) => {
    const ran = await bin(args);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toContain(says);
  });
});

describe('scan against origin: true', () => {
  it('does not tell the user to remove a null nobody listed', async () => {
    const server = await startExpress((app) => {
      app.use(cors({ origin: true, credentials: true }));
    });
    try {
      const ran = await bin(['scan', `${server.url}/`]);
      expect(ran.stdout).toContain('null-origin-trusted');
      expect(ran.stdout).not.toContain("remove 'null' from the allowed origins");
      expect(ran.stdout).toContain('the server reflects any origin, null included');
    } finally {
      await server.close();
    }
  });
});
