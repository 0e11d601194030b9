/**
 * What libs/domain may not depend on: one list for ESLint (eslint.config.mjs) and dependency-cruiser
 * (.dependency-cruiser.cjs). The domain is pure TypeScript (DESIGN.md section 8): commands, events, state,
 * decide/evolve; no framework, no I/O, no clock, no randomness. Adapters live in other libs.
 */
const { builtinModules } = require('node:module');

const MESSAGE =
  'libs/domain is pure TypeScript: no framework, no I/O, no clock (DESIGN.md section 8). ' +
  'Pass what the domain needs in as data, and keep frameworks, drivers and Node I/O in an adapter outside libs/domain.';

/** Frameworks, drivers and libraries that do I/O or carry framework metadata. `*` as in .gitignore. */
const FORBIDDEN_PACKAGES = [
  '@nestjs/*',
  'nestjs-*',
  'pg',
  'pg-*',
  '@electric-sql/*',
  'bullmq',
  'ioredis',
  'redis',
  '@redis/*',
  '@kurrent/*',
  '@eventstore/*',
  'express',
  'pino',
  'pino-*',
  'class-validator',
  'class-transformer',
  'reflect-metadata',
  'rxjs',
  'axios',
  'undici',
];

/** Node core modules that carry no I/O, clock or randomness. Every other core module is forbidden. */
const PURE_CORE_MODULES = new Set(['assert', 'assert/strict', 'buffer', 'string_decoder', 'util', 'util/types']);

/** e.g. fs, fs/promises, net, http, child_process, os, path, crypto, timers, worker_threads (without `node:`). */
const FORBIDDEN_CORE_MODULES = builtinModules.filter((name) => !name.startsWith('_') && !PURE_CORE_MODULES.has(name));

/** Other workspace libraries and apps reached through the path aliases. */
const FORBIDDEN_ALIASES = ['@muskel/*', '!@muskel/domain', '!@muskel/domain/*'];

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** gitignore-style `@scope/*` / `pg-*` to a regular expression over a module name. */
const globToRegexSource = (glob) => glob.split('*').map(escapeRegex).join('[^/]+');

module.exports = {
  MESSAGE,
  FORBIDDEN_PACKAGES,
  FORBIDDEN_CORE_MODULES,
  FORBIDDEN_ALIASES,
  PURE_CORE_MODULES,
  escapeRegex,
  globToRegexSource,
};
