/**
 * One Jest run for every level: unit (`*.unit.spec.ts`), integration (`*.int.spec.ts`, real PostgreSQL, Redis and
 * PGlite) and end-to-end (`test/e2e/*.e2e-spec.ts`, HTTP through the whole app).
 * `npm test` sets NODE_OPTIONS=--experimental-vm-modules: PGlite loads parts of itself with a dynamic import(),
 * which Jest's CommonJS sandbox refuses without it.
 */
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: ['\\.(unit|int)\\.spec\\.ts$', 'test/e2e/.*\\.e2e-spec\\.ts$'],
  // Transpile only: type errors are caught once by `npm run typecheck`, not per test file (much faster).
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/data/'],
  verbose: true,
  testTimeout: 60000,
  // Integration suites share one PostgreSQL server and two cores: two workers keep the run short without
  // starving the concurrency tests.
  maxWorkers: 2,
};
