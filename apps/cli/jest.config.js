/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testMatch: ['**/*.test.ts'],
  // The CLI tests wait on child processes (spawnSync), so one worker per core keeps every core busy.
  maxWorkers: '100%',
};
