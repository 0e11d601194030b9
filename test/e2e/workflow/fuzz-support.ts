/**
 * Fuzzing every POST route: for each, at least 1,000 generated bodies (malformed JSON, wrong types, missing and
 * unknown fields, huge strings, unicode, injection strings, mutations of a valid body), sent by a principal who may
 * call the route, with path ids of real resources, so the requests reach validation, the guard's resolvers, the
 * handlers and the deciders. Every answer must be below 500, and a refusal must write nothing to the log.
 *
 * The app runs with MUSKEL_ROLE=api: no reactor writes in the background, so "nothing written" is exact.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { CommandPipeline } from '@muskel/application';
import { listRoutes } from '@muskel/auth';
import {
  householdDecider,
  householdStreamName,
  meetingDecider,
  meetingStreamName,
  proposalDecider,
  proposalStreamName,
  type HouseholdCommand,
  type Role,
  type ScheduleMeeting,
  type SubmitProposal,
} from '@muskel/domain';
import {
  bearer,
  freshPostgresDatabase,
  openSession,
  seedUser,
  startApp,
  systemContext,
  type TestApp,
} from '../support/access-app';

export const BODIES_PER_ROUTE = 1000;

const HOSTILE = [
  "'; DROP TABLE es_events; --",
  "' OR '1'='1",
  '<script>alert(1)</script>',
  '{{7*7}}${7*7}',
  '${jndi:ldap://example.invalid/a}',
  '../../../../etc/passwd',
  '\u0000\u0001\u001f',
  '\ud800',
  'Ṩ̴̡̛̣̖̱͇̯̜̗̜͉ͫ̔ͪ̇ͦ͛͆̓a̸',
  '𝕸𝖚𝖘𝖐𝖊𝖑 🏳️‍🌈 مرحبا 你好',
  '__proto__',
  'constructor',
  'NaN',
  '-1',
  '1e309',
  '3515140508680001',
  '35.15.14.2001',
  'sha256:' + '0'.repeat(64),
];

const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 1000, max: 40_000 }).map((n) => 'x'.repeat(n)),
);

const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor')), tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** A valid body mutated: a field dropped, replaced by any value, or an unknown field added; nested too. */
function mutationsOf(template: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(template);
  if (keys.length === 0) return fc.dictionary(hostileString, anyValue, { maxKeys: 3 });
  return fc.oneof(
    fc.constantFrom(...keys).map((k) => {
      const copy = { ...template };
      delete copy[k];
      return copy;
    }),
    fc.tuple(fc.constantFrom(...keys), anyValue).map(([k, v]) => ({ ...template, [k]: v })),
    fc.tuple(hostileString, anyValue).map(([k, v]) => ({ ...template, [k]: v })),
    fc.tuple(fc.constantFrom(...keys), fc.constantFrom(...keys), anyValue, anyValue).map(([a, b, x, y]) => ({
      ...template,
      [a]: x,
      [b]: y,
    })),
  );
}

/** What one request sends: a JSON value, or raw text claiming to be JSON. */
type FuzzBody = { json: unknown } | { raw: string };

function bodies(template: Record<string, unknown>, seed: number): FuzzBody[] {
  const arbitrary: fc.Arbitrary<FuzzBody> = fc.oneof(
    mutationsOf(template).map((json) => ({ json })),
    mutationsOf(template).map((json) => ({ json })),
    anyValue.map((json) => ({ json })),
    fc
      .oneof(
        fc.constantFrom('{', '{"a":', '[1,2', '{"kind":"ADD",}', 'null', '"text"', '{"a":1}{"b":2}', '\u0000', ''),
        hostileString,
      )
      .map((raw) => ({ raw })),
  );
  return fc.sample(arbitrary, { numRuns: BODIES_PER_ROUTE, seed });
}

const VILLAGE = '3515142001';
const REGENCY = '3515';

export interface FuzzWorld {
  t: TestApp;
  tokens: Partial<Record<Role, string>>;
  ids: Record<string, string>;
}

