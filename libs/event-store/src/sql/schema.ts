/**
 * Schema of the SQL event store, one dialect for PostgreSQL 15+ and PGlite (PostgreSQL 18): nothing newer than 15
 * (no uuidv7(), no MERGE … RETURNING).
 *
 * Global order is `(tx_id, global_position)`, read only below the oldest running transaction
 * (`pg_snapshot_xmin`): identity values become visible in commit order, not in number order, so a reader that
 * trusted `global_position` alone would skip an event whose transaction commits late. See the design notes.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Key of the transaction-scoped advisory lock that serialises migrations across processes. */
export const MIGRATION_LOCK_KEY = 7_342_118_590_221;

export const MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS es_schema_migrations (
  version     integer PRIMARY KEY,
  description text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now()
)`;

/** `lpad` keeps text order equal to log order. */
export const POSITION_SQL = `lpad(tx_id::text, 20, '0') || ':' || lpad(global_position::text, 20, '0')`;

/**
 * One call per append (one round trip, like a raw INSERT; PL/pgSQL keeps its plans for the session, so nothing
 * is planned per call). `p_expected`: -2 any, -3 stream_exists, -1 no_stream, n >= 0 the exact revision.
 * Returns no row, and writes nothing, when the expectation fails or when the stream's last event was written by
 * a transaction newer than this one (possible only inside a longer transaction that took its id earlier):
 * inserting then would put a later revision before an earlier one in the log order. The caller tells these
 * apart afterwards. A retried append (same event ids) fails on the unique event id, and the caller answers it.
 */
const APPEND_FUNCTION = `
CREATE OR REPLACE FUNCTION es_append(p_stream text, p_expected bigint, p_events jsonb)
RETURNS TABLE (out_revision bigint, out_tx text, out_position bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_rev bigint;
  v_tx xid8;
  v_pos bigint;
  v_count integer;
BEGIN
  IF p_expected < -1 THEN
    -- any / stream_exists: the writer wants its events in whatever the revision is, so writers to one stream
    -- queue here instead of racing for the same revision and retrying.
    PERFORM pg_advisory_xact_lock(hashtextextended(p_stream, 0));
  END IF;
  SELECT e.stream_revision, e.tx_id INTO v_rev, v_tx
    FROM es_events e WHERE e.stream_id = p_stream ORDER BY e.stream_revision DESC LIMIT 1;
  IF NOT FOUND THEN
    v_rev := -1;
  END IF;
  IF (p_expected = -3 AND v_rev < 0) OR (p_expected >= -1 AND v_rev <> p_expected) THEN
    RETURN;
  END IF;
  IF v_tx IS NOT NULL AND v_tx > pg_current_xact_id() THEN
    RETURN;
  END IF;
  v_count := jsonb_array_length(p_events);
  IF v_count = 1 THEN
    INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata, schema_version)
    VALUES (p_stream, v_rev + 1, (p_events->0->>'id')::uuid, p_events->0->>'type', p_events->0->'data',
            p_events->0->'metadata', (p_events->0->>'sv')::integer)
    RETURNING es_events.global_position INTO v_pos;
  ELSE
    WITH ins AS (
      INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata, schema_version)
      SELECT p_stream, v_rev + e.ord, e.id, e.type, e.data, e.metadata, e.sv
        FROM ROWS FROM (
               jsonb_to_recordset(p_events) AS (id uuid, type text, data jsonb, metadata jsonb, sv integer)
             ) WITH ORDINALITY AS e(id, type, data, metadata, sv, ord)
       ORDER BY e.ord
      RETURNING es_events.global_position
    )
    SELECT max(ins.global_position) INTO v_pos FROM ins;
  END IF;
  RETURN QUERY SELECT v_rev + v_count, pg_current_xact_id()::text, v_pos;
END
$fn$`;

export const APPEND_SQL = 'SELECT out_revision, out_tx, out_position FROM es_append($1::text, $2::bigint, $3::jsonb)';

/**
 * The common case, one event, as a scalar function with the event's fields as parameters: no JSON batch to take
 * apart and no set-returning call, which halves the server's work per append. Returns
 * "<revision> <transaction id> <global position>", or NULL (nothing written) as es_append returns no row.
 * For `no_stream` outside a caller's transaction it skips reading the stream's head: revision 0 is inserted and
 * the primary key refuses it if the stream exists (the caller then reports the conflict). Inside a caller's
 * transaction (`p_check_head`) the head is read, because a refused insert would abort that transaction.
 */
const APPEND_ONE_FUNCTION = `
CREATE OR REPLACE FUNCTION es_append_one(p_stream text, p_expected bigint, p_id uuid, p_type text, p_data jsonb,
                                         p_metadata jsonb, p_sv integer, p_check_head boolean)
RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  v_rev bigint := -1;
  v_tx xid8;
  v_pos bigint;
