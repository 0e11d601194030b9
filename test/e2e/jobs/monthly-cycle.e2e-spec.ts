/**
 * The monthly cycle (issue 6 item 6) through the whole application: the cycle's processor logic walked through a
 * month on a fake clock (day 1 opens the batch, the reminder day reminds only villages with undeliberated proposals,
 * the day after the cut-off closes it, the next month opens a new batch that takes a proposal verified after the
 * cut-off), every step exactly once when run twice; then the real BullMQ job scheduler firing the processor.
 */
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { batchStreamName, reminderStreamName } from '@muskel/domain';
import type { EventStore } from '@muskel/event-store';
import { MonthlyCycleService, QUEUES } from '@muskel/jobs';
import {
  bearer,
  eventually,
  expectProblem,
  openSession,
  seedUser,
  startApp,
  type TestApp,
} from '../support/access-app';
import { WorkflowFixtures } from '../support/workflow-fixtures';

const REGENCY = '3515';
const VILLAGE_A = '3515142001';
const VILLAGE_B = '3515142002';
/** Local midnight in Jakarta: 17:00 UTC the day before. */
const jakarta = (date: string, time = '00:00') => new Date(`${date}T${time}:00.000+07:00`);

async function eventsOf(store: EventStore, stream: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const events: { type: string; data: Record<string, unknown> }[] = [];
  for await (const event of store.readStream(stream)) {
    events.push({ type: event.type, data: event.data });
  }
  return events;
}

async function tokenOf(app: TestApp, role: 'VILLAGE_OPERATOR' | 'VERIFIER', scope: string): Promise<string> {
  const { userId } = await seedUser(app, { homeRegion: scope, grants: [{ role, scope }] });
  return (await openSession(app, userId)).accessToken;
}

