/** Helpers of the background-jobs e2e tests: a registered household, an ADD proposal, its view, a free port. */
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import request from 'supertest';
import { CommandPipeline } from '@muskel/application';
import { householdDecider, householdStreamName, type HouseholdCommand } from '@muskel/domain';
import { bearer, openSession, seedUser, systemContext, type TestApp } from './access-app';

export const JOBS_VILLAGE = '3515142001';

export interface ProposalView {
  status: string;
  openFlags: { code: string; severity: string; source: string; evidence?: string }[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function operatorToken(app: TestApp): Promise<string> {
  const { userId } = await seedUser(app, {
    homeRegion: JOBS_VILLAGE,
    grants: [{ role: 'VILLAGE_OPERATOR', scope: JOBS_VILLAGE }],
  });
  return (await openSession(app, userId)).accessToken;
}

/** A household on the registry with one member of this NIK (as the baseline import would write it). */
export async function enrolHousehold(app: TestApp, nik: string): Promise<string> {
  const householdId = randomUUID();
  const context = systemContext();
  const command: HouseholdCommand = {
    type: 'EnrolHousehold',
    data: {
      householdId,
      source: 'BASELINE_IMPORT',
      importId: randomUUID(),
      villageCode: JOBS_VILLAGE,
      address: 'Jl. Terdaftar 4',
      rt: '001',
      rw: '001',
      kkNumber: '3515140101100091',
      members: [
        {
          memberId: randomUUID(),
          nik,
          name: 'Warga Terdaftar',
          sex: 'M',
          birthDate: '1968-08-05',
          relationship: 'HEAD',
        },
      ],
    },
    metadata: { actor: context.actor, occurredAt: context.occurredAt },
  };
  await new CommandPipeline(app.store).execute(householdStreamName(householdId), householdDecider, command, context);
  return householdId;
}

export async function submitAdd(app: TestApp, token: string, nik: string): Promise<string> {
  const response = await request(app.server)
    .post('/proposals')
    .set('Authorization', bearer(token))
    .send({
      kind: 'ADD',
      villageCode: JOBS_VILLAGE,
      channel: 'RT_RW',
      household: {
        address: 'Jl. Baru 1',
        rt: '002',
        rw: '001',
        kkNumber: '3515140101100092',
        members: [{ nik, name: 'Warga Baru', sex: 'M', birthDate: '1968-08-05', relationship: 'HEAD' }],
      },
    })
    .expect(201);
  return (response.body as { proposalId: string }).proposalId;
}

export async function proposalView(app: TestApp, token: string, id: string): Promise<ProposalView> {
  return (await request(app.server).get(`/proposals/${id}`).set('Authorization', bearer(token)).expect(200))
    .body as ProposalView;
}
