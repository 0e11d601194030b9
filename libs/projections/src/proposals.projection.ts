import type { Projection } from '@muskel/application';
import type { ProposalEvent } from '@muskel/domain';
import type { RecordedEvent, StoreTransaction } from '@muskel/event-store';
import { DocumentTable, digitsOnly, ofCategories, occurredAt, periodOf, streamId } from './support';

export interface ProposalDeliberation {
  meetingId: string;
  decision: string;
  reason: string;
  votes: { for: number; against: number; abstain: number } | null;
  recordedBy: string;
  deliberatedAt: string;
}

/** One proposal as lists and details show it: ids, codes and acts, no household members' personal data. */
export interface ProposalView {
  id: string;
  kind: string;
  villageCode: string;
  regencyCode: string;
  channel: string;
  status: string;
  openFlags: { code: string; severity: string; source: string }[];
  householdId: string | null;
  linkedProposalId: string | null;
  targetVillageCode: string | null;
  removalReason: string | null;
  memberCount: number;
  submittedBy: string;
  submittedAt: string;
  /** The meeting whose agenda holds it now, or the last one that deliberated it. */
  meetingId: string | null;
  tabledAt: string | null;
  /** The status before tabling, restored when a cancelled meeting takes it off its agenda. */
  tabledFrom?: string | null;
  decision: ProposalDeliberation | null;
  deliberations: ProposalDeliberation[];
  fieldVisits: { visitedAt: string; outcome: string; visitedBy: string }[];
  verifiedBy: string | null;
  verifiedAt: string | null;
  returned: { reason: string; at: string } | null;
  batchId: string | null;
  sentAt: string | null;
  decreeRef: string | null;
  rejection: { stage: string; reason: string; batchId: string | null; at: string } | null;
  withdrawn: { reason: string; at: string } | null;
}

export const PROPOSALS_VIEW = 'proposals-view';

export const proposalsTable = new DocumentTable<ProposalView>('proposals_view', [
  { name: 'kind', type: 'text', value: (d) => d.kind },
  { name: 'village_code', type: 'text', value: (d) => d.villageCode },
  { name: 'regency_code', type: 'text', value: (d) => d.regencyCode },
  { name: 'channel', type: 'text', value: (d) => d.channel },
  { name: 'status', type: 'text', value: (d) => d.status },
  { name: 'flag_codes', type: 'text[]', value: (d) => d.openFlags.map((flag) => flag.code) },
  { name: 'household_id', type: 'text', value: (d) => d.householdId },
  { name: 'submitted_by', type: 'text', value: (d) => d.submittedBy },
  { name: 'submitted_at', type: 'timestamptz', value: (d) => d.submittedAt },
  { name: 'period', type: 'text', value: (d) => periodOf(d.submittedAt) },
  { name: 'meeting_id', type: 'text', value: (d) => d.meetingId },
  { name: 'decision', type: 'text', value: (d) => d.decision?.decision },
  { name: 'verified_by', type: 'text', value: (d) => d.verifiedBy },
  { name: 'verified_at', type: 'timestamptz', value: (d) => d.verifiedAt },
  { name: 'batch_id', type: 'text', value: (d) => d.batchId },
  { name: 'decree_ref', type: 'text', value: (d) => d.decreeRef },
]);

function contentFields(data: {
  householdId?: string;
  household?: { members: readonly unknown[] };
  removal?: { reason: string };
  targetVillageCode?: string;
  linkedProposalId?: string;
}): Pick<ProposalView, 'householdId' | 'linkedProposalId' | 'targetVillageCode' | 'removalReason' | 'memberCount'> {
  return {
    householdId: data.householdId ?? null,
    linkedProposalId: data.linkedProposalId ?? null,
    targetVillageCode: data.targetVillageCode ? digitsOnly(data.targetVillageCode) : null,
    removalReason: data.removal?.reason ?? null,
    memberCount: data.household?.members.length ?? 0,
  };
}

