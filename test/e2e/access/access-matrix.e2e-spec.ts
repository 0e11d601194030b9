/**
 * The access matrix: for every route of the application, who may call it, inside and outside their scope.
 *
 * `ROUTE_CASES` has one entry per route ("METHOD /path/pattern", as `listRoutes` names it): how to build a request
 * about a region inside the regional principals' scope (regency 3515) and one outside it (regency 3201), and the
 * answer expected for each principal and for an anonymous caller. The first test checks that the table and the
 * routes Nest registered are the same set, so a new route without a row fails `npm test` until someone decides who
 * may call it. Then every cell runs as its own test, named after the cell.
 */
import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';
import { JobFiles, QUEUES, jobIdFor } from '@muskel/jobs';
import { AuthRepository, listRoutes, undeclaredRoutes } from '@muskel/auth';
import type { Role } from '@muskel/domain';
import {
  bearer,
  eventually,
  expectProblem,
  openSession,
  seedUser,
  signIn,
  startApp,
  type SeededUser,
  type TestApp,
} from '../support/access-app';
import { QUORUM, WorkflowFixtures } from '../support/workflow-fixtures';
import { JobClient } from '../../../apps/api/src/jobs/job-status/job-client';
import { EvidenceFiles } from '../../../apps/api/src/workflow/evidence-files/evidence-files.store';

// ---------------------------------------------------------------------------------------------- principals

const PRINCIPALS = {
  admin: { role: 'ADMIN', scope: '3515', homeRegion: '3515' },
  verifier: { role: 'VERIFIER', scope: '3515', homeRegion: '3515' },
  auditor: { role: 'AUDITOR', scope: '3515', homeRegion: '3515' },
  operator: { role: 'VILLAGE_OPERATOR', scope: '3515142001', homeRegion: '3515142001' },
  national: { role: 'ADMIN', scope: 'NATIONAL', homeRegion: 'NATIONAL' },
} as const satisfies Record<string, { role: Role; scope: string; homeRegion: string }>;
type PrincipalName = keyof typeof PRINCIPALS;
const PRINCIPAL_NAMES = Object.keys(PRINCIPALS) as PrincipalName[];
type Who = PrincipalName | 'anonymous';

/** Inside: a village of regency 3515 (Sidoarjo); outside: one of regency 3201 (Bogor). */
const REGIONS = {
  inside: { regency: '3515', village: '3515142001' },
  outside: { regency: '3201', village: '3201012001' },
} as const;
type Where = keyof typeof REGIONS;

const FIXTURE_PASSWORD = 'matrix fixture passphrase 7';
const NEW_PASSWORD = 'lereng merapi pagi hari 42';

// ---------------------------------------------------------------------------------------------- expectations

/** A refusal: status and code. A plain number is a success status. */
type Outcome = number | { status: number; code: string };
const MISSING = { status: 403, code: 'MISSING_PERMISSION' } as const;
const OUTSIDE = { status: 403, code: 'OUTSIDE_SCOPE' } as const;
const HIDDEN = { status: 404, code: 'NOT_FOUND' } as const;
const SIGN_IN = { status: 401, code: 'AUTHENTICATION_REQUIRED' } as const;

type Expectations = Record<PrincipalName, Outcome>;
/** Who holds which role among the principals: readers of the workflow are operators, verifiers and auditors. */
const only = (granted: Partial<Expectations>, otherwise: Outcome = MISSING): Expectations => ({
  ...everyone(otherwise),
  ...granted,
});
const readers = (outcome: Outcome) => only({ verifier: outcome, auditor: outcome, operator: outcome });
const DIGEST = (c: string) => `sha256:${c.repeat(64)}`;
const village = (where: Where) => REGIONS[where].village;
const post = (path: string, body?: object): Req => ({ method: 'POST', path, body });
const get = (path: string): Req => ({ method: 'GET', path });
const everyone = (outcome: Outcome): Expectations =>
  Object.fromEntries(PRINCIPAL_NAMES.map((name) => [name, outcome])) as Expectations;

// ---------------------------------------------------------------------------------------------- the world

interface World {
  t: TestApp;
  principals: Record<PrincipalName, { userId: string; username: string; accessToken: string }>;
  /** Read-only targets (GET routes, API token creation): one user at home in each region. */
  targets: Record<Where, SeededUser>;
  /** Whose credentials the sign-in cells present. */
  loginUser: SeededUser;
  fixtures: WorkflowFixtures;
}

interface Req {
  method: 'GET' | 'POST';
  path: string;
  body?: object;
  /** Another token than the principal's own (e.g. a session made for this cell); never used for anonymous. */
  token?: string;
  /** A body sent as is with this media type instead of JSON (a CSV upload). */
  raw?: { contentType: string; text: string };
}

/** A fresh user at home in the region, holding VILLAGE_OPERATOR of its village (what most cells act on). */
const freshTarget = (w: World, where: Where, extra: { password?: string; disabled?: boolean } = {}) =>
  seedUser(w.t, {
    homeRegion: REGIONS[where].village,
    grants: [{ role: 'VILLAGE_OPERATOR', scope: REGIONS[where].village }],
    ...extra,
  });

let created = 0;

interface RouteCase {
  build(w: World, where: Where, who: Who): Promise<Req>;
  inside: Expectations;
  /** Absent when the request names no region at all (sign-in, own account, health): no outside cells. */
  outside?: Expectations;
  anonymous: Outcome;
}

