// The real-browser suite (__tests__/browser), run by scripts/test-browser.mjs when Chromium is found.
// Same transform as jest.config.js; no coverage (the unit suite owns lib/'s 100%).
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/__tests__/browser/**/*.browser.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^corsguard$': '<rootDir>/lib/index.ts',
  },
  // Each file starts its own Chromium; two at a time is what a 2-core machine takes comfortably.
  maxWorkers: 2,
  testTimeout: 30000,
};
