/**
 * One village's month, end to end over HTTP on PostgreSQL.
 *
 * Desa Sukamaju (3515142001, Kabupaten Sidoarjo 3515). Dinsos loads the village's existing registry list. Pak Slamet,
 * the village secretary, registers five proposals from the neighbourhoods: a new household (Bu Sri), a new address
 * (Bu Marni), a death (Mbah Karto), a family moving away (Pak Joko) and a birth (in Pak Sutrisno's family). The
 * musyawarah desa meets with its attendance list, approves all five and signs the minutes. Bu Rina, the Dinsos
 * verifier, checks them: Bu Sri's after resolving a flag and a field visit, Pak Joko's is returned for its moving
 * letter and deliberated again at a second meeting. Bu Rina then opens the month's batch, fills it, records the
 * Bupati's endorsement, submits it to Pusdatin and records the decree. The registry then shows each change, and an
 * auditor walks from a registry row to the meeting's attendance list and the verifier.
 */
import request from 'supertest';
import {
  bearer,
  eventually,
  expectProblem,
  freshPostgresDatabase,
  openSession,
  seedUser,
  startApp,
  type TestApp,
} from '../support/access-app';
import { BlindIndex } from '@muskel/projections';
import { kurrentDbShaped } from '../../../libs/reactors/src/testing/test-stores';

const SUKAMAJU = '3515142001';
const SUKAJADI = '3515142002'; // where Pak Joko moves
const SIDOARJO = '3515';
const PERIOD = new Date().toISOString().slice(0, 7);
const TODAY = new Date().toISOString().slice(0, 10);
const digest = (c: string) => `sha256:${c.repeat(64)}`;

/** Synthetic people: valid NIK structure (district 351514, birth date, +40 for women), invented names. */
const NIK = {
  sutrisno: '3515141203750001',
  sulastri: '3515146006780002',
  marni: '3515144501600003',
  karto: '3515140202400004',
  joko: '3515141010850005',
  sri: '3515145504900006',
  bayi: '3515140109260007',
};
const KK = {
  sutrisno: '3515140101100001',
  marni: '3515140101100002',
  karto: '3515140101100003',
  joko: '3515140101100004',
  sri: '3515140101100005',
};

const BASELINE_CSV = [
  'kk_number,nik,name,sex,birth_date,relationship,address,rt,rw,village_code',
  `${KK.sutrisno},${NIK.sutrisno},Sutrisno,L,1975-03-12,KEPALA_KELUARGA,Jl. Mawar 3,001,001,${SUKAMAJU}`,
  `${KK.sutrisno},${NIK.sulastri},Sulastri,P,1978-06-20,ISTRI,Jl. Mawar 3,001,001,${SUKAMAJU}`,
  `${KK.marni},${NIK.marni},Marni,P,1960-01-05,KEPALA_KELUARGA,Jl. Melati 9,002,001,${SUKAMAJU}`,
  `${KK.karto},${NIK.karto},Karto,L,1940-02-02,KEPALA_KELUARGA,Jl. Kenanga 1,003,002,${SUKAMAJU}`,
  `${KK.joko},${NIK.joko},Joko Susilo,L,1985-10-10,KEPALA_KELUARGA,Jl. Anggrek 5,001,002,${SUKAMAJU}`,
].join('\n');

const ATTENDANCE = [
  { name: 'H. Ahmad Fauzi', role: 'KEPALA_DESA' },
  { name: 'Slamet Riyadi', role: 'SECRETARY' },
  { name: 'Wagiman', role: 'RT' },
  { name: 'Suparno', role: 'RW' },
  { name: 'Dewi Lestari', role: 'PKH_FACILITATOR' },
  { name: 'Kyai Mahmud', role: 'RELIGIOUS_LEADER' },
  { name: 'Siti Khotimah', role: 'BPD' },
];

interface Actors {
  slamet: string;
  rina: string;
  hadi: string;
}

