// The Next.js recipe's configuration: the repository's root holds the lockfile and node_modules.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export default {
  turbopack: { root: join(here, '..', '..') },
  outputFileTracingRoot: join(here, '..', '..'),
};
