/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/lib', '<rootDir>/.data', '<rootDir>/.tools'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  globalSetup: '<rootDir>/tests/support/globalSetup.ts',
  globalTeardown: '<rootDir>/tests/support/globalTeardown.ts',
  // README's embedding snippet imports the package by name; in this repository that is the root.
  moduleNameMapper: { '^case-lifecycle-temporal/(.*)$': '<rootDir>/$1' },
  testTimeout: 120000,
};
