import { CommandPipeline, deterministicId, type CommandContext } from '@muskel/application';
import {
  batchDecider,
  batchStreamName,
  DomainError,
  reminderDecider,
  reminderStreamName,
  type BatchCommand,
  type IssueDeliberationReminder,
} from '@muskel/domain';
import type { SqlExecutor } from '@muskel/event-store';
import { NonRetryableJobError } from '../job-errors';
import { jobIdFor, QUEUES, type JobPayloads } from '../queues';
import {
  dueSteps,
  localTimestamp,
  previousPeriod,
  localDate,
  type CycleCalendar,
  type CycleStep,
  type RegencyCycleState,
} from './cycle-calendar';

/** One step of one regency's month, as a job carries it (`at`: the tick's instant, so a retry decides the same). */
export type CycleStepJob = Extract<JobPayloads['monthly-cycle'], { kind: 'step' }>;

export interface CycleStepOutcome {
  readonly regencyCode: string;
  readonly period: string;
  readonly step: CycleStep['step'];
  /** DONE: this run wrote it; ALREADY_DONE: an earlier run (or a verifier) had; NOTHING: no village to remind. */
  readonly outcome: 'DONE' | 'ALREADY_DONE' | 'NOTHING';
  /** REMIND: the villages reminded by this run. */
  readonly villages?: readonly string[];
}

/** Proposal statuses still waiting for the village's deliberation (musyawarah). */
export const UNDELIBERATED_STATUSES = ['WAITING', 'TABLED', 'RETURNED'] as const;

