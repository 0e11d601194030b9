import type { Projection, RebuildSession } from '@muskel/application';
import type { HouseholdEvent, HouseholdMember } from '@muskel/domain';
import type { EventStore, RecordedEvent, StoreTransaction } from '@muskel/event-store';
import { ERASED, isErased } from '@muskel/personal-data';
import { BlindIndex, ensureBlindIndexKey } from './blind-index';
import { digitsOnly, ofCategories, occurredAt, streamId } from './support';

export const REGISTRY = 'registry';

export type RegistryCause = { proposalId: string; importId?: undefined } | { importId: string; proposalId?: undefined };

export interface RegistryMember {
  memberId: string;
  nik: string;
  name: string;
  sex: string;
  birthDate: string;
  relationship: string;
  active: boolean;
  addedBy: RegistryCause;
  removal: { proposalId: string; reason: string } | null;
}

/** The current registry entry of a household. */
export interface RegistryHousehold {
  householdId: string;
  villageCode: string;
  address: string;
  rt: string;
  rw: string;
  kkNumber: string;
  status: 'ACTIVE' | 'INACTIVE';
  source: string;
  members: RegistryMember[];
  deactivation: { proposalId: string; reason: string } | null;
}

interface Loaded {
  household: RegistryHousehold;
  revision: number;
  position: string;
  updatedAt: string;
  /** Whether registry_households has a row for it (read from there, or written since). */
  stored: boolean;
}

