// One instance of the example application for the bus tests, in a process of its own (forked by
// cluster.ts). Runs the TypeScript sources through ts-require.cjs.
'use strict';
require('./ts-require.cjs');
require('./instance.ts');
