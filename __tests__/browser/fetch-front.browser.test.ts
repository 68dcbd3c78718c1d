// Issue 25: the core scenarios against the Fetch front. The same policies as requests.browser.test.ts,
// but answered by `corsguard/fetch` guards in front of a Fetch handler, served on Node by
// @hono/node-server: what each engine allows must be the same as on Express.
import { serve, type ServerType } from '@hono/node-server';
import { cors } from 'corsguard/fetch';
import {
  browserFetch,
  checkRunning,
  closeAll,
  CORS_ERROR,
  ENGINES,
  fresh,
  LAUNCH_TIMEOUT,
  type Served,
  startPages,
  TEST_TIMEOUT,
  usePage,
} from './harness.js';

let pages: Served;
let server: ServerType;
let apiUrl: string;
/** The browser's requests (not those of `corsguard check`): method and path with query. */
const seen: { method: string; url: string }[] = [];
const seenAt = (url: string) => seen.filter((s) => s.url === url).map((s) => s.method);
/** The requests the handler behind the guards answered. */
const answered: { method: string; url: string }[] = [];

beforeAll(async () => {
  pages = await startPages();
  const guards: [string, ReturnType<typeof cors>][] = [
    ['/items', cors({ origin: [pages.url] })],
    ['/elsewhere', cors({ origin: ['https://app.example.com'] })],
    ['/readonly', cors({ origin: [pages.url], methods: ['GET', 'POST'] })],
    ['/credentials', cors({ origin: [pages.url], credentials: true })],
  ];
  const answer = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (!checkRunning())
      answered.push({ method: request.method, url: `${url.pathname}${url.search}` });
    return Response.json({
      method: request.method,
      body: request.method === 'GET' || request.method === 'HEAD' ? null : await request.text(),
    });
  };
  const handle = (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (!checkRunning()) seen.push({ method: request.method, url: `${url.pathname}${url.search}` });
    const guard = guards.find(([prefix]) => url.pathname.startsWith(prefix))?.[1];
    return guard === undefined
      ? Promise.resolve(new Response('not found', { status: 404 }))
      : guard(request, answer);
  };
  await new Promise<void>((resolve) => {
    server = serve({ fetch: handle, port: 0, hostname: '127.0.0.1' }, (info) => {
      apiUrl = `http://localhost:${String(info.port)}`;
      resolve();
    });
  });
}, LAUNCH_TIMEOUT);

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  await closeAll(pages.server);
});

describe.each(ENGINES)('the Fetch front in %s', (engine) => {
  const opened = usePage(engine, () => pages.url);

  it(
    'lets the page read a simple GET from a listed origin, without a preflight',
    async () => {
      const url = fresh('/items');
      expect(await browserFetch(opened.page, apiUrl + url)).toMatchObject({
        ok: true,
        status: 200,
      });
      expect(seenAt(url)).toEqual(['GET']);
    },
    TEST_TIMEOUT,
  );

  it(
    'withholds the response of an unlisted origin (the request was sent)',
    async () => {
      const url = fresh('/elsewhere/items');
      expect(await browserFetch(opened.page, apiUrl + url)).toEqual({
        ok: false,
        error: CORS_ERROR[engine],
      });
      expect(seenAt(url)).toEqual(['GET']);
    },
    TEST_TIMEOUT,
  );

  it(
    'answers the preflight of a JSON POST itself, then the POST is sent and read',
    async () => {
      const url = fresh('/items');
      const outcome = await browserFetch(opened.page, apiUrl + url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"name":"donut"}',
      });
      expect(outcome).toMatchObject({
        ok: true,
        body: '{"method":"POST","body":"{\\"name\\":\\"donut\\"}"}',
      });
      // The guard answered the preflight without the handler: the handler saw the POST only.
      expect(seenAt(url)).toEqual(['OPTIONS', 'POST']);
      expect(answered.filter((a) => a.url === url).map((a) => a.method)).toEqual(['POST']);
    },
    TEST_TIMEOUT,
  );

  it(
    'stops a JSON POST at the preflight when the origin is not listed',
    async () => {
      const url = fresh('/elsewhere/items');
      const outcome = await browserFetch(opened.page, apiUrl + url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(outcome).toEqual({ ok: false, error: CORS_ERROR[engine] });
      expect(seenAt(url)).toEqual(['OPTIONS']);
    },
    TEST_TIMEOUT,
  );

  it(
    'stops a PUT at the preflight when the configuration lists only GET and POST',
    async () => {
      const url = fresh('/readonly/items/1');
      expect(await browserFetch(opened.page, apiUrl + url, { method: 'PUT' })).toEqual({
        ok: false,
        error: CORS_ERROR[engine],
      });
      expect(seenAt(url)).toEqual(['OPTIONS']);
    },
    TEST_TIMEOUT,
  );

  it(
    'lets a credentialed fetch read only where credentials are allowed',
    async () => {
      const allowed = fresh('/credentials');
      expect(
        await browserFetch(opened.page, apiUrl + allowed, { credentials: 'include' }),
      ).toMatchObject({
        ok: true,
      });
      const refused = fresh('/items');
      expect(await browserFetch(opened.page, apiUrl + refused, { credentials: 'include' })).toEqual(
        {
          ok: false,
          error: CORS_ERROR[engine],
        },
      );
    },
    TEST_TIMEOUT,
  );
});