/** One version row: what changed, when, why, and the household as it stood after it. */
interface VersionRow {
  household_id: string;
  revision: number;
  position: string;
  occurred_at: string;
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

function cause(data: { source?: string; proposalId?: string; importId?: string }): RegistryCause {
  return data.source === 'BASELINE_IMPORT' && data.importId
    ? { importId: data.importId }
    : { proposalId: data.proposalId ?? '' };
}

function toMember(member: HouseholdMember, addedBy: RegistryCause): RegistryMember {
  return {
    memberId: member.memberId,
    nik: member.nik,
    name: member.name,
    sex: member.sex,
    birthDate: member.birthDate,
    relationship: member.relationship,
    active: true,
    addedBy,
    removal: null,
  };
}

/**
 * Folds one household event: the new entry, and the version row describing the change. Returns undefined for an
 * event that cannot apply (an event before the enrolment).
 */
export function foldHousehold(
  current: RegistryHousehold | undefined,
  recorded: RecordedEvent,
): { household: RegistryHousehold; version: VersionRow; changedMembers: RegistryMember[] } | undefined {
  // Written for speed as much as clarity: a rebuild runs it once per event of the log, so no spread of one row into
  // another and no closure made per event.
  const event = { type: recorded.type, data: recorded.data } as unknown as HouseholdEvent;
  const id = streamId(recorded);
  if (event.type === 'HouseholdEnrolled') {
    const d = event.data;
    const c = cause(d);
    const members: RegistryMember[] = [];
    const entered: string[] = [];
    for (const m of d.members) {
      members.push(toMember(m, c));
      entered.push(m.memberId);
    }
    const household: RegistryHousehold = {
      householdId: d.householdId ?? id,
      villageCode: digitsOnly(d.villageCode),
      address: d.address,
      rt: d.rt,
      rw: d.rw,
      kkNumber: d.kkNumber,
      status: 'ACTIVE',
      source: d.source,
      members,
      deactivation: null,
    };
    return {
      household,
      changedMembers: members,
      version: versionRow(recorded, id, c, household.villageCode, 'ACTIVE', entered, []),
    };
  }
  if (!current) return undefined;
  const proposalId = (event.data as { proposalId?: string }).proposalId ?? '';
  const byProposal: RegistryCause = { proposalId };
  switch (event.type) {
    case 'HouseholdCorrected': {
      const { kkNumber, address, rt, rw } = event.data.changes;
      const household = { ...current };
      if (address !== undefined) household.address = address;
      if (rt !== undefined) household.rt = rt;
      if (rw !== undefined) household.rw = rw;
      if (kkNumber !== undefined) household.kkNumber = kkNumber;
      const version = versionRow(recorded, id, byProposal, current.villageCode, current.status, [], []);
      version.changes = { ...event.data.changes };
      return { household, changedMembers: [], version };
    }
    case 'MemberAdded': {
      const member = toMember(event.data.member, byProposal);
      const members: RegistryMember[] = [];
      for (const m of current.members) if (m.memberId !== member.memberId) members.push(m);
      members.push(member);
      return {
        household: { ...current, members },
        changedMembers: [member],
        version: versionRow(recorded, id, byProposal, current.villageCode, current.status, [member.memberId], []),
      };
    }
    case 'MemberRemoved': {
      const { memberId, reason, newHeadMemberId } = event.data;
      const changedMembers: RegistryMember[] = [];
      const members: RegistryMember[] = [];
      for (const m of current.members) {
        if (m.memberId === memberId) {
          const removed = { ...m, active: false, removal: { proposalId, reason } };
          changedMembers.push(removed);
          members.push(removed);
        } else if (newHeadMemberId !== undefined && m.memberId === newHeadMemberId) {
          members.push({ ...m, relationship: 'HEAD' });
        } else members.push(m);
      }
      const version = versionRow(recorded, id, byProposal, current.villageCode, current.status, [], [memberId]);
      version.reason = reason;
      return { household: { ...current, members }, changedMembers, version };
    }
    case 'HouseholdRelocated': {
      const to = event.data.to;
      const household = { ...current };
      household.villageCode = digitsOnly(to.villageCode);
      household.address = to.address;
      household.rt = to.rt;
      household.rw = to.rw;
      const ids = activeMemberIds(current.members);
      const version = versionRow(recorded, id, byProposal, household.villageCode, current.status, ids, ids);
      version.prev_village_code = current.villageCode;
      return { household, changedMembers: [], version };
    }
    case 'HouseholdDeactivated': {
      const household = { ...current };
      household.status = 'INACTIVE';
      household.deactivation = { proposalId, reason: event.data.reason };
      const ids = activeMemberIds(current.members);
      const version = versionRow(recorded, id, byProposal, current.villageCode, 'INACTIVE', [], ids);
      version.reason = event.data.reason;
      return { household, changedMembers: [], version };
    }
    case 'HouseholdReactivated': {
      const household = { ...current };
      household.status = 'ACTIVE';
      household.deactivation = null;
      const ids = activeMemberIds(current.members);
      const version = versionRow(recorded, id, byProposal, current.villageCode, 'ACTIVE', ids, []);
      version.reason = event.data.reason;
      return { household, changedMembers: [], version };
    }
    default:
      return undefined;
  }
}

/** The version row of an event, every column in one literal (the fold sets the few that differ after). */
function versionRow(
  recorded: RecordedEvent,
  householdId: string,
  c: RegistryCause,
  villageCode: string,
  status: string,
  entered: string[],
  left: string[],
): VersionRow {
  return {
    household_id: householdId,
    revision: recorded.revision,
    position: recorded.position,
    occurred_at: occurredAt(recorded),
    event_type: recorded.type,
    village_code: villageCode,
    prev_village_code: null,
    status,
    cause_proposal_id: c.proposalId ?? null,
    cause_import_id: c.importId ?? null,
    reason: null,
    entered,
    left,
    changes: null,
  };
}

function activeMemberIds(members: readonly RegistryMember[]): string[] {
  const ids: string[] = [];
  for (const m of members) if (m.active) ids.push(m.memberId);
  return ids;
}

/**
 * The registry: current households (`registry_households`, searchable by the blind-index value of its KK number and
 * by its members' lower-cased names; `registry_household_niks` holds the blind-index values of its members' NIKs),
 * and every version of every household (`registry_versions`) for "as of" and "changes between". A page loads the
 * households it touches in one query, folds in memory and writes each table with one multi-row statement.
 */
const SECONDARY_INDEXES = [
  {
    name: 'registry_households_village',
    create:
      'CREATE INDEX IF NOT EXISTS registry_households_village ON registry_households (village_code text_pattern_ops, household_id)',
  },
  {
    name: 'registry_households_kk',
    create: 'CREATE INDEX IF NOT EXISTS registry_households_kk ON registry_households (kk_hmac)',
  },
  {
    // A B-tree over one row per digest, not a GIN index over the array: a rebuild builds it in a quarter of the time.
    name: 'registry_household_niks_nik',
    create:
      'CREATE INDEX IF NOT EXISTS registry_household_niks_nik ON registry_household_niks (nik_hmac, household_id)',
  },
  {
    name: 'registry_versions_village',
    create: 'CREATE INDEX IF NOT EXISTS registry_versions_village ON registry_versions (village_code, occurred_at)',
  },
  {
    name: 'registry_versions_prev_village',
    create: `CREATE INDEX IF NOT EXISTS registry_versions_prev_village ON registry_versions (prev_village_code, occurred_at)
      WHERE prev_village_code IS NOT NULL`,
  },
] as const;

export interface RegistryProjectionOptions {
  /** Households a rebuild keeps in memory between segments (default 200,000); past it, the oldest half goes. */
  maxCachedHouseholds?: number;
}

export class RegistryProjection implements Projection {
  readonly name = REGISTRY;
  readonly filter = { categories: ['household'] };
  private readonly maxCachedHouseholds: number;