async function seedWorld(t: TestApp): Promise<FuzzWorld> {
  const principals: [Role, string][] = [
    ['VILLAGE_OPERATOR', VILLAGE],
    ['VERIFIER', REGENCY],
    ['AUDITOR', REGENCY],
    ['ADMIN', REGENCY],
  ];
  const tokens: FuzzWorld['tokens'] = {};
  const ids: Record<string, string> = {};
  for (const [role, scope] of principals) {
    const user = await seedUser(t, { homeRegion: scope, grants: [{ role, scope }] });
    tokens[role] = (await openSession(t, user.userId)).accessToken;
    ids[`user:${role}`] = user.userId;
  }
  const pipeline = new CommandPipeline(t.store);
  const operator = { userId: ids['user:VILLAGE_OPERATOR']!, role: 'VILLAGE_OPERATOR' as const, scope: VILLAGE };
  const context = { ...systemContext(), actor: operator };
  const meta = { actor: operator, occurredAt: context.occurredAt };
  ids.proposal = randomUUID();
  await pipeline.execute(
    proposalStreamName(ids.proposal),
    proposalDecider,
    {
      type: 'SubmitProposal',
      data: {
        proposalId: ids.proposal,
        kind: 'ADD',
        villageCode: VILLAGE,
        channel: 'RT_RW',
        household: {
          address: 'Jl. Fuzz 1',
          rt: '001',
          rw: '002',
          kkNumber: '3515140101090001',
          members: [
            { nik: '3515140508680001', name: 'Uji Coba', sex: 'M', birthDate: '1968-08-05', relationship: 'HEAD' },
          ],
        },
      },
      metadata: meta,
    } satisfies SubmitProposal,
    context,
  );
  ids.meeting = randomUUID();
  await pipeline.execute(
    meetingStreamName(ids.meeting),
    meetingDecider,
    {
      type: 'ScheduleMeeting',
      data: {
        meetingId: ids.meeting,
        villageCode: VILLAGE,
        kind: 'MUSDES',
        scheduledAt: '2026-11-25T09:00:00+07:00',
        venue: 'Balai Desa',
        chair: 'Kepala Desa',
      },
      metadata: meta,
    } satisfies ScheduleMeeting,
    context,
  );
  ids.household = randomUUID();
  const system = systemContext();
  await pipeline.execute(
    householdStreamName(ids.household),
    householdDecider,
    {
      type: 'EnrolHousehold',
      data: {
        householdId: ids.household,
        source: 'BASELINE_IMPORT',
        importId: randomUUID(),
        villageCode: VILLAGE,
        address: 'Jl. Uji 1',
        rt: '001',
        rw: '001',
        kkNumber: '3515140101090001',
        members: [
          {
            memberId: randomUUID(),
            nik: '3515140508680002',
            name: 'Uji Rumah',
            sex: 'M',
            birthDate: '1968-08-05',
            relationship: 'HEAD',
          },
        ],
      },
      metadata: { actor: system.actor, occurredAt: system.occurredAt },
    } satisfies HouseholdCommand,
    system,
  );
  return { t, tokens, ids };
}

