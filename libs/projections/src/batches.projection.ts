import type { Projection } from '@muskel/application';
import type { BatchEvent } from '@muskel/domain';
import type { RecordedEvent, StoreTransaction } from '@muskel/event-store';
import { DocumentTable, digitsOnly, ofCategories, occurredAt, streamId } from './support';

export interface BatchView {
  /** `<regency>-<yyyymm>`: the stream name without `batch-`. */
  id: string;
  regencyCode: string;
  period: string;
  cutoffDate: string;
  status: 'OPEN' | 'CLOSED' | 'ENDORSED' | 'SUBMITTED' | 'COMPLETED';
  included: string[];
  closed: { closedAt: string; early: boolean; reason: string | null } | null;
  endorsement: {
    endorsedBy: string;
    letterNumber: string;
    signedDate: string;
    documentDigest: string;
    recordedBy: string;
  } | null;
  submission: { submittedAt: string; exportDigest: string; submittedBy: string } | null;
  results: { proposalId: string; outcome: string; decreeRef: string | null; reason: string | null; at: string }[];
}

export const BATCHES_VIEW = 'batches-view';

export const batchesTable = new DocumentTable<BatchView>('batches_view', [
  { name: 'regency_code', type: 'text', value: (d) => d.regencyCode },
  { name: 'period', type: 'text', value: (d) => d.period },
  { name: 'status', type: 'text', value: (d) => d.status },
]);

/** `batch-1872-202503`, `1872-202503` → `1872-202503`. */
export function batchIdOf(value: string): string {
  return value.startsWith('batch-') ? value.slice('batch-'.length) : value;
}

export function foldBatch(doc: BatchView | undefined, recorded: RecordedEvent): BatchView | undefined {
  const event = { type: recorded.type, data: recorded.data } as unknown as BatchEvent;
  const at = occurredAt(recorded);
  if (event.type === 'BatchOpened') {
    return {
      id: streamId(recorded),
      regencyCode: digitsOnly(event.data.regencyCode),
      period: event.data.period,
      cutoffDate: event.data.cutoffDate,
      status: 'OPEN',
      included: [],
      closed: null,
      endorsement: null,
      submission: null,
      results: [],
    };
  }
  if (!doc) return undefined;
  switch (event.type) {
    case 'ProposalIncluded':
      return doc.included.includes(event.data.proposalId)
        ? doc
        : { ...doc, included: [...doc.included, event.data.proposalId] };
    case 'BatchClosed':
      return {
        ...doc,
        status: 'CLOSED',
        closed: { closedAt: event.data.closedAt, early: event.data.early === true, reason: event.data.reason ?? null },
      };
    case 'BatchEndorsed': {
      const { endorsedBy, letterNumber, signedDate, documentDigest, recordedBy } = event.data;
      return {
        ...doc,
        status: 'ENDORSED',
        endorsement: { endorsedBy, letterNumber, signedDate, documentDigest, recordedBy },
      };
    }
    case 'BatchSubmitted': {
      const { submittedAt, exportDigest, submittedBy } = event.data;
      return { ...doc, status: 'SUBMITTED', submission: { submittedAt, exportDigest, submittedBy } };
    }
    case 'BatchResultsRecorded': {
      const fresh = event.data.results.map((r) => ({
        proposalId: r.proposalId,
        outcome: r.outcome,
        decreeRef: r.outcome === 'ACCEPTED' ? r.decreeRef : null,
        reason: r.outcome === 'REJECTED' ? r.reason : null,
        at,
      }));
      const ids = new Set(fresh.map((r) => r.proposalId));
      const results = [...doc.results.filter((r) => !ids.has(r.proposalId)), ...fresh];
      const complete = doc.included.every((id) => results.some((r) => r.proposalId === id));
      return { ...doc, results, status: complete ? 'COMPLETED' : doc.status };
    }
    default:
      return doc;
  }
}

export class BatchesProjection implements Projection {
  readonly name = BATCHES_VIEW;
  readonly filter = { categories: ['batch'] };

  async setup(tx: StoreTransaction): Promise<void> {
    await tx.query(batchesTable.ddl());
    await tx.query(
      'CREATE INDEX IF NOT EXISTS batches_view_regency ON batches_view (regency_code text_pattern_ops, period, id)',
    );
  }

  async reset(tx: StoreTransaction): Promise<void> {
    await tx.query('TRUNCATE batches_view');
  }

  async apply(event: RecordedEvent, tx: StoreTransaction): Promise<void> {
    await this.applyBatch([event], tx);
  }

  async applyBatch(events: RecordedEvent[], tx: StoreTransaction): Promise<void> {
    await batchesTable.applyPage(tx, ofCategories(events, this.filter.categories), foldBatch);
  }
}