  constructor(options: RegistryProjectionOptions = {}) {
    this.maxCachedHouseholds = options.maxCachedHouseholds ?? MAX_CACHED_HOUSEHOLDS;
  }

  /**
   * A rebuild folds each household's stream whole and writes its version rows and its row once, with COPY (no
   * household has rows yet): no cache to keep, nothing read back, nothing written twice.
   */
  readonly streamRebuild = {
    category: 'household',
    async applyStreams(events: RecordedEvent[], tx: StoreTransaction): Promise<void> {
      const state = new Map<string, Loaded>();
      const touched = new Set<string>();
      const versions = foldPage(events, state, touched);
      await copyVersions(tx, versions);
      await copyHouseholds(tx, state, touched);
    },
  };

  async setup(tx: StoreTransaction): Promise<void> {
    await ensureBlindIndexKey(tx);
    await tx.query(`CREATE TABLE IF NOT EXISTS registry_households (
      household_id text PRIMARY KEY,
      village_code text NOT NULL,
      status text NOT NULL,
      kk_hmac text COLLATE "C" NOT NULL,
      names_search text NOT NULL,
      doc json NOT NULL,
      revision bigint NOT NULL,
      last_position text NOT NULL,
      updated_at timestamptz NOT NULL)`);
    // The NIK digests of each household's members (removed members too), one row per distinct digest, for the NIK
    // search, the identity check and reference matching. Hex digests compare byte by byte ("C"): a locale's rules
    // would only slow the index down.
    await tx.query(`CREATE TABLE IF NOT EXISTS registry_household_niks (
      nik_hmac text COLLATE "C" NOT NULL,
      household_id text NOT NULL)`);
    const [older] = await tx.query<{ array: boolean; fill: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                 AND table_name = 'registry_households' AND column_name = 'nik_hmacs') AS array,
              NOT EXISTS (SELECT 1 FROM registry_household_niks) AND EXISTS (SELECT 1 FROM registry_households) AS fill`,
    );
    if (older?.array === true) {
      // A registry built when the digests were an array in each row (with a GIN index, before that table): its
      // digests into the table once, then the array goes (it doubled what every write of a household sent and kept).
      if (older.fill) {
        await tx.query(`INSERT INTO registry_household_niks (nik_hmac, household_id)
          SELECT DISTINCT unnest(nik_hmacs), household_id FROM registry_households`);
      }
      await tx.query('ALTER TABLE registry_households DROP COLUMN nik_hmacs');
    }
    await tx.query(`CREATE TABLE IF NOT EXISTS registry_versions (
      household_id text NOT NULL,
      revision bigint NOT NULL,
      position text NOT NULL,
      occurred_at timestamptz NOT NULL,
      event_type text NOT NULL,
      village_code text COLLATE "C" NOT NULL,
      prev_village_code text COLLATE "C",
      status text NOT NULL,
      cause_proposal_id text,
      cause_import_id text,
      reason text,
      entered json NOT NULL,
      "left" json NOT NULL,
      changes json,
      PRIMARY KEY (household_id, revision))`);
    // Versions once copied the event's data; "as of" now reads it from the log itself (half the rebuild's writes).
    await tx.query('ALTER TABLE registry_versions DROP COLUMN IF EXISTS data');
    // These documents were jsonb once. They are only ever read whole, and the server takes json (checked text) in
    // about a third of the time it takes to build jsonb: the largest part of a rebuild's cost on the server.
    const binary = await tx.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND data_type = 'jsonb'
          AND (table_name, column_name) IN (('registry_households', 'doc'), ('registry_versions', 'entered'),
            ('registry_versions', 'left'), ('registry_versions', 'changes'))`,
    );
    for (const { table_name: table, column_name: column } of binary) {
      await tx.query(`ALTER TABLE ${table} ALTER COLUMN "${column}" TYPE json`);
    }
    // Digests and village codes compare byte by byte ("C"), as the NIK digests do: a locale's rules only slow their
    // indexes down (the KK digests' index builds in less than half the time). Only ever compared with parameters.
    const localised = await tx.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND collation_name IS DISTINCT FROM 'C'
          AND (table_name, column_name) IN (('registry_households', 'kk_hmac'),
            ('registry_versions', 'village_code'), ('registry_versions', 'prev_village_code'))`,
    );
    for (const { table_name: table, column_name: column } of localised) {
      await tx.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE text COLLATE "C"`);
    }
    for (const index of SECONDARY_INDEXES) await tx.query(index.create);
  }

  /**
   * Also drops the secondary indexes: a rebuild fills the tables without them and builds them at its end, sorted,
   * side by side. Kept up row by row (digests and villages land all over each index) they cost the server about a
   * third of a rebuild's work, on the core the folding needs too (measured on 1,000,000 events: about 10 s of CPU
   * less, against 5 to 7 s for the builds at the end on both cores).
   */
  async reset(tx: StoreTransaction): Promise<void> {
    await tx.query('TRUNCATE registry_households, registry_household_niks, registry_versions');
    for (const index of SECONDARY_INDEXES) await tx.query(`DROP INDEX IF EXISTS ${index.name}`);
  }

  async apply(event: RecordedEvent, tx: StoreTransaction): Promise<void> {
    await this.applyBatch([event], tx);
  }

  async applyBatch(events: RecordedEvent[], tx: StoreTransaction): Promise<void> {
    const relevant = ofCategories(events, this.filter.categories);
    if (relevant.length === 0) return;
    const state = await loadHouseholds(tx, [...new Set(relevant.map(streamId))]);
    const touched = new Set<string>();
    const versions = foldPage(relevant, state, touched);
    if (touched.size === 0) return;
    await Promise.all([writeVersions(tx, versions), writeHouseholds(tx, state, touched)]);
  }

  /**
   * A rebuild keeps the households it has folded in memory across pages and writes each one once per segment
   * (the runner commits segments of many pages), instead of reading and rewriting it on every page: on a long log
   * most of a page-by-page rebuild is spent rewriting the same households. Version rows are written per page.
   */
  rebuildSession(store: EventStore): RebuildSession {
    const filter = this.filter.categories;
    const maxCached = this.maxCachedHouseholds;
    const cache = new Map<string, Loaded>();
    const dirty = new Set<string>();
    // Whether every household not in the cache is certainly absent from the table (a rebuild that did not resume).
    let tableEmpty: boolean | undefined;
    // Whether this session started on empty tables: then no row it writes can be there already, and rows go in with
    // COPY (no ON CONFLICT, a fraction of the server's work). A resumed rebuild may meet rows that a crashed run
    // wrote aside before its checkpoint, and keeps to the statements that skip or update them.
    let fresh = false;
    // On PostgreSQL the rows are written on other connections, in parallel: both cores work, not one. They are
    // idempotent (versions: DO NOTHING; households: only a later revision replaces one), so a crash before the
    // segment's checkpoint leaves nothing a replay from that checkpoint would not write the same way.
    const parallel = store.capabilities().concurrentConnections;
    const writes = new Set<Promise<void>>();
    let failed: Error | undefined;
    const aside = async (work: (tx: StoreTransaction) => Promise<void>): Promise<void> => {
      while (writes.size >= PARALLEL_WRITES) await Promise.race(writes);
      if (failed !== undefined) throw failed;
      const running: Promise<void> = store
        .withTransaction(async (tx) => {
          await tx.query('SET LOCAL synchronous_commit = off');
          await work(tx);
        })
        .catch((error: unknown) => {
          failed ??= error instanceof Error ? error : new Error('a parallel rebuild write failed', { cause: error });
        })
        .finally(() => writes.delete(running));
      writes.add(running);
    };
    const settle = async (): Promise<void> => {
      await Promise.all(writes);
      if (failed !== undefined) throw failed;
    };
    return {
      async applyPage(events, tx) {
        const relevant = ofCategories(events, filter);
        if (relevant.length === 0) return;
        if (tableEmpty === undefined) {
          const [row] = await tx.query<{ any: boolean }>(
            `SELECT EXISTS (SELECT 1 FROM registry_households) OR EXISTS (SELECT 1 FROM registry_versions) AS any`,
          );
          tableEmpty = row?.any !== true;
          fresh = tableEmpty;
        }
        const missing = [...new Set(relevant.map(streamId))].filter((id) => !cache.has(id));
        if (!tableEmpty && missing.length > 0) {
          // No wait for the writes aside: those in flight now are version rows; every household row was settled by
          // the flush that wrote it, before it could leave the cache.
          for (const [id, loaded] of await loadHouseholds(tx, missing)) cache.set(id, loaded);
        }
        const versions = foldPage(relevant, cache, dirty);
        const write = fresh ? copyVersions : writeVersions;
        if (parallel) await aside((other) => write(other, versions));
        else await write(tx, versions);
      },
      async flush(tx) {
        const ids = [...dirty];
        dirty.clear();
        // New households (never stored) go in with COPY on a fresh rebuild; the others replace their rows.
        const isNew = (id: string) => fresh && !cache.get(id)!.stored;
        for (const [list, write] of [
          [ids.filter(isNew), copyHouseholds],
          [ids.filter((id) => !isNew(id)), writeHouseholds],
        ] as const) {
          for (let i = 0; i < list.length; i += HOUSEHOLDS_PER_STATEMENT) {
            const chunk = new Set(list.slice(i, i + HOUSEHOLDS_PER_STATEMENT));
            if (parallel) await aside((other) => write(other, cache, chunk));
            else await write(tx, cache, chunk);
          }
        }
        // Written (or failing the segment, which then ends the rebuild): from now on they replace their rows.
        for (const id of ids) cache.get(id)!.stored = true;
        await settle();
        // Bounded memory: once written, the households may be forgotten and read back when an event needs them.
        // The oldest half goes (a Map keeps insertion order), so the households of the last segments stay at hand.
        if (cache.size > maxCached) {
          let excess = cache.size - Math.floor(maxCached / 2);
          for (const id of cache.keys()) {
            if (excess-- <= 0) break;
            cache.delete(id);
          }
          tableEmpty = false;
        }
      },
      discard() {
        cache.clear();
        dirty.clear();
        tableEmpty = false;
      },
      async finish() {
        if (!parallel) return;
        // The indexes `reset()` dropped (or a crashed rebuild of older code), built side by side (setup() then finds
        // them and only checks).
        await Promise.all(
          SECONDARY_INDEXES.map((index) =>
            store.withTransaction(async (other) => {
              await other.query("SET LOCAL maintenance_work_mem = '256MB'");
              await other.query(index.create);
            }),
          ),
        );
      },
    };
  }
}