describe('the monthly cycle', () => {
  let t: TestApp | undefined;

  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('walks a month on a fake clock: open, remind, close, roll over; each step exactly once', async () => {
    t = await startApp({ logLevel: 'warn', env: { CYCLE_SCHEDULE: 'off' } });
    const app = t;
    const cycle = app.app.get(MonthlyCycleService);
    const fixtures = new WorkflowFixtures(app.store);

    // Village A has a proposal waiting for its meeting; village B's proposal was deliberated (and visited).
    const waiting = await fixtures.waitingProposal(VILLAGE_A);
    const approved = await fixtures.visitedProposal(VILLAGE_B);
    await eventually(async () => {
      const rows = await app.db.query<{ id: string; status: string }>('SELECT id, status FROM proposals_view');
      const status = new Map(rows.map((row) => [row.id, row.status]));
      return status.get(waiting) === 'WAITING' && status.get(approved) === 'APPROVED' ? true : undefined;
    }, 30_000);

    // 16:59 UTC on the last day of February is still February in Jakarta: its cut-off has passed, nothing is due.
    expect(await cycle.runDue(new Date('2030-02-28T16:59:00.000Z'))).toEqual([]);

    // Day 1 (local midnight, 17:00 UTC the day before): the month's batch opens, once.
    const march = batchStreamName(REGENCY, '2030-03');
    expect(await cycle.runDue(jakarta('2030-03-01'))).toEqual([
      { regencyCode: REGENCY, period: '2030-03', step: 'OPEN', outcome: 'DONE' },
    ]);
    expect(await cycle.runDue(jakarta('2030-03-01', '00:30'))).toEqual([]);
    expect(await cycle.perform(openStep('2030-03', '2030-03-25', jakarta('2030-03-01')))).toMatchObject({
      outcome: 'ALREADY_DONE',
    });
    expect(await eventsOf(app.store, march)).toEqual([
      { type: 'BatchOpened', data: { regencyCode: REGENCY, period: '2030-03', cutoffDate: '2030-03-25' } },
    ]);
    expect(await cycle.runDue(jakarta('2030-03-10'))).toEqual([]);

    // The reminder day: only village A (undeliberated proposal) is reminded, once.
    // Two ticks the same day plan the same step jobs (same ids: BullMQ keeps one), the next day a new scan.
    const planned = (await cycle.plan(jakarta('2030-03-20'))).map((p) => p.jobId);
    expect(planned).toHaveLength(1);
    expect((await cycle.plan(jakarta('2030-03-20', '18:00'))).map((p) => p.jobId)).toEqual(planned);
    expect((await cycle.plan(jakarta('2030-03-21'))).map((p) => p.jobId)).not.toEqual(planned);
    const reminded = await cycle.runDue(jakarta('2030-03-20'));
    expect(reminded).toEqual([
      { regencyCode: REGENCY, period: '2030-03', step: 'REMIND', outcome: 'DONE', villages: [VILLAGE_A] },
    ]);
    expect((await cycle.runDue(jakarta('2030-03-20', '01:00')))[0]).toMatchObject({
      step: 'REMIND',
      outcome: 'ALREADY_DONE',
      villages: [],
    });
    expect(await eventsOf(app.store, reminderStreamName(VILLAGE_A, '2030-03'))).toEqual([
      {
        type: 'DeliberationReminderIssued',
        data: {
          villageCode: VILLAGE_A,
          period: '2030-03',
          cutoffDate: '2030-03-25',
          proposalIds: [waiting],
          issuedAt: '2030-03-20T00:00:00.000+07:00',
        },
      },
    ]);
    expect(await eventsOf(app.store, reminderStreamName(VILLAGE_B, '2030-03'))).toEqual([]);

    // The queue entry for the UI: the village's operator and the regency's verifier see it, in Indonesian.
    const operatorA = await tokenOf(app, 'VILLAGE_OPERATOR', VILLAGE_A);
    const listed = await eventually(async () => {
      const response = await request(app.server)
        .get(`/reminders?villageCode=${VILLAGE_A}`)
        .set('Authorization', bearer(operatorA))
        .expect(200);
      const body = response.body as { items: { villageCode: string; proposalIds: string[]; message: string }[] };
      return body.items.length > 0 ? body.items : undefined;
    }, 15_000);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ villageCode: VILLAGE_A, period: '2030-03', proposalIds: [waiting] });
    expect(listed[0]!.message).toBe(
      'Masih ada 1 usulan yang belum dimusyawarahkan. Musyawarah desa/kelurahan diadakan pada tanggal 1-14 setiap ' +
        'bulan. Batas akhir usulan periode Maret 2030 adalah 25 Maret 2030; usulan yang belum diverifikasi sampai ' +
        'tanggal itu masuk ke periode bulan berikutnya.',
    );
    const verifier = await tokenOf(app, 'VERIFIER', REGENCY);
    const byVerifier = await request(app.server)
      .get(`/reminders?villageCode=${VILLAGE_A}`)
      .set('Authorization', bearer(verifier))
      .expect(200);
    expect((byVerifier.body as { items: unknown[] }).items).toHaveLength(1);
    const operatorB = await tokenOf(app, 'VILLAGE_OPERATOR', VILLAGE_B);
    expectProblem(
      await request(app.server).get(`/reminders?villageCode=${VILLAGE_A}`).set('Authorization', bearer(operatorB)),
      403,
      'OUTSIDE_SCOPE',
    );
    const own = await request(app.server)
      .get(`/reminders?villageCode=${VILLAGE_B}`)
      .set('Authorization', bearer(operatorB))
      .expect(200);
    expect((own.body as { items: unknown[] }).items).toEqual([]);

    // The cut-off day still takes proposals; the batch closes when the next day starts (local time), once.
    expect((await cycle.runDue(jakarta('2030-03-25', '23:59'))).map((s) => s.step)).toEqual(['REMIND']);
    expect(await cycle.runDue(jakarta('2030-03-26'))).toEqual([
      { regencyCode: REGENCY, period: '2030-03', step: 'CLOSE', outcome: 'DONE' },
    ]);
    expect(await cycle.runDue(jakarta('2030-03-26', '01:00'))).toEqual([]);
    expect((await eventsOf(app.store, march)).map((e) => e.type)).toEqual(['BatchOpened', 'BatchClosed']);
    expect((await eventsOf(app.store, march))[1]!.data).toEqual({ closedAt: '2030-03-26T00:00:00.000+07:00' });

    // A proposal verified after the cut-off: the closed batch refuses it, it rolls over to April's.
    const late = await fixtures.verifiedProposal(VILLAGE_B);
    expectProblem(
      await request(app.server)
        .post('/batches/3515-203003/proposals')
        .set('Authorization', bearer(verifier))
        .send({ proposalId: late }),
      409,
      'BATCH_CLOSED',
    );
    expect(await cycle.runDue(jakarta('2030-04-01'))).toEqual([
      { regencyCode: REGENCY, period: '2030-04', step: 'OPEN', outcome: 'DONE' },
    ]);
    expect(await cycle.runDue(jakarta('2030-04-01', '00:05'))).toEqual([]);
    await request(app.server)
      .post('/batches/3515-203004/proposals')
      .set('Authorization', bearer(verifier))
      .send({ proposalId: late })
      .expect(201);
    expect(await eventsOf(app.store, batchStreamName(REGENCY, '2030-04'))).toEqual([
      { type: 'BatchOpened', data: { regencyCode: REGENCY, period: '2030-04', cutoffDate: '2030-04-25' } },
      { type: 'ProposalIncluded', data: { proposalId: late } },
    ]);
    // March is untouched by April: still just opened and closed.
    expect((await eventsOf(app.store, march)).map((e) => e.type)).toEqual(['BatchOpened', 'BatchClosed']);
  }, 120_000);

  it('a real BullMQ job scheduler fires the processor, which opens the current month', async () => {
    // Every second, and a cut-off on the month's last day so that opening is due whatever today's date.
    t = await startApp({ logLevel: 'warn', env: { CYCLE_SCHEDULE: '* * * * * *', CYCLE_CUTOFF_DAY: '31' } });
    const app = t;
    await new WorkflowFixtures(app.store).waitingProposal(VILLAGE_A);
    const opened = await eventually(async () => {
      const rows = await app.db.query<{ id: string; status: string }>(
        `SELECT id, status FROM batches_view WHERE regency_code = $1`,
        [REGENCY],
      );
      return rows.length > 0 ? rows : undefined;
    }, 60_000);
    expect(opened.map((row) => row.status)).toContain('OPEN');
    // The scheduler keeps firing (one tick a second): later ticks find the batch open and write nothing more.
    const queue = app.app.get<Queue>(getQueueToken(QUEUES.monthlyCycle));
    const completed = async () => (await queue.getJobCounts('completed')).completed ?? 0;
    const before = await completed();
    await eventually(async () => ((await completed()) >= before + 2 ? true : undefined), 30_000);
    for (const row of opened) {
      const [regency, yyyymm] = row.id.split('-') as [string, string];
      const events = await eventsOf(app.store, batchStreamName(regency, `${yyyymm.slice(0, 4)}-${yyyymm.slice(4)}`));
      expect(events.filter((e) => e.type === 'BatchOpened')).toHaveLength(1);
    }
  }, 90_000);
});

function openStep(period: string, cutoffDate: string, at: Date) {
  return {
    kind: 'step' as const,
    regencyCode: REGENCY,
    period,
    step: 'OPEN' as const,
    cutoffDate,
    at: at.toISOString(),
  };
}
