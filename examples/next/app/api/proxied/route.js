// A route handler with no CORS code of its own: proxy.js guards every route under /api/proxied.
/* global Response -- the Fetch API */
export const GET = () => Response.json({ hello: 'world', guardedBy: 'proxy' });