const ROUTE_CASES: Record<string, RouteCase> = {
  'GET /health': {
    build: () => Promise.resolve({ method: 'GET', path: '/health' }),
    inside: everyone(200),
    anonymous: 200,
  },
  // Public while METRICS_TOKEN is unset (this app); with it, only its bearer (test/e2e/deploy/metrics.e2e-spec.ts).
  'GET /metrics': {
    build: () => Promise.resolve(get('/metrics')),
    inside: everyone(200),
    anonymous: 200,
  },
  'POST /auth/login': {
    build: (w) =>
      Promise.resolve({
        method: 'POST',
        path: '/auth/login',
        body: { username: w.loginUser.username, password: FIXTURE_PASSWORD },
      }),
    inside: everyone(200),
    anonymous: 200,
  },
  'POST /auth/refresh': {
    build: async (w) => ({
      method: 'POST',
      path: '/auth/refresh',
      body: { refreshToken: (await openSession(w.t, w.loginUser.userId)).refreshToken },
    }),
    inside: everyone(200),
    anonymous: 200,
  },
  'POST /auth/logout': {
    // A session of its own, so signing out does not end the principal's session the other cells use.
    build: async (w, _where, who) => ({
      method: 'POST',
      path: '/auth/logout',
      token: who === 'anonymous' ? undefined : (await openSession(w.t, w.principals[who].userId)).accessToken,
    }),
    inside: everyone(204),
    anonymous: SIGN_IN,
  },
  'GET /me': {
    build: () => Promise.resolve({ method: 'GET', path: '/me' }),
    inside: everyone(200),
    anonymous: SIGN_IN,
  },
  'POST /me/password': {
    build: () =>
      Promise.resolve({
        method: 'POST',
        path: '/me/password',
        body: { currentPassword: FIXTURE_PASSWORD, newPassword: NEW_PASSWORD },
      }),
    inside: everyone(204),
    anonymous: SIGN_IN,
  },
  'POST /users': {
    build: (_w, where) =>
      Promise.resolve({
        method: 'POST',
        path: '/users',
        body: {
          username: `matrix.new.${++created}`,
          displayName: 'Operator Baru',
          homeRegion: REGIONS[where].village,
          password: NEW_PASSWORD,
          grants: [{ role: 'VILLAGE_OPERATOR', scope: REGIONS[where].village }],
        },
      }),
    inside: { admin: 201, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 201 },
    outside: { admin: OUTSIDE, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 201 },
    anonymous: SIGN_IN,
  },
  'GET /users': {
    // A list, filtered to the caller's scopes rather than refused (see the filtering test below).
    build: (_w, where) => Promise.resolve({ method: 'GET', path: `/users?region=${REGIONS[where].regency}` }),
    inside: { admin: 200, verifier: MISSING, auditor: 200, operator: MISSING, national: 200 },
    outside: { admin: 200, verifier: MISSING, auditor: 200, operator: MISSING, national: 200 },
    anonymous: SIGN_IN,
  },
  'GET /users/:id': {
    build: (w, where) => Promise.resolve({ method: 'GET', path: `/users/${w.targets[where].userId}` }),
    inside: { admin: 200, verifier: MISSING, auditor: 200, operator: MISSING, national: 200 },
    outside: { admin: HIDDEN, verifier: MISSING, auditor: HIDDEN, operator: MISSING, national: 200 },
    anonymous: SIGN_IN,
  },
  'POST /users/:id/grants': {
    build: async (w, where) => ({
      method: 'POST',
      path: `/users/${(await seedUser(w.t, { homeRegion: REGIONS[where].village })).userId}/grants`,
      body: { role: 'VERIFIER', scope: REGIONS[where].regency },
    }),
    inside: { admin: 201, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 201 },
    outside: { admin: HIDDEN, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 201 },
    anonymous: SIGN_IN,
  },
  'POST /users/:id/grants/:grantId/revoke': {
    build: async (w, where) => {
      const target = await freshTarget(w, where);
      return {
        method: 'POST',
        path: `/users/${target.userId}/grants/${target.grantIds[0]}/revoke`,
        body: { reason: 'moved to another village' },
      };
    },
    inside: { admin: 200, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 200 },
    outside: { admin: HIDDEN, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 200 },
    anonymous: SIGN_IN,
  },
  'POST /users/:id/disable': {
    build: async (w, where) => ({
      method: 'POST',
      path: `/users/${(await freshTarget(w, where)).userId}/disable`,
      body: { reason: 'left office' },
    }),
    inside: { admin: 200, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 200 },
    outside: { admin: HIDDEN, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 200 },
    anonymous: SIGN_IN,
  },
  'POST /users/:id/enable': {
    build: async (w, where) => ({
      method: 'POST',
      path: `/users/${(await freshTarget(w, where, { disabled: true })).userId}/enable`,
    }),
    inside: { admin: 200, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 200 },
    outside: { admin: HIDDEN, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 200 },
    anonymous: SIGN_IN,
  },
  'POST /users/:id/password': {
    build: async (w, where) => ({
      method: 'POST',
      path: `/users/${(await freshTarget(w, where, { password: FIXTURE_PASSWORD })).userId}/password`,
      body: { password: NEW_PASSWORD },
    }),
    inside: { admin: 200, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 200 },
    outside: { admin: HIDDEN, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 200 },
    anonymous: SIGN_IN,
  },
  'POST /users/:id/api-tokens': {
    build: (w, where) =>
      Promise.resolve({
        method: 'POST',
        path: `/users/${w.targets[where].userId}/api-tokens`,
        body: { name: 'siks-ng-sync' },
      }),
    inside: { admin: 201, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 201 },
    outside: { admin: HIDDEN, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 201 },
    anonymous: SIGN_IN,
  },
  'GET /users/:id/api-tokens': {
    build: (w, where) => Promise.resolve({ method: 'GET', path: `/users/${w.targets[where].userId}/api-tokens` }),
    inside: { admin: 200, verifier: MISSING, auditor: 200, operator: MISSING, national: 200 },
    outside: { admin: HIDDEN, verifier: MISSING, auditor: HIDDEN, operator: MISSING, national: 200 },
    anonymous: SIGN_IN,
  },
  'POST /users/:id/api-tokens/:tokenId/revoke': {
    build: async (w, where) => {
      const target = w.targets[where];
      const { tokenId } = await w.t.app
        .get(AuthRepository)
        .createApiToken(target.userId, 'to revoke', w.principals.national.userId);
      return { method: 'POST', path: `/users/${target.userId}/api-tokens/${tokenId}/revoke` };
    },
    inside: { admin: 204, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 204 },
    outside: { admin: HIDDEN, verifier: MISSING, auditor: MISSING, operator: MISSING, national: 204 },
    anonymous: SIGN_IN,
  },
  // ------------------------------------------------------------------ the workflow (issue 4)
  'POST /proposals': {
    build: (_w, where) =>
      Promise.resolve(
        post('/proposals', {
          kind: 'ADD',
          villageCode: village(where),
          channel: 'RT_RW',
          household: {
            address: 'Jl. Matriks 1',
            rt: '001',
            rw: '001',
            kkNumber: '3515140101090001',
            members: [
              {
                nik: '3515140508680001',
                name: 'Warga Matriks',
                sex: 'M',
                birthDate: '1968-08-05',
                relationship: 'HEAD',
              },
            ],
          },
        }),
      ),
    inside: only({ verifier: 201, operator: 201 }),
    outside: only({ verifier: OUTSIDE, operator: OUTSIDE }),
    anonymous: SIGN_IN,
  },
  'GET /proposals': {
    build: (_w, where) => Promise.resolve(get(`/proposals?villageCode=${village(where)}`)),
    inside: readers(200),
    outside: readers(200),
    anonymous: SIGN_IN,
  },
  'GET /proposals/:id': {
    build: async (w, where) => get(`/proposals/${await w.fixtures.waitingProposal(village(where))}`),
    inside: readers(200),
    outside: readers(HIDDEN),
    anonymous: SIGN_IN,
  },
  'POST /proposals/:id/amend': {
    build: async (w, where) =>
      post(`/proposals/${await w.fixtures.waitingProposal(village(where))}/amend`, {
        household: {
          address: 'Jl. Matriks 2',
          rt: '002',
          rw: '001',
          kkNumber: '3515140101090001',
          members: [
            { nik: '3515140508680001', name: 'Warga Matriks', sex: 'M', birthDate: '1968-08-05', relationship: 'HEAD' },
          ],
        },
      }),
    inside: only({ verifier: 200, operator: 200 }),
    outside: only({ verifier: HIDDEN, operator: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /proposals/:id/withdraw': {
    build: async (w, where) =>
      post(`/proposals/${await w.fixtures.waitingProposal(village(where))}/withdraw`, { reason: 'Pindah domisili' }),
    inside: only({ verifier: 200, operator: 200 }),
    outside: only({ verifier: HIDDEN, operator: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /proposals/:id/field-visits': {
    build: async (w, where) =>
      post(`/proposals/${(await w.fixtures.approvedProposal(village(where))).proposalId}/field-visits`, {
        visitedAt: '2026-11-26T10:00:00+07:00',
        outcome: 'CONFIRMED',
        notes: 'Sesuai',
      }),
    inside: only({ verifier: 201 }),
    outside: only({ verifier: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /proposals/:id/flags': {
    build: async (w, where) =>
      post(`/proposals/${await w.fixtures.waitingProposal(village(where))}/flags`, {
        code: 'WAGE_MATCH',
        severity: 'BLOCKING',
        source: 'BPJS',
        evidence: 'ref-9',
      }),
    inside: only({ verifier: 201 }),
    outside: only({ verifier: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /proposals/:id/flags/:code/resolve': {
    build: async (w, where) =>
      post(`/proposals/${await w.fixtures.flaggedProposal(village(where))}/flags/WAGE_MATCH/resolve`, {
        justification: 'Upah di bawah UMK menurut slip gaji',
      }),
    inside: only({ verifier: 200 }),
    outside: only({ verifier: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /proposals/:id/verify': {
    build: async (w, where) => post(`/proposals/${await w.fixtures.visitedProposal(village(where))}/verify`),
    inside: only({ verifier: 200 }),
    outside: only({ verifier: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /proposals/:id/return': {
    build: async (w, where) =>
      post(`/proposals/${(await w.fixtures.approvedProposal(village(where))).proposalId}/return`, {
        reason: 'Alamat belum lengkap',
      }),
    inside: only({ verifier: 200 }),
    outside: only({ verifier: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /proposals/:id/reject': {
    build: async (w, where) =>
      post(`/proposals/${(await w.fixtures.approvedProposal(village(where))).proposalId}/reject`, {
        reason: 'Tidak memenuhi kriteria',
      }),
    inside: only({ verifier: 200 }),
    outside: only({ verifier: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /meetings': {
    build: (_w, where) =>
      Promise.resolve(
        post('/meetings', {
          villageCode: village(where),
          kind: 'MUSDES',
          scheduledAt: '2026-11-25T09:00:00+07:00',
          venue: 'Balai Desa',
          chair: 'Kepala Desa',
        }),
      ),
    inside: only({ operator: 201 }),
    outside: only({ operator: OUTSIDE }),
    anonymous: SIGN_IN,
  },
  'GET /meetings': {
    build: (_w, where) => Promise.resolve(get(`/meetings?villageCode=${village(where)}`)),
    inside: readers(200),
    outside: readers(200),
    anonymous: SIGN_IN,
  },
  'GET /meetings/:id': {
    build: async (w, where) => get(`/meetings/${await w.fixtures.scheduledMeeting(village(where))}`),
    inside: readers(200),
    outside: readers(HIDDEN),
    anonymous: SIGN_IN,
  },
  'POST /meetings/:id/agenda': {
    build: async (w, where) => {
      const meetingId = await w.fixtures.scheduledMeeting(village(where));
      return post(`/meetings/${meetingId}/agenda`, { proposalId: await w.fixtures.waitingProposal(village(where)) });
    },
    inside: only({ operator: 201 }),
    outside: only({ operator: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /meetings/:id/open': {
    build: async (w, where) => {
      const operator = {
        userId: w.principals.operator.userId,
        role: 'VILLAGE_OPERATOR' as const,
        scope: village(where),
      };
      const meetingId = await w.fixtures.scheduledMeeting(village(where), operator);
      await w.fixtures.addToAgenda(meetingId, await w.fixtures.waitingProposal(village(where)), operator);
      return post(`/meetings/${meetingId}/open`, { openedAt: '2026-11-25T09:05:00+07:00', attendees: QUORUM });
    },
    inside: only({ operator: 200 }),
    outside: only({ operator: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /meetings/:id/decisions': {
    build: async (w, where) => {
      const { meetingId, proposalId } = await w.fixtures.openMeeting(village(where));
      return post(`/meetings/${meetingId}/decisions`, { proposalId, decision: 'APPROVED', reason: 'Layak' });
    },
    inside: only({ operator: 201 }),
    outside: only({ operator: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /meetings/:id/conclude': {
    build: async (w, where) => {
      const { meetingId } = await w.fixtures.decidedMeeting(village(where));
      return post(`/meetings/${meetingId}/conclude`, {
        minutesDigest: DIGEST('e'),
        signatories: [{ name: 'Kepala Desa', role: 'KEPALA_DESA' }],
      });
    },
    inside: only({ operator: 200 }),
    outside: only({ operator: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /meetings/:id/signed-minutes': {
    build: async (w, where) => {
      const { meetingId } = await w.fixtures.approvedProposal(village(where));
      return post(`/meetings/${meetingId}/signed-minutes`, { signedCopyDigest: DIGEST('f') });
    },
    inside: only({ operator: 201 }),
    outside: only({ operator: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /meetings/:id/cancel': {
    build: async (w, where) =>
      post(`/meetings/${await w.fixtures.scheduledMeeting(village(where))}/cancel`, { reason: 'Banjir' }),
    inside: only({ operator: 200 }),
    outside: only({ operator: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'GET /meetings/:id/minutes': {
    build: async (w, where) => get(`/meetings/${(await w.fixtures.decidedMeeting(village(where))).meetingId}/minutes`),
    inside: readers(200),
    outside: readers(HIDDEN),
    anonymous: SIGN_IN,
  },
  'GET /meetings/:id/minutes.pdf': {
    build: async (w, where) =>
      get(`/meetings/${(await w.fixtures.decidedMeeting(village(where))).meetingId}/minutes.pdf`),
    inside: readers(200),
    outside: readers(HIDDEN),
    anonymous: SIGN_IN,
  },
  'GET /meetings/:id/bnba.pdf': {
    build: async (w, where) => get(`/meetings/${(await w.fixtures.decidedMeeting(village(where))).meetingId}/bnba.pdf`),
    inside: readers(200),
    outside: readers(HIDDEN),
    anonymous: SIGN_IN,
  },
  // No personal data: the meeting's village, date, status and recorded digest, for the berita acara's QR code.
  'GET /public/meetings/:id/minutes': {
    build: async (w, where) => get(`/public/meetings/${await w.fixtures.scheduledMeeting(village(where))}/minutes`),
    inside: everyone(200),
    outside: everyone(200),
    anonymous: 200,
  },
  'GET /regencies/:regionCode/quorum-policy': {
    build: (_w, where) => Promise.resolve(get(`/regencies/${REGIONS[where].regency}/quorum-policy`)),
    inside: only({ admin: 200, verifier: 200, auditor: 200, national: 200 }),
    outside: only({ admin: OUTSIDE, verifier: OUTSIDE, auditor: OUTSIDE, national: 200 }),
    anonymous: SIGN_IN,
  },
  'POST /regencies/:regionCode/quorum-policy': {
    // The default policy, so that setting it changes nothing for the meeting cells.
    build: (_w, where) =>
      Promise.resolve(
        post(`/regencies/${REGIONS[where].regency}/quorum-policy`, {
          minimumAttendees: 5,
          requiredRoles: [],
          chairMustAttend: true,
        }),
      ),
    inside: only({ admin: 200, national: 200 }),
    outside: only({ admin: OUTSIDE, national: 200 }),
    anonymous: SIGN_IN,
  },
  'POST /batches': {
    build: (w, where) => {
      const period = w.fixtures.freshPeriod();
      return Promise.resolve(
        post('/batches', { regencyCode: REGIONS[where].regency, period, cutoffDate: `${period}-20` }),
      );
    },
    inside: only({ verifier: 201 }),
    outside: only({ verifier: OUTSIDE }),
    anonymous: SIGN_IN,
  },
  'GET /batches': {
    build: (_w, where) => Promise.resolve(get(`/batches?regencyCode=${REGIONS[where].regency}`)),
    inside: only({ verifier: 200, auditor: 200 }),
    outside: only({ verifier: 200, auditor: 200 }),
    anonymous: SIGN_IN,
  },
  'GET /batches/:id': {
    build: async (w, where) => get(`/batches/${(await w.fixtures.batch(village(where), 'OPEN')).batchId}`),
    inside: only({ verifier: 200, auditor: 200 }),
    outside: only({ verifier: HIDDEN, auditor: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /batches/:id/proposals': {
    build: async (w, where) => {
      const { batchId } = await w.fixtures.batch(village(where), 'OPEN');
      return post(`/batches/${batchId}/proposals`, { proposalId: await w.fixtures.verifiedProposal(village(where)) });
    },
    inside: only({ verifier: 201 }),
    outside: only({ verifier: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /batches/:id/close': {
    build: async (w, where) =>
      post(`/batches/${(await w.fixtures.batch(village(where), 'OPEN')).batchId}/close`, {
        early: true,
        reason: 'Semua usulan bulan ini sudah masuk',
      }),
    inside: only({ verifier: 200 }),
    outside: only({ verifier: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /batches/:id/endorse': {
    build: async (w, where) =>
      post(`/batches/${(await w.fixtures.batch(village(where), 'CLOSED')).batchId}/endorse`, {
        endorsedBy: 'Bupati',
        letterNumber: '400/1/2026',
        signedDate: new Date().toISOString().slice(0, 10),
        documentDigest: DIGEST('f'),
      }),
    inside: only({ verifier: 200 }),
    outside: only({ verifier: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /batches/:id/submit': {
    build: async (w, where) =>
      post(`/batches/${(await w.fixtures.batch(village(where), 'ENDORSED')).batchId}/submit`, {
        submittedAt: new Date().toISOString(),
        exportDigest: DIGEST('9'),
      }),
    inside: only({ verifier: 200 }),
    outside: only({ verifier: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /batches/:id/results': {
    build: async (w, where) => {
      const { batchId, proposalId } = await w.fixtures.batch(village(where), 'SUBMITTED');
      return post(`/batches/${batchId}/results`, {
        results: [{ proposalId, outcome: 'ACCEPTED', decreeRef: 'SK-460/12/2026' }],
      });
    },
    inside: only({ verifier: 201 }),
    outside: only({ verifier: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /registry/search': {
    build: (_w, where) => Promise.resolve(post('/registry/search', { villageCode: village(where) })),
    inside: readers(200),
    outside: readers(200),
    anonymous: SIGN_IN,
  },
  'GET /registry/households/:id': {
    build: async (w, where) => get(`/registry/households/${await w.fixtures.household(village(where))}`),
    inside: readers(200),
    outside: readers(HIDDEN),
    anonymous: SIGN_IN,
  },
  'GET /registry/households/:id/provenance': {
    build: async (w, where) => get(`/registry/households/${await w.fixtures.household(village(where))}/provenance`),
    inside: readers(200),
    outside: readers(HIDDEN),
    anonymous: SIGN_IN,
  },
  'POST /registry/households/:id/erasure': {
    // A fresh household per cell: a successful erasure is final (a second one is 409).
    build: async (w, where) =>
      post(`/registry/households/${await w.fixtures.household(village(where))}/erasure`, {
        legalBasisRef: 'Surat Dinsos 470/12/2026',
        requestedAt: '2026-11-01',
      }),
    inside: only({ admin: 200, national: 200 }),
    outside: only({ admin: HIDDEN, national: 200 }),
    anonymous: SIGN_IN,
  },
  'GET /registry/villages/:regionCode': {
    build: (_w, where) => Promise.resolve(get(`/registry/villages/${village(where)}?asOf=2026-11-01`)),
    inside: readers(200),
    outside: readers(OUTSIDE),
    anonymous: SIGN_IN,
  },
  'GET /registry/villages/:regionCode/changes': {
    build: (_w, where) =>
      Promise.resolve(get(`/registry/villages/${village(where)}/changes?from=2026-11-01&to=2026-11-30`)),
    inside: readers(200),
    outside: readers(OUTSIDE),
    anonymous: SIGN_IN,
  },
  'POST /registry/imports': {
    // A one-household file, different in every cell (a file is imported once).
    build: (_w, where) => {
      created += 1;
      const kk = `3515140101${String(200000 + created).slice(-6)}`;
      const text = [
        'kk_number,nik,name,sex,birth_date,relationship,address,rt,rw,village_code',
        `${kk},3515140508680001,Warga Matriks ${created},L,1968-08-05,KEPALA_KELUARGA,Jl. Impor 1,001,001,${village(where)}`,
      ].join('\n');
      return Promise.resolve({
        method: 'POST',
        path: `/registry/imports?villageCode=${village(where)}`,
        raw: { contentType: 'text/csv', text },
      });
    },
    inside: only({ verifier: 201 }),
    outside: only({ verifier: OUTSIDE }),
    anonymous: SIGN_IN,
  },
  'POST /evidence-files': {
    // A one-line PDF, different in every cell (the same bytes again would be the same file: still 201).
    build: (_w, where) => {
      created += 1;
      return Promise.resolve({
        method: 'POST',
        path: `/evidence-files?villageCode=${village(where)}&kind=DEATH_CERTIFICATE`,
        raw: { contentType: 'application/pdf', text: `%PDF-1.4\n% matriks ${created}\n%%EOF\n` },
      });
    },
    inside: only({ operator: 201 }),
    outside: only({ operator: OUTSIDE }),
    anonymous: SIGN_IN,
  },
  'GET /evidence-files': {
    // A lookup by digest, filtered to the caller's scopes rather than refused.
    build: () => Promise.resolve(get(`/evidence-files?digest=${DIGEST('e')}`)),
    inside: readers(200),
    outside: readers(200),
    anonymous: SIGN_IN,
  },
  'GET /evidence-files/:id': {
    build: async (w, where) => {
      created += 1;
      const bytes = Buffer.from(`%PDF-1.4\n% matriks ${created}\n`);
      const file = await w.t.app.get(EvidenceFiles).put({
        id: randomUUID(),
        digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
        mediaType: 'application/pdf',
        kind: 'DEATH_CERTIFICATE',
        villageCode: village(where),
        uploadedBy: 'matrix',
        uploadedAt: new Date().toISOString(),
        bytes,
      });
      return get(`/evidence-files/${file.fileId}`);
    },
    inside: readers(200),
    outside: readers(HIDDEN),
    anonymous: SIGN_IN,
  },
  'POST /reference-lists/imports': {
    // National lists (no region in the request): a one-row file, different in every cell (a file is imported once).
    build: () => {
      created += 1;
      return Promise.resolve({
        method: 'POST',
        path: '/reference-lists/imports?source=BKN',
        raw: { contentType: 'text/csv', text: `nik,nip\n3515140508680001,NIP-MATRIKS-${created}\n` },
      });
    },
    inside: only({ national: 201, admin: OUTSIDE }),
    anonymous: SIGN_IN,
  },
  'POST /persons/history': {
    // No region in the request: the answer is filtered to the auditor's scope.
    build: () => Promise.resolve(post('/persons/history', { nik: '3515140508680001' })),
    inside: only({ auditor: 200 }),
    anonymous: SIGN_IN,
  },
  // ------------------------------------------------------------------ the audit log (issue 5, first part)
  'GET /audit/v1/verifier-key': {
    build: () => Promise.resolve(get('/audit/v1/verifier-key')),
    inside: everyone(200),
    anonymous: 200,
  },
  'POST /audit/v1/checkpoints': {
    build: () => Promise.resolve(post('/audit/v1/checkpoints')),
    inside: only({ admin: 201, auditor: 201, national: 201 }),
    anonymous: SIGN_IN,
  },
  'GET /audit/v1/checkpoint': {
    // Signed before the cell runs, so there is one to read.
    build: async (w) => {
      await request(w.t.server)
        .post('/audit/v1/checkpoints')
        .set('Authorization', bearer(w.principals.national.accessToken))
        .expect(201);
      return get('/audit/v1/checkpoint');
    },
    inside: everyone(200),
    anonymous: 200,
  },
  'GET /audit/v1/checkpoints': {
    build: () => Promise.resolve(get('/audit/v1/checkpoints')),
    inside: everyone(200),
    anonymous: 200,
  },
  'GET /audit/v1/proofs/inclusion': {
    build: () => Promise.resolve(get('/audit/v1/proofs/inclusion?index=0&size=1')),
    inside: everyone(200),
    anonymous: 200,
  },
  'GET /audit/v1/proofs/consistency': {
    build: () => Promise.resolve(get('/audit/v1/proofs/consistency?from=1&to=1')),
    inside: everyone(200),
    anonymous: 200,
  },
  'GET /audit/v1/events/:eventId/bundle': {
    build: async (w) => {
      const [first] = await w.t.db.query<{ event_id: string }>('SELECT event_id FROM audit_leaves WHERE seq = 0');
      return get(`/audit/v1/events/${first!.event_id}/bundle`);
    },
    inside: everyone(200),
    anonymous: 200,
  },
  'GET /audit/v1/leaves': {
    build: () => Promise.resolve(get('/audit/v1/leaves?from=0&count=3')),
    inside: only({ auditor: 200 }),
    anonymous: SIGN_IN,
  },
  'GET /audit/v1/export': {
    // The restricted variant: with the stored events (personal data) it is for auditors only; without them it is
    // public (test/e2e/audit/audit-export.e2e-spec.ts). Signed first, so there is a checkpoint to cut at.
    build: async (w) => {
      await request(w.t.server)
        .post('/audit/v1/checkpoints')
        .set('Authorization', bearer(w.principals.national.accessToken))
        .expect(201);
      return get('/audit/v1/export?events=true');
    },
    inside: only({ auditor: 200 }),
    anonymous: SIGN_IN,
  },
  // ------------------------------------------------------------------ background work (issue 6)
  'POST /batches/:id/exports': {
    build: async (w, where) => post(`/batches/${(await w.fixtures.batch(village(where), 'CLOSED')).batchId}/exports`),
    inside: only({ verifier: 202 }),
    outside: only({ verifier: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'GET /batches/:id/exports': {
    build: async (w, where) => get(`/batches/${(await w.fixtures.batch(village(where), 'CLOSED')).batchId}/exports`),
    inside: only({ verifier: 200, auditor: 200 }),
    outside: only({ verifier: HIDDEN, auditor: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'GET /batches/:id/exports/:fileId': {
    build: async (w, where) => {
      const { batchId } = await w.fixtures.batch(village(where), 'CLOSED');
      const file = await w.t.app.get(JobFiles).put({
        id: randomUUID(),
        kind: 'siks-export',
        batchId,
        fileName: `bnba-${batchId}.csv`,
        mediaType: 'text/csv; charset=utf-8',
        content: Buffer.from('No. Usulan\n'),
        createdBy: 'matrix',
      });
      return get(`/batches/${batchId}/exports/${file.id}`);
    },
    inside: only({ verifier: 200 }),
    outside: only({ verifier: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'POST /batches/:id/results/imports': {
    build: async (w, where) => {
      const { batchId } = await w.fixtures.batch(village(where), 'SUBMITTED');
      return {
        method: 'POST',
        path: `/batches/${batchId}/results/imports`,
        raw: { contentType: 'text/csv', text: 'no_usulan,hasil,nomor_sk\n1,DITERIMA,SK-460/1/2030\n' },
      };
    },
    inside: only({ verifier: 202 }),
    outside: only({ verifier: HIDDEN }),
    anonymous: SIGN_IN,
  },
  'GET /jobs/:id': {
    // Jobs carry ids and counts only: no region, readable by the roles that follow background work.
    build: async (w) => {
      created += 1;
      const jobId = jobIdFor(QUEUES.siksExports, `matrix-${created}`);
      await w.t.app
        .get(JobClient)
        .enqueue(QUEUES.siksExports, { batchId: '3515-209901', revision: created, requestedBy: 'matrix' }, jobId);
      return get(`/jobs/${jobId}`);
    },
    inside: only({ verifier: 200, auditor: 200, admin: 200, national: 200 }),
    anonymous: SIGN_IN,
  },
  'GET /reminders': {
    build: (_w, where) => Promise.resolve(get(`/reminders?villageCode=${village(where)}`)),
    inside: only({ operator: 200, verifier: 200 }),
    outside: only({ operator: OUTSIDE, verifier: OUTSIDE }),
    anonymous: SIGN_IN,
  },
  'GET /public/villages/:regionCode/board': {
    build: (_w, where) => Promise.resolve(get(`/public/villages/${village(where)}/board?period=2026-11`)),
    inside: everyone(200),
    outside: everyone(200),
    anonymous: 200,
  },
};

// ---------------------------------------------------------------------------------------------- the cells

interface Cell {
  name: string;
  route: string;
  who: Who;
  where: Where;
  expected: Outcome;
}

const describeOutcome = (outcome: Outcome): string =>
  typeof outcome === 'number' ? String(outcome) : `${outcome.status} ${outcome.code}`;

function cellsOf(route: string, routeCase: RouteCase): Cell[] {
  const cells: Cell[] = [];
  const wheres: Where[] = routeCase.outside ? ['inside', 'outside'] : ['inside'];
  for (const where of wheres) {
    const expectations = where === 'inside' ? routeCase.inside : routeCase.outside!;
    for (const who of PRINCIPAL_NAMES) {
      const p = PRINCIPALS[who];
      cells.push({
        name: `${route} | ${who} (${p.role} ${p.scope}) | ${routeCase.outside ? where : 'any region'} -> ${describeOutcome(expectations[who])}`,
        route,
        who,
        where,
        expected: expectations[who],
      });
    }
  }
  cells.push({
    name: `${route} | anonymous -> ${describeOutcome(routeCase.anonymous)}`,
    route,
    who: 'anonymous',
    where: 'inside',
    expected: routeCase.anonymous,
  });
  return cells;
}

const CELLS = Object.entries(ROUTE_CASES).flatMap(([route, routeCase]) => cellsOf(route, routeCase));

describe('access matrix', () => {
  const w = {} as World;

  beforeAll(async () => {
    w.t = await startApp();
    const entries = await Promise.all(
      PRINCIPAL_NAMES.map(async (name) => {
        const p = PRINCIPALS[name];
        const user = await seedUser(w.t, {
          username: `p.${name}`,
          homeRegion: p.homeRegion,
          grants: [{ role: p.role, scope: p.scope }],
          password: FIXTURE_PASSWORD,
        });
        const { accessToken } = await signIn(w.t, user.username, FIXTURE_PASSWORD);
        return [name, { userId: user.userId, username: user.username, accessToken }] as const;
      }),
    );
    w.principals = Object.fromEntries(entries) as World['principals'];
    w.targets = {
      inside: await freshTarget(w, 'inside'),
      outside: await freshTarget(w, 'outside'),
    };
    w.loginUser = await seedUser(w.t, { homeRegion: REGIONS.inside.village, password: FIXTURE_PASSWORD });
    w.fixtures = new WorkflowFixtures(w.t.store);
  });

  afterAll(async () => {
    await w.t?.close();
  });

  it('has exactly one row per route Nest registered (a new route needs a row)', () => {
    const routes = listRoutes(w.t.app).map((route) => route.key);
    const rows = Object.keys(ROUTE_CASES);
    expect(routes.filter((route) => !rows.includes(route))).toEqual([]); // routes without a row
    expect(rows.filter((row) => !routes.includes(row))).toEqual([]); // rows naming no route
    // The application exactly as shipped (nothing added beside it) declares access on every route.
    expect(undeclaredRoutes(w.t.app)).toEqual([]);
  });

  // A refused request changes nothing, so the refusals of one route and region share one built request (most of
  // this suite's time was building a fresh workflow fixture for each cell). A success, or a request built for one
  // caller (a third parameter), is built for its own cell.
  const refusedRequests = new Map<string, Promise<Req>>();
  const requestFor = (route: string, where: Where, who: Who, expected: Outcome): Promise<Req> => {
    const routeCase = ROUTE_CASES[route]!;
    if (typeof expected === 'number' || routeCase.build.length >= 3) return routeCase.build(w, where, who);
    const key = `${route} ${where}`;
    let req = refusedRequests.get(key);
    if (!req) {
      req = routeCase.build(w, where, who);
      refusedRequests.set(key, req);
    }
    return req;
  };

  it.each(CELLS)('$name', async ({ route, who, where, expected }) => {
    const req = await requestFor(route, where, who, expected);
    let call = req.method === 'GET' ? request(w.t.server).get(req.path) : request(w.t.server).post(req.path);
    if (who !== 'anonymous') call = call.set('Authorization', bearer(req.token ?? w.principals[who].accessToken));
    const response = await (req.raw
      ? call.set('Content-Type', req.raw.contentType).send(req.raw.text)
      : req.body
        ? call.send(req.body)
        : call);

    if (typeof expected === 'number') {
      if (response.status !== expected) {
        throw new Error(`expected ${expected}, got ${response.status}: ${response.text.slice(0, 300)}`);
      }
      expect(String(response.headers['content-type'] ?? '')).not.toContain('problem');
    } else {
      expectProblem(response, expected.status, expected.code);
      // A refusal says nothing about the user it was about.
      expect(response.text).not.toMatch(/fixture\.|Fixture /);
    }
  });

  describe('beyond the route rules: scope filtering and the domain rules', () => {
    it('GET /users lists only users whose home region lies in the caller scope', async () => {
      const list = async (who: PrincipalName, query = '') =>
        (
          await request(w.t.server)
            .get(`/users${query}`)
            .set('Authorization', bearer(w.principals[who].accessToken))
            .expect(200)
        ).body as { items: { userId: string; homeRegion: string }[] };
      const ids = (body: { items: { userId: string }[] }) => body.items.map((item) => item.userId);

      // The list is a projection: wait until it has both targets.
      await eventually(async () => {
        const all = ids(await list('national', '?limit=200'));
        return all.includes(w.targets.inside.userId) && all.includes(w.targets.outside.userId) ? true : undefined;
      });
      for (const who of ['admin', 'auditor'] as const) {
        const seen = await list(who, '?limit=200');
        expect(ids(seen)).toContain(w.targets.inside.userId);
        expect(ids(seen)).not.toContain(w.targets.outside.userId);
        expect(seen.items.every((item) => item.homeRegion.startsWith('3515'))).toBe(true);
        expect((await list(who, '?region=3201')).items).toEqual([]);
      }
    });

    it('a regional admin may not grant a scope outside theirs, even to a user inside (403 OUTSIDE_ADMIN_SCOPE)', async () => {
      const target = await freshTarget(w, 'inside');
      const response = await request(w.t.server)
        .post(`/users/${target.userId}/grants`)
        .set('Authorization', bearer(w.principals.admin.accessToken))
        .send({ role: 'VERIFIER', scope: '3201' });
      expectProblem(response, 403, 'OUTSIDE_ADMIN_SCOPE');
    });

    it('a regional admin may not register a user inside with a grant outside (403 OUTSIDE_ADMIN_SCOPE)', async () => {
      const response = await request(w.t.server)
        .post('/users')
        .set('Authorization', bearer(w.principals.admin.accessToken))
        .send({
          username: 'matrix.wide.grant',
          displayName: 'Terlalu Luas',
          homeRegion: REGIONS.inside.village,
          password: NEW_PASSWORD,
          grants: [{ role: 'AUDITOR', scope: 'NATIONAL' }],
        });
      expectProblem(response, 403, 'OUTSIDE_ADMIN_SCOPE');
    });

    it('a regional admin may not manage a user at home inside who holds a wider grant', async () => {
      const wide = await seedUser(w.t, {
        homeRegion: REGIONS.inside.village,
        grants: [{ role: 'AUDITOR', scope: 'NATIONAL' }],
      });
      const response = await request(w.t.server)
        .post(`/users/${wide.userId}/disable`)
        .set('Authorization', bearer(w.principals.admin.accessToken))
        .send({ reason: 'not allowed' });
      expectProblem(response, 403, 'OUTSIDE_ADMIN_SCOPE');
    });

    it('a regional admin may neither issue nor revoke an API token of a user holding a wider grant', async () => {
      const wide = await seedUser(w.t, {
        homeRegion: REGIONS.inside.village,
        grants: [{ role: 'AUDITOR', scope: 'NATIONAL' }],
      });
      const issue = await request(w.t.server)
        .post(`/users/${wide.userId}/api-tokens`)
        .set('Authorization', bearer(w.principals.admin.accessToken))
        .send({ name: 'not allowed' });
      expectProblem(issue, 403, 'OUTSIDE_ADMIN_SCOPE');
      expect(await w.t.app.get(AuthRepository).listApiTokens(wide.userId)).toEqual([]);

      // One issued by the national admin: the refused revocation leaves it working.
      const issued = await request(w.t.server)
        .post(`/users/${wide.userId}/api-tokens`)
        .set('Authorization', bearer(w.principals.national.accessToken))
        .send({ name: 'sync' })
        .expect(201);
      const { tokenId, token } = issued.body as { tokenId: string; token: string };
      const revoke = await request(w.t.server)
        .post(`/users/${wide.userId}/api-tokens/${tokenId}/revoke`)
        .set('Authorization', bearer(w.principals.admin.accessToken));
      expectProblem(revoke, 403, 'OUTSIDE_ADMIN_SCOPE');
      await request(w.t.server).get('/me').set('Authorization', bearer(token)).expect(200);
    });

    it('an admin may not grant a role to themself (403 SELF_GRANT)', async () => {
      const response = await request(w.t.server)
        .post(`/users/${w.principals.admin.userId}/grants`)
        .set('Authorization', bearer(w.principals.admin.accessToken))
        .send({ role: 'AUDITOR', scope: '3515' });
      expectProblem(response, 403, 'SELF_GRANT');
    });

    it('an admin may not disable themself (403 SELF_LOCKOUT)', async () => {
      const response = await request(w.t.server)
        .post(`/users/${w.principals.national.userId}/disable`)
        .set('Authorization', bearer(w.principals.national.accessToken))
        .send({ reason: 'oops' });
      expectProblem(response, 403, 'SELF_LOCKOUT');
    });

    it('an unknown user id answers like one outside the scope (404), even for a national admin', async () => {
      const response = await request(w.t.server)
        .get('/users/00000000-0000-4000-8000-000000000000')
        .set('Authorization', bearer(w.principals.national.accessToken));
      expectProblem(response, 404, 'NOT_FOUND');
    });
  });
});
