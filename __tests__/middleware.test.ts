import { cors, CorsConfigError, CorsFunctionError, type CorsOptions } from '../lib/index.js';
import { run, settle } from './helpers/mock.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';
const preflightOf = (origin: string, extra: Record<string, string> = {}) => ({
  method: 'OPTIONS',
  headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', ...extra },
});
const accessControl = (headers: Record<string, string>) =>
  Object.keys(headers).filter((h) => h.startsWith('access-control-'));

describe('credentials', () => {
  const mw = cors({ origin: [APP], credentials: true, exposedHeaders: 'X-Id' });

  it('sends Access-Control-Allow-Credentials to an allowed origin on actual requests and preflights', async () => {
    expect(
      (await run(mw, { headers: { Origin: APP } })).headers['access-control-allow-credentials'],
    ).toBe('true');
    expect((await run(mw, preflightOf(APP))).headers['access-control-allow-credentials']).toBe(
      'true',
    );
  });

  it('sends no Access-Control-* header at all to a refused origin', async () => {
    expect(accessControl((await run(mw, { headers: { Origin: EVIL } })).headers)).toEqual([]);
    expect(accessControl((await run(mw, preflightOf(EVIL))).headers)).toEqual([]);
  });
});

describe('exposedHeaders', () => {
  it('is sent on actual responses only, never on preflights', async () => {
    const mw = cors({ origin: APP, exposedHeaders: ['X-Id', 'X-Total-Count'] });
    expect(
      (await run(mw, { headers: { Origin: APP } })).headers['access-control-expose-headers'],
    ).toBe('X-Id,X-Total-Count');
    expect(
      (await run(mw, preflightOf(APP))).headers['access-control-expose-headers'],
    ).toBeUndefined();
  });

  it('is left out when the list is empty', async () => {
    const out = await run(cors({ exposedHeaders: [] }), { headers: { Origin: APP } });
    expect(out.headers['access-control-expose-headers']).toBeUndefined();
  });
});

describe('maxAge', () => {
  it.each([
    [600, '600'],
    [0, '0'],
  ])('maxAge %p is sent as %p on preflights only', async (maxAge, header) => {
    const mw = cors({ maxAge });
    expect((await run(mw, preflightOf(APP))).headers['access-control-max-age']).toBe(header);
    expect(
      (await run(mw, { headers: { Origin: APP } })).headers['access-control-max-age'],
    ).toBeUndefined();
  });
});

describe('preflight answer', () => {
  it('is a 204 without Content-Length by default', async () => {
    const out = await run(cors(), preflightOf(APP));
    expect(out.via).toBe('end');
    expect(out.status).toBe(204);
    expect(out.headers['content-length']).toBeUndefined();
  });

  it('uses optionsSuccessStatus, with Content-Length: 0 when the status allows a body', async () => {
    const out = await run(cors({ optionsSuccessStatus: 200 }), preflightOf(APP));
    expect(out.status).toBe(200);
    expect(out.headers['content-length']).toBe('0');
  });

  it('passes the preflight on to the next handler, headers set, with preflightContinue', async () => {
    const out = await run(cors({ origin: [APP], preflightContinue: true }), preflightOf(APP));
    expect(out.via).toBe('next');
    expect(out.err).toBeUndefined();
    expect(out.headers['access-control-allow-origin']).toBe(APP);
    expect(out.headers['access-control-allow-methods']).toBe('GET,HEAD,PUT,PATCH,POST,DELETE');
  });

  it('passes a refused preflight on too with preflightContinue, without Access-Control-* headers', async () => {
    const out = await run(cors({ origin: [APP], preflightContinue: true }), preflightOf(EVIL));
    expect(out.via).toBe('next');
    expect(accessControl(out.headers)).toEqual([]);
    expect(out.headers.vary).toBe('Origin');
  });

  it('is only for OPTIONS in upper case, as methods are case-sensitive', async () => {
    const out = await run(cors(), {
      method: 'options',
      headers: { Origin: APP, 'Access-Control-Request-Method': 'PUT' },
    });
    expect(out.via).toBe('next');
  });
});

describe('methods', () => {
  it.each<[CorsOptions['methods'], string | undefined]>([
    ['get, post , patch', 'GET,POST,patch'],
    [['PUT', 'put', 'Delete'], 'PUT,DELETE'],
    ['PURGE', 'PURGE'],
    ['*', '*'],
    [[], undefined],
    ['', undefined],
  ])('methods %p gives Access-Control-Allow-Methods %p', async (methods, header) => {
    const out = await run(cors({ methods }), preflightOf(APP));
    expect(out.headers['access-control-allow-methods']).toBe(header);
  });
});

