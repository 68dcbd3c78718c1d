// The CommonJS entry (lib/cjs.ts, built to dist/cjs/cjs.js): require('corsguard') is the factory.
// The built package is also loaded by name in both module systems by scripts/smoke.mjs.
import { cors, CorsConfigError } from '../lib/index.js';

describe('the CommonJS entry', () => {
  const corsguard = require('../lib/cjs.js') as typeof cors & {
    cors: typeof cors;
    default: typeof cors;
    CorsConfigError: typeof CorsConfigError;
  };

  it('is the factory itself, as require("cors") is', () => {
    expect(corsguard).toBe(cors);
    expect(typeof corsguard()).toBe('function');
  });

  it('also carries .cors, .default and .CorsConfigError', () => {
    expect(corsguard.cors).toBe(cors);
    expect(corsguard.default).toBe(cors);
    expect(corsguard.CorsConfigError).toBe(CorsConfigError);
  });
});