/** Writes on other connections at once (the pool has ten; the runner holds two). */
const PARALLEL_WRITES = 3;
const HOUSEHOLDS_PER_STATEMENT = 5_000;
const MAX_CACHED_HOUSEHOLDS = 200_000;

async function loadHouseholds(tx: StoreTransaction, ids: string[]): Promise<Map<string, Loaded>> {
  const rows = await tx.query<{ household_id: string; doc: RegistryHousehold; revision: string | number }>(
    'SELECT household_id, doc, revision FROM registry_households WHERE household_id = ANY($1::text[])',
    [ids],
  );
  const state = new Map<string, Loaded>();
  for (const row of rows) {
    state.set(row.household_id, {
      household: row.doc,
      revision: Number(row.revision),
      position: '',
      updatedAt: '',
      stored: true,
    });
  }
  return state;
}

/** Folds a page into `state`, marking the households it changed in `touched`; returns the version rows. */
function foldPage(relevant: RecordedEvent[], state: Map<string, Loaded>, touched: Set<string>): VersionRow[] {
  const versions: VersionRow[] = [];
  for (const event of relevant) {
    const id = streamId(event);
    const entry = state.get(id);
    // A replay of an event already applied changes nothing.
    if (entry && event.revision <= entry.revision) continue;
    const folded = foldHousehold(entry?.household, event);
    if (!folded) continue;
    state.set(id, {
      household: folded.household,
      revision: event.revision,
      position: event.position,
      updatedAt: folded.version.occurred_at,
      stored: entry?.stored ?? false,
    });
    touched.add(id);
    versions.push(folded.version);
  }
  return versions;
}

