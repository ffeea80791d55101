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
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts']
    }
  ]
}