describe('allowedHeaders', () => {
  it.each<[CorsOptions, string | undefined]>([
    [{ allowedHeaders: 'Content-Type, Authorization' }, 'Content-Type,Authorization'],
    [{ allowedHeaders: ['X-A', 'x-a', 'X-B'] }, 'X-A,X-B'],
    [{ headers: ['X-Legacy-Alias'] }, 'X-Legacy-Alias'],
    [{ allowedHeaders: [] }, undefined],
    [{ allowedHeaders: '*' }, '*'],
  ])(
    '%p gives Access-Control-Allow-Headers %p and no Vary on the request headers',
    async (options, header) => {
      const out = await run(
        cors(options),
        preflightOf(APP, { 'Access-Control-Request-Headers': 'x-other' }),
      );
      expect(out.headers['access-control-allow-headers']).toBe(header);
      expect(out.headers.vary).toBeUndefined();
    },
  );

  describe('when absent (reflection)', () => {
    const mw = cors({ origin: [APP] });

    it.each(['content-type,x-trace', 'Content-Type, X-Trace', 'x-a,\tx-b', 'x-a,,x-b'])(
      'reflects the well-formed list %p as it came',
      async (list) => {
        const out = await run(mw, preflightOf(APP, { 'Access-Control-Request-Headers': list }));
        expect(out.headers['access-control-allow-headers']).toBe(list);
        expect(out.headers.vary).toBe('Origin, Access-Control-Request-Headers');
      },
    );

    it.each(['x-a b', 'x-"a"', 'x-a;x-b', 'x-(a)', 'x-a/x-b', 'x-é'])(
      'reflects nothing for the malformed list %p but still answers the origin',
      async (list) => {
        const out = await run(mw, preflightOf(APP, { 'Access-Control-Request-Headers': list }));
        expect(out.headers['access-control-allow-headers']).toBeUndefined();
        expect(out.headers['access-control-allow-origin']).toBe(APP);
      },
    );

    it('reflects nothing when no request headers are asked for', async () => {
      const none = await run(mw, preflightOf(APP));
      const empty = await run(mw, preflightOf(APP, { 'Access-Control-Request-Headers': '' }));
      expect(none.headers['access-control-allow-headers']).toBeUndefined();
      expect(empty.headers['access-control-allow-headers']).toBeUndefined();
    });

    it('reflects nothing past 100 names', async () => {
      const names = (n: number) => Array.from({ length: n }, (_, i) => `x-${String(i)}`).join(',');
      const ok = await run(mw, preflightOf(APP, { 'Access-Control-Request-Headers': names(100) }));
      const tooMany = await run(
        mw,
        preflightOf(APP, { 'Access-Control-Request-Headers': names(101) }),
      );
      expect(ok.headers['access-control-allow-headers']).toBe(names(100));
      expect(tooMany.headers['access-control-allow-headers']).toBeUndefined();
    });
  });
});

describe('privateNetworkAccess', () => {
  const ask = { 'Access-Control-Request-Private-Network': 'true' };

  it('answers an allowed preflight that asks for it', async () => {
    const out = await run(
      cors({ origin: [APP], privateNetworkAccess: true }),
      preflightOf(APP, ask),
    );
    expect(out.headers['access-control-allow-private-network']).toBe('true');
  });

  it.each<[string, CorsOptions, Record<string, string>, string]>([
    ['not enabled', { origin: [APP] }, ask, APP],
    ['not asked for', { origin: [APP], privateNetworkAccess: true }, {}, APP],
    [
      'asked with another value',
      { origin: [APP], privateNetworkAccess: true },
      { 'Access-Control-Request-Private-Network': 'false' },
      APP,
    ],
    ['from a refused origin', { origin: [APP], privateNetworkAccess: true }, ask, EVIL],
  ])('is never sent when %s', async (_when, options, extra, origin) => {
    const out = await run(cors(options), preflightOf(origin, extra));
    expect(out.headers['access-control-allow-private-network']).toBeUndefined();
  });

  it('is never sent on actual requests', async () => {
    const out = await run(cors({ privateNetworkAccess: true }), {
      headers: { Origin: APP, ...ask },
    });
    expect(out.headers['access-control-allow-private-network']).toBeUndefined();
  });
});

