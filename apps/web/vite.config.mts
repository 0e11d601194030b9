/**
 * The web application's build: static files in dist/web that the API serves at `/` (WEB_ROOT). JSX is compiled by
 * Vite's own transformer (no React plugin: its Babel peer range conflicts with Jest's; fast refresh is only a
 * development nicety). `npm run dev:web` serves the sources with the API proxied from http://localhost:3000.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.MUSKEL_API_URL ?? 'http://localhost:3000';
/** Path prefixes of the JSON API, proxied by the development server (the built app calls the same origin). */
const API_PREFIXES = [
  '/auth',
  '/me',
  '/users',
  '/proposals',
  '/meetings',
  '/batches',
  '/persons',
  '/registry',
  '/regencies',
  '/public',
  '/audit',
  '/jobs',
  '/reminders',
  '/reference-lists',
  '/health',
  '/metrics',
];

export default defineConfig({
  root,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  // The pure domain (NIK/KK rules, removal reasons and their evidence) runs in the browser as on the server.
  resolve: { alias: { '@muskel/domain': fileURLToPath(new URL('../../libs/domain/src', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Secretaries work on modest phones: keep the first load small (a test holds it under 300 KB gzipped).
    target: 'es2022',
    sourcemap: false,
    rolldownOptions: {
      // React Router marks its modules "use client" for server-component bundlers; a browser bundle ignores it.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(API_PREFIXES.map((prefix) => [prefix, { target: api, changeOrigin: false }])),
  },
});
