/**
 * Synthetic household events, written fast with raw multi-row inserts (benchmarks and the crash test): enrolments
 * with one to five members, member changes, corrections, relocations, deactivations. Made-up data, nobody real.
 */
import { randomUUID } from 'node:crypto';
import type { SqlEventStore } from '@muskel/event-store';

const NAMES = ['Siti', 'Budi', 'Ahmad', 'Dewi', 'Eko', 'Rina', 'Agus', 'Sri', 'Joko', 'Wati', 'Hadi', 'Nur'];
const SURNAMES = ['Santoso', 'Lestari', 'Prasetyo', 'Wijaya', 'Hartono', 'Susanti', 'Saputra', 'Rahayu'];
const RELATIONSHIPS = ['SPOUSE', 'CHILD', 'CHILD', 'PARENT', 'OTHER_RELATIVE'];
const REASONS = ['DECEASED', 'MOVED', 'NO_LONGER_ELIGIBLE', 'DUPLICATE'];

interface Generated {
  stream_id: string;
  stream_revision: number;
  event_id: string;
  event_type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

interface Household {
  id: string;
  revision: number;
  members: string[];
  active: boolean;
  village: string;
}

/** A deterministic-enough stream of household events (synthetic data, nobody real). */
function* householdEvents(total: number): Generator<Generated> {
  const households: Household[] = [];
  let clock = Date.UTC(2024, 0, 1);
  let serial = 0;
  const rand = (n: number) => Math.floor(Math.random() * n);
  const pick = <T>(list: readonly T[]): T => list[rand(list.length)]!;
  const village = () => `3515${String(10 + rand(20)).padStart(2, '0')}${String(1001 + rand(40))}`;
  const member = (relationship: string) => {
    serial += 1;
    const day = 1 + rand(28);
    return {
      memberId: randomUUID(),
      nik: `3515${String(10 + rand(20)).padStart(2, '0')}${String(day + (rand(2) ? 40 : 0)).padStart(2, '0')}0${1 + rand(9)}${String(60 + rand(40))}${String(serial % 10000 || 1).padStart(4, '0')}`,
      name: `${pick(NAMES)} ${pick(SURNAMES)}`,
      sex: rand(2) ? 'M' : 'F',
      birthDate: `19${60 + rand(40)}-0${1 + rand(9)}-${String(day).padStart(2, '0')}`,
      relationship,
    };
  };
  for (let i = 0; i < total; i++) {
    clock += 1000;
    const occurredAt = new Date(clock).toISOString();
    const metadata = { occurredAt, actor: { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' }, schema: 1 };
    const proposalId = randomUUID();
    if (households.length < 10 || Math.random() < 0.6) {
      const id = randomUUID();
      const members = [member('HEAD'), ...Array.from({ length: rand(4) }, () => member(pick(RELATIONSHIPS)))];
      const h: Household = {
        id,
        revision: 0,
        members: members.map((m) => m.memberId),
        active: true,
        village: village(),
      };
      households.push(h);
      yield {
        stream_id: `household-${id}`,
        stream_revision: 0,
        event_id: randomUUID(),
        event_type: 'HouseholdEnrolled',
        data: {
          source: 'BASELINE_IMPORT',
          importId: 'bench-import',
          householdId: id,
          villageCode: h.village,
          address: `Jl. Bench ${i}`,
          rt: String(1 + rand(20)).padStart(3, '0'),
          rw: String(1 + rand(10)).padStart(3, '0'),
          kkNumber: `3515${String(10 + rand(20)).padStart(2, '0')}${String(100000 + rand(900000))}${String(i % 10000).padStart(4, '0')}`,
          members,
        },
        metadata,
      };
      continue;
    }
    const h = households[rand(households.length)]!;
    h.revision += 1;
    const base = { stream_id: `household-${h.id}`, stream_revision: h.revision, event_id: randomUUID(), metadata };
    const roll = Math.random();
    if (!h.active) {
      h.active = true;
      yield { ...base, event_type: 'HouseholdReactivated', data: { proposalId, reason: 'eligible again' } };
    } else if (roll < 0.35) {
      const m = member(pick(RELATIONSHIPS));
      h.members.push(m.memberId);
      yield { ...base, event_type: 'MemberAdded', data: { proposalId, member: m } };
    } else if (roll < 0.55 && h.members.length > 1) {
      const memberId = h.members.splice(1 + rand(h.members.length - 1), 1)[0]!;
      yield { ...base, event_type: 'MemberRemoved', data: { proposalId, memberId, reason: pick(REASONS) } };
    } else if (roll < 0.85) {
      yield {
        ...base,
        event_type: 'HouseholdCorrected',
        data: {
          proposalId,
          changes: rand(2) ? { address: `Jl. Baru ${i}` } : { rt: String(1 + rand(20)).padStart(3, '0') },
        },
      };
    } else if (roll < 0.95) {
      const to = village();
      const from = h.village;
      h.village = to;
      yield {
        ...base,
        event_type: 'HouseholdRelocated',
        data: {
          proposalId,
          from: { villageCode: from, address: 'x', rt: '001', rw: '001' },
          to: { villageCode: to, address: `Jl. Pindah ${i}`, rt: '002', rw: '003' },
        },
      };
    } else {
      h.active = false;
      yield { ...base, event_type: 'HouseholdDeactivated', data: { proposalId, reason: pick(REASONS) } };
    }
  }
}

export async function writeHouseholdEvents(store: SqlEventStore, total: number): Promise<void> {
  const chunk = 20_000;
  let rows: Generated[] = [];
  const flush = async () => {
    const json = JSON.stringify(rows);
    rows = [];
    await store.withTransaction((tx) =>
      tx.query(
        `INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata)
         SELECT stream_id, stream_revision, event_id, event_type, data, metadata
           FROM jsonb_to_recordset($1::jsonb) AS x(stream_id text, stream_revision bigint, event_id uuid,
             event_type text, data jsonb, metadata jsonb)`,
        [json],
      ),
    );
  };
  for (const event of householdEvents(total)) {
    rows.push(event);
    if (rows.length >= chunk) await flush();
  }
  if (rows.length > 0) await flush();
  await untilReadable(store, total);
}

/**
 * The log is read below the oldest transaction open on the server: while another suite holds one from before these
 * inserts, a rebuild would find a shorter log and finish early. Returns once `total` events are readable.
 */
async function untilReadable(store: SqlEventStore, total: number, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await store.executor.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM es_events WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())',
    );
    if (Number(row?.n) >= total) return;
    if (Date.now() > deadline) throw new Error(`fewer than ${total} events readable after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
