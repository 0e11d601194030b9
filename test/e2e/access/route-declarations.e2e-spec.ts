/**
 * Every route declares who may call it (`@Public()`, `@Authenticated()` or `@Allow(...)`); the global AuthGuard
 * refuses any that does not. This suite is what makes `npm test` fail when a route is added without a declaration.
 */
import { Controller, Get, Post } from '@nestjs/common';
import request from 'supertest';
import { listRoutes, undeclaredRoutes } from '@muskel/auth';
import { expectProblem, startApp, type TestApp } from '../support/access-app';

/** Added beside the real AppModule without any declaration on the class or on a handler. */
@Controller('forgotten')
class ForgottenController {
  @Get()
  list(): { secret: string } {
    return { secret: 'should never be served' };
  }

  @Post(':id/poke')
  poke(): { poked: boolean } {
    return { poked: true };
  }
}

/**
 * One application (starting one costs seconds): the real AppModule, and beside it a throwaway controller that
 * declares nothing. The real application's routes are every route but the throwaway controller's.
 */
describe('route access declarations', () => {
  let t: TestApp;
  const realRoutes = () => listRoutes(t.app).filter((route) => route.controller !== 'ForgottenController');

  beforeAll(async () => {
    t = await startApp({ controllers: [ForgottenController] });
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('of the real application', () => {
    it('has no route without an access declaration', () => {
      expect(realRoutes().filter((route) => route.rule === undefined)).toEqual([]);
    });

    it('lists every route Nest registered (a healthy number, with their rules)', () => {
      const routes = realRoutes();
      expect(routes.length).toBeGreaterThan(15);
      const byKey = new Map(routes.map((route) => [route.key, route]));
      expect(byKey.size).toBe(routes.length);
      expect(byKey.get('GET /health')).toMatchObject({ controller: 'HealthController', rule: { kind: 'public' } });
      expect(byKey.get('POST /auth/login')?.rule).toEqual({ kind: 'public' });
      expect(byKey.get('GET /me')?.rule).toEqual({ kind: 'authenticated' });
      expect(byKey.get('GET /users/:id')).toMatchObject({
        controller: 'UsersController',
        handler: 'get',
        rule: { kind: 'roles', roles: ['ADMIN', 'AUDITOR'], scope: { source: 'resource' } },
      });
      expect(byKey.get('POST /users')?.rule).toMatchObject({
        kind: 'roles',
        roles: ['ADMIN'],
        scope: { source: 'request' },
      });
    });
  });

  describe('the OpenAPI document', () => {
    it('describes every route, with bearer authentication on every route that is not public', async () => {
      const document = (await request(t.server).get('/openapi.json').expect(200)).body as {
        paths: Record<string, Record<string, { security?: unknown[] }>>;
      };
      for (const route of realRoutes()) {
        const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
        const operation = document.paths[path]?.[route.method.toLowerCase()];
        expect({ route: route.key, documented: operation !== undefined }).toEqual({
          route: route.key,
          documented: true,
        });
        if (route.rule?.kind !== 'public') {
          expect({ route: route.key, security: operation?.security }).toEqual({
            route: route.key,
            security: [{ bearer: [] }],
          });
        }
      }
    });
  });

  describe('a route added without an access declaration', () => {
    it('is reported by undeclaredRoutes (this is what fails the test above for a real route)', () => {
      expect(undeclaredRoutes(t.app)).toEqual([
        {
          method: 'GET',
          path: '/forgotten',
          key: 'GET /forgotten',
          controller: 'ForgottenController',
          handler: 'list',
          rule: undefined,
        },
        {
          method: 'POST',
          path: '/forgotten/:id/poke',
          key: 'POST /forgotten/:id/poke',
          controller: 'ForgottenController',
          handler: 'poke',
          rule: undefined,
        },
      ]);
    });

    it('is refused if called, with or without a token: 403 ACCESS_UNDECLARED', async () => {
      const anonymous = await request(t.server).get('/forgotten');
      expectProblem(anonymous, 403, 'ACCESS_UNDECLARED');
      expect(anonymous.text).not.toContain('should never be served');
      expectProblem(
        await request(t.server).post('/forgotten/1/poke').set('Authorization', 'Bearer not-even-a-token'),
        403,
        'ACCESS_UNDECLARED',
      );
    });
  });
});