describe('Vary', () => {
  it('is appended to what an earlier middleware set, never overwritten', async () => {
    const out = await run(cors({ origin: [APP] }), { headers: { Origin: APP } }, (res) => {
      res.setHeader('Vary', 'Accept-Encoding');
    });
    expect(out.headers.vary).toBe('Accept-Encoding, Origin');
  });

  it('is left alone when it is already *', async () => {
    const out = await run(
      cors({ origin: [APP] }),
      preflightOf(APP, { 'Access-Control-Request-Headers': 'x-a' }),
      (res) => {
        res.setHeader('Vary', '*');
      },
    );
    expect(out.headers.vary).toBe('*');
  });

  it('is not taken from the request', async () => {
    const out = await run(cors({ origin: [APP] }), { headers: { Origin: APP, Vary: 'Cookie' } });
    expect(out.headers.vary).toBe('Origin');
  });
});

describe('when setting a header fails for another reason', () => {
  it('lets the error through instead of hiding it', () => {
    const broken = new Error('disk on fire');
    const res = {
      headersSent: false,
      getHeader: () => undefined,
      setHeader: () => {
        throw broken;
      },
    };
    const mw = cors({ origin: [APP] });
    expect(() => {
      mw({ method: 'GET', headers: { origin: APP } } as never, res as never, () => undefined);
    }).toThrow(broken);
  });
});

describe('when headers were already sent', () => {
  it.each<[string, CorsOptions]>([
    ['a static configuration', {}],
    ['a list', { origin: [APP] }],
    ['a function', { origin: (_origin) => true }],
  ])('with %s it sets nothing and calls next()', async (_name, options) => {
    const out = await run(cors(options), preflightOf(APP), (res) => {
      res.flushHeaders();
    });
    expect(out.via).toBe('next');
    expect(out.err).toBeUndefined();
    expect(out.headers).toEqual({});
  });

  it.each<[string, CorsOptions]>([
    ['a list', { origin: [APP] }],
    ['a function', { origin: (_origin) => true }],
  ])('with %s, a request without Origin sets nothing and calls next()', async (_name, options) => {
    const out = await run(cors(options), { method: 'GET' }, (res) => {
      res.flushHeaders();
    });
    expect(out.via).toBe('next');
    expect(out.err).toBeUndefined();
    expect(out.headers).toEqual({});
  });

  it('with a function that answers after the headers went out, it sets nothing', async () => {
    let flush: () => void = () => undefined;
    const mw = cors({
      origin: async () => {
        await settle();
        flush();
        return true;
      },
    });
    const out = await run(mw, { headers: { Origin: APP } }, (res) => {
      flush = () => {
        res.flushHeaders();
      };
    });
    expect(out.via).toBe('next');
    expect(out.headers).toEqual({});
  });
});

