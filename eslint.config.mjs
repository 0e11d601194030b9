// @ts-check
/**
 * ESLint 9 flat config: typescript-eslint's type-aware recommended rules for every TypeScript file, the purity
 * boundary of libs/domain, and eslint-config-prettier last (formatting is Prettier's job: `npm run format`).
 * dependency-cruiser (.dependency-cruiser.cjs) checks the same boundary on resolved imports, plus cycles.
 */
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import boundary from './tools/domain-boundary.cjs';

const { MESSAGE, FORBIDDEN_PACKAGES, FORBIDDEN_CORE_MODULES, PURE_CORE_MODULES, escapeRegex, globToRegexSource } =
  boundary;

const anyOf = (sources) => `(${sources.join('|')})`;

/** Patterns shared by every file of libs/domain. */
const domainPatterns = [
  { regex: `^${anyOf(FORBIDDEN_PACKAGES.map(globToRegexSource))}($|/)`, message: MESSAGE },
  { regex: `^${anyOf(FORBIDDEN_CORE_MODULES.map(escapeRegex))}$`, message: MESSAGE },
  // Every node: import but the pure ones, including node:test, node:sqlite and whatever Node adds later.
  { regex: `^node:(?!${anyOf([...PURE_CORE_MODULES].map(escapeRegex))}$)`, message: MESSAGE },
  { regex: '^@muskel/(?!domain($|/))', message: `${MESSAGE} libs/domain depends on no other library or app.` },
];

/**
 * A relative import leaves libs/domain when it climbs more directories than the file sits below libs/domain, so
 * each depth gets its own pattern (a rule's options are replaced, not merged, by later blocks: each block repeats
 * the shared patterns). Deeper than MAX_DEPTH falls back to the block without the relative check.
 */
const MAX_DEPTH = 12;
const leavesDomain = (depth) => `^(\\./)?((\\.\\./){${depth + 1},}|(\\.\\./){${depth}}\\.\\.$)`;
const domainBlock = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});
const domainBlocks = [
  domainBlock(['libs/domain/**/*.ts'], domainPatterns),
  ...Array.from({ length: MAX_DEPTH + 1 }, (_, depth) =>
    domainBlock(
      [`libs/domain/${'*/'.repeat(depth)}*.ts`],
      [
        ...domainPatterns,
        {
          regex: leavesDomain(depth),
          message:
            'libs/domain is self-contained: a relative import may not leave it (other libs and apps depend on the domain, not the reverse).',
        },
      ],
    ),
  ),
];

/**
 * The event log belongs to the store: outside libs/event-store it is read through the port (EventStore,
 * StoreTransaction), never in SQL, so that the service runs on KurrentDB as on PostgreSQL. The files listed below
 * still read es_events in SQL and are the remaining work of the KurrentDB deployment (issue 7); the list only
 * shrinks. Tests and test helpers may look at the SQL store's tables.
 */
const SQL_LOG_READERS_LEFT = ['libs/personal-data/src/erasure.ts'];
const LOG_TABLE = '/\\bes_events\\b/';
const LOG_MESSAGE =
  'The event log (es_events) is read through the EventStore port, not in SQL: the service must run on KurrentDB too.';
const logBoundary = {
  files: ['apps/**/*.ts', 'libs/**/*.ts'],
  ignores: [
    'libs/event-store/**',
    '**/*.spec.ts',
    '**/*.e2e-spec.ts',
    '**/testing/**',
    '**/fixtures/**',
    ...SQL_LOG_READERS_LEFT,
  ],
  rules: {
    'no-restricted-syntax': [
      'error',
      { selector: `Literal[value=${LOG_TABLE}]`, message: LOG_MESSAGE },
      { selector: `TemplateElement[value.raw=${LOG_TABLE}]`, message: LOG_MESSAGE },
    ],
  },
};

export default defineConfig(
  globalIgnores([
    '**/dist/',
    '**/node_modules/',
    '**/data/',
    '**/coverage/',
    '**/scratch/',
    // Configuration and tool scripts in plain JavaScript; everything linted is TypeScript.
    '**/*.js',
    '**/*.cjs',
    '**/*.mjs',
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Nest modules are classes that only carry decorators.
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    // Tests: Jest matchers take unbound methods, and supertest bodies are `any`.
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', '**/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // The web application: React's rules of hooks.
    files: ['apps/web/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
  ...domainBlocks,
  logBoundary,
  prettier,
);
