/**
 * MUSKEL_ROLE on PostgreSQL: an `api` process serves HTTP and runs no projection or reactor; a `worker` process runs
 * them and serves no workflow route; together, on one database, they make the whole flow (read-your-writes across
 * processes through the checkpoint table).
 */
import request from 'supertest';
import { listRoutes } from '@muskel/auth';
import { bearer, freshPostgresDatabase, openSession, seedUser, startApp, type TestApp } from '../support/access-app';

const VILLAGE = '3515142001';

describe('MUSKEL_ROLE=api and MUSKEL_ROLE=worker on one database', () => {
  let api: TestApp;
  let worker: TestApp | undefined;
  let drop: () => Promise<void>;
  let token: string;

  beforeAll(async () => {
    const database = await freshPostgresDatabase();
    drop = database.drop;
    api = await startApp({ databaseUrl: database.url, env: { MUSKEL_ROLE: 'api' }, logLevel: 'warn' });
    const user = await seedUser(api, { homeRegion: VILLAGE, grants: [{ role: 'VILLAGE_OPERATOR', scope: VILLAGE }] });
    token = (await openSession(api, user.userId)).accessToken;
    worker = await startApp({ databaseUrl: database.url, env: { MUSKEL_ROLE: 'worker' }, logLevel: 'warn' });
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await drop?.();
  });

  it('the worker serves no workflow route, the API serves them all', () => {
    const workerRoutes = listRoutes(worker!.app).map((r) => r.key);
    expect(workerRoutes).toContain('GET /health');
    expect(workerRoutes.some((key) => key.includes('/proposals'))).toBe(false);
    expect(listRoutes(api.app).map((r) => r.key)).toContain('POST /proposals');
  });

  it('a proposal submitted to the API appears in its list once the worker has projected it', async () => {
    const submitted = await request(api.server)
      .post('/proposals')
      .set('Authorization', bearer(token))
      .send({
        kind: 'ADD',
        villageCode: VILLAGE,
        channel: 'CITIZEN',
        household: {
          address: 'Jl. Peran 1',
          rt: '001',
          rw: '001',
          kkNumber: '3515140101090001',
          members: [
            { nik: '3515140508680001', name: 'Warga Peran', sex: 'M', birthDate: '1968-08-05', relationship: 'HEAD' },
          ],
        },
      })
      .expect(201);
    const list = await request(api.server)
      .get(`/proposals?villageCode=${VILLAGE}&minPosition=${encodeURIComponent(submitted.body.position as string)}`)
      .set('Authorization', bearer(token))
      .expect(200);
    expect(list.headers['x-projection-behind']).toBeUndefined();
    expect((list.body as { items: { id: string }[] }).items.map((p) => p.id)).toEqual([submitted.body.proposalId]);
  });

  it('without a worker, the API still answers, and says when its read model is behind', async () => {
    await worker!.close();
    worker = undefined;
    const submitted = await request(api.server)
      .post('/meetings')
      .set('Authorization', bearer(token))
      .send({
        villageCode: VILLAGE,
        kind: 'MUSDES',
        scheduledAt: '2026-12-01T09:00:00+07:00',
        venue: 'Balai',
        chair: 'Kades',
      })
      .expect(201);
    const list = await request(api.server)
      .get(`/meetings?villageCode=${VILLAGE}&minPosition=${encodeURIComponent(submitted.body.position as string)}`)
      .set('Authorization', bearer(token))
      .expect(200);
    expect(list.headers['x-projection-behind']).toBe('true');
    // The detail folds the stream itself and is never behind.
    await request(api.server)
      .get(`/meetings/${submitted.body.meetingId}`)
      .set('Authorization', bearer(token))
      .expect(200);
  }, 20_000);
});
