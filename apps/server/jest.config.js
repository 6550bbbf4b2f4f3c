/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  // cookie@2 (under Fastify's inject) ships only ES modules, which Jest's CommonJS loader cannot
  // require: let swc compile it like our sources.
  transform: { '^.+\\.(t|j)s$': ['@swc/jest'] },
  transformIgnorePatterns: ['^(?!.*/cookie@).*/node_modules/'],
  testMatch: ['**/*.test.ts'],
  // These tests start servers, databases and sockets; on a loaded 2-core CI machine a hook or a
  // test can take well over Jest's 5 s default without anything being wrong.
  testTimeout: 60_000,
  // The data layer's throwaway PostgreSQL cluster (and migrated template) for the API tests, and
  // Prometheus for the dashboard test (test/setup/global-setup.js).
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  globalTeardown: '<rootDir>/../../packages/db/test/setup/global-teardown.js',
};
