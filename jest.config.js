/** Two projects: `unit` runs in milliseconds with no outside process; `int` shares one DynamoDB Local. */
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
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['\\.int\\.test\\.ts$'] },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/test/**/*.int.test.ts'],
      globalSetup: '<rootDir>/test/support/dynamodb-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/dynamodb-global-teardown.ts',
    },
  ],
};
