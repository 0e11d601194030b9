import { deterministicId, type CommandContext, type CommandPipeline } from '@muskel/application';
import {
  DomainError,
  REFERENCE_MATCH,
  TERMINAL_STATUSES,
  TEXT_MAX_LENGTH,
  flagSeverity,
  householdDecider,
  householdStreamName,
  isListSource,
  isTerminalStatus,
  membersToCheck,
  proposalDecider,
  proposalStreamName,
  referenceEvidence,
  referenceImportStreamName,
  referenceListDecider,
  type Actor,
  type DukcapilResult,
  type EvidenceItem,
  type HouseholdCommand,
  type ListSource,
  type ProposalCommand,
  type RecordReferenceMatching,
  type ReferenceSource,
  type RemovalRequest,
} from '@muskel/domain';
import type { SqlRunner } from './schema';
import { BlindIndex } from '@muskel/projections';

const SYSTEM_ACTOR: Actor = { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' };

export interface MatchingProgress {
  /** 1: pending proposals, 2: the registry, 3: recording the result. */
  phase: 1 | 2 | 3;
  done: number;
  total: number;
}

export type MatchingResult =
  | {
      outcome: 'MATCHED';
      proposalMatches: number;
      flagsRaised: number;
      registryMatches: number;
      removalProposalsOpened: number;
      householdResultsRecorded: number;
    }
  | { outcome: 'SKIPPED'; reason: 'ALREADY_MATCHED' };

/** The job can never succeed (no such import): the processor fails it without retries. */
export class ReferenceMatchingError extends Error {
  override readonly name = 'ReferenceMatchingError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A registry member named by the list: household, member, the list's reference (and Dukcapil's result). */
export interface RegistryMatch {
  householdId: string;
  villageCode: string;
  memberId: string;
  reference: string;
  result: DukcapilResult | null;
  /** The household's members (ids and relationships only): who becomes HEAD after a death. */
  householdMembers: readonly { memberId: string; relationship: string; active: boolean }[];
}

/** A pending proposal naming a listed NIK: the member's position in the proposal and the list's reference. */
export interface ProposalMatch {
  proposalId: string;
  nikHmac: string;
  reference: string;
}

interface RegistryDocMember {
  memberId: string;
  nik: string;
  relationship: string;
  active: boolean;
}

/** The removal proposal opened for a household (and member) on a list: one id per (list, household, member). */
export const crossCheckProposalId = (source: ReferenceSource, householdId: string, memberId?: string): string =>
  deterministicId('cross-check-removal', source, householdId, memberId ?? '');

/**
 * Pending proposals whose NIKs (as `identity_check_niks` holds them) are on the import's list. Dukcapil results
 * count only when "tidak padan".
 */
export async function findProposalMatches(db: SqlRunner, importId: string): Promise<ProposalMatch[]> {
  const rows = await db.query<{ proposal_id: string; nik_hmac: string; reference: string }>(
    `SELECT n.proposal_id, e.nik_hmac, min(e.reference) AS reference
       FROM reference_entries e
       JOIN identity_check_niks n ON n.nik_hmac = e.nik_hmac
       JOIN proposals_view p ON p.id = n.proposal_id
      WHERE e.import_id = $1 AND NOT (p.status = ANY($2::text[]))
        AND (e.source <> 'DUKCAPIL_RESULTS' OR e.result = 'TIDAK_PADAN')
      GROUP BY n.proposal_id, e.nik_hmac
      ORDER BY n.proposal_id, e.nik_hmac`,
    [importId, TERMINAL_STATUSES],
  );
  return rows.map((row) => ({ proposalId: row.proposal_id, nikHmac: row.nik_hmac, reference: row.reference }));
}

/**
 * Active members of active registry households on the import's list: one hash join of the list against every
 * indexed NIK, then the few matched households' members compared in memory (the index holds removed members too).
 */
export async function findRegistryMatches(
  db: SqlRunner,
  index: BlindIndex,
  importId: string,
): Promise<RegistryMatch[]> {
  const hits = await db.query<{ household_id: string; nik_hmac: string; reference: string; result: string | null }>(
    `SELECT h.household_id, e.nik_hmac, min(e.reference) AS reference, min(e.result) AS result
       FROM reference_entries e
       JOIN (SELECT n.household_id, n.nik_hmac FROM registry_household_niks n
               JOIN registry_households r ON r.household_id = n.household_id
              WHERE r.status = 'ACTIVE') h
         -- The digests table compares byte by byte ("C"); the list's column has the database's collation.
         ON h.nik_hmac = e.nik_hmac COLLATE "C"
      WHERE e.import_id = $1
      GROUP BY h.household_id, e.nik_hmac
      ORDER BY h.household_id, e.nik_hmac`,
    [importId],
  );
  if (hits.length === 0) return [];
  const households = await db.query<{ household_id: string; village_code: string; doc: unknown }>(
    `SELECT household_id, village_code, doc FROM registry_households WHERE household_id = ANY($1::text[])`,
    [[...new Set(hits.map((hit) => hit.household_id))]],
  );
  const byId = new Map(households.map((row) => [row.household_id, row]));
  const matches: RegistryMatch[] = [];
  for (const hit of hits) {
    const household = byId.get(hit.household_id);
    if (!household) continue;
    const doc = (typeof household.doc === 'string' ? JSON.parse(household.doc) : household.doc) as {
      members: RegistryDocMember[];
    };
    const householdMembers = doc.members.map(({ memberId, relationship, active }) => ({
      memberId,
      relationship,
      active,
    }));
    for (const member of doc.members) {
      if (!member.active || index.nik(member.nik) !== hit.nik_hmac) continue;
      matches.push({
        householdMembers,
        householdId: hit.household_id,
        villageCode: household.village_code,
        memberId: member.memberId,
        reference: hit.reference,
        result: hit.result === 'PADAN' || hit.result === 'TIDAK_PADAN' ? hit.result : null,
      });
    }
  }
  return matches;
}

/** Flag evidence holds at most TEXT_MAX_LENGTH characters: a long list ends with how many were left out. */
function joinEvidence(items: readonly string[]): string {
  let text = '';
  for (let i = 0; i < items.length; i++) {
    const next = text === '' ? items[i]! : `${text}; ${items[i]!}`;
    if (next.length + 24 > TEXT_MAX_LENGTH && i < items.length - 1) return `${text}; dan ${items.length - i} lainnya`;
    text = next;
  }
  return text;
}

/**
 * Matches one reference import against pending proposals and the registry (issue 6), by keyed NIK index only:
 * - a pending proposal naming a listed NIK gets the list's flag (RaiseFlag as SYSTEM; an open flag of the same
 *   code is not raised again), evidence = list, reference and member position;
 * - an active household with a listed member gets a REMOVE proposal on channel CROSS_CHECK, its id derived from
 *   (list, household, member) so a retried job or a re-import never opens it twice; Dukcapil results are recorded
 *   on the household instead (DukcapilMatchRecorded);
 * - then ReferenceMatchingRecorded on the import's stream (counts only), which closes the dispatcher's expectation.
 * Every event id derives from the import and the subject: running the job again records nothing new.
 */
export class ReferenceMatchingService {
  constructor(
    private readonly pipeline: CommandPipeline,
    private readonly db: SqlRunner,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async run(
    importId: string,
    onProgress?: (progress: MatchingProgress) => Promise<void> | void,
  ): Promise<MatchingResult> {
    let stream: string;
    try {
      stream = referenceImportStreamName(importId);
    } catch {
      throw new ReferenceMatchingError('INVALID_JOB', 'the job names no valid import id');
    }
    const { state } = await this.pipeline.fold(stream, referenceListDecider);
    if (state.status === 'none' || state.source === undefined) {
      throw new ReferenceMatchingError('IMPORT_NOT_FOUND', 'no reference import with this id exists');
    }
    if (state.status === 'matched') return { outcome: 'SKIPPED', reason: 'ALREADY_MATCHED' };
    const source = state.source;
    const now = this.clock().toISOString();
    const context: CommandContext = {
      actor: SYSTEM_ACTOR,
      correlationId: importId,
      causationId: importId,
      occurredAt: now,
    };
    const index = await BlindIndex.load(this.db);

    const proposalMatches = await findProposalMatches(this.db, importId);
    const byProposal = new Map<string, ProposalMatch[]>();
    for (const match of proposalMatches)
      byProposal.set(match.proposalId, [...(byProposal.get(match.proposalId) ?? []), match]);
    let flagsRaised = 0;
    let done = 0;
    for (const [proposalId, matches] of byProposal) {
      flagsRaised += await this.flagProposal(importId, source, proposalId, matches, index, context);
      await onProgress?.({ phase: 1, done: ++done, total: byProposal.size });
    }

    const registryMatches = await findRegistryMatches(this.db, index, importId);
    let removalProposalsOpened = 0;
    let householdResultsRecorded = 0;
    if (isListSource(source)) {
      const removals = this.removals(source, registryMatches);
      done = 0;
      for (const removal of removals) {
        if (await this.openRemoval(source, removal, context)) removalProposalsOpened++;
        await onProgress?.({ phase: 2, done: ++done, total: removals.length });
      }
    } else {
      done = 0;
      for (const match of registryMatches) {
        if (await this.recordDukcapilResult(importId, match, context)) householdResultsRecorded++;
        await onProgress?.({ phase: 2, done: ++done, total: registryMatches.length });
      }
    }

    const counts = {
      proposalMatches: byProposal.size,
      flagsRaised,
      registryMatches: registryMatches.length,
      removalProposalsOpened,
      householdResultsRecorded,
    };
    const command: RecordReferenceMatching = {
      type: 'RecordReferenceMatching',
      data: { importId, matchedAt: now, ...counts },
      metadata: { actor: SYSTEM_ACTOR, occurredAt: now },
    };
    await this.pipeline.execute(stream, referenceListDecider, command, context, {
      eventId: (i) => deterministicId('reference-matching', importId, i),
      retryOnConflict: true,
    });
    await onProgress?.({ phase: 3, done: 1, total: 1 });
    return { outcome: 'MATCHED', ...counts };
  }

  /** One flag per proposal and list, naming each matched member's position; returns 1 when raised. */
  private async flagProposal(
    importId: string,
    source: ReferenceSource,
    proposalId: string,
    matches: readonly ProposalMatch[],
    index: BlindIndex,
    context: CommandContext,
  ): Promise<number> {
    const stream = proposalStreamName(proposalId);
    const { state } = await this.pipeline.fold(stream, proposalDecider);
    if (state.kind === undefined || isTerminalStatus(state.status)) return 0;
    const hmacs = membersToCheck(state.kind, state.content).map((member) => index.nik(member.nik));
    const evidence = matches
      .map((match) => ({ match, position: hmacs.indexOf(match.nikHmac) }))
      .sort((a, b) => a.position - b.position)
      .map(({ match, position }) => referenceEvidence(source, match.reference, position < 0 ? undefined : position));
    const code = isListSource(source) ? REFERENCE_MATCH[source].flag : 'DUKCAPIL_UNMATCHED';
    const command: ProposalCommand = {
      type: 'RaiseFlag',
      data: { proposalId, code, severity: flagSeverity(code), source, evidence: joinEvidence(evidence) },
      metadata: { actor: SYSTEM_ACTOR, occurredAt: context.occurredAt },
    };
    try {
      const result = await this.pipeline.execute(stream, proposalDecider, command, context, {
        eventId: (i) => deterministicId('reference-flag', importId, proposalId, i),
        retryOnConflict: true,
      });
      return result.events.length;
    } catch (error) {
      // Closed meanwhile: nothing to flag any more.
      if (error instanceof DomainError && error.code === 'PROPOSAL_CLOSED') return 0;
      throw error;
    }
  }

  /**
   * What to open per household. An income or office (BKN, BPJS-TK, AHU) makes the whole household ineligible: one
   * proposal per household. A death removes the member; when every active member is listed, the household; a
   * deceased HEAD is followed by the SPOUSE (else the next member) as HEAD, which the village may amend.
   */
  private removals(
    source: ListSource,
    matches: readonly RegistryMatch[],
  ): { householdId: string; villageCode: string; removal: RemovalRequest; memberId?: string }[] {
    const byHousehold = new Map<string, RegistryMatch[]>();
    for (const match of matches)
      byHousehold.set(match.householdId, [...(byHousehold.get(match.householdId) ?? []), match]);
    const { reason, evidence: kind } = REFERENCE_MATCH[source];
    const evidenceOf = (list: readonly RegistryMatch[]): EvidenceItem[] =>
      [...new Set(list.map((m) => m.reference))].map((reference) => ({ kind, reference }));
    const out: { householdId: string; villageCode: string; removal: RemovalRequest; memberId?: string }[] = [];
    for (const [householdId, list] of byHousehold) {
      const villageCode = list[0]!.villageCode;
      if (source !== 'DUKCAPIL_DEATHS') {
        out.push({ householdId, villageCode, removal: { reason, evidence: evidenceOf(list) } });
        continue;
      }
      out.push(...this.deathRemovals(householdId, villageCode, list, evidenceOf));
    }
    return out;
  }

  private deathRemovals(
    householdId: string,
    villageCode: string,
    list: readonly RegistryMatch[],
    evidenceOf: (list: readonly RegistryMatch[]) => EvidenceItem[],
  ): { householdId: string; villageCode: string; removal: RemovalRequest; memberId?: string }[] {
    const members = list[0]!.householdMembers;
    const deceased = new Set(list.map((m) => m.memberId));
    const survivors = members.filter((m) => m.active && !deceased.has(m.memberId));
    if (survivors.length === 0) {
      return [{ householdId, villageCode, removal: { reason: 'DECEASED', evidence: evidenceOf(list) } }];
    }
    return list.map((match) => {
      const member = members.find((m) => m.memberId === match.memberId);
      const heir =
        member?.relationship === 'HEAD'
          ? (survivors.find((m) => m.relationship === 'SPOUSE') ?? survivors[0])
          : undefined;
      return {
        householdId,
        villageCode,
        memberId: match.memberId,
        removal: {
          reason: 'DECEASED',
          evidence: evidenceOf([match]),
          memberId: match.memberId,
          ...(heir === undefined ? {} : { newHeadMemberId: heir.memberId }),
        },
      };
    });
  }

  /** Opens the REMOVE proposal unless it exists already; true when opened now. */
  private async openRemoval(
    source: ListSource,
    removal: { householdId: string; villageCode: string; removal: RemovalRequest; memberId?: string },
    context: CommandContext,
  ): Promise<boolean> {
    const proposalId = crossCheckProposalId(source, removal.householdId, removal.memberId);
    const stream = proposalStreamName(proposalId);
    const { state } = await this.pipeline.fold(stream, proposalDecider);
    if (state.status !== 'none') return false;
    const command: ProposalCommand = {
      type: 'SubmitProposal',
      data: {
        proposalId,
        kind: 'REMOVE',
        villageCode: removal.villageCode,
        channel: 'CROSS_CHECK',
        householdId: removal.householdId,
        removal: removal.removal,
      },
      metadata: { actor: SYSTEM_ACTOR, occurredAt: context.occurredAt },
    };
    try {
      const result = await this.pipeline.execute(stream, proposalDecider, command, context, {
        eventId: (i) => deterministicId('cross-check-removal-event', proposalId, i),
      });
      return result.events.length > 0;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'PROPOSAL_ALREADY_EXISTS') return false;
      if ((error as { code?: unknown }).code === 'WRONG_EXPECTED_VERSION') return false;
      throw error;
    }
  }

  /** DukcapilMatchRecorded on the household (the same result again records nothing); true when recorded now. */
  private async recordDukcapilResult(
    importId: string,
    match: RegistryMatch,
    context: CommandContext,
  ): Promise<boolean> {
    if (match.result === null) return false;
    const command: HouseholdCommand = {
      type: 'RecordDukcapilResult',
      data: {
        householdId: match.householdId,
        memberId: match.memberId,
        result: match.result,
        reference: match.reference,
        importId,
      },
      metadata: { actor: SYSTEM_ACTOR, occurredAt: context.occurredAt },
    };
    try {
      const result = await this.pipeline.execute(
        householdStreamName(match.householdId),
        householdDecider,
        command,
        context,
        {
          eventId: (i) => deterministicId('dukcapil-result', importId, match.householdId, match.memberId, i),
          retryOnConflict: true,
        },
      );
      return result.events.length > 0;
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'MEMBER_NOT_FOUND' || error.code === 'HOUSEHOLD_NOT_FOUND')) {
        return false;
      }
      throw error;
    }
  }
}