BEGIN
  IF p_expected < -1 THEN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_stream, 0));
  END IF;
  IF p_expected <> -1 OR p_check_head THEN
    SELECT e.stream_revision, e.tx_id INTO v_rev, v_tx
      FROM es_events e WHERE e.stream_id = p_stream ORDER BY e.stream_revision DESC LIMIT 1;
    IF NOT FOUND THEN
      v_rev := -1;
    END IF;
    IF (p_expected = -3 AND v_rev < 0) OR (p_expected >= -1 AND v_rev <> p_expected) THEN
      RETURN NULL;
    END IF;
    IF v_tx IS NOT NULL AND v_tx > pg_current_xact_id() THEN
      RETURN NULL;
    END IF;
  END IF;
  INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata, schema_version)
  VALUES (p_stream, v_rev + 1, p_id, p_type, p_data, p_metadata, p_sv)
  RETURNING es_events.global_position INTO v_pos;
  RETURN (v_rev + 1)::text || ' ' || pg_current_xact_id()::text || ' ' || v_pos::text;
END
$fn$`;

/**
 * Outside a caller's transaction, one event with `no_stream` or an exact revision needs no function at all: a
 * plain INSERT, the same work as a raw insert. The primary key (stream, revision) refuses a revision that is
 * taken, and EXISTS makes sure the expected revision is there. No ordering guard is needed: in one autocommit
 * statement the transaction id is taken after the snapshot that saw the previous revision committed, so it is
 * larger than the id that wrote it.
 */
export const APPEND_NEW_STREAM_SQL = `
INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata, schema_version)
VALUES ($1::text, 0, $2::uuid, $3::text, $4::jsonb, $5::jsonb, $6::integer)
RETURNING global_position::text AS gp, tx_id::text AS tx`;

export const APPEND_AFTER_REVISION_SQL = `
INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata, schema_version)
SELECT $1::text, $7::bigint + 1, $2::uuid, $3::text, $4::jsonb, $5::jsonb, $6::integer
 WHERE EXISTS (SELECT 1 FROM es_events WHERE stream_id = $1::text AND stream_revision = $7::bigint)
RETURNING global_position::text AS gp, tx_id::text AS tx`;

/** Many new streams at once (`appendToNewStreams`); rows come back only for what was inserted. */
export const APPEND_NEW_STREAMS_SQL = `
INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata, schema_version)
SELECT e.s, e.r, e.id, e.type, e.data, e.metadata, e.sv
  FROM jsonb_to_recordset($1::jsonb) AS e(s text, r bigint, id uuid, type text, data jsonb, metadata jsonb, sv integer)
ON CONFLICT DO NOTHING
RETURNING stream_id AS s, stream_revision::text AS r, global_position::text AS gp, tx_id::text AS tx`;

export const APPEND_ONE_SQL =
  'SELECT es_append_one($1::text, $2::bigint, $3::uuid, $4::text, $5::jsonb, $6::jsonb, $7::integer, $8::boolean) AS result';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, checkpoints, leases',
    sql: `${APPEND_FUNCTION};
CREATE TABLE es_events (
  global_position bigint GENERATED ALWAYS AS IDENTITY,
  tx_id           xid8        NOT NULL DEFAULT pg_current_xact_id(),
  stream_id       text        NOT NULL,
  stream_revision bigint      NOT NULL,
  event_id        uuid        NOT NULL,
  event_type      text        NOT NULL,
  data            jsonb       NOT NULL,
  metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  schema_version  integer     NOT NULL DEFAULT 1,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT es_events_stream_revision_pk PRIMARY KEY (stream_id, stream_revision),
  CONSTRAINT es_events_event_id_key UNIQUE (event_id),
  CONSTRAINT es_events_revision_not_negative CHECK (stream_revision >= 0)
);
CREATE INDEX es_events_log_order ON es_events (tx_id, global_position);