/** Folds one proposal event; pure. */
export function foldProposal(doc: ProposalView | undefined, recorded: RecordedEvent): ProposalView | undefined {
  const event = { type: recorded.type, data: recorded.data } as unknown as ProposalEvent;
  const at = occurredAt(recorded);
  if (event.type === 'ProposalSubmitted') {
    const d = event.data;
    const village = digitsOnly(d.villageCode);
    return {
      id: d.proposalId ?? streamId(recorded),
      kind: d.kind,
      villageCode: village,
      regencyCode: village.slice(0, 4),
      channel: d.channel,
      status: 'WAITING',
      openFlags: [],
      ...contentFields(d),
      submittedBy: d.submittedBy,
      submittedAt: d.submittedAt ?? at,
      meetingId: null,
      tabledAt: null,
      decision: null,
      deliberations: [],
      fieldVisits: [],
      verifiedBy: null,
      verifiedAt: null,
      returned: null,
      batchId: null,
      sentAt: null,
      decreeRef: null,
      rejection: null,
      withdrawn: null,
    };
  }
  if (!doc) return undefined;
  switch (event.type) {
    case 'ProposalAmended':
      return { ...doc, ...contentFields(event.data), status: 'WAITING' };
    case 'ProposalWithdrawn':
      return { ...doc, status: 'WITHDRAWN', withdrawn: { reason: event.data.reason, at } };
    case 'ProposalTabled':
      return { ...doc, status: 'TABLED', meetingId: event.data.meetingId, tabledAt: at, tabledFrom: doc.status };
    case 'ProposalUntabled':
      return { ...doc, status: doc.tabledFrom ?? 'WAITING', meetingId: null, tabledAt: null, tabledFrom: null };
    case 'ProposalDeliberated': {
      const d = event.data;
      const deliberation: ProposalDeliberation = {
        meetingId: d.meetingId,
        decision: d.decision,
        reason: d.reason,
        votes: d.votes ? { ...d.votes } : null,
        recordedBy: d.recordedBy,
        deliberatedAt: d.deliberatedAt ?? at,
      };
      const status =
        d.decision === 'APPROVED' ? 'APPROVED' : d.decision === 'REJECTED' ? 'REJECTED_BY_VILLAGE' : 'WAITING';
      return {
        ...doc,
        status,
        meetingId: d.meetingId,
        decision: deliberation,
        deliberations: [...doc.deliberations, deliberation],
      };
    }
    case 'FlagRaised':
      return {
        ...doc,
        openFlags: [
          ...doc.openFlags.filter((flag) => flag.code !== event.data.code),
          { code: event.data.code, severity: event.data.severity, source: event.data.source },
        ],
      };
    case 'FlagResolved':
      return { ...doc, openFlags: doc.openFlags.filter((flag) => flag.code !== event.data.code) };
    case 'FieldVisitRecorded':
      return {
        ...doc,
        fieldVisits: [
          ...doc.fieldVisits,
          { visitedAt: event.data.visitedAt, outcome: event.data.outcome, visitedBy: event.data.visitedBy },
        ],
      };
    case 'ProposalVerified':
      return { ...doc, status: 'VERIFIED', verifiedBy: event.data.verifiedBy, verifiedAt: event.data.verifiedAt };
    case 'ProposalReturned':
      return { ...doc, status: 'RETURNED', returned: { reason: event.data.reason, at } };
    case 'ProposalRejected':
      return {
        ...doc,
        status: 'REJECTED',
        rejection: { stage: event.data.stage, reason: event.data.reason, batchId: event.data.batchId ?? null, at },
      };
    case 'ProposalBatched':
      return { ...doc, status: 'BATCHED', batchId: event.data.batchId };
    case 'ProposalSentToPusdatin':
      return { ...doc, status: 'SENT', batchId: event.data.batchId, sentAt: event.data.sentAt };
    case 'ProposalAccepted':
      return { ...doc, status: 'ACCEPTED', batchId: event.data.batchId, decreeRef: event.data.decreeRef };
    default:
      return doc;
  }
}

export class ProposalsProjection implements Projection {
  readonly name = PROPOSALS_VIEW;
  readonly filter = { categories: ['proposal'] };

  async setup(tx: StoreTransaction): Promise<void> {
    await tx.query(proposalsTable.ddl());
    await tx.query(
      'CREATE INDEX IF NOT EXISTS proposals_view_village ON proposals_view (village_code text_pattern_ops, submitted_at, id)',
    );
    await tx.query('CREATE INDEX IF NOT EXISTS proposals_view_status ON proposals_view (status, submitted_at, id)');
    await tx.query('CREATE INDEX IF NOT EXISTS proposals_view_household ON proposals_view (household_id)');
  }

  async reset(tx: StoreTransaction): Promise<void> {
    await tx.query('TRUNCATE proposals_view');
  }

  async apply(event: RecordedEvent, tx: StoreTransaction): Promise<void> {
    await this.applyBatch([event], tx);
  }

  async applyBatch(events: RecordedEvent[], tx: StoreTransaction): Promise<void> {
    await proposalsTable.applyPage(tx, ofCategories(events, this.filter.categories), foldProposal);
  }
}