describe('a function origin', () => {
  it('is not called for a request without Origin', async () => {
    const origin = jest.fn(() => true);
    const out = await run(cors({ origin }), {});
    expect(origin).not.toHaveBeenCalled();
    expect(out.headers).toEqual({ vary: 'Origin' });
  });

  it.each([
    'https://APP.example.com',
    'https://a.example, https://b.example',
    'https://a.example/',
    'x'.repeat(5000),
  ])('is not called for the malformed origin %p, which is refused', async (bad) => {
    const origin = jest.fn(() => true);
    const out = await run(cors({ origin }), { headers: { Origin: bad } });
    expect(origin).not.toHaveBeenCalled();
    expect(accessControl(out.headers)).toEqual([]);
    expect(out.via).toBe('next');
  });

  it('is called once per request with the request origin', async () => {
    const origin = jest.fn((_o: string, cb: (e: unknown, v?: boolean) => void) => {
      cb(null, true);
    });
    await run(cors({ origin }), { headers: { Origin: APP } });
    expect(origin).toHaveBeenCalledTimes(1);
    expect(origin.mock.calls[0]![0]).toBe(APP);
  });

  it('also receives Origin: null, which it may accept knowingly', async () => {
    const out = await run(cors({ origin: (o) => o === 'null' }), { headers: { Origin: 'null' } });
    expect(out.headers['access-control-allow-origin']).toBe('null');
  });

  describe('failing', () => {
    const boom = new Error('database down');

    it.each<[string, CorsOptions['origin']]>([
      [
        'throws',
        () => {
          throw boom;
        },
      ],
      ['rejects', () => Promise.reject(boom)],
      [
        'calls back with an error',
        (_o, cb) => {
          cb(boom);
        },
      ],
      [
        'calls back with an error later',
        (_o, cb) => {
          setImmediate(() => {
            cb(boom);
          });
        },
      ],
    ])('passes the very error to next(err) when it %s', async (_how, origin) => {
      const out = await run(cors({ origin }), { headers: { Origin: APP } });
      expect(out.via).toBe('next');
      expect(out.err).toBe(boom);
      expect(out.headers).toEqual({});
    });

    it('passes an Error to next(err) when it rejects with undefined', async () => {
      const out = await run(
        cors({ origin: (_origin) => Promise.reject(undefined as unknown as Error) }),
        {
          headers: { Origin: APP },
        },
      );
      expect(out.err).toBeInstanceOf(Error);
      expect((out.err as Error).message).toMatch(/origin function/);
    });

    it('calls next exactly once when it calls back twice', async () => {
      const next = jest.fn();
      const mw = cors({
        origin: (_o, cb) => {
          cb(null, true);
          cb(new Error('second'));
        },
      });
      const res = { headersSent: false, getHeader: () => undefined, setHeader: () => undefined };
      mw({ method: 'GET', headers: { origin: APP } } as never, res as never, next);
      await settle();
      expect(next).toHaveBeenCalledTimes(1);
      expect(next).toHaveBeenCalledWith();
    });
  });

  describe('answering', () => {
    it.each<[string, unknown, string, string | undefined]>([
      ['true', true, APP, APP],
      ['false', false, APP, undefined],
      ['null', null, APP, undefined],
      ['undefined', undefined, APP, undefined],
      ['the same origin string', APP, APP, APP],
      ['another origin string', 'https://other.example', APP, undefined],
      ['a matching pattern', 'https://*.example.com', APP, APP],
      ['a RegExp', /^https:\/\/app\.example\.com$/, APP, APP],
      ['a list', ['https://x.example', APP], APP, APP],
      ['a list without it', ['https://x.example'], APP, undefined],
    ])('%s allows or refuses as the static forms do', async (_what, answer, origin, acao) => {
      // One declared parameter: the return value is the answer (undefined refuses).
      const out = await run(cors({ origin: (_origin: string) => answer as never }), {
        headers: { Origin: origin },
      });
      expect(out.err).toBeUndefined();
      expect(out.headers['access-control-allow-origin']).toBe(acao);
      expect(out.headers.vary).toBe('Origin');
    });

    it('gives the same answer to the same string or list answered again (compiled once)', async () => {
      const list = [APP];
      const mw = cors({ origin: (o) => (o.includes('list') ? list : APP) });
      for (let i = 0; i < 2; i++) {
        expect(
          (await run(mw, { headers: { Origin: APP } })).headers['access-control-allow-origin'],
        ).toBe(APP);
        expect(
          (await run(mw, { headers: { Origin: 'https://list.example' } })).headers[
            'access-control-allow-origin'
          ],
        ).toBeUndefined();
      }
    });

    it('"*" sends Access-Control-Allow-Origin: * (with Vary: Origin, as a function decided it)', async () => {
      const out = await run(cors({ origin: (_origin) => '*' }), { headers: { Origin: APP } });
      expect(out.headers['access-control-allow-origin']).toBe('*');
      expect(out.headers.vary).toBe('Origin');
    });

    it.each<[string, unknown, CorsOptions]>([
      ['"*" with credentials', '*', { credentials: true }],
      ['an invalid origin string', 'https://app.example.com/', {}],
      ['an unanchored RegExp', /example/, {}],
      ['an object', { origin: APP }, {}],
    ])('%s goes to next(err) as a CorsConfigError', async (_what, answer, options) => {
      const out = await run(cors({ ...options, origin: (_origin) => answer as never }), {
        headers: { Origin: APP },
      });
      expect(out.err).toBeInstanceOf(CorsConfigError);
      expect((out.err as CorsConfigError).issues[0]!.option).toMatch(
        /^origin.*answer of the origin function/,
      );
      expect(out.headers).toEqual({});
    });

    it.each([2, -1, 0.5, NaN])(
      'the number %p goes to next(err) as a CorsFunctionError naming it (only 1 and 0 answer)',
      async (answer) => {
        const out = await run(cors({ origin: (_origin) => answer as never }), {
          headers: { Origin: APP },
        });
        expect(out.err).toBeInstanceOf(CorsFunctionError);
        expect(out.err).toMatchObject({ code: 'CORS_ORIGIN_INVALID_ANSWER', status: 500 });
        expect((out.err as Error).message).toContain(`the number ${String(answer)}`);
        expect(out.headers).toEqual({});
      },
    );

    it.each([
      [1, APP],
      [0, undefined],
    ])('the Redis reply %p allows or refuses', async (answer, acao) => {
      const out = await run(
        cors({
          origin: (_origin, cb) => {
            cb(null, answer);
          },
        }),
        {
          headers: { Origin: APP },
        },
      );
      expect(out.err).toBeUndefined();
      expect(out.headers['access-control-allow-origin']).toBe(acao);
    });

    it('keeps reporting an invalid string answer on every request', async () => {
      const mw = cors({ origin: (_origin) => 'not an origin' });
      for (let i = 0; i < 2; i++) {
        expect((await run(mw, { headers: { Origin: APP } })).err).toBeInstanceOf(CorsConfigError);
      }
    });

    it('keeps at most 1000 compiled string answers', async () => {
      let n = 0;
      const mw = cors({ origin: (_origin) => `https://h${String(n++)}.example` });
      for (let i = 0; i < 1002; i++) await run(mw, { headers: { Origin: APP } });
      expect(n).toBe(1002);
      const out = await run(cors({ origin: (_origin) => APP }), { headers: { Origin: APP } });
      expect(out.headers['access-control-allow-origin']).toBe(APP);
    });
  });
});

