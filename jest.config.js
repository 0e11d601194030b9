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
  // Integration and e2e suites spend much of their time waiting (child processes, Redis, the PostgreSQL server,
  // polling for a projection): on two cores a third worker fills those waits. Their waits are generous, never
  // timed, so the extra load does not make them fail.
  maxWorkers: 3,
};
