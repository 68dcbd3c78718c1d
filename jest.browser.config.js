// The real-browser suite (__tests__/browser), run by scripts/test-browser.mjs in each engine it finds.
// Same transform as jest.config.js; no coverage (the unit suite owns lib/'s 100%).
/** @type {import('jest').Config} */
export default {
  // Node's environment, plus puppeteer-core (an ES module only) loaded by Node: see the file.
  testEnvironment: '<rootDir>/__tests__/browser/environment.mjs',
  testMatch: ['<rootDir>/__tests__/browser/**/*.browser.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^corsguard$': '<rootDir>/lib/index.ts',
  },
  // Each file starts its own browsers, one engine after the other; two files at a time is what a
  // 2-core machine takes comfortably.
  maxWorkers: 2,
  testTimeout: 30000,
};
