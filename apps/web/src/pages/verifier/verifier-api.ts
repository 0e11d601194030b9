/**
 * What the verifier pages read from the API (the shapes of GET /proposals, /batches, /jobs) and small helpers they
 * share: labels of codes, the "changed by someone else" test, days waiting, SHA-256 of a file, a file download.
 */
import { ApiError, api } from '../../api/client';
import { hasMessage, t } from '../../i18n';

export interface FlagView {
  code: string;
  severity: string;
  source: string;
  evidence?: string;
}

/** One row of GET /proposals (the read model: ids, codes and acts, no personal data). */
export interface ProposalItem {
  id: string;
  kind: string;
  villageCode: string;
  regencyCode: string;
  status: string;
  openFlags: FlagView[];
  submittedAt: string;
  decision: { decision: string; deliberatedAt: string } | null;
  verifiedAt: string | null;
  batchId: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Member {
  nik: string;
  name: string;
  sex: string;
  birthDate: string;
  relationship: string;
}

export interface HistoryEntry {
  revision: number;
  type: string;
  occurredAt?: string;
  recordedAt: string;
  actor?: { userId: string; role: string; scope: string };
  data: Record<string, unknown>;
}

/** GET /proposals/:id: the proposal folded from its stream, with personal data as the API shows it a verifier. */
export interface ProposalDetail {
  proposalId: string;
  revision: number;
  status: string;
  kind: string;
  villageCode: string;
  channel: string;
  content: {
    householdId?: string;
    household?: { address: string; rt: string; rw: string; kkNumber: string; members: Member[] };
    changes?: Record<string, string>;
    removal?: { reason: string; evidence: { kind: string; reference?: string; date?: string }[] };
    memberToAdd?: Member;
    targetVillageCode?: string;
    evidenceDigests?: string[];
  };
  openFlags: FlagView[];
  fieldVisits: { visitedAt: string; outcome: string; visitedBy: string }[];
  batchId?: string;
  history: HistoryEntry[];
}

export interface BatchItem {
  id: string;
  regencyCode: string;
  period: string;
  cutoffDate: string;
  status: string;
  included: string[];
}

export interface BatchDetail {
  batchId: string;
  revision: number;
  status: string;
  regencyCode: string;
  period: string;
  cutoffDate: string;
  included: string[];
  closedAt?: string;
  earlyCloseReason?: string;
  endorsement?: { endorsedBy: string; letterNumber: string; signedDate: string; documentDigest: string };
  submission?: { submittedAt: string; exportDigest: string };
  results: Record<string, { outcome: string; decreeRef?: string; reason?: string }>;
  history: HistoryEntry[];
}

export interface ExportFile {
  fileId: string;
  fileName: string;
  mediaType: string;
  digest: string;
  size: number;
  createdAt: string;
}

export interface JobView {
  jobId: string;
  state: string;
  progress: unknown;
  result: Record<string, unknown> | null;
  failedReason: string | null;
}

/** A code as its Indonesian label (`verifier.<group>.<code>`), or the code itself when the catalogue lacks it. */
export function label(group: string, code: string): string {
  const key = `verifier.${group}.${code}`;
  return hasMessage(key) ? t(key) : code;
}

/** How a proposal is named in links: its kind and the first characters of its id (never a person's name). */
export function proposalName(proposal: { id: string; kind: string }): string {
  return t('verifier.proposal.link', { kind: label('kind', proposal.kind), short: `#${proposal.id.slice(0, 8)}` });
}

/** A lost race with another user: the version named in If-Match is stale, or two writes met. */
export function isConflict(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.status === 412 ||
      error.code === 'WRONG_EXPECTED_VERSION' ||
      error.code === 'PRECONDITION_FAILED' ||
      error.code === 'TRANSACTION_CONFLICT')
  );
}

/** If-Match for the revision last read. */
export const ifMatch = (revision: number) => ({ headers: { 'If-Match': `"${revision}"` } });

/** Whole days since `iso`, never negative. */
export function daysSince(iso: string, now = Date.now()): number {
  return Math.max(0, Math.floor((now - new Date(iso).getTime()) / 86_400_000));
}

/** When a proposal started waiting for Dinsos: the meeting's decision, else its submission. */
export function waitingSince(item: ProposalItem): string {
  return item.decision?.deliberatedAt ?? item.submittedAt;
}

/** Field messages of an API error for one input (blocking errors shown under it). */
export function fieldErrors(error: unknown, field: string): string[] {
  return error instanceof ApiError ? error.fieldMessages(field) : [];
}

/** Every page of a list, up to `max` items (the queue and candidates are counted and filtered on the client). */
export async function fetchAll<T>(path: string, max = 1000): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page: Page<T> = await api.get<Page<T>>(
      `${path}${separator}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < max);
  return { items, truncated: cursor !== null };
}

export { sha256Of } from '../../files/sha256';

/**
 * Now as an ISO time with Jakarta's offset (`2026-11-23T03:08:00+07:00`). The API reads the local date of a
 * timestamp from its text, so an act recorded now must carry the offset of the dates it is compared with (an
 * endorsement signed "today" in Jakarta would otherwise look later than a submission written in UTC).
 */
export function jakartaNowIso(now = new Date()): string {
  return `${new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 19)}+07:00`;
}

/** Today's date in Jakarta as `YYYY-MM-DD`. */
export function jakartaToday(now = new Date()): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}