/** A valid-looking body per route (what the mutations start from). */
const TEMPLATES: Record<string, Record<string, unknown>> = {
  'POST /proposals': {
    kind: 'REMOVE',
    villageCode: VILLAGE,
    channel: 'RT_RW',
    householdId: randomUUID(),
    removal: { reason: 'DECEASED', evidence: [{ kind: 'DEATH_CERTIFICATE', digest: 'sha256:' + 'a'.repeat(64) }] },
  },
  'POST /meetings': {
    villageCode: VILLAGE,
    kind: 'MUSDES',
    scheduledAt: '2026-11-25T09:00:00+07:00',
    venue: 'Balai Desa',
    chair: 'Kepala Desa',
  },
  'POST /meetings/:id/agenda': { proposalId: randomUUID() },
  'POST /meetings/:id/open': { openedAt: '2026-11-25T09:05:00+07:00', attendees: [{ name: 'A', role: 'RT' }] },
  'POST /meetings/:id/decisions': { proposalId: randomUUID(), decision: 'APPROVED', reason: 'ok' },
  'POST /meetings/:id/conclude': {
    minutesDigest: 'sha256:' + 'b'.repeat(64),
    signatories: [{ name: 'A', role: 'RT' }],
  },
  'POST /meetings/:id/signed-minutes': { signedCopyDigest: 'sha256:' + 'e'.repeat(64) },
  'POST /batches': { regencyCode: REGENCY, period: '2026-11', cutoffDate: '2026-11-25' },
  'POST /batches/:id/proposals': { proposalId: randomUUID() },
  'POST /batches/:id/endorse': {
    endorsedBy: 'Bupati',
    letterNumber: '1/2026',
    signedDate: '2026-11-27',
    documentDigest: 'sha256:' + 'c'.repeat(64),
  },
  'POST /batches/:id/submit': { submittedAt: '2026-11-28T10:00:00+07:00', exportDigest: 'sha256:' + 'd'.repeat(64) },
  'POST /batches/:id/results': { results: [{ proposalId: randomUUID(), outcome: 'ACCEPTED', decreeRef: 'SK-1' }] },
  'POST /proposals/:id/field-visits': { visitedAt: '2026-11-20T10:00:00+07:00', outcome: 'CONFIRMED', notes: 'ok' },
  'POST /proposals/:id/flags': { code: 'WAGE_MATCH', severity: 'WARNING', source: 'BPJS', evidence: 'ref-1' },
  'POST /proposals/:id/flags/:code/resolve': { justification: 'checked' },
  'POST /registry/search': { villageCode: VILLAGE, name: 'Uji' },
  'POST /persons/history': { nik: '3515140508680001' },
  'POST /registry/households/:id/erasure': { legalBasisRef: 'Surat 470/1/2026', requestedAt: '2026-11-01' },
  'POST /regencies/:regionCode/quorum-policy': { minimumAttendees: 5, requiredRoles: [], chairMustAttend: true },
  'POST /auth/login': { username: 'nobody.here', password: 'not the password' },
  'POST /auth/refresh': { refreshToken: 'x' },
  'POST /me/password': { currentPassword: 'x', newPassword: 'y' },
  'POST /users': { username: 'fuzz.user', displayName: 'Fuzz', homeRegion: VILLAGE, password: 'x' },
  'POST /users/:id/grants': { role: 'VERIFIER', scope: REGENCY },
  'POST /users/:id/api-tokens': { name: 'fuzz' },
  // A valid body, so that some mutations get past validation (a template of only { reason } seldom did).
  'POST /users/:id/password': { password: 'Sandi-Sementara-Kuat-2026!' },
};
const REASON_TEMPLATE = { reason: 'alasan' };
const SIGNED_MINUTES = 'POST /meetings/:id/signed-minutes';

/** Every POST route but sign-out (it has no body, and would end the session the others use). */
export const FUZZED_POST_ROUTES = [
  ...Object.keys(TEMPLATES).filter((key) => key !== SIGNED_MINUTES),
  'POST /proposals/:id/amend',
  'POST /proposals/:id/withdraw',
  'POST /proposals/:id/verify',
  'POST /proposals/:id/return',
  'POST /proposals/:id/reject',
  'POST /meetings/:id/cancel',
  'POST /batches/:id/close',
  'POST /batches/:id/exports',
  'POST /batches/:id/results/imports',
  'POST /users/:id/grants/:grantId/revoke',
  'POST /users/:id/disable',
  'POST /users/:id/enable',
  'POST /users/:id/api-tokens/:tokenId/revoke',
  'POST /registry/imports',
  'POST /reference-lists/imports',
  'POST /evidence-files',
  'POST /audit/v1/checkpoints',
  // Last: a route's index is its bodies' seed, so a route added later must not shift the seeds of the others.
  SIGNED_MINUTES,
];

function pathFor(path: string, w: FuzzWorld): string {
  return path
    .replace(/^\/proposals\/:id/, `/proposals/${w.ids.proposal}`)
    .replace(/^\/meetings\/:id/, `/meetings/${w.ids.meeting}`)
    .replace(/^\/batches\/:id/, `/batches/${REGENCY}-202611`)
    .replace(/^\/users\/:id/, `/users/${w.ids['user:VILLAGE_OPERATOR']}`)
    .replace(':grantId', randomUUID())
    .replace(':tokenId', randomUUID())
    .replace(':code', 'WAGE_MATCH')
    .replace(':regionCode', REGENCY)
    .replace(/^\/registry\/imports$/, `/registry/imports?villageCode=${VILLAGE}`)
    .replace(/^\/reference-lists\/imports$/, '/reference-lists/imports?source=BKN')
    .replace(/^\/evidence-files$/, `/evidence-files?villageCode=${VILLAGE}&kind=DOCUMENT`)
    .replace(/^\/registry\/households\/:id/, `/registry/households/${w.ids.household}`);
}

