// corsguard/fetch against the Express middleware over generated configurations and requests (the
// middleware on a real node:http server): the same CORS headers, preflight status, body-or-not and
// decision. The rarer combinations also run as a table in fetch.test.ts.
import fc from 'fast-check';
import { agree, options, requests } from './helpers/agree.js';

describe('corsguard/fetch and the Express middleware agree (property)', () => {
  it('sends the same CORS headers, preflight status and decision for the same configuration and request', async () => {
    await fc.assert(fc.asyncProperty(options, requests, agree), { numRuns: 400 });
  }, 120_000);
});