// The second run sees the same PostgreSQL as KurrentDB is seen (no appends in transactions, no SQL store to
// recognise, the personal-data codec around it): every path the service takes where the log is not in SQL.
describe.each([
  ['PostgreSQL', undefined],
  ['PostgreSQL shaped like KurrentDB', kurrentDbShaped],
] as const)('a month in Desa Sukamaju, over HTTP on %s', (_store, eventStoreView) => {
  let t: TestApp;
  let drop: () => Promise<void>;
  const token = {} as Actors;
  const ids = {} as Actors;
  const proposal: Record<'sri' | 'marni' | 'karto' | 'joko' | 'bayi', string> = {} as never;
  const household: Record<'sutrisno' | 'marni' | 'karto' | 'joko', string> = {} as never;
  let meetingId = '';
  let secondMeetingId = '';
  let batchId = '';
  let lastPosition = '';

  const as = (who: keyof Actors) => ({
    get: (path: string) => request(t.server).get(path).set('Authorization', bearer(token[who])),
    post: (path: string, body?: object) =>
      request(t.server)
        .post(path)
        .set('Authorization', bearer(token[who]))
        .send(body ?? {}),
  });
  /** Every state change answers 2xx with the stream's new revision as ETag and the log position. */
  const changed = (response: request.Response, status = 200) => {
    if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${response.text}`);
    expect(response.headers.etag).toBe(`"${(response.body as { revision: number }).revision}"`);
    lastPosition = (response.body as { position: string }).position;
    return response.body as { revision: number; position: string };
  };
  const statusOf = async (id: string) =>
    ((await as('rina').get(`/proposals/${id}`).expect(200)).body as { status: string }).status;
  const until = (id: string, status: string) =>
    eventually(async () => ((await statusOf(id)) === status ? true : undefined), 15_000);

  beforeAll(async () => {
    const database = await freshPostgresDatabase();
    drop = database.drop;
    t = await startApp({ databaseUrl: database.url, logLevel: 'warn', eventStoreView });
    const people = {
      slamet: { role: 'VILLAGE_OPERATOR' as const, scope: SUKAMAJU },
      rina: { role: 'VERIFIER' as const, scope: SIDOARJO },
      hadi: { role: 'AUDITOR' as const, scope: 'NATIONAL' },
    };
    for (const [who, grant] of Object.entries(people) as [keyof Actors, (typeof people)[keyof Actors]][]) {
      const user = await seedUser(t, { username: who, homeRegion: grant.scope, grants: [grant] });
      ids[who] = user.userId;
      token[who] = (await openSession(t, user.userId)).accessToken;
    }
  });

  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  it('1. Dinsos loads the village registry: four households from the existing list', async () => {
    const response = await request(t.server)
      .post(`/registry/imports?villageCode=${SUKAMAJU}&fileName=dtks-sukamaju.csv`)
      .set('Authorization', bearer(token.rina))
      .set('Content-Type', 'text/csv')
      .send(BASELINE_CSV)
      .expect(201);
    expect(response.body).toMatchObject({ rows: 5, households: { imported: 4, rejected: 0 }, errorCount: 0 });

    // The same file again is refused, pointing at the first import.
    const again = await request(t.server)
      .post(`/registry/imports?villageCode=${SUKAMAJU}`)
      .set('Authorization', bearer(token.rina))
      .set('Content-Type', 'text/csv')
      .send(BASELINE_CSV);
    expect(expectProblem(again, 409, 'DUPLICATE_IMPORT')).toMatchObject({ importId: response.body.importId });

    for (const who of ['sutrisno', 'marni', 'karto', 'joko'] as const) {
      const found = await eventually(async () => {
        const body = (await as('slamet').post('/registry/search', { kkNumber: KK[who] }).expect(200)).body as {
          items: { householdId: string }[];
        };
        return body.items[0];
      });
      household[who] = found.householdId;
    }
  });

  it('2. Pak Slamet registers five proposals from the neighbourhoods', async () => {
    const submit = async (body: object) => {
      const response = await as('slamet').post('/proposals', { villageCode: SUKAMAJU, channel: 'RT_RW', ...body });
      changed(response, 201);
      return (response.body as { proposalId: string }).proposalId;
    };
    proposal.sri = await submit({
      kind: 'ADD',
      household: {
        address: 'Jl. Flamboyan 2',
        rt: '004',
        rw: '002',
        kkNumber: KK.sri,
        members: [{ nik: NIK.sri, name: 'Sri Wahyuni', sex: 'F', birthDate: '1990-04-15', relationship: 'HEAD' }],
      },
    });
    proposal.marni = await submit({
      kind: 'CORRECT',
      householdId: household.marni,
      changes: { address: 'Jl. Melati 11', rt: '002' },
    });
    proposal.karto = await submit({
      kind: 'REMOVE',
      householdId: household.karto,
      removal: { reason: 'DECEASED', evidence: [{ kind: 'DEATH_CERTIFICATE', digest: digest('d') }] },
    });
    proposal.joko = await submit({ kind: 'RELOCATE', householdId: household.joko, targetVillageCode: SUKAJADI });
    proposal.bayi = await submit({
      kind: 'CORRECT',
      householdId: household.sutrisno,
      changes: { members: 'kelahiran anak' },
      memberToAdd: { nik: NIK.bayi, name: 'Ahmad Rizki', sex: 'M', birthDate: '2026-09-01', relationship: 'CHILD' },
    });
    const list = (
      await as('slamet').get(`/proposals?villageCode=${SUKAMAJU}&minPosition=${encodeURIComponent(lastPosition)}`)
    ).body as { items: { id: string; status: string }[] };
    expect(list.items.map((p) => p.status)).toEqual(['WAITING', 'WAITING', 'WAITING', 'WAITING', 'WAITING']);
  });

  it('3. the musyawarah desa meets: agenda, attendance with quorum, five decisions, signed minutes', async () => {
    const scheduled = await as('slamet').post('/meetings', {
      villageCode: SUKAMAJU,
      kind: 'MUSDES',
      scheduledAt: `${TODAY}T09:00:00+07:00`,
      venue: 'Balai Desa Sukamaju',
      chair: 'H. Ahmad Fauzi',
    });
    changed(scheduled, 201);
    meetingId = (scheduled.body as { meetingId: string }).meetingId;
    for (const id of Object.values(proposal)) {
      changed(await as('slamet').post(`/meetings/${meetingId}/agenda`, { proposalId: id }), 201);
    }
    changed(
      await as('slamet').post(`/meetings/${meetingId}/open`, {
        openedAt: `${TODAY}T09:10:00+07:00`,
        attendees: ATTENDANCE,
      }),
    );
    for (const [who, id] of Object.entries(proposal)) {
      const votes = who === 'sri' ? { votes: { for: 6, against: 0, abstain: 1 } } : {};
      changed(
        await as('slamet').post(`/meetings/${meetingId}/decisions`, {
          proposalId: id,
          decision: 'APPROVED',
          reason: 'Disepakati musyawarah',
          ...votes,
        }),
        201,
      );
    }
    changed(
      await as('slamet').post(`/meetings/${meetingId}/conclude`, {
        minutesDigest: digest('1'),
        signatories: [ATTENDANCE[0], ATTENDANCE[1]],
      }),
    );
    // Decisions take effect when the meeting concludes: the worker deliberates each proposal.
    for (const id of Object.values(proposal)) await until(id, 'APPROVED');
  });

  it('4. Bu Rina verifies: a flag resolved with a written reason, field visits, one proposal returned', async () => {
    changed(
      await as('rina').post(`/proposals/${proposal.sri}/flags`, {
        code: 'DUKCAPIL_UNMATCHED',
        severity: 'BLOCKING',
        source: 'DUKCAPIL',
        evidence: 'padan-2026-11-0042',
      }),
      201,
    );
    expectProblem(await as('rina').post(`/proposals/${proposal.sri}/verify`), 409, 'BLOCKING_FLAG_OPEN');
    changed(
      await as('rina').post(`/proposals/${proposal.sri}/flags/DUKCAPIL_UNMATCHED/resolve`, {
        justification: 'KTP-el diperiksa langsung; data Dukcapil sudah diperbarui',
      }),
    );
    changed(
      await as('rina').post(`/proposals/${proposal.sri}/field-visits`, {
        visitedAt: `${TODAY}T13:00:00+07:00`,
        outcome: 'CONFIRMED',
        notes: 'Rumah semi permanen, penghasilan tidak tetap',
      }),
      201,
    );
    for (const id of [proposal.sri, proposal.marni, proposal.karto, proposal.bayi]) {
      changed(await as('rina').post(`/proposals/${id}/verify`));
    }
    changed(await as('rina').post(`/proposals/${proposal.joko}/return`, { reason: 'Surat pindah belum dilampirkan' }));
    expect(await statusOf(proposal.joko)).toBe('RETURNED');
  });

  it('5. the returned proposal is amended and deliberated again at a second meeting, then verified', async () => {
    changed(
      await as('slamet').post(`/proposals/${proposal.joko}/amend`, {
        householdId: household.joko,
        targetVillageCode: SUKAJADI,
        evidenceDigests: [digest('5')],
      }),
    );
    const scheduled = await as('slamet').post('/meetings', {
      villageCode: SUKAMAJU,
      kind: 'MUSDESUS',
      scheduledAt: `${TODAY}T15:00:00+07:00`,
      venue: 'Balai Desa Sukamaju',
      chair: 'H. Ahmad Fauzi',
    });
    secondMeetingId = (changed(scheduled, 201) as unknown as { meetingId: string }).meetingId;
    changed(await as('slamet').post(`/meetings/${secondMeetingId}/agenda`, { proposalId: proposal.joko }), 201);
    changed(
      await as('slamet').post(`/meetings/${secondMeetingId}/open`, {
        openedAt: `${TODAY}T15:05:00+07:00`,
        attendees: ATTENDANCE,
      }),
    );
    changed(
      await as('slamet').post(`/meetings/${secondMeetingId}/decisions`, {
        proposalId: proposal.joko,
        decision: 'APPROVED',
        reason: 'Surat pindah sudah ada',
      }),
      201,
    );
    changed(
      await as('slamet').post(`/meetings/${secondMeetingId}/conclude`, {
        minutesDigest: digest('2'),
        signatories: [ATTENDANCE[0]],
      }),
    );
    await until(proposal.joko, 'APPROVED');
    changed(
      await as('rina').post(`/proposals/${proposal.joko}/field-visits`, {
        visitedAt: `${TODAY}T16:00:00+07:00`,
        outcome: 'CONFIRMED',
        notes: 'Keluarga sudah pindah ke Desa Sukajadi',
      }),
      201,
    );
    changed(await as('rina').post(`/proposals/${proposal.joko}/verify`));
  });

  it('6. the batch of the month: opened, filled, closed, endorsed by the Bupati, submitted, answered', async () => {
    const opened = await as('rina').post('/batches', {
      regencyCode: SIDOARJO,
      period: PERIOD,
      cutoffDate: `${PERIOD}-28`,
    });
    batchId = (changed(opened, 201) as unknown as { batchId: string }).batchId;
    for (const id of Object.values(proposal)) {
      changed(await as('rina').post(`/batches/${batchId}/proposals`, { proposalId: id }), 201);
    }
    changed(
      await as('rina').post(`/batches/${batchId}/close`, { early: true, reason: 'Semua usulan bulan ini masuk' }),
    );
    changed(
      await as('rina').post(`/batches/${batchId}/endorse`, {
        endorsedBy: 'H. Subandi, S.H.',
        letterNumber: '400/123/438.5.2/2026',
        signedDate: TODAY,
        documentDigest: digest('e'),
      }),
    );
    changed(
      await as('rina').post(`/batches/${batchId}/submit`, {
        submittedAt: new Date().toISOString(),
        exportDigest: digest('f'),
      }),
    );
    changed(
      await as('rina').post(`/batches/${batchId}/results`, {
        results: Object.values(proposal).map((id, i) => ({
          proposalId: id,
          outcome: 'ACCEPTED',
          decreeRef: `SK-460/${i + 1}/2026`,
        })),
      }),
      201,
    );
    for (const id of Object.values(proposal)) await until(id, 'ACCEPTED');
  });

  it('7. the registry shows every change', async () => {
    const find = async (body: object) =>
      eventually(async () => {
        const found = (await as('rina').post('/registry/search', body).expect(200)).body as {
          items: {
            householdId: string;
            villageCode: string;
            status: string;
            address: string;
            members: { memberId: string; active: boolean }[];
          }[];
        };
        return found.items[0];
      }, 15_000);
    const sri = await find({ nik: NIK.sri });
    expect(sri).toMatchObject({ villageCode: SUKAMAJU, status: 'ACTIVE', address: 'Jl. Flamboyan 2' });

    const detail = async (id: string) =>
      (await as('rina').get(`/registry/households/${id}`).expect(200)).body as {
        status: string;
        location: { villageCode: string; address: string; rt: string };
        members: Record<string, { nik: string; removed?: unknown }>;
      };
    await eventually(
      async () => ((await detail(household.marni)).location.address === 'Jl. Melati 11' ? true : undefined),
      15_000,
    );
    expect((await detail(household.marni)).location.rt).toBe('002');
    await eventually(async () => ((await detail(household.karto)).status === 'INACTIVE' ? true : undefined), 15_000);
    await eventually(
      async () => ((await detail(household.joko)).location.villageCode === SUKAJADI ? true : undefined),
      15_000,
    );
    await eventually(
      async () =>
        Object.values((await detail(household.sutrisno)).members).some((m) => m.nik === NIK.bayi) ? true : undefined,
      15_000,
    );

    // Sukamaju today: Pak Sutrisno's, Bu Marni's and Bu Sri's households (Mbah Karto's is closed, Pak Joko moved).
    const today = (await as('rina').get(`/registry/villages/${SUKAMAJU}?asOf=${TODAY}`).expect(200)).body as {
      households: { householdId: string }[];
    };
    expect(today.households.map((h) => h.householdId).sort()).toEqual(
      [household.sutrisno, household.marni, sri.householdId].sort(),
    );
    const changes = (
      await as('rina').get(`/registry/villages/${SUKAMAJU}/changes?from=${TODAY}&to=${TODAY}`).expect(200)
    ).body as { entered: { householdId: string }[]; left: { householdId: string; reason: string | null }[] };
    expect(changes.entered.map((c) => c.householdId)).toContain(sri.householdId);
    expect(changes.left.map((c) => c.householdId).sort()).toEqual([household.karto, household.joko].sort());
  });

  it('8. from a registry row, one call reaches the meeting attendance list and the verifier', async () => {
    const sri = (
      (await as('hadi').post('/registry/search', { nik: NIK.sri }).expect(200)).body as {
        items: { householdId: string }[];
      }
    ).items[0]!;
    const provenance = (await as('hadi').get(`/registry/households/${sri.householdId}/provenance`).expect(200))
      .body as {
      changes: {
        eventType: string;
        proposal: { id: string; submittedBy: string } | null;
        meeting: { id: string; attendees: { name: string; role: string }[]; decision: string | null } | null;
        verification: { verifiedBy: string | null; fieldVisits: unknown[] } | null;
        batch: { batchId: string; endorsement: { letterNumber: string } | null } | null;
        decreeRef: string | null;
      }[];
    };
    const enrolment = provenance.changes[0]!;
    expect(enrolment).toMatchObject({
      eventType: 'HouseholdEnrolled',
      proposal: { id: proposal.sri, submittedBy: ids.slamet },
      meeting: { id: meetingId, decision: 'APPROVED' },
      verification: { verifiedBy: ids.rina },
      batch: { batchId, endorsement: { letterNumber: '400/123/438.5.2/2026' } },
      decreeRef: 'SK-460/1/2026',
    });
    expect(enrolment.meeting!.attendees).toEqual(ATTENDANCE);
  });

  it('9. the person history links proposal, meeting, attendees, verifier, batch and decree', async () => {
    const history = (await as('hadi').post('/persons/history', { nik: NIK.sri }).expect(200)).body as {
      entries: { eventType: string }[];
      proposals: {
        id: string;
        verifiedBy: string;
        batchId: string;
        decreeRef: string;
        deliberations: { meetingId: string }[];
      }[];
      meetings: { id: string; attendees: unknown[] }[];
    };
    expect(history.entries.map((e) => e.eventType)).toEqual(
      expect.arrayContaining([
        'ProposalSubmitted',
        'ProposalDeliberated',
        'ProposalVerified',
        'ProposalAccepted',
        'HouseholdEnrolled',
      ]),
    );
    expect(history.proposals).toEqual([
      expect.objectContaining({ id: proposal.sri, verifiedBy: ids.rina, batchId, decreeRef: 'SK-460/1/2026' }),
    ]);
    expect(history.meetings).toEqual([expect.objectContaining({ id: meetingId, attendees: ATTENDANCE })]);
    // The NIK travelled in the body only, and no answer of the history repeats it.
    expect(JSON.stringify(history.entries)).not.toContain(NIK.sri);

    // Each of the auditor's reads of personal data was itself recorded: who, what (by our ids), when.
    const reads: { what: string; ids: string[]; actor: string }[] = [];
    for await (const event of t.store.readStream(`accesslog-${ids.hadi}`)) {
      const data = event.data as { what: string; ids: string[] };
      reads.push({ ...data, actor: (event.metadata as { actor: { userId: string } }).actor.userId });
    }
    expect(reads.map((r) => r.what)).toEqual(['registry-search', 'household-provenance', 'person-history']);
    expect(reads.every((r) => r.actor === ids.hadi)).toBe(true);
    expect(reads.find((r) => r.what === 'person-history')!.ids).toContain(proposal.sri);
    expect(JSON.stringify(reads)).not.toContain(NIK.sri);
  });

  it('10. the audit log holds every event of the month, and no personal data in any leaf', async () => {
    const [head] = await t.db.query<{ n: string }>('SELECT count(*)::text AS n FROM es_events');
    const leaves = await eventually(async () => {
      const rows = await t.db.query<{ record: string }>('SELECT record FROM audit_leaves ORDER BY seq');
      return rows.length === Number(head!.n) ? rows : undefined;
    }, 15_000);
    const index = await BlindIndex.load(t.db);
    const hmacs = Object.values(NIK).flatMap((nik) => [index.nik(nik)]);
    for (const { record } of leaves) {
      expect(record).not.toMatch(/\d{16}/); // no NIK, no KK number, not even by chance in a hash
      for (const hmac of hmacs) expect(record).not.toContain(hmac);
      for (const name of ['Sri Wahyuni', 'Sutrisno', 'Karto', 'Joko Susilo', 'Ahmad Rizki']) {
        expect(record).not.toContain(name);
      }
    }
  });

  it('11. the public board shows counts and meeting dates, and no personal data', async () => {
    const board = (await request(t.server).get(`/public/villages/${SUKAMAJU}/board?period=${PERIOD}`).expect(200))
      .body as Record<string, unknown>;
    expect(board).toMatchObject({ byKind: { ADD: 1, CORRECT: 2, REMOVE: 1, RELOCATE: 1 } });
    const text = JSON.stringify(board);
    for (const nik of Object.values(NIK)) expect(text).not.toContain(nik);
    for (const name of ['Sri Wahyuni', 'Karto', 'Joko']) expect(text).not.toContain(name);
  });
});