/** Version rows that cannot be there yet (a fresh rebuild), with COPY. */
async function copyVersions(tx: StoreTransaction, versions: VersionRow[]): Promise<void> {
  if (versions.length === 0) return;
  await tx.copyRows(
    'registry_versions',
    VERSION_COLUMNS,
    versions.map((v) => [
      v.household_id,
      String(v.revision),
      v.position,
      v.occurred_at,
      v.event_type,
      v.village_code,
      v.prev_village_code,
      v.status,
      v.cause_proposal_id,
      v.cause_import_id,
      v.reason,
      JSON.stringify(v.entered),
      JSON.stringify(v.left),
      v.changes === null ? null : JSON.stringify(v.changes),
    ]),
  );
}

const VERSION_COLUMNS = [
  'household_id',
  'revision',
  'position',
  'occurred_at',
  'event_type',
  'village_code',
  'prev_village_code',
  'status',
  'cause_proposal_id',
  'cause_import_id',
  'reason',
  'entered',
  'left',
  'changes',
] as const;

async function writeVersions(tx: StoreTransaction, versions: VersionRow[]): Promise<void> {
  if (versions.length === 0) return;
  await tx.query(
    `INSERT INTO registry_versions (household_id, revision, position, occurred_at, event_type, village_code,
       prev_village_code, status, cause_proposal_id, cause_import_id, reason, entered, "left", changes)
     SELECT * FROM json_to_recordset($1::json) AS x(household_id text, revision bigint, position text,
       occurred_at timestamptz, event_type text, village_code text, prev_village_code text, status text,
       cause_proposal_id text, cause_import_id text, reason text, entered json, "left" json, changes json)
     ON CONFLICT (household_id, revision) DO NOTHING`,
    [JSON.stringify(versions)],
  );
}

