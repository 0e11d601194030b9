import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

/**
 * The web application's policy: its own scripts only, styles inline allowed (React style attributes), images
 * from itself and data/blob URLs (QR codes, previews), calls to the same origin, PDFs shown in a blob frame.
 */
export const WEB_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  frameSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Whether a request is for the web application's files rather than the JSON API. */
const isWebPath = (url: string) => url === '/' || url === '/index.html' || url.startsWith('/assets/');

/**
 * Serves the built web application (`WEB_ROOT`, `npm run build:web`) at `/`: index.html and its hashed assets.
 * The application routes on the URL's hash, so no API path is ever shadowed: a request that names no file falls
 * through to the API. Without a build, `/` says in Indonesian how to make one.
 */
export function serveWebApp(app: NestExpressApplication, webRoot: string): void {
  const root = path.resolve(webRoot);
  const built = fs.existsSync(path.join(root, 'index.html'));
  const csp = helmet.contentSecurityPolicy({ useDefaults: false, directives: WEB_CSP_DIRECTIVES });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isWebPath(req.path)) return next();
    if (!built) {
      if (req.path !== '/') return next();
      res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('Aplikasi web belum dibangun. Jalankan `npm run build:web` (npm start membangunnya), lalu muat ulang.\n');
      return;
    }
    csp(req, res, next);
  });
  if (!built) return;
  app.useStaticAssets(root, {
    index: 'index.html',
    fallthrough: true,
    redirect: false,
    // Hashed file names under /assets never change; index.html is checked on every load.
    setHeaders(res: ServerResponse, file: string) {
      res.setHeader(
        'Cache-Control',
        file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
}
