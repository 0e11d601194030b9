import type { EventStore, SqlQueryable } from '@muskel/event-store';
import { BlindIndex } from '../blind-index';
import type { BatchView } from '../batches.projection';
import type { MeetingView } from '../meetings.projection';
import type { ProposalView } from '../proposals.projection';
import { foldHousehold, searchableName, type RegistryHousehold, type RegistryMember } from '../registry.projection';
import { Params, clampLimit, decodeCursor, digitsOnly, encodeCursor } from '../support';
import { dayBound, escapeLike, scopeCondition, type Page } from './common';

export interface RegistrySearch {
  scopes: string[];
  villageCode?: string;
  /** Matched through the blind index: the plain NIK is never compared in SQL. */
  nik?: string;
  kkNumber?: string;
  /** Case-insensitive; `contains` (default) or `prefix`. */
  name?: string;
  nameMatch?: 'contains' | 'prefix';
  cursor?: string;
  limit?: number;
}

export type RegistryEntry = RegistryHousehold & { revision: number; updatedAt: string };

export interface ProvenanceStep {
  revision: number;
  position: string;
  eventType: string;
  occurredAt: string;
  reason: string | null;
  /** Member ids that joined (or the whole household, when it entered the registry or a village). */
  entered: string[];
  left: string[];
  changes: Record<string, string> | null;
  /** Baseline rows: the import that brought the household in. */
  importId: string | null;
  proposal: {
    id: string;
    kind: string;
    channel: string;
    submittedBy: string;
    submittedAt: string;
  } | null;
  meeting: {
    id: string;
    kind: string;
    scheduledAt: string;
    openedAt: string | null;
    venue: string;
    chair: string;
    attendees: { name: string; role: string }[];
    decision: string | null;
    reason: string | null;
    votes: { for: number; against: number; abstain: number } | null;
  } | null;
  verification: {
    verifiedBy: string | null;
    verifiedAt: string | null;
    fieldVisits: { visitedAt: string; outcome: string; visitedBy: string }[];
  } | null;
  batch: {
    batchId: string;
    endorsement: { endorsedBy: string; letterNumber: string; signedDate: string } | null;
    submittedAt: string | null;
  } | null;
  decreeRef: string | null;
}

export interface RegistryChange {
  householdId: string;
  eventType: string;
  occurredAt: string;
  members: { memberId: string; name: string }[];
  reason: string | null;
  proposalId: string | null;
  importId: string | null;
}

export interface RegistryChanges {
  villageCode: string;
  from: string;
  to: string;
  entered: RegistryChange[];
  left: RegistryChange[];
  changed: RegistryChange[];
}

interface VersionRow {
  household_id: string;
  revision: string;
  position: string;
  occurred_at: Date | string;
  event_type: string;
  village_code: string;
  prev_village_code: string | null;
  status: string;
  cause_proposal_id: string | null;
  cause_import_id: string | null;
  reason: string | null;
  entered: string[];
  left: string[];
  changes: Record<string, string> | null;
}

const iso = (value: Date | string): string => new Date(value).toISOString();

export class RegistryQueries {
  constructor(
    private readonly db: SqlQueryable,
    /** The event store: "as of" folds the household events themselves, read (and decoded) through it. */
    private readonly log: Pick<EventStore, 'readEvents'>,
  ) {}