const SYSTEM_ACTOR = { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' } as const;
const ALREADY_DONE = new Set(['BATCH_ALREADY_OPENED', 'BATCH_ALREADY_CLOSED', 'REMINDER_ALREADY_ISSUED']);

/** The job id of a step: one per regency, month and step; a reminder scan once per local day of its window. */
export function cycleStepJobId(job: Omit<CycleStepJob, 'kind' | 'cutoffDate'>, timeZone: string): string {
  const cause = [job.regencyCode, job.period, job.step];
  if (job.step === 'REMIND') cause.push(localDate(new Date(job.at), timeZone));
  return jobIdFor(QUEUES.monthlyCycle, ...cause);
}

/**
 * The monthly cycle, per regency (issue 6 item 6): opens the month's batch, reminds villages whose proposals are not
 * yet deliberated, closes the batch after its cut-off date. Which regencies: those with proposals or batches in the
 * read models (a regency that never had either has nothing to submit). Every step is idempotent: the deciders refuse
 * what is already done (that counts as done here) and event ids derive from the step, so two workers, a retried job
 * or a repeated tick write each event once.
 */
export class MonthlyCycleService {
  constructor(
    private readonly pipeline: CommandPipeline,
    private readonly db: SqlExecutor,
    readonly calendar: CycleCalendar,
  ) {}

  /** Regencies in use: those of proposals and of batches (digits only). */
  async regencies(): Promise<string[]> {
    const rows = await this.db.query<{ regency_code: string }>(
      `SELECT regency_code FROM proposals_view WHERE regency_code IS NOT NULL
       UNION SELECT regency_code FROM batches_view WHERE regency_code IS NOT NULL
       ORDER BY regency_code`,
    );
    return rows.map((row) => row.regency_code).filter((code) => /^\d{4}$/.test(code));
  }

  /**
   * The regency's batches that matter at `now`: this month's and last month's, folded from their streams (no
   * projection lag), and any other still open in the read model (a worker stopped for longer).
   */
  async stateOf(regencyCode: string, now: Date): Promise<RegencyCycleState> {
    const period = localDate(now, this.calendar.timeZone).slice(0, 7);
    const batches: Record<string, { status: string; cutoffDate: string }> = {};
    const open = await this.db.query<{ period: string }>(
      `SELECT period FROM batches_view WHERE regency_code = $1 AND status = 'OPEN'`,
      [regencyCode],
    );
    const periods = new Set([period, previousPeriod(period), ...open.map((row) => row.period)]);
    for (const each of periods) {
      const { state, revision } = await this.pipeline.fold(batchStreamName(regencyCode, each), batchDecider);
      if (revision >= 0 && state.cutoffDate !== undefined) {
        batches[each] = { status: state.status, cutoffDate: state.cutoffDate };
      }
    }
    return { batches };
  }

  /** Every step due at `now`, as jobs (with their deterministic ids). */
  async plan(now: Date): Promise<{ jobId: string; job: CycleStepJob }[]> {
    const jobs: { jobId: string; job: CycleStepJob }[] = [];
    for (const regencyCode of await this.regencies()) {
      const state = await this.stateOf(regencyCode, now);
      for (const step of dueSteps(this.calendar, now, state)) {
        const job: CycleStepJob = { kind: 'step', regencyCode, ...step, at: now.toISOString() };
        jobs.push({ jobId: cycleStepJobId(job, this.calendar.timeZone), job });
      }
    }
    return jobs;
  }

  /** Plans and performs every due step in this process, in order (the fake-clock tests; an operator's catch-up). */
  async runDue(now: Date): Promise<CycleStepOutcome[]> {
    const outcomes: CycleStepOutcome[] = [];
    for (const { job } of await this.plan(now)) outcomes.push(await this.perform(job));
    return outcomes;
  }

  /** Performs one step; what an earlier run already did counts as done. */
  async perform(job: CycleStepJob): Promise<CycleStepOutcome> {
    const at = new Date(job.at);
    if (Number.isNaN(at.getTime())) throw new NonRetryableJobError('INVALID_JOB', 'the step has no valid time');
    const base = { regencyCode: job.regencyCode, period: job.period, step: job.step };
    const occurredAt = localTimestamp(at, this.calendar.timeZone);
    switch (job.step) {
      case 'OPEN':
        return {
          ...base,
          outcome: await this.onBatch(job, occurredAt, {
            type: 'OpenBatch',
            data: { regencyCode: job.regencyCode, period: job.period, cutoffDate: job.cutoffDate },
            metadata: { actor: SYSTEM_ACTOR, occurredAt },
          }),
        };
      case 'CLOSE':
        return {
          ...base,
          outcome: await this.onBatch(job, occurredAt, {
            type: 'CloseBatch',
            data: {},
            metadata: { actor: SYSTEM_ACTOR, occurredAt },
          }),
        };
      case 'REMIND':
        return this.remind(job, occurredAt, base);
      default: {
        const _exhaustive: never = job.step;
        throw new NonRetryableJobError('INVALID_JOB', 'unknown cycle step');
      }
    }
  }

  private context(job: CycleStepJob, occurredAt: string, ...cause: string[]): CommandContext {
    const id = deterministicId('monthly-cycle', job.regencyCode, job.period, job.step, ...cause);
    return { actor: SYSTEM_ACTOR, correlationId: id, causationId: id, occurredAt };
  }

  private async onBatch(
    job: CycleStepJob,
    occurredAt: string,
    command: BatchCommand,
  ): Promise<CycleStepOutcome['outcome']> {
    const stream = batchStreamName(job.regencyCode, job.period);
    return this.done(() =>
      this.pipeline.execute(stream, batchDecider, command, this.context(job, occurredAt), {
        eventId: (i) => deterministicId('monthly-cycle', stream, job.step, i),
        retryOnConflict: true,
      }),
    );
  }

  private async remind(
    job: CycleStepJob,
    occurredAt: string,
    base: Pick<CycleStepOutcome, 'regencyCode' | 'period' | 'step'>,
  ): Promise<CycleStepOutcome> {
    const rows = await this.db.query<{ village_code: string; ids: string[] }>(
      `SELECT village_code, array_agg(id ORDER BY submitted_at, id) AS ids FROM proposals_view
        WHERE regency_code = $1 AND status = ANY($2::text[])
        GROUP BY village_code ORDER BY village_code`,
      [job.regencyCode, [...UNDELIBERATED_STATUSES]],
    );
    if (rows.length === 0) return { ...base, outcome: 'NOTHING' };
    const villages: string[] = [];
    for (const row of rows) {
      const command: IssueDeliberationReminder = {
        type: 'IssueDeliberationReminder',
        data: { villageCode: row.village_code, period: job.period, cutoffDate: job.cutoffDate, proposalIds: row.ids },
        metadata: { actor: SYSTEM_ACTOR, occurredAt },
      };
      const outcome = await this.done(() => {
        const stream = reminderStreamName(row.village_code, job.period);
        return this.pipeline.execute(
          stream,
          reminderDecider,
          command,
          this.context(job, occurredAt, row.village_code),
          {
            eventId: (i) => deterministicId('monthly-cycle', stream, i),
            retryOnConflict: true,
          },
        );
      });
      if (outcome === 'DONE') villages.push(row.village_code);
    }
    return { ...base, outcome: villages.length > 0 ? 'DONE' : 'ALREADY_DONE', villages };
  }

  private async done(run: () => Promise<unknown>): Promise<'DONE' | 'ALREADY_DONE'> {
    try {
      await run();
      return 'DONE';
    } catch (error) {
      if (error instanceof DomainError && ALREADY_DONE.has(error.code)) return 'ALREADY_DONE';
      // Races were decided again (retryOnConflict); a rule the step still breaks (a cut-off passed, a batch closed
      // early by a verifier) will break on every retry.
      if (error instanceof DomainError) throw new NonRetryableJobError(error.code, error.message);
      throw error;
    }
  }
}
