/**
 * Secretaries load the application on modest phones over weak connections: the JavaScript the first page needs
 * (the entry script and what it preloads, as index.html names them) stays under 300 KB gzipped. Role areas load on
 * demand and are not counted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildWebApp } from '../../support/build-once';

const LIMIT_BYTES = 300 * 1024;

describe('web: build output', () => {
  let webRoot: string;
  beforeAll(async () => {
    webRoot = await buildWebApp();
  }, 300_000);

  it('keeps the initial JavaScript under 300 KB gzipped', () => {
    const html = fs.readFileSync(path.join(webRoot, 'index.html'), 'utf8');
    const scripts = [
      ...html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g),
      ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g),
    ].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    const sizes = scripts.map((src) => ({
      src,
      gzipped: gzipSync(fs.readFileSync(path.join(webRoot, src.replace(/^\//, '')))).length,
    }));
    const total = sizes.reduce((sum, s) => sum + s.gzipped, 0);
    // Printed so a growing bundle is seen before it fails.
    console.log(
      `initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (${sizes.map((s) => `${s.src} ${(s.gzipped / 1024).toFixed(1)} KB`).join(', ')})`,
    );
    expect(total).toBeLessThan(LIMIT_BYTES);
  });

  it('writes index.html in Indonesian, with no inline script (the page policy allows none)', () => {
    const html = fs.readFileSync(path.join(webRoot, 'index.html'), 'utf8');
    expect(html).toContain('<html lang="id">');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
