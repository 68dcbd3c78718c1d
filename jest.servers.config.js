// The real-server suite (__tests__/servers): PostgreSQL and Redis started by the tests themselves, run by
// scripts/test-servers.mjs when the server programs are found. Same transform as jest.config.js;
// no coverage (the unit suite owns lib/'s 100%).
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/__tests__/servers/**/*.servers.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^corsguard$': '<rootDir>/lib/index.ts',
  },
  globalSetup: '<rootDir>/__tests__/servers/global-setup.ts',
  globalTeardown: '<rootDir>/__tests__/servers/global-teardown.ts',
  // Each file starts its own servers; two at a time is what a 2-core machine takes comfortably.
  maxWorkers: 2,
  testTimeout: 20000,
};
