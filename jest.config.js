/**
 * Three projects, each what its name says:
 * - `unit` (`*.test.ts`): milliseconds, no process started, nothing but loopback;
 * - `slow` (`*.slow.test.ts`): CDK synth and cdk-nag, the real bundles, the packed package, the
 *   OpenAPI lint and client generator: in-process synths and child Node processes, each with a time limit;
 * - `int` (`*.int.test.ts`): against one shared DynamoDB Local (and npm start, the emulators).
 */
const swc = ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }];
const common = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/env.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/support/timeouts.ts'],
  transform: { '^.+\\.(t|j)sx?$': swc },
  // jose ships ESM only; let swc turn it into CommonJS like our own files.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // `phone-verify` is this package: tests import the verifier the way a backend does.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^phone-verify$': '<rootDir>/index.ts' },
};

module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['\\.(int|slow)\\.test\\.ts$'] },
    { ...common, displayName: 'slow', testMatch: ['<rootDir>/test/**/*.slow.test.ts'] },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/test/**/*.int.test.ts'],
      globalSetup: '<rootDir>/test/support/dynamodb-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/dynamodb-global-teardown.ts',
    },
  ],
};