  /** Households matching every given criterion, by our household id; each with all its members. */
  async search(filter: RegistrySearch): Promise<Page<RegistryEntry>> {
    const params = new Params();
    const where: string[] = [];
    const scope = scopeCondition('h.village_code', filter.scopes, params);
    if (scope) where.push(scope);
    if (filter.villageCode) where.push(`h.village_code = ${params.add(digitsOnly(filter.villageCode))}`);
    if (filter.nik || filter.kkNumber) {
      const index = await BlindIndex.load(this.db);
      if (filter.kkNumber) where.push(`h.kk_hmac = ${params.add(index.kk(filter.kkNumber))}`);
      if (filter.nik) {
        where.push(
          `h.household_id IN (SELECT n.household_id FROM registry_household_niks n
            WHERE n.nik_hmac = ${params.add(index.nik(filter.nik))})`,
        );
      }
    }
    if (filter.name) {
      const term = escapeLike(searchableName(filter.name).replace(/\|/g, ' '));
      const pattern = filter.nameMatch === 'prefix' ? `%|${term}%` : `%${term}%`;
      where.push(`h.names_search LIKE ${params.add(pattern)}`);
    }
    const cursor = decodeCursor(filter.cursor);
    if (cursor) where.push(`h.household_id > ${params.add(cursor[1])}`);
    const limit = clampLimit(filter.limit);
    const rows = await this.db.query<{
      household_id: string;
      doc: RegistryHousehold;
      revision: string;
      updated_at: Date | string;
    }>(
      `SELECT h.household_id, h.doc, h.revision, h.updated_at FROM registry_households h
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY h.household_id LIMIT ${params.add(limit + 1)}`,
      params.values,
    );
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      items: rows
        .slice(0, limit)
        .map((row) => ({ ...row.doc, revision: Number(row.revision), updatedAt: iso(row.updated_at) })),
      nextCursor: last ? encodeCursor('', last.household_id) : null,
    };
  }

  async household(id: string): Promise<RegistryEntry | undefined> {
    const rows = await this.db.query<{ doc: RegistryHousehold; revision: string; updated_at: Date | string }>(
      'SELECT doc, revision, updated_at FROM registry_households WHERE household_id = $1',
      [id],
    );
    const row = rows[0];
    return row ? { ...row.doc, revision: Number(row.revision), updatedAt: iso(row.updated_at) } : undefined;
  }

  /**
   * Every change of the household in order, each with its cause: the import, or the proposal with the meeting that
   * approved it (attendance included), its verification, its batch (endorsement, submission) and the decree.
   */
  async provenance(householdId: string): Promise<ProvenanceStep[]> {
    const versions = await this.db.query<VersionRow>(
      'SELECT * FROM registry_versions WHERE household_id = $1 ORDER BY revision',
      [householdId],
    );
    const proposalIds = [...new Set(versions.map((v) => v.cause_proposal_id).filter((id): id is string => !!id))];
    const proposals = new Map(
      (
        await this.db.query<{ id: string; doc: ProposalView }>(
          'SELECT id, doc FROM proposals_view WHERE id = ANY($1::text[])',
          [proposalIds],
        )
      ).map((row) => [row.id, row.doc]),
    );
    const approvingMeeting = (proposal: ProposalView) =>
      [...proposal.deliberations].reverse().find((d) => d.decision === 'APPROVED') ?? proposal.decision;
    const meetingIds = [...proposals.values()]
      .map((p) => approvingMeeting(p)?.meetingId)
      .filter((id): id is string => !!id);
    const batchIds = [...proposals.values()].map((p) => p.batchId).filter((id): id is string => !!id);
    const [meetingRows, batchRows] = await Promise.all([
      this.db.query<{ id: string; doc: MeetingView }>('SELECT id, doc FROM meetings_view WHERE id = ANY($1::text[])', [
        meetingIds,
      ]),
      this.db.query<{ id: string; doc: BatchView }>('SELECT id, doc FROM batches_view WHERE id = ANY($1::text[])', [
        batchIds,
      ]),
    ]);
    const meetings = new Map(meetingRows.map((row) => [row.id, row.doc]));
    const batches = new Map(batchRows.map((row) => [row.id, row.doc]));
    return versions.map((v) => {
      const proposal = v.cause_proposal_id ? proposals.get(v.cause_proposal_id) : undefined;
      const deliberation = proposal ? approvingMeeting(proposal) : null;
      const meeting = deliberation ? meetings.get(deliberation.meetingId) : undefined;
      const minuted = meeting?.decisions.find((d) => d.proposalId === proposal?.id);
      const batch = proposal?.batchId ? batches.get(proposal.batchId) : undefined;
      return {
        revision: Number(v.revision),
        position: v.position,
        eventType: v.event_type,
        occurredAt: iso(v.occurred_at),
        reason: v.reason,
        entered: v.entered,
        left: v.left,
        changes: v.changes,
        importId: v.cause_import_id,
        proposal: proposal
          ? {
              id: proposal.id,
              kind: proposal.kind,
              channel: proposal.channel,
              submittedBy: proposal.submittedBy,
              submittedAt: proposal.submittedAt,
            }
          : v.cause_proposal_id
            ? { id: v.cause_proposal_id, kind: '', channel: '', submittedBy: '', submittedAt: '' }
            : null,
        meeting:
          meeting && deliberation
            ? {
                id: meeting.id,
                kind: meeting.kind,
                scheduledAt: meeting.scheduledAt,
                openedAt: meeting.openedAt,
                venue: meeting.venue,
                chair: meeting.chair,
                attendees: meeting.attendees,
                decision: minuted?.decision ?? deliberation.decision,
                reason: minuted?.reason ?? deliberation.reason,
                votes: minuted?.votes ?? deliberation.votes,
              }
            : null,
        verification: proposal
          ? { verifiedBy: proposal.verifiedBy, verifiedAt: proposal.verifiedAt, fieldVisits: proposal.fieldVisits }
          : null,
        batch: proposal?.batchId
          ? {
              batchId: proposal.batchId,
              endorsement: batch?.endorsement
                ? {
                    endorsedBy: batch.endorsement.endorsedBy,
                    letterNumber: batch.endorsement.letterNumber,
                    signedDate: batch.endorsement.signedDate,
                  }
                : null,
              submittedAt: batch?.submission?.submittedAt ?? proposal.sentAt,
            }
          : null,
        decreeRef: proposal?.decreeRef ?? null,
      };
    });
  }

  /** The village's registry as it stood at the end of `date` (UTC; or at an exact timestamp): active households. */
  async asOf(input: {
    villageCode: string;
    date: string;
  }): Promise<{ villageCode: string; asOf: string; households: RegistryHousehold[] }> {
    const village = digitsOnly(input.villageCode);
    const until = dayBound(input.date, true);
    // Every version up to the date of every household that was in the village by then, folded again in order.
    // The events come from the log itself, through the store: the versions keep only what queries filter on, which
    // halves what a rebuild writes.
    const rows = await this.db.query<VersionRow>(
      `SELECT v.* FROM registry_versions v
        WHERE v.household_id IN (SELECT household_id FROM registry_versions WHERE village_code = $1 AND occurred_at < $2)
          AND v.occurred_at < $2
        ORDER BY v.household_id, v.revision`,
      [village, until],
    );
    const stream = (row: VersionRow): string => `household-${row.household_id}`;
    const events = new Map(
      (await this.log.readEvents(rows.map((row) => ({ stream: stream(row), revision: Number(row.revision) })))).map(
        (event) => [`${event.revision}:${event.streamName}`, event],
      ),
    );
    const folded = new Map<string, RegistryHousehold>();
    for (const row of rows) {
      const event = events.get(`${Number(row.revision)}:${stream(row)}`);
      if (!event) throw new Error(`registry version ${row.revision} of a household has no event in the log`);
      const next = foldHousehold(folded.get(row.household_id), event);
      if (next) folded.set(row.household_id, next.household);
    }
    const households = [...folded.values()]
      .filter((h) => h.villageCode === village && h.status === 'ACTIVE')
      .map((h) => ({ ...h, members: h.members.filter((m) => m.active) }));
    return { villageCode: village, asOf: until, households };
  }

  /** Who entered and left the village's registry between two dates (inclusive days, UTC), and why. */
  async changes(input: { villageCode: string; from: string; to: string }): Promise<RegistryChanges> {
    const village = digitsOnly(input.villageCode);
    const from = dayBound(input.from, false);
    const to = dayBound(input.to, true);
    const rows = await this.db.query<VersionRow>(
      `SELECT * FROM registry_versions
        WHERE (village_code = $1 OR prev_village_code = $1) AND occurred_at >= $2 AND occurred_at < $3
        ORDER BY occurred_at, household_id, revision`,
      [village, from, to],
    );
    const result: RegistryChanges = { villageCode: village, from, to, entered: [], left: [], changed: [] };
    // Members stay on their household's entry after they leave, so the current entries name everyone.
    const docs = await this.db.query<{ household_id: string; doc: RegistryHousehold }>(
      'SELECT household_id, doc FROM registry_households WHERE household_id = ANY($1::text[])',
      [[...new Set(rows.map((row) => row.household_id))]],
    );
    const members = new Map<string, RegistryMember>();
    for (const { household_id, doc } of docs) {
      for (const member of doc.members) members.set(`${household_id}/${member.memberId}`, member);
    }
    for (const row of rows) {
      const pick = (ids: string[]): RegistryChange => {
        const byId = { get: (id: string) => members.get(`${row.household_id}/${id}`) };
        return {
          householdId: row.household_id,
          eventType: row.event_type,
          occurredAt: iso(row.occurred_at),
          members: ids.map((id) => ({ memberId: id, name: byId.get(id)?.name ?? '' })),
          reason: row.reason,
          proposalId: row.cause_proposal_id,
          importId: row.cause_import_id,
        };
      };
      if (row.event_type === 'HouseholdRelocated') {
        if (row.prev_village_code === village && row.village_code !== village) result.left.push(pick(row.left));
        else if (row.village_code === village && row.prev_village_code !== village)
          result.entered.push(pick(row.entered));
        else result.changed.push(pick([]));
        continue;
      }
      if (row.entered.length > 0) result.entered.push(pick(row.entered));
      if (row.left.length > 0) result.left.push(pick(row.left));
      if (row.entered.length === 0 && row.left.length === 0) result.changed.push(pick([]));
    }
    return result;
  }
}
