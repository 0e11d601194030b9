import { type INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { ACCESS_RULE, type AccessRule } from './access.decorators';

/** One HTTP route Nest registered, and who may call it. */
export interface RouteAccess {
  /** `GET`, `POST`... (`ALL` for `@All()`). */
  method: string;
  /** The path pattern as Nest matches it, e.g. `/users/:id/grants`. */
  path: string;
  /** `"<METHOD> <path>"`, e.g. `"GET /users/:id"`. */
  key: string;
  controller: string;
  handler: string;
  /** What `@Public()`, `@Authenticated()` or `@Allow()` declared on the handler or its class; undefined: nothing. */
  rule: AccessRule | undefined;
}

/** `PATH_METADATA` is a string or an array of strings. */
const asArray = (value: string | string[] | undefined): string[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

function joinPath(...parts: string[]): string {
  const segments = parts.map((part) => part.replace(/^\/+|\/+$/g, '')).filter((part) => part !== '');
  return `/${segments.join('/')}`;
}

/**
 * Every HTTP route of the application's controllers, found the way Nest's router finds them (controllers from the
 * module container, handlers by `PATH_METADATA`/`METHOD_METADATA`), with the access rule the `AuthGuard` reads for
 * it (`getAllAndOverride` on [handler, class]). Paths are as the controllers declare them: this application sets no
 * global prefix and no versioning. Routes mounted on the HTTP adapter outside Nest's router (`/openapi.json`,
 * `/docs`) are not controllers' routes and are not listed.
 */
export function listRoutes(app: INestApplication): RouteAccess[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = app.get(Reflector);
  const routes: RouteAccess[] = [];
  const seen = new Set<unknown>();

  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as object | undefined;
    const metatype = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null | undefined;
    if (!instance || !metatype || seen.has(metatype)) continue;
    seen.add(metatype);
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
    const controllerPaths = asArray(Reflect.getMetadata(PATH_METADATA, metatype) as string | string[] | undefined);
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name];
      if (typeof handler !== 'function') continue;
      const methodPaths = asArray(Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined);
      if (methodPaths.length === 0) continue; // not a route handler
      const requestMethod = (Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined) ?? 0;
      const method = RequestMethod[requestMethod] ?? String(requestMethod);
      const rule = reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
        handler as (...args: unknown[]) => unknown,
        metatype,
      ]);
      for (const controllerPath of controllerPaths.length > 0 ? controllerPaths : ['/']) {
        for (const methodPath of methodPaths) {
          const path = joinPath(controllerPath, methodPath);
          routes.push({ method, path, key: `${method} ${path}`, controller: metatype.name, handler: name, rule });
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** The routes that declare no access rule: the `AuthGuard` refuses them all (403 `ACCESS_UNDECLARED`). */
export function undeclaredRoutes(app: INestApplication): RouteAccess[] {
  return listRoutes(app).filter((route) => route.rule === undefined);
}
