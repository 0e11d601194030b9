import { CommandPipeline, type CommandContext, deterministicId } from '@muskel/application';
import {
  DomainError,
  TERMINAL_STATUSES,
  identityFindings,
  isTerminalStatus,
  membersToCheck,
  proposalDecider,
  proposalStreamName,
  type FlagCode,
  type IdentityLookups,
  type RecordIdentityCheck,
} from '@muskel/domain';
import type { SqlExecutor } from '@muskel/event-store';
import { BlindIndex } from '@muskel/projections';
import { referenceHits, setupReferenceTables } from '@muskel/reference-lists';
import { closeExpectations, type SqlRunner } from './expectations';
import { NonRetryableJobError } from './job-errors';
import { jobIdFor, QUEUES, type JobPayloads } from './queues';

export type IdentityCheckResult =
  { outcome: 'CHECKED'; members: number; flagCodes: FlagCode[] } | { outcome: 'SKIPPED'; reason: 'PROPOSAL_CLOSED' };

const SYSTEM_ACTOR = { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' } as const;

/** Which NIKs (as keyed index values) each pending proposal names: for "NIK in another pending proposal". */
export async function setupIdentityCheckTables(sql: SqlRunner): Promise<void> {
  await sql.query(`CREATE TABLE IF NOT EXISTS identity_check_niks (
    proposal_id text NOT NULL,
    nik_hmac text NOT NULL,
    PRIMARY KEY (proposal_id, nik_hmac))`);
  await sql.query('CREATE INDEX IF NOT EXISTS identity_check_niks_hmac ON identity_check_niks (nik_hmac)');
  // The reference lists' rows, which the check looks up too (and the reference matching reads the table above).
  await setupReferenceTables(sql);
}

/**
 * The identity check of one proposal's content (issue: KPK's findings of invalid and duplicate NIKs): NIK
 * structure doubts, a NIK already on the registry, a NIK in another pending proposal. Lookups use the keyed NIK
 * index only; the NIKs themselves exist only in this process's memory, decrypted from the proposal's stream. The
 * result goes to the proposal's stream (FlagRaised per finding, IdentityChecked) with ids derived from the content
 * event, so a job that runs twice records once.
 */
export class IdentityCheckService {
  constructor(
    private readonly pipeline: CommandPipeline,
    private readonly db: SqlExecutor,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async run(job: JobPayloads['identity-checks']): Promise<IdentityCheckResult> {
    let stream: string;
    try {
      stream = proposalStreamName(job.proposalId);
    } catch {
      throw new NonRetryableJobError('INVALID_JOB', 'the job names no valid proposal id');
    }
    const { state } = await this.pipeline.fold(stream, proposalDecider);
    if (state.status === 'none' || state.kind === undefined || state.villageCode === undefined) {
      throw new NonRetryableJobError('PROPOSAL_NOT_FOUND', 'no proposal with this id exists');
    }
    if (isTerminalStatus(state.status)) {
      await closeExpectations(
        this.db,
        QUEUES.identityChecks,
        [jobIdFor(QUEUES.identityChecks, job.contentEventId)],
        'CLOSED',
        'the proposal is closed',
      );
      return { outcome: 'SKIPPED', reason: 'PROPOSAL_CLOSED' };
    }
    const members = membersToCheck(state.kind, state.content);
    const index = await BlindIndex.load(this.db);
    const hmacs = members.map((member) => index.nik(member.nik));
    const lookups = await this.lookups(job.proposalId, hmacs, state.kind === 'ADD');
    const now = this.clock();
    const findings = identityFindings(state.kind, state.villageCode, state.content, lookups, now.getFullYear());
    const context: CommandContext = {
      actor: SYSTEM_ACTOR,
      correlationId: job.contentEventId,
      causationId: job.contentEventId,
      occurredAt: now.toISOString(),
    };
    const command: RecordIdentityCheck = {
      type: 'RecordIdentityCheck',
      data: {
        proposalId: job.proposalId,
        contentEventId: job.contentEventId,
        checkedAt: now.toISOString(),
        findings,
      },
      metadata: { actor: SYSTEM_ACTOR, occurredAt: now.toISOString() },
    };
    try {
      const result = await this.pipeline.execute(stream, proposalDecider, command, context, {
        eventId: (i) => deterministicId('identity-check', job.contentEventId, i),
        // Recording a fact: a race with a verifier's flag is decided again on the fresh state.
        retryOnConflict: true,
      });
      const flagCodes = result.events.flatMap((event) =>
        event.type === 'IdentityChecked' ? event.data.flagCodes : [],
      );
      return { outcome: 'CHECKED', members: members.length, flagCodes: [...flagCodes] };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'PROPOSAL_CLOSED') {
        return { outcome: 'SKIPPED', reason: 'PROPOSAL_CLOSED' };
      }
      if (error instanceof DomainError && error.kind !== 'conflict') {
        throw new NonRetryableJobError(error.code, error.message);
      }
      throw error;
    }
  }

  /**
   * Registry holders (ADD only) and other pending proposals of each NIK. The proposal's own NIKs are recorded first,
   * under a transaction-level advisory lock per NIK, so two proposals naming one NIK and checked at the same moment
   * see each other.
   */
  private async lookups(proposalId: string, hmacs: readonly string[], isAdd: boolean): Promise<IdentityLookups> {
    if (hmacs.length === 0) return { registryHousehold: [], pendingProposal: [], referenceMatches: [] };
    const registry = new Map<string, string>();
    if (isAdd) {
      const rows = await this.db.query<{ household_id: string; nik_hmac: string }>(
        `SELECT n.household_id, n.nik_hmac FROM registry_household_niks n
           JOIN registry_households h ON h.household_id = n.household_id
          WHERE h.status = 'ACTIVE' AND n.nik_hmac = ANY($1::text[])
          ORDER BY n.household_id`,
        [hmacs],
      );
      for (const row of rows) if (!registry.has(row.nik_hmac)) registry.set(row.nik_hmac, row.household_id);
    }
    const pending = await this.db.transaction(async (q) => {
      for (const hmac of [...new Set(hmacs)].sort()) {
        await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`identity-check:${hmac}`]);
      }
      await q.query('DELETE FROM identity_check_niks WHERE proposal_id = $1', [proposalId]);
      await q.query(
        `INSERT INTO identity_check_niks (proposal_id, nik_hmac) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
        [proposalId, [...new Set(hmacs)]],
      );
      return q.query<{ proposal_id: string; nik_hmac: string }>(
        `SELECT n.proposal_id, n.nik_hmac FROM identity_check_niks n JOIN proposals_view p ON p.id = n.proposal_id
          WHERE n.nik_hmac = ANY($1::text[]) AND n.proposal_id <> $2 AND NOT (p.status = ANY($3::text[]))
          ORDER BY p.submitted_at, n.proposal_id`,
        [hmacs, proposalId, TERMINAL_STATUSES],
      );
    });
    const other = new Map<string, string>();
    for (const row of pending) if (!other.has(row.nik_hmac)) other.set(row.nik_hmac, row.proposal_id);
    // Read after this proposal's NIKs are committed above: an import that completes meanwhile is matched against
    // them by its own job, so a proposal and a list crossing each other are still compared once.
    const referenceMatches = await referenceHits(this.db, hmacs);
    return {
      registryHousehold: hmacs.map((hmac) => registry.get(hmac)),
      pendingProposal: hmacs.map((hmac) => other.get(hmac)),
      referenceMatches,
    };
  }
}
