// corsguard/fetch loads where there is no Node (workerd without nodejs_compat): the core imports no
// Node module, and the front takes the diagnostics channel, NODE_DEBUG and process warnings from
// process.getBuiltinModule where the runtime has it. Each case loads the Fetch front alone, in a
// fresh module registry, as a Worker or Deno would.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type * as Fetch from '../lib/fetch/index.js';

const A = 'https://app.example.com';
const API = 'http://api.example.test';

interface Proc {
  getBuiltinModule?: unknown;
  env: Record<string, string | undefined>;
}
const proc = process as unknown as Proc;

/** The Fetch front loaded alone, with `getBuiltinModule` as given while it loads. */
function loadFetchFront(getBuiltinModule: unknown): typeof Fetch {
  const own = Object.getOwnPropertyDescriptor(process, 'getBuiltinModule');
  Object.defineProperty(process, 'getBuiltinModule', {
    value: getBuiltinModule,
    configurable: true,
    writable: true,
  });
  let loaded: typeof Fetch | undefined;
  try {
    jest.isolateModules(() => {
      loaded = jest.requireActual<typeof Fetch>('../lib/fetch/index.js');
    });
  } finally {
    if (own === undefined) delete proc.getBuiltinModule;
    else Object.defineProperty(process, 'getBuiltinModule', own);
  }
  return loaded!;
}

const request = (origin: string) =>
  new Request(`${API}/things?x=1`, { headers: { Origin: origin } });
const ok = () => new Response('ok');

describe('the Fetch front on its own', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('publishes decisions on the corsguard:decision channel, with the request as Node would describe it', async () => {
    const { cors } = loadFetchFront(proc.getBuiltinModule);
    const seen: unknown[] = [];
    const listener = (message: unknown) => seen.push(message);
    subscribe('corsguard:decision', listener);
    try {
      await cors({ origin: [A] })(request('https://evil.example.net'), ok);
    } finally {
      unsubscribe('corsguard:decision', listener);
    }
    expect(seen).toEqual([
      {
        decision: expect.objectContaining({ allowed: false, reason: 'origin-not-allowed' }),
        req: {
          method: 'GET',
          url: '/things?x=1',
          headers: { origin: 'https://evil.example.net' },
        },
      },
    ]);
  });

  it('emits configuration warnings as process warnings', () => {
    const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const { cors } = loadFetchFront(proc.getBuiltinModule);
    cors({ origin: true, credentials: true });
    expect(emitted).toHaveBeenCalledWith(expect.stringContaining('origin: true with credentials'), {
      type: 'CorsguardWarning',
      code: 'CORSGUARD_REFLECT_ANY_WITH_CREDENTIALS',
    });
  });

  it('writes NODE_DEBUG lines only when NODE_DEBUG is set, though debuglog says on (as workerd’s does)', async () => {
    const lines: string[] = [];
    const debuglog = () =>
      Object.assign(
        (format: string, ...args: unknown[]) => lines.push(`${format} ${String(args)}`),
        {
          enabled: true,
        },
      );
    const fake = (id: string) =>
      id === 'node:util'
        ? { debuglog }
        : id === 'node:diagnostics_channel'
          ? { channel: () => ({ hasSubscribers: false, publish: () => undefined }) }
          : undefined;
    const saved = proc.env.NODE_DEBUG;
    try {
      delete proc.env.NODE_DEBUG;
      await loadFetchFront(fake).cors({ origin: [A] })(request('https://evil.example.net'), ok);
      expect(lines).toEqual([]);
      proc.env.NODE_DEBUG = 'corsguard';
      const guard = loadFetchFront(fake).cors({ origin: [A] });
      await guard(request('https://evil.example.net'), ok);
      // A terminal escape in the request's Origin reaches the line escaped.
      await guard(request('https://evil\x1b[2J.example.net'), ok);
      expect(lines).toEqual([
        expect.stringContaining('refused actual GET /things?x=1 from https://evil.example.net'),
        expect.stringContaining('from https://evil\\x1b[2J.example.net'),
      ]);
      expect(lines.join('')).not.toContain('\x1b');
    } finally {
      if (saved === undefined) delete proc.env.NODE_DEBUG;
      else proc.env.NODE_DEBUG = saved;
    }
  });

  it.each([
    ['no process.getBuiltinModule (Node before 20.16)', undefined],
    ['a getBuiltinModule without the modules', () => undefined],
  ])(
    'with %s: still guards, publishes nothing, and warns on the console',
    async (_label, getBuiltinModule) => {
      const warned = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      const emitted = jest.spyOn(process, 'emitWarning');
      const { cors } = loadFetchFront(getBuiltinModule);
      const seen: unknown[] = [];
      const listener = (message: unknown) => seen.push(message);
      subscribe('corsguard:decision', listener);
      try {
        const guard = cors({ origin: true, credentials: true });
        const res = await guard(request(A), ok);
        expect(res.headers.get('access-control-allow-origin')).toBe(A);
        const decisions: unknown[] = [];
        await cors({ origin: [A], onDecision: (d) => decisions.push(d) })(
          request('https://evil.example.net'),
          ok,
        );
        expect(decisions).toEqual([expect.objectContaining({ reason: 'origin-not-allowed' })]);
      } finally {
        unsubscribe('corsguard:decision', listener);
      }
      expect(seen).toEqual([]);
      expect(emitted).not.toHaveBeenCalled();
      expect(warned).toHaveBeenCalledWith(expect.stringContaining('origin: true with credentials'));
    },
  );
});
