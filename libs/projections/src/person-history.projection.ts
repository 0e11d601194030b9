import type { Projection } from '@muskel/application';
import type { HouseholdEvent, ProposalEvent } from '@muskel/domain';
import type { JsonObject, RecordedEvent, StoreTransaction } from '@muskel/event-store';
import { isErased } from '@muskel/personal-data';
import { BlindIndex, ensureBlindIndexKey } from './blind-index';

/** An erased household's members have no NIK any more: they are no one's history. */
const known = (member: { nik: string }): boolean => !isErased(member.nik);
import { StreamRevisions, ofCategories, occurredAt, streamId, unseen } from './support';

export const PERSON_HISTORY = 'person-history';

const revisions = new StreamRevisions('person_history_streams');

interface HistoryRow {
  nik_hmac: string;
  position: string;
  occurred_at: string;
  stream: string;
  event_type: string;
  summary: JsonObject;
}

/** Ids and codes only: the summary of an event in a person's history never holds personal data. */
function summarise(recorded: RecordedEvent): JsonObject {
  const id = streamId(recorded);
  if (recorded.streamName.startsWith('household-')) {
    const event = { type: recorded.type, data: recorded.data } as unknown as HouseholdEvent;
    const summary: JsonObject = { householdId: id };
    const data = event.data as { proposalId?: string; importId?: string; source?: string };
    if (data.proposalId) summary.proposalId = data.proposalId;
    if (data.importId) summary.importId = data.importId;
    switch (event.type) {
      case 'HouseholdEnrolled':
        summary.source = event.data.source;
        summary.villageCode = event.data.villageCode;
        summary.memberIds = event.data.members.map((m) => m.memberId);
        break;
      case 'HouseholdCorrected':
        summary.fields = Object.keys(event.data.changes);
        break;
      case 'MemberAdded':
        summary.memberId = event.data.member.memberId;
        break;
      case 'MemberRemoved':
        summary.memberId = event.data.memberId;
        summary.reason = event.data.reason;
        break;
      case 'HouseholdRelocated':
        summary.fromVillageCode = event.data.from.villageCode;
        summary.toVillageCode = event.data.to.villageCode;
        break;
      case 'HouseholdDeactivated':
        summary.reason = event.data.reason;
        break;
      default:
        break;
    }
    return summary;
  }
  const event = { type: recorded.type, data: recorded.data } as unknown as ProposalEvent;
  const summary: JsonObject = { proposalId: id };
  switch (event.type) {
    case 'ProposalSubmitted':
      summary.kind = event.data.kind;
      summary.channel = event.data.channel;
      summary.villageCode = event.data.villageCode;
      if (event.data.householdId) summary.householdId = event.data.householdId;
      if (event.data.removal) summary.removalReason = event.data.removal.reason;
      break;
    case 'ProposalTabled':
    case 'ProposalUntabled':
      summary.meetingId = event.data.meetingId;
      break;
    case 'ProposalDeliberated':
      summary.meetingId = event.data.meetingId;
      summary.decision = event.data.decision;
      break;
    case 'FlagRaised':
      summary.code = event.data.code;
      summary.severity = event.data.severity;
      break;
    case 'FlagResolved':
      summary.code = event.data.code;
      break;
    case 'FieldVisitRecorded':
      summary.outcome = event.data.outcome;
      summary.visitedBy = event.data.visitedBy;
      break;
    case 'ProposalVerified':
      summary.verifiedBy = event.data.verifiedBy;
      break;
    case 'ProposalRejected':
      summary.stage = event.data.stage;
      if (event.data.batchId) summary.batchId = event.data.batchId;
      break;
    case 'ProposalBatched':
    case 'ProposalSentToPusdatin':
      summary.batchId = event.data.batchId;
      break;
    case 'ProposalAccepted':
      summary.batchId = event.data.batchId;
      summary.decreeRef = event.data.decreeRef;
      break;
    default:
      break;
  }
  return summary;
}

/**
 * Person history: per person (by the blind index of the NIK), every proposal that mentions them and every step of
 * it, and every registry change of their household. Who a proposal mentions is fixed when it is submitted or
 * amended: an ADD's proposed members, or the members of the household a CORRECT/REMOVE/RELOCATE refers to.
 */
export class PersonHistoryProjection implements Projection {
  readonly name = PERSON_HISTORY;
  readonly filter = { categories: ['proposal', 'household'] };

