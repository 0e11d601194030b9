import type { EventStore, JsonObject, RecordedEvent, SqlQueryable } from '@muskel/event-store';
import { ERASED } from './erased';
import { findEnvelopes, type PersonalDataCodec } from './personal-data-codec';

/** The plaintext a household's encrypted fields hold, read just before its key is deleted. */
export interface HouseholdPersonalValues {
  /** NIKs and KK numbers. */
  identifiers: string[];
  names: string[];
  birthDates: string[];
  /** Free text (notes). */
  texts: string[];
}

/**
 * Decrypts every field encrypted under the household's key, wherever it is in the log (its own stream and every
 * proposal about it), by the key id each envelope carries. SQL stores: one search of the log for the key id.
 */
export async function collectHouseholdValues(
  q: SqlQueryable,
  codec: PersonalDataCodec,
  householdId: string,
): Promise<HouseholdPersonalValues> {
  const rows = await q.query<{ id: string; stream_id: string; data: JsonObject }>(
    `SELECT event_id::text AS id, stream_id, data FROM es_events WHERE data::text LIKE $1 ORDER BY global_position`,
    [`%"kid": "${householdId.replace(/[%_\\]/g, '\\$&')}"%`],
  );
  const stored = rows.map((row): RecordedEvent => ({
    streamName: row.stream_id,
    revision: 0,
    position: '',
    id: row.id,
    type: '',
    data: row.data,
    metadata: {},
    schemaVersion: 1,
    recordedAt: new Date(0),
  }));
  return householdValuesIn(q, codec, householdId, stored);
}

/**
 * The events, as stored, that can hold a household's personal data, where the log is not in SQL (KurrentDB): its
 * own stream, the proposals the read model ties to it, and the proposal that enrolled it (an ADD names no household
 * until it is accepted). A proposal the read model has not reached yet is missed here; its ciphertext is shredded
 * with the key all the same, and the second blanking after the projections have passed the erasure finds it.
 */
export async function eventsAboutHousehold(
  log: Pick<EventStore, 'readStream'>,
  q: SqlQueryable,
  householdId: string,
): Promise<RecordedEvent[]> {
  const own = await collect(log.readStream(`household-${householdId}`));
  const proposals = new Set<string>();
  for (const event of own) {
    const cause = event.data['proposalId'];
    if (typeof cause === 'string' && cause !== '') proposals.add(cause);
  }
  const [view] = await q.query<{ found: string | null }>("SELECT to_regclass('proposals_view')::text AS found");
  if (view?.found != null) {
    const rows = await q.query<{ id: string }>('SELECT id FROM proposals_view WHERE household_id = $1', [householdId]);
    for (const row of rows) proposals.add(row.id);
  }
  const events = [...own];
  for (const proposalId of proposals) events.push(...(await collect(log.readStream(`proposal-${proposalId}`))));
  return events;
}

/** The plaintext of every field of `stored` encrypted under the household's key (decrypted while it exists). */
export async function householdValuesIn(
  q: SqlQueryable,
  codec: PersonalDataCodec,
  householdId: string,
  stored: readonly RecordedEvent[],
): Promise<HouseholdPersonalValues> {
  const values: HouseholdPersonalValues = { identifiers: [], names: [], birthDates: [], texts: [] };
  for (const event of stored) {
    const paths = findEnvelopes(event.data)
      .filter((entry) => entry.envelope.kid === householdId)
      .map((entry) => entry.path);
    if (paths.length === 0) continue;
    const [decoded] = await codec.decode(q, [event]);
    for (const path of paths) {
      let value: unknown = decoded!.data;
      for (const segment of path) value = (value as Record<string, unknown>)[segment];
      if (typeof value !== 'string' || value === ERASED) continue;
      const field = path[path.length - 1];
      if (field === 'nik' || field === 'kkNumber') values.identifiers.push(value);
      else if (field === 'name') values.names.push(value);
      else if (field === 'birthDate') values.birthDates.push(value);
      else values.texts.push(value);
    }
  }
  const unique = (list: string[]) => [...new Set(list)];
  return {
    identifiers: unique(values.identifiers),
    names: unique(values.names),
    birthDates: unique(values.birthDates),
    texts: unique(values.texts),
  };
}

async function collect(source: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of source) events.push(event);
  return events;
}

