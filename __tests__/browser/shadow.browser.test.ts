// Issue 24: a stricter policy tried in shadow on real browser traffic. While the live policy (the cors
// package reflecting any origin, with credentials) still answers, the page's fetch is allowed and the
// shadow reports that the candidate would refuse it; once the candidate is enforced, the same fetch
// is blocked, as reported. The response the browser got under the shadow is the live one, unchanged.
import cors, { shadow, type ShadowMiddleware } from 'corsguard';
import corsPackage from 'cors';
import type express from 'express';
import {
  type Api,
  browserFetch,
  checkRunning,
  closeAll,
  CORS_ERROR,
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
let candidate: ShadowMiddleware;
const CANDIDATE = { origin: ['https://app.example.com'], credentials: true };

beforeAll(async () => {
  pages = await startPages();
  candidate = shadow(CANDIDATE);
  api = await startApi((app) => {
    const answer: express.RequestHandler = (req, res) => {
      res.json({ method: req.method });
    };
    // The requests of `corsguard check` (the harness runs it beside every fetch) are not counted.
    const browserOnly: express.RequestHandler = (req, res, next) => {
      if (checkRunning()) next();
      else candidate(req, res, next);
    };
    app.use('/today', browserOnly, corsPackage({ origin: true, credentials: true }), answer);
    app.use('/enforced', cors(CANDIDATE), answer);
  });
}, LAUNCH_TIMEOUT);

afterAll(() => closeAll(api.server, pages.server));

describe.each(ENGINES)('in %s', (engine) => {
  const opened = usePage(engine, () => pages.url);

  it(
    'a refusal the shadow reported while the live policy allowed is the one the browser meets once enforced',
    async () => {
      const before =
        candidate.report().disagreements.find((d) => d.origin === pages.url)?.count ?? 0;
      // Today: allowed (the live policy reflects any origin), a preflighted PUT included.
      const today = await browserFetch(opened.page, `${api.url}${fresh('/today')}`, {
        method: 'PUT',
      });
      expect(today).toMatchObject({ ok: true, body: '{"method":"PUT"}' });
      const reported = candidate.report().disagreements.find((d) => d.origin === pages.url);
      expect(reported).toMatchObject({ kind: 'would-refuse', preflight: true });
      expect(reported!.count).toBe(before + 2); // the preflight and the PUT
      expect(reported!.example.reason).toContain('origin-not-allowed');
      // Enforced: the browser refuses exactly that.
      const enforced = await browserFetch(opened.page, `${api.url}${fresh('/enforced')}`, {
        method: 'PUT',
      });
      expect(enforced).toEqual({ ok: false, error: CORS_ERROR[engine] });
    },
    TEST_TIMEOUT,
  );
});
