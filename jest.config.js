// Two projects: fast unit tests (pure modules, in-process fakes) and
// integration tests (real Go builds, a real registry on 127.0.0.1, falcoctl).
const common = {
  preset: 'ts-jest',
  resolver: 'ts-jest-resolver',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', useESM: true }]
  },
  clearMocks: true
}

export default {
  // A busy 2-core machine can be many times slower than a laptop: no test may fail on time alone.
  // CPU-heavy tests set their own, wider timeouts.
  testTimeout: 60_000,
  // Coverage of src/ when jest runs with --coverage (npm test does, on the whole suite), by
  // ts-jest's instrumentation (about +10% on the unit tests; V8's counters cost 2.5 times as
  // much here). Integration tests that spawn dist/index.js add nothing (another process); those
  // that import src/ do. The thresholds sit just below what the whole suite reaches.
  // deflate-worker.js runs in worker threads, whose counters are not collected (layer.test.ts
  // checks what it produces).
  collectCoverageFrom: [
    '<rootDir>/src/**/*.{ts,js}',
    '!<rootDir>/src/**/*.d.ts',
    '!<rootDir>/src/falco/deflate-worker.js'
  ],
  coverageReporters: ['text-summary', 'json-summary'],
  // The whole suite reached 77.4% statements, 72.7% branches, 77.6% functions, 79.1% lines
  // (2026-11-30, 899 tests); a point below, for the paths only a race takes.
  coverageThreshold: { global: { statements: 76, branches: 71, functions: 76, lines: 78 } },
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      // They run the bundle (node dist/index.js): built first when src/ is newer than dist/.
      globalSetup: '<rootDir>/test/global-setup.mjs'
    }
  ]
}