const HOUSEHOLD_COLUMNS = [
  'household_id',
  'village_code',
  'status',
  'kk_hmac',
  'names_search',
  'doc',
  'revision',
  'last_position',
  'updated_at',
] as const;

type HouseholdRow = { [K in (typeof HOUSEHOLD_COLUMNS)[number]]: unknown } & { nik_hmacs: string[] };

async function householdRows(
  tx: StoreTransaction,
  state: Map<string, Loaded>,
  touched: Set<string>,
): Promise<HouseholdRow[]> {
  const index = await BlindIndex.load(tx);
  return [...touched].map((id) => {
    const entry = state.get(id)!;
    const { members } = entry.household;
    // Loops, not filter/map: once per household of a rebuild.
    const nikHmacs: string[] = [];
    const named: RegistryMember[] = [];
    for (const m of members) {
      if (!isErased(m.nik)) nikHmacs.push(index.nik(m.nik));
      if (!isErased(m.name)) named.push(m);
    }
    return {
      household_id: id,
      village_code: entry.household.villageCode,
      status: entry.household.status,
      // Erased values (the household's key deleted) are indexed as nothing: no search finds them.
      kk_hmac: isErased(entry.household.kkNumber) ? ERASED : index.kk(entry.household.kkNumber),
      // Removed members stay findable: an auditor looks for who left as well as who is there.
      nik_hmacs: nikHmacs,
      names_search: namesSearch(named),
      doc: entry.household,
      revision: entry.revision,
      last_position: entry.position,
      updated_at: entry.updatedAt,
    };
  });
}

