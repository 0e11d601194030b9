'use strict';
/*
 * Entry point of the built API: dist/apps/api/main.js (`npm start`, `node dist/apps/api/main.js`).
 *
 * `nest build api` compiles apps/api/src together with the libs it imports, so tsc's rootDir is the repository root
 * and the output mirrors the source tree: dist/apps/api/apps/api/src/main.js, dist/apps/api/libs/... (a
 * self-contained directory per app). The Nest CLI copies this file as an asset (nest-cli.json,
 * projects.api.compilerOptions.assets) to the top of that directory, one level up from where it sits here.
 */
require('./apps/api/src/main');