  async setup(tx: StoreTransaction): Promise<void> {
    await ensureBlindIndexKey(tx);
    await tx.query(revisions.ddl());
    await tx.query(`CREATE TABLE IF NOT EXISTS person_history (
      nik_hmac text NOT NULL,
      position text NOT NULL,
      occurred_at timestamptz NOT NULL,
      stream text NOT NULL,
      event_type text NOT NULL,
      summary jsonb NOT NULL,
      PRIMARY KEY (nik_hmac, position))`);
    // Who each proposal and household concerns, as blind-index values only: key (member id, or the value itself
    // for a proposal's subjects) -> NIK HMAC.
    await tx.query(`CREATE TABLE IF NOT EXISTS person_history_subjects (
      stream text PRIMARY KEY,
      subjects jsonb NOT NULL)`);
  }

  async reset(tx: StoreTransaction): Promise<void> {
    await tx.query('TRUNCATE person_history, person_history_subjects, person_history_streams');
  }

  async apply(event: RecordedEvent, tx: StoreTransaction): Promise<void> {
    await this.applyBatch([event], tx);
  }

  async applyBatch(events: RecordedEvent[], tx: StoreTransaction): Promise<void> {
    const mine = ofCategories(events, this.filter.categories);
    const fresh = unseen(mine, await revisions.load(tx, mine));
    if (fresh.length === 0) return;
    const index = await BlindIndex.load(tx);
    // Subjects of the streams in the page and of the households their submissions refer to.
    const wanted = new Set<string>();
    for (const event of fresh) {
      wanted.add(event.streamName);
      const householdId = (event.data as { householdId?: unknown }).householdId;
      if (event.type.startsWith('Proposal') && typeof householdId === 'string') wanted.add(`household-${householdId}`);
    }
    const rows = await tx.query<{ stream: string; subjects: Record<string, string> }>(
      'SELECT stream, subjects FROM person_history_subjects WHERE stream = ANY($1::text[])',
      [[...wanted]],
    );
    const subjects = new Map(rows.map((row) => [row.stream, row.subjects]));
    const changedSubjects = new Set<string>();
    const history: HistoryRow[] = [];
    const byValue = (hmacs: string[]) => Object.fromEntries(hmacs.map((hmac) => [hmac, hmac]));
    for (const event of fresh) {
      const stream = event.streamName;
      const before = subjects.get(stream) ?? {};
      let after = before;
      if (event.type === 'ProposalSubmitted' || event.type === 'ProposalAmended') {
        const data = event.data as { household?: { members: { nik: string }[] }; householdId?: string };
        after = data.household
          ? byValue(data.household.members.filter(known).map((m) => index.nik(m.nik)))
          : data.householdId
            ? byValue(Object.values(subjects.get(`household-${data.householdId}`) ?? {}))
            : {};
      } else if (event.type === 'HouseholdEnrolled') {
        const members = (event.data as { members: { memberId: string; nik: string }[] }).members;
        after = Object.fromEntries(members.filter(known).map((m) => [m.memberId, index.nik(m.nik)]));
      } else if (event.type === 'MemberAdded') {
        const member = (event.data as { member: { memberId: string; nik: string } }).member;
        after = known(member) ? { ...before, [member.memberId]: index.nik(member.nik) } : before;
      } else if (event.type === 'MemberRemoved') {
        // The leaver's own history records the removal; later changes of the household are no longer theirs.
        const { [(event.data as { memberId: string }).memberId]: _removed, ...rest } = before;
        after = rest;
      }
      if (after !== before) {
        subjects.set(stream, after);
        changedSubjects.add(stream);
      }
      const at = occurredAt(event);
      const summary = summarise(event);
      const people = new Set([...Object.values(before), ...Object.values(after)]);
      for (const nikHmac of people) {
        history.push({
          nik_hmac: nikHmac,
          position: event.position,
          occurred_at: at,
          stream,
          event_type: event.type,
          summary,
        });
      }
    }
    if (history.length > 0) {
      await tx.query(
        `INSERT INTO person_history (nik_hmac, position, occurred_at, stream, event_type, summary)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(nik_hmac text, position text, occurred_at timestamptz,
           stream text, event_type text, summary jsonb)
         ON CONFLICT (nik_hmac, position) DO NOTHING`,
        [JSON.stringify(history)],
      );
    }
    if (changedSubjects.size > 0) {
      await tx.query(
        `INSERT INTO person_history_subjects (stream, subjects)
         SELECT stream, subjects FROM jsonb_to_recordset($1::jsonb) AS x(stream text, subjects jsonb)
         ON CONFLICT (stream) DO UPDATE SET subjects = EXCLUDED.subjects`,
        [JSON.stringify([...changedSubjects].map((stream) => ({ stream, subjects: subjects.get(stream) })))],
      );
    }
    await revisions.save(tx, new Map(fresh.map((event) => [event.streamName, event.revision])));
  }
}
