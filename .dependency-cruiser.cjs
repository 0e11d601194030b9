/**
 * dependency-cruiser: no import cycles anywhere in apps/ and libs/, and libs/domain stays pure (the same list as
 * the ESLint rule in eslint.config.mjs, from tools/domain-boundary.cjs), checked on resolved imports, so path
 * aliases, relative paths, re-exports, require() and dynamic import() are all covered.
 * Run with `npm run lint` (or `npx depcruise apps libs --config .dependency-cruiser.cjs`).
 * @type {import('dependency-cruiser').IConfiguration}
 */
const {
  MESSAGE,
  FORBIDDEN_PACKAGES,
  FORBIDDEN_CORE_MODULES,
  PURE_CORE_MODULES,
  escapeRegex,
  globToRegexSource,
} = require('./tools/domain-boundary.cjs');

const anyOf = (sources) => `(${sources.join('|')})`;
const packages = anyOf(FORBIDDEN_PACKAGES.map(globToRegexSource));
const DOMAIN = '^libs/domain/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Modules depend on each other in a cycle: load order then decides what is undefined at runtime. Break the ' +
        'cycle by moving the shared part into its own module. Cycles made only of type imports are erased by ' +
        'the compiler and allowed.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'domain-no-frameworks-or-drivers',
      severity: 'error',
      comment: MESSAGE,
      from: { path: DOMAIN },
      // Resolved into node_modules, or unresolved and still named by its package.
      to: { path: `(^|/)node_modules/${packages}(/|$)|^${packages}(/|$)` },
    },
    {
      name: 'domain-no-node-io',
      severity: 'error',
      comment: MESSAGE,
      from: { path: DOMAIN },
      to: {
        dependencyTypes: ['core'],
        path: `^(node:)?${anyOf(FORBIDDEN_CORE_MODULES.map(escapeRegex))}$|^node:(?!${anyOf(
          [...PURE_CORE_MODULES].map(escapeRegex),
        )}$)`,
      },
    },
    {
      name: 'domain-self-contained',
      severity: 'error',
      comment: 'libs/domain depends on no other library or app (through an alias or a relative path).',
      from: { path: DOMAIN },
      to: { path: '^(apps|libs)/', pathNot: DOMAIN },
    },
    {
      name: 'libs-not-to-apps',
      severity: 'error',
      comment: 'Libraries are shared by the apps and never depend on one.',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import that resolves to nothing: a typo, a missing package, or a path alias dependency-cruiser does ' +
        'not know (it reads the aliases from tsconfig.json), which would also hide it from the rules above.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // apps/*/entry/main.js only exists to be copied into dist/ (see the file); it resolves there, not here.
    exclude: { path: '(^|/)(dist|data|coverage|scratch)/|^apps/[^/]+/entry/' },
    // Type-only imports count too (they are labelled `type-only`): the domain may not even name a framework type.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