describe('an options delegate', () => {
  it('gets the request and may answer by callback, return value or Promise', async () => {
    const seen: unknown[] = [];
    const byCallback = cors((req, cb) => {
      seen.push(req.headers.origin);
      cb(null, { origin: [APP] });
    });
    const byReturn = cors((_req) => ({ origin: [APP] }));
    const byPromise = cors(async () => {
      await settle();
      return { origin: [APP] };
    });
    for (const mw of [byCallback, byReturn, byPromise]) {
      expect(
        (await run(mw, { headers: { Origin: APP } })).headers['access-control-allow-origin'],
      ).toBe(APP);
    }
    expect(seen).toEqual([APP]);
  });

  it.each([null, undefined])('uses the defaults when it answers %p', async (answer) => {
    const out = await run(
      cors((_req, cb) => {
        cb(null, answer);
      }),
      { headers: { Origin: APP } },
    );
    expect(out.headers['access-control-allow-origin']).toBe('*');
  });

  it('passes its error to next(err)', async () => {
    const boom = new Error('no tenant');
    const out = await run(
      cors((_req, cb) => {
        cb(boom);
      }),
      { headers: { Origin: APP } },
    );
    expect(out.err).toBe(boom);
  });

  it('validates what it answers, sending a CorsConfigError to next(err)', async () => {
    const out = await run(
      cors((_req) => ({ origin: '*', credentials: true })),
      { headers: { Origin: APP } },
    );
    expect(out.err).toBeInstanceOf(CorsConfigError);
    expect((out.err as CorsConfigError).status).toBe(500);
    expect(out.headers).toEqual({});
  });

  it('refuses an answer that is not an options object', async () => {
    const out = await run(
      cors((_req) => 'https://app.example.com'),
      { headers: { Origin: APP } },
    );
    expect(out.err).toBeInstanceOf(CorsConfigError);
  });

  it('may turn CORS off for one request', async () => {
    const mw = cors((req) => ({ origin: req.headers.origin === APP ? [APP] : false }));
    expect((await run(mw, preflightOf(APP))).via).toBe('end');
    const off = await run(mw, preflightOf(EVIL));
    expect(off.via).toBe('next');
    // No CORS header; Vary: Origin, since the delegate answered for this origin.
    expect(off.headers).toEqual({ vary: 'Origin' });
  });

  it('compiles each options object once and warns once per middleware', async () => {
    const emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const shared: CorsOptions = { origin: [APP], maxAge: 10000 };
      const mw = cors((_req) => shared);
      const fresh = cors((_req) => ({ origin: [APP], maxAge: 10000 }));
      for (let i = 0; i < 3; i++) {
        await run(mw, { headers: { Origin: APP } });
        await run(fresh, { headers: { Origin: APP } });
      }
      const codes = emit.mock.calls.map((call) => (call[1] as { code: string }).code);
      expect(codes).toEqual([
        'CORSGUARD_MAX_AGE_ABOVE_CHROMIUM_CAP',
        'CORSGUARD_MAX_AGE_ABOVE_CHROMIUM_CAP',
      ]);
    } finally {
      emit.mockRestore();
    }
  });
});

describe('cors used as a middleware by mistake (app.use(cors))', () => {
  it('throws a CorsConfigError that says to call cors()', () => {
    const req = { method: 'GET', headers: {} };
    expect(() =>
      (cors as unknown as (...args: unknown[]) => unknown)(req, {}, () => undefined),
    ).toThrow(/app\.use\(cors\(\)\)/);
    expect(() => cors(req as never)).toThrow(CorsConfigError);
  });
});
