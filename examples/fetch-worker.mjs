// A Cloudflare Worker guarded by corsguard/fetch, as wrangler deploys it (bundled; no nodejs_compat
// flag needed: corsguard/fetch loads no Node module). The test runs it in workerd through Miniflare.
/* global Response -- the Fetch API */
import { cors } from 'corsguard/fetch';

const guard = cors({ origin: ['https://app.example.com'], credentials: true, maxAge: 600 });

export default {
  fetch: (request) => guard(request, () => Response.json({ hello: 'world', runtime: 'workerd' })),
};