/**
 * The last event written: every append takes a new global position, so it moves exactly when events are written.
 * One index probe, where a count(*) read the whole log again after each of the thousands of requests.
 */
async function lastEvent(t: TestApp): Promise<number> {
  const [row] = await t.db.query<{ n: string }>('SELECT coalesce(max(global_position), 0)::text AS n FROM es_events');
  return Number(row!.n);
}

/** Fuzzes the POST routes whose key `select` accepts. */
export function describeFuzz(title: string, select: (key: string) => boolean): void {
  describe(title, () => {
    let w: FuzzWorld;
    let database: { url: string; drop(): Promise<void> } | undefined;

    beforeAll(async () => {
      // On the PostgreSQL server, not the embedded PGlite: thousands of requests, each with its queries, run in a
      // fraction of the CPU time (PGlite runs PostgreSQL as WebAssembly on this test's own thread).
      database = await freshPostgresDatabase();
      const t = await startApp({
        databaseUrl: database.url,
        env: { MUSKEL_ROLE: 'api', BODY_LIMIT: '100kb' },
        logLevel: 'fatal',
      });
      w = await seedWorld(t);
    });

    afterAll(async () => {
      await w?.t.close();
      await database?.drop();
    });

    const keys = FUZZED_POST_ROUTES.filter(select);

    it('fuzzes every POST route of the application (a new POST route must join FUZZED_POST_ROUTES)', () => {
      const posts = listRoutes(w.t.app)
        .filter((r) => r.method === 'POST' && r.key !== 'POST /auth/logout')
        .map((r) => r.key);
      expect([...posts].sort()).toEqual([...FUZZED_POST_ROUTES].sort());
    });

    it.each(keys)(
      `%s: ${BODIES_PER_ROUTE} generated bodies, every answer below 500, nothing written on a refusal`,
      async (key) => {
        const route = listRoutes(w.t.app).find((r) => r.key === key)!;
        const rule = route.rule as { kind: string; roles?: readonly Role[] } | undefined;
        const role = rule?.kind === 'roles' ? rule.roles!.find((r) => w.tokens[r] !== undefined) : 'VILLAGE_OPERATOR';
        const token = role ? w.tokens[role] : undefined;
        const template = TEMPLATES[route.key] ?? REASON_TEMPLATE;
        const failures: string[] = [];
        const statuses = new Map<number, number>();
        // One look per request: after a success it is the new baseline, after a refusal it must not have moved.
        let before = await lastEvent(w.t);
        for (const body of bodies(template, FUZZED_POST_ROUTES.indexOf(key) + 1)) {
          const headers: Record<string, string> = { 'Content-Type': 'application/json' };
          if (token) headers.Authorization = bearer(token);
          // Always as text: this way the bytes are exactly ours. fetch keeps one connection alive for them all.
          const text = 'raw' in body ? body.raw : (JSON.stringify(body.json) ?? 'null');
          const answer = await fetch(`${w.t.baseUrl}${pathFor(route.path, w)}`, {
            method: 'POST',
            headers,
            body: text,
          });
          const response = { status: answer.status, text: await answer.text() };
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          const after = await lastEvent(w.t);
          if (response.status >= 500) {
            failures.push(`${response.status} ${response.text.slice(0, 200)}`);
          } else if (response.status >= 400 && after !== before) {
            failures.push(`refused with ${response.status} but wrote events`);
          }
          before = after;
          if (failures.length > 5) break;
        }
        expect(failures).toEqual([]);
        // Not only validation errors: some bodies must get past it (the mutations of a valid body).
        expect([...statuses.keys()].some((status) => status !== 400)).toBe(true);
      },
      600_000,
    );
  });
}