CREATE TABLE es_checkpoints (
  subscriber_id text PRIMARY KEY,
  position      text        NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE es_leases (
  subscriber_id text PRIMARY KEY,
  instance_id   text        NOT NULL,
  expires_at    timestamptz NOT NULL
);
`,
  },
  {
    version: 2,
    description: 'single-event append function',
    sql: `${APPEND_ONE_FUNCTION};`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** What the stream looks like now, for error reports and empty appends. */
export const STREAM_HEAD_SQL = `
SELECT stream_revision::text AS revision, ${POSITION_SQL} AS position,
       (tx_id > pg_current_xact_id()) AS newer_tx
  FROM es_events WHERE stream_id = $1 ORDER BY stream_revision DESC LIMIT 1`;

export const STREAM_HEAD_READONLY_SQL = `
SELECT stream_revision::text AS revision, ${POSITION_SQL} AS position
  FROM es_events WHERE stream_id = $1 ORDER BY stream_revision DESC LIMIT 1`;

/** Where the given event ids already are (idempotent retries). */
export const FIND_EVENT_IDS_SQL = `
SELECT event_id::text AS id, stream_id, stream_revision::text AS revision, event_type, ${POSITION_SQL} AS position
  FROM es_events WHERE event_id = ANY($1::uuid[])`;

// The position is assembled by the reader from tx and gp, and the time as float8 milliseconds: extract() returns
// numeric since PostgreSQL 14, which costs the server three times what date_part() does.
const EVENT_COLUMNS = `stream_id, stream_revision::text AS revision, tx_id::text AS tx, global_position::text AS gp,
       event_id::text AS id, event_type, data, metadata, schema_version,
       date_part('epoch', recorded_at) * 1000 AS recorded_ms`;

export const READ_STREAM_FORWARDS_SQL = `
SELECT ${EVENT_COLUMNS} FROM es_events
 WHERE stream_id = $1 AND stream_revision >= $2 ORDER BY stream_revision LIMIT $3`;

/** The events at given (stream, revision) places, in the order of the arrays. */
export const READ_EVENTS_AT_SQL = `
SELECT ${EVENT_COLUMNS} FROM es_events
  JOIN unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS place(s, r, n) ON stream_id = place.s AND stream_revision = place.r
 ORDER BY place.n`;

export const READ_STREAM_BACKWARDS_SQL = `
SELECT ${EVENT_COLUMNS} FROM es_events
 WHERE stream_id = $1 AND stream_revision <= $2 ORDER BY stream_revision DESC LIMIT $3`;

/**
 * A page of the global log after ($1, $2), only from settled transactions. Rows that the filter rejects come back
 * without their payload: the reader still learns their position, so checkpoints move past them.
 * $4: categories or null; $5: event types or null.
 */
export const READ_ALL_SQL = `
SELECT CASE WHEN m THEN stream_id END AS stream_id, revision, tx, gp, id, event_type,
       CASE WHEN m THEN data END AS data, CASE WHEN m THEN metadata END AS metadata, schema_version, recorded_ms, m AS matched
  FROM (
    SELECT stream_id, stream_revision::text AS revision, tx_id::text AS tx, global_position::text AS gp,
           event_id::text AS id, event_type, data, metadata, schema_version,
           date_part('epoch', recorded_at) * 1000 AS recorded_ms,
           (($4::text[] IS NULL OR split_part(stream_id, '-', 1) = ANY($4::text[]))
             AND ($5::text[] IS NULL OR event_type = ANY($5::text[]))) AS m
      FROM es_events
     WHERE (tx_id, global_position) > ($1::text::xid8, $2::bigint)
       AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY tx_id, global_position
     LIMIT $3
  ) page`;

/**
 * One category's events up to a position, in the stream index's order: streams after $1 matching $2 (`<category>-%`,
 * its `_` escaped), events at or before ($3, $4), at most $5 rows. The caller cuts the last stream, which the limit
 * may split. LIKE rather than split_part: the planner estimates a LIKE prefix from its statistics and walks the
 * stream index; for split_part it guesses a handful of rows and sorts the whole table for every page.
 */
export const READ_CATEGORY_BY_STREAM_SQL = `
SELECT ${EVENT_COLUMNS} FROM es_events
 WHERE stream_id > $1 AND stream_id LIKE $2
   AND (tx_id, global_position) <= ($3::text::xid8, $4::bigint)
 ORDER BY stream_id, stream_revision
 LIMIT $5`;

/** The rest of one stream up to a position (a stream longer than a page of `READ_CATEGORY_BY_STREAM_SQL`). */
export const READ_STREAM_UP_TO_SQL = `
SELECT ${EVENT_COLUMNS} FROM es_events
 WHERE stream_id = $1 AND stream_revision > $2 AND (tx_id, global_position) <= ($3::text::xid8, $4::bigint)
 ORDER BY stream_revision
 LIMIT $5`;

/** Unfiltered page: the common case of projections that read everything. */
export const READ_ALL_UNFILTERED_SQL = `
SELECT ${EVENT_COLUMNS}, true AS matched FROM es_events
 WHERE (tx_id, global_position) > ($1::text::xid8, $2::bigint)
   AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
 ORDER BY tx_id, global_position
 LIMIT $3`;

/** Settled events after a position, at most $3 of them: a subscriber's lag (`countAfter`). */
export const COUNT_AFTER_SQL = `
SELECT count(*)::integer AS n FROM (
  SELECT 1 FROM es_events
   WHERE (tx_id, global_position) > ($1::text::xid8, $2::bigint)
     AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
   LIMIT $3) behind`;

/** The last settled position: where a subscription "from the end" starts. */
export const HEAD_POSITION_SQL = `
SELECT ${POSITION_SQL} AS position FROM es_events
 WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
 ORDER BY tx_id DESC, global_position DESC LIMIT 1`;

/** The last event written, settled or not (see `EventStore.writtenHead`). */
export const WRITTEN_HEAD_SQL = `
SELECT ${POSITION_SQL} AS position FROM es_events ORDER BY tx_id DESC, global_position DESC LIMIT 1`;

/**
 * Refuse to start when stored transaction ids are ahead of the server's counter (data restored into another
 * cluster): new events would sort before old ones and readers would skip them.
 */
export const XID_GUARD_SQL = `
SELECT (SELECT tx_id FROM es_events ORDER BY tx_id DESC LIMIT 1)::text AS max_tx,
       pg_snapshot_xmax(pg_current_snapshot())::text AS next_tx`;
