// The CommonJS entry (lib/cjs.ts, built to dist/cjs/cjs.js): require('corsguard') is the factory.
// The built package is also loaded by name in both module systems by scripts/smoke.mjs.
import * as esm from '../lib/index.js';

describe('the CommonJS entry', () => {
  const corsguard = require('../lib/cjs.js') as typeof esm.cors & Omit<typeof esm, 'default'>;

  it('is the factory itself, as require("cors") is', () => {
    expect(corsguard).toBe(esm.cors);
    expect(typeof corsguard()).toBe('function');
  });

  it('carries every named export of the ES module entry, and .default', () => {
    const names = Object.keys(esm).filter((name) => name !== 'default');
    expect(names.sort()).toEqual(
      [
        'CorsConfigError',
        'CorsFunctionError',
        'CorsTimeoutError',
        'cors',
        'corsDecision',
        'explainCors',
        'parseOrigins',
        'postgresBus',
        'redisBus',
        'shadow',
      ].sort(),
    );
    for (const name of names) {
      expect(corsguard[name as keyof typeof corsguard]).toBe(esm[name as keyof typeof esm]);
    }
    expect((corsguard as unknown as { default: unknown }).default).toBe(esm.cors);
  });
});
