/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  // The real-browser and real-server suites have their own configs (jest.browser.config.js,
  // jest.servers.config.js) and runners.
  testPathIgnorePatterns: ['/node_modules/', '/__tests__/browser/', '/__tests__/servers/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  // Sources import './x.js' (ES module rules); the tests run them through ts-jest as CommonJS.
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // Examples import the package by name, as users do; under test that is the source.
    '^corsguard$': '<rootDir>/lib/index.ts',
  },
  // lib/cli/main.ts only hands process.argv and the streams to run(), which the tests call
  // in-process; scripts/pack-check.mjs runs the packed bin itself.
  collectCoverageFrom: ['lib/**/*.ts', '!lib/cli/main.ts'],
  coverageThreshold: { global: { lines: 100, branches: 100, functions: 100, statements: 100 } },
  coverageReporters: ['text-summary', 'text'],
};
