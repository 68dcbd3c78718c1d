// Access-Control-Max-Age: how many preflights each engine really sends for repeated requests.
import cors from 'corsguard';
import type express from 'express';
import {
  type Api,
  browserFetch,
  closeAll,
  ENGINES,
  fresh,
  LAUNCH_TIMEOUT,
  type Served,
  startApi,
  startPages,
  TEST_TIMEOUT,
  usePage,
} from './harness.js';

let pages: Served;
let api: Api;

beforeAll(async () => {
  pages = await startPages();
  api = await startApi((app) => {
    const answer: express.RequestHandler = (req, res) => {
      res.json({ method: req.method });
    };
    const origin = [pages.url];
    app.use('/ten-minutes', cors({ origin, maxAge: 600 }), answer);
    app.use('/not-cached', cors({ origin, maxAge: 0 }), answer);
  });
}, LAUNCH_TIMEOUT);

afterAll(() => closeAll(api.server, pages.server));

describe.each(ENGINES)('in %s', (engine) => {
  const opened = usePage(engine, () => pages.url);

  async function putThreeTimes(url: string): Promise<string[]> {
    for (let i = 0; i < 3; i++) {
      const outcome = await browserFetch(opened.page, api.url + url, {
        method: 'PUT',
        headers: { 'X-Token': String(i) },
      });
      expect(outcome).toMatchObject({ ok: true, body: '{"method":"PUT"}' });
    }
    return api.seenAt(url).map((s) => s.method);
  }

  describe('preflight caching', () => {
    it(
      'sends one preflight for three PUTs when maxAge is 600',
      async () => {
        expect(await putThreeTimes(fresh('/ten-minutes'))).toEqual([
          'OPTIONS',
          'PUT',
          'PUT',
          'PUT',
        ]);
      },
      TEST_TIMEOUT,
    );

    it(
      'sends a preflight before every PUT when maxAge is 0',
      async () => {
        expect(await putThreeTimes(fresh('/not-cached'))).toEqual([
          'OPTIONS',
          'PUT',
          'OPTIONS',
          'PUT',
          'OPTIONS',
          'PUT',
        ]);
      },
      TEST_TIMEOUT,
    );
  });
});
