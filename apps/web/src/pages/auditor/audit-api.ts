/**
 * The auditor's reads: a person's history (NIK in the body), a stream's history (household, proposal, meeting,
 * batch), and for each step its audit-log leaf and proof bundle, checked in the browser.
 */
import { api, query } from '../../api/client';
import { findLeaves, leafKey, type RawLeaf } from '../../audit/leaf-lookup';
import { checkBundle, type BundleCheck, type ProofBundle } from '../../audit/merkle';

export type StreamKind = 'household' | 'proposal' | 'meeting' | 'batch';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Actor {
  userId: string;
  role: string;
  scope: string;
}

/** One event as a resource's `history` lists it (apps/api/src/workflow/stream-history.ts). */
interface HistoryEntry {
  revision: number;
  type: string;
  occurredAt?: string;
  recordedAt: string;
  actor?: Actor;
  position: string;
  /** Not sent by the API yet: with it, the leaf search is skipped. */
  eventId?: string;
}

/** One step of a timeline: what happened to which stream, when, by whom; `summary` holds ids and codes only. */
export interface Step {
  stream: string;
  revision: number;
  type: string;
  occurredAt: string;
  recordedAt?: string;
  actor?: Actor;
  position: string;
  eventId?: string;
  summary?: Record<string, unknown>;
}

const PATHS: Record<StreamKind, (id: string) => string> = {
  household: (id) => `/registry/households/${id}`,
  proposal: (id) => `/proposals/${id}`,
  meeting: (id) => `/meetings/${id}`,
  batch: (id) => `/batches/${id}`,
};

/** `household-<uuid>` → ['household', '<uuid>']. */
export function streamKind(stream: string): [StreamKind, string] | undefined {
  const dash = stream.indexOf('-');
  const kind = stream.slice(0, dash);
  return kind in PATHS ? [kind as StreamKind, stream.slice(dash + 1)] : undefined;
}

function toStep(stream: string, entry: HistoryEntry): Step {
  return {
    stream,
    revision: entry.revision,
    type: entry.type,
    occurredAt: entry.occurredAt ?? entry.recordedAt,
    recordedAt: entry.recordedAt,
    actor: entry.actor,
    position: entry.position,
    eventId: entry.eventId,
  };
}

export async function streamTimeline(kind: StreamKind, id: string): Promise<Step[]> {
  const resource = await api.get<{ history: HistoryEntry[] }>(PATHS[kind](id));
  return resource.history.map((entry) => toStep(`${kind}-${id}`, entry));
}

export interface PersonHistory {
  entries: {
    position: string;
    occurredAt: string;
    stream: string;
    eventType: string;
    summary: Record<string, unknown>;
  }[];
  meetings: { id: string; kind: string; scheduledAt: string; chair: string }[];
}

/**
 * A person's timeline: the history entries (ids and codes), each completed from its stream's own history (who,
 * revision, stored time) so its leaf can be found. A stream the auditor may not read keeps the bare entry.
 */
export async function personTimeline(nik: string): Promise<{ steps: Step[]; meetings: PersonHistory['meetings'] }> {
  const history = await api.post<PersonHistory>('/persons/history', { nik });
  const streams = [...new Set(history.entries.map((entry) => entry.stream))];
  const byPosition = new Map<string, Step>();
  await Promise.all(
    streams.map(async (stream) => {
      const kind = streamKind(stream);
      if (!kind) return;
      const steps = await streamTimeline(...kind).catch(() => []);
      for (const step of steps) byPosition.set(step.position, step);
    }),
  );
  const steps = history.entries.map((entry): Step => {
    const full = byPosition.get(entry.position);
    return full
      ? { ...full, summary: entry.summary }
      : {
          stream: entry.stream,
          revision: -1,
          type: entry.eventType,
          occurredAt: entry.occurredAt,
          position: entry.position,
          summary: entry.summary,
        };
  });
  return { steps, meetings: history.meetings };
}

export interface HouseholdSummary {
  householdId: string;
  villageCode: string;
  address: string;
  rt: string;
  rw: string;
  status: string;
  members: { memberId: string; name: string; active?: boolean }[];
}

/** Households by KK number: the number travels in the body, never in the URL. */
export async function householdsByKk(kkNumber: string): Promise<HouseholdSummary[]> {
  return (await api.post<{ items: HouseholdSummary[] }>('/registry/search', { kkNumber })).items;
}

export type ProofState =
  { state: 'checking' } | { state: 'notFound' } | { state: 'error' } | { state: 'checked'; check: BundleCheck };

const fetchLeaves = async (from: number, count: number): Promise<RawLeaf[]> =>
  (await api.get<{ items: RawLeaf[] }>(`/audit/v1/leaves${query({ from, count })}`)).items;

/**
 * The proof state of every step, by `leafKey`: its leaf (by event id, or found by stream and revision), its
 * bundle, and the bundle checked here against the latest checkpoint. `report` is called as results arrive.
 */
export async function checkSteps(steps: readonly Step[], report: (key: string, state: ProofState) => void) {
  const checkpoint = await api
    .get<{ size: number; rootHash: string }>('/audit/v1/checkpoint', { anonymous: true })
    .catch(() => undefined);
  const eventIds = new Map<string, string>();
  for (const step of steps) if (step.eventId) eventIds.set(leafKey(step.stream, step.revision), step.eventId);
  const unknown = steps.filter((step) => !step.eventId && step.recordedAt && step.revision >= 0);
  if (unknown.length > 0) {
    const targets = unknown.map((step) => ({
      stream: step.stream,
      revision: step.revision,
      recordedAt: step.recordedAt!,
    }));
    try {
      for (const [key, leaf] of await findLeaves(targets, fetchLeaves)) eventIds.set(key, leaf.eventId);
    } catch {
      for (const step of unknown) report(leafKey(step.stream, step.revision), { state: 'error' });
      return;
    }
  }
  await Promise.all(
    steps.map(async (step) => {
      const key = leafKey(step.stream, step.revision);
      const eventId = eventIds.get(key);
      if (!eventId) return report(key, { state: 'notFound' });
      try {
        const bundle = await api.get<ProofBundle>(`/audit/v1/events/${eventId}/bundle`, { anonymous: true });
        report(key, { state: 'checked', check: await checkBundle(bundle, checkpoint) });
      } catch {
        report(key, { state: 'error' });
      }
    }),
  );
}

const names = new Map<string, Promise<string | undefined>>();

/** A user's display name, when the auditor may read that user (cached for the page's life). */
export function userName(userId: string): Promise<string | undefined> {
  if (!UUID.test(userId)) return Promise.resolve(undefined);
  let name = names.get(userId);
  if (!name) {
    name = api
      .get<{ displayName: string; username: string }>(`/users/${userId}`)
      .then((user) => `${user.displayName} (${user.username})`)
      .catch(() => undefined);
    names.set(userId, name);
  }
  return name;
}
