// A Next.js route handler guarded by corsguard/fetch (app/api/hello/route.js). OPTIONS is exported
// too: the guard answers the preflight itself, as it does for any Fetch-API handler.
/* global Response -- the Fetch API */
import { cors } from 'corsguard/fetch';

const guard = cors({ origin: ['https://app.example.com'], credentials: true, maxAge: 600 });
const hello = () => Response.json({ hello: 'world', runtime: 'next' });

/** @param {Request} request */
export const GET = (request) => guard(request, hello);
/** @param {Request} request */
export const OPTIONS = (request) => guard(request, hello);