/** Households that have no row yet (a fresh rebuild), with COPY. */
async function copyHouseholds(tx: StoreTransaction, state: Map<string, Loaded>, touched: Set<string>): Promise<void> {
  if (touched.size === 0) return;
  const rows = await householdRows(tx, state, touched);
  await tx.copyRows(
    'registry_households',
    HOUSEHOLD_COLUMNS,
    rows.map((row) => [
      row.household_id as string,
      row.village_code as string,
      row.status as string,
      row.kk_hmac as string,
      row.names_search as string,
      JSON.stringify(row.doc),
      String(row.revision),
      row.last_position as string,
      row.updated_at as string,
    ]),
  );
  await tx.copyRows('registry_household_niks', NIK_COLUMNS, nikRows(rows));
}

const NIK_COLUMNS = ['nik_hmac', 'household_id'] as const;

/** One row per distinct digest of each household (a member removed and added again has one NIK twice). */
function nikRows(rows: readonly HouseholdRow[]): [string, string][] {
  const out: [string, string][] = [];
  for (const row of rows) {
    const id = row.household_id as string;
    const seen = row.nik_hmacs.length > 1 ? new Set<string>() : undefined;
    for (const hmac of row.nik_hmacs) {
      if (seen) {
        if (seen.has(hmac)) continue;
        seen.add(hmac);
      }
      out.push([hmac, id]);
    }
  }
  return out;
}

async function writeHouseholds(tx: StoreTransaction, state: Map<string, Loaded>, touched: Set<string>): Promise<void> {
  if (touched.size === 0) return;
  const households = await householdRows(tx, state, touched);
  // One statement: the digests of exactly the rows it writes are replaced with them. The DELETE sees the table as
  // it was before the statement, so it takes the old digests and none of those the INSERT below adds.
  await tx.query(
    `WITH x AS (
       SELECT * FROM json_to_recordset($1::json) AS x(household_id text, village_code text, status text,
         kk_hmac text, nik_hmacs text[], names_search text, doc json, revision bigint, last_position text,
         updated_at timestamptz)),
     written AS (
       INSERT INTO registry_households (household_id, village_code, status, kk_hmac, names_search, doc, revision,
         last_position, updated_at)
       SELECT household_id, village_code, status, kk_hmac, names_search, doc, revision, last_position, updated_at
         FROM x
       ON CONFLICT (household_id) DO UPDATE SET village_code = EXCLUDED.village_code, status = EXCLUDED.status,
         kk_hmac = EXCLUDED.kk_hmac, names_search = EXCLUDED.names_search, doc = EXCLUDED.doc,
         revision = EXCLUDED.revision, last_position = EXCLUDED.last_position, updated_at = EXCLUDED.updated_at
       WHERE registry_households.revision < EXCLUDED.revision
       RETURNING household_id),
     gone AS (
       DELETE FROM registry_household_niks n USING written w WHERE n.household_id = w.household_id)
     INSERT INTO registry_household_niks (nik_hmac, household_id)
     SELECT DISTINCT unnest(x.nik_hmacs), x.household_id FROM x JOIN written USING (household_id)`,
    [JSON.stringify(households)],
  );
}

/** Lower case, single spaces: what name searches compare against. */
export function searchableName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** `|name one|name two|`: one text per household that LIKE patterns search (`%|budi%` is a name prefix). */
export function namesSearch(members: readonly { name: string }[]): string {
  if (members.length === 0) return '||';
  let text = '|';
  for (const m of members) text += `${searchableName(m.name).replace(/\|/g, ' ')}|`;
  return text;
}
