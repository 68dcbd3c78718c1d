// Two projects over one transform: the unit tests, whose coverage of lib/ must be 100%, and the
// property tests (*.property.test.ts: generated configurations and requests, new ones every run),
// which lib/ is not instrumented for. So the threshold rests only on tests that run the same way
// every time: a generator that happens not to reach a line cannot fail CI, and a line only a
// generator reaches shows as uncovered here, to be given a case of its own.
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  // Sources import './x.js' (ES module rules); the tests run them through ts-jest as CommonJS.
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // Examples import the package by name, as users do; under test that is the source.
    '^corsguard$': '<rootDir>/lib/index.ts',
  },
};

// The real-browser and real-server suites have their own configs (jest.browser.config.js,
// jest.servers.config.js) and runners.
const elsewhere = ['/node_modules/', '/__tests__/browser/', '/__tests__/servers/'];

/** @type {import('jest').Config} */
export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
      testPathIgnorePatterns: [...elsewhere, '\\.property\\.test\\.ts$'],
    },
    {
      ...shared,
      displayName: 'property',
      testMatch: ['<rootDir>/__tests__/**/*.property.test.ts'],
      testPathIgnorePatterns: elsewhere,
      coveragePathIgnorePatterns: ['<rootDir>/lib/'],
    },
  ],
  // lib/cli/main.ts only hands process.argv and the streams to run(), which the tests call
  // in-process; scripts/pack-check.mjs runs the packed bin itself.
  collectCoverageFrom: ['lib/**/*.ts', '!lib/cli/main.ts'],
  coverageThreshold: { global: { lines: 100, branches: 100, functions: 100, statements: 100 } },
  coverageReporters: ['text-summary', 'text'],
};