/** What to blank out of the read models: values matched inside any text, and values matched whole. */
export interface ScrubTerms {
  /** Replaced wherever they occur in a text or a JSON string, case-insensitively (NIKs, KK numbers, names, HMACs). */
  inText: readonly string[];
  /** Replaced where a JSON string or a text equals them (free-text notes). */
  whole: readonly string[];
  /** Replaced where a JSON member named `birthDate` holds them. */
  birthDates: readonly string[];
}

/** Tables never scrubbed: the log itself (ciphertext), the audit log (no personal data, hashes to keep) and keys. */
const SKIPPED_TABLE = /^(es_|audit_|pd_)/;
/** Shorter terms would blank unrelated text. */
const MIN_TERM = 3;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function escapeLike(text: string): string {
  return text.replace(/[%_\\]/g, '\\$&');
}

/**
 * Blanks a household's personal data in every mutable table of the database (read models, idempotency answers,
 * reactor failures, import reports, whatever holds a copy), by value: each table's text, JSON and text-array
 * columns are searched for the values and rewritten with `ERASED` in their place. Generic on purpose, so a read
 * model added later is covered without being taught about erasure. Returns the number of rows rewritten.
 */
export async function scrubPersonalValues(q: SqlQueryable, terms: ScrubTerms): Promise<number> {
  const inText = [...new Set(terms.inText.filter((t) => t.length >= MIN_TERM))];
  const whole = [...new Set(terms.whole.filter((t) => t.length >= MIN_TERM))];
  const birthDates = new Set(terms.birthDates);
  if (inText.length + whole.length + birthDates.size === 0) return 0;
  const patterns = [...inText, ...whole, ...birthDates].map((t) => `%${escapeLike(t)}%`);
  const matcher = inText.length > 0 ? new RegExp(inText.map(escapeRegExp).join('|'), 'giu') : undefined;
  const wholeSet = new Set(whole.map((t) => t.toLowerCase()));
  const scrubText = (text: string): string => {
    if (wholeSet.has(text.toLowerCase())) return ERASED;
    return matcher ? text.replace(matcher, ERASED) : text;
  };
  const scrubJson = (node: unknown, key?: string): unknown => {
    if (typeof node === 'string') return key === 'birthDate' && birthDates.has(node) ? ERASED : scrubText(node);
    if (Array.isArray(node)) return node.map((item) => scrubJson(item));
    if (typeof node === 'object' && node !== null) {
      // Keys too: some read models key their entries by a blind-index value.
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [scrubText(k), scrubJson(v, k)]));
    }
    return node;
  };

  const columns = await q.query<{ table_name: string; column_name: string; data_type: string; udt_name: string }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.udt_name
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
        AND (c.data_type IN ('text', 'character varying', 'json', 'jsonb') OR c.udt_name IN ('_text', '_varchar'))
      ORDER BY c.table_name, c.ordinal_position`,
  );
  let rewritten = 0;
  for (const column of columns) {
    if (SKIPPED_TABLE.test(column.table_name)) continue;
    const table = `"${column.table_name.replace(/"/g, '""')}"`;
    const name = `"${column.column_name.replace(/"/g, '""')}"`;
    const isArray = column.udt_name.startsWith('_');
    const isJson = column.data_type === 'json' || column.data_type === 'jsonb';
    const asText = isArray ? `to_jsonb(${name})::text` : `${name}::text`;
    const rows = await q.query<{ row_id: string; value: string }>(
      `SELECT ctid::text AS row_id, ${asText} AS value FROM ${table} WHERE ${asText} ILIKE ANY($1::text[])`,
      [patterns],
    );
    for (const row of rows) {
      let next: string;
      let cast: string;
      if (isArray || isJson) {
        next = JSON.stringify(scrubJson(JSON.parse(row.value)));
        cast = isArray ? `ARRAY(SELECT jsonb_array_elements_text($1::jsonb))` : `$1::${column.data_type}`;
      } else {
        next = scrubText(row.value);
        cast = '$1::text';
      }
      if (next === row.value) continue;
      await q.query(`UPDATE ${table} SET ${name} = ${cast} WHERE ctid = $2::tid`, [next, row.row_id]);
      rewritten++;
    }
  }
  return rewritten;
}
