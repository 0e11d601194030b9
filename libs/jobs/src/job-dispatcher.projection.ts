import type { Projection } from '@muskel/application';
import type { RecordedEvent, StoreTransaction } from '@muskel/event-store';
import {
  type Expectation,
  closeExpectations,
  closeSubjects,
  recordExpectations,
  setupExpectations,
} from './expectations';
import type { JobSink } from './job-sink';
import { jobIdFor, QUEUES } from './queues';

export const JOB_DISPATCHER = 'job-dispatcher';

export interface JobDispatcherOptions {
  /** After how long an expectation without its result is enqueued again by the reconciler. */
  reconcileAfterSeconds: number;
}

const REFERENCE_IMPORT_PREFIX = 'reference-import-';

/** Events after which a proposal changes no more: its open checks are no longer needed. */
const CLOSING_EVENTS = new Set(['ProposalWithdrawn', 'ProposalRejected', 'ProposalAccepted']);

/**
 * The outbox relay of background work: follows the store's global order with its own checkpoint (a projection
 * under the runner's lease), writes what each event calls for into `job_expectations` in the checkpoint's
 * transaction, and enqueues it in BullMQ with a job id derived from the cause. Enqueueing happens before the commit:
 * if Redis is down the page fails and is read again later (nothing is skipped); if the commit fails after enqueueing,
 * the replay adds the same job ids, which BullMQ ignores.
 */
export class JobDispatcher implements Projection {
  readonly name = JOB_DISPATCHER;
  // `reference` is the category of `reference-import-<id>` streams (the text before the first dash).
  readonly filter = { categories: ['proposal', 'reference'] };

  constructor(
    private readonly sink: JobSink,
    private readonly options: JobDispatcherOptions,
  ) {}

  async setup(tx: StoreTransaction): Promise<void> {
    await setupExpectations(tx);
  }

  apply(event: RecordedEvent, tx: StoreTransaction): Promise<void> {
    return this.applyBatch([event], tx);
  }

  async applyBatch(events: RecordedEvent[], tx: StoreTransaction): Promise<void> {
    const wanted: Expectation[] = [];
    const checked: string[] = [];
    const closed: string[] = [];
    const matched: string[] = [];
    for (const event of events) {
      if (event.streamName.startsWith(REFERENCE_IMPORT_PREFIX)) {
        const importId = event.streamName.slice(REFERENCE_IMPORT_PREFIX.length);
        const jobId = jobIdFor(QUEUES.referenceMatching, importId);
        // Every import is matched against pending proposals and the registry; its result closes the work.
        if (event.type === 'ReferenceListImported') {
          wanted.push({ queue: QUEUES.referenceMatching, jobId, subject: importId, payload: { importId } });
        } else if (event.type === 'ReferenceMatchingRecorded') {
          matched.push(jobId);
        }
        continue;
      }
      if (!event.streamName.startsWith('proposal-')) continue;
      const proposalId = event.streamName.slice('proposal-'.length);
      switch (event.type) {
        case 'ProposalSubmitted':
        case 'ProposalAmended':
          // Every content the village writes is checked (an amendment may bring a new NIK).
          wanted.push({
            queue: QUEUES.identityChecks,
            jobId: jobIdFor(QUEUES.identityChecks, event.id),
            subject: proposalId,
            payload: { proposalId, contentEventId: event.id },
          });
          break;
        case 'IdentityChecked': {
          const contentEventId = (event.data as { contentEventId?: unknown }).contentEventId;
          if (typeof contentEventId === 'string') checked.push(jobIdFor(QUEUES.identityChecks, contentEventId));
          break;
        }
        case 'ProposalDeliberated':
          if ((event.data as { decision?: unknown }).decision === 'REJECTED') closed.push(proposalId);
          break;
        default:
          if (CLOSING_EVENTS.has(event.type)) closed.push(proposalId);
      }
    }
    const fresh = await recordExpectations(tx, wanted, this.options.reconcileAfterSeconds);
    await closeExpectations(tx, QUEUES.identityChecks, checked, 'DONE');
    await closeExpectations(tx, QUEUES.referenceMatching, matched, 'DONE');
    await closeSubjects(tx, closed, 'the proposal is closed');
    // Sequential on purpose: a page is at most a few hundred jobs, and a Redis failure stops at the first one.
    for (const job of fresh) await this.sink.enqueue(job.queue, job.payload, job.jobId);
  }

  /** The outbox is rebuilt by nobody: its rows record what was asked of the queues. */
  reset(): Promise<void> {
    return Promise.reject(new Error('the job dispatcher is not rebuilt; the reconciler re-enqueues what is missing'));
  }
}
