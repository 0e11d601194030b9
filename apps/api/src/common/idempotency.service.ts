import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Response } from 'express';
import { deterministicId } from '@muskel/application';
import { EVENT_STORE, type EventStore, type SqlExecutor } from '@muskel/event-store';
import { ApiError } from '@muskel/http';
import { SQL_DATABASE } from '@muskel/nest-event-store';

/** What a creating POST answered, kept to answer a retry with the same `Idempotency-Key` identically. */
export interface StoredResponse {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

const KEY_PATTERN = /^[\x21-\x7e]{8,200}$/;
/** A request still marked in progress after this long is taken to have died (a crash): a retry runs it again. */
const STALE_AFTER_MS = 30_000;

/**
 * `Idempotency-Key` on creating POSTs: a retry (same user, route and key) returns the first answer instead of
 * creating a second proposal, meeting or batch. The id of what is created derives from the key (`idFor`), so even
 * a retry after a crash between the append and the record finds the same stream and answers with it.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlExecutor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.db.query(`
      CREATE TABLE IF NOT EXISTS idempotency_keys (
        user_id        text NOT NULL,
        route          text NOT NULL,
        key_hash       text NOT NULL,
        request_digest text NOT NULL,
        started_at     timestamptz NOT NULL DEFAULT now(),
        response       jsonb,
        PRIMARY KEY (user_id, route, key_hash)
      )`);
  }

  /**
   * A creating POST (a proposal, a meeting, a batch): runs `create` once per key and writes the answer, first or
   * replayed, to the response: 201 with `Location`, the new stream's revision as `ETag`, and the log position.
   * When an earlier attempt created the stream but died before recording its answer, the stream's first event,
   * written by this user, stands for it.
   */
  async create(
    response: Response,
    request: {
      userId: string;
      route: string;
      key: string | undefined;
      body: unknown;
      /** The created resource: its id field and value, its path and its stream. */
      idField: string;
      id: string;
      location: string;
      stream: string;
    },
    create: () => Promise<{ revision: number; position: string; eventIds: string[] }>,
  ): Promise<Record<string, unknown>> {
    const created = (revision: number, position: string, eventIds: string[]): StoredResponse => ({
      status: 201,
      body: { [request.idField]: request.id, revision, position, eventIds },
      headers: { Location: request.location, ETag: `"${revision}"` },
    });
    const answer = await this.run(
      request.userId,
      request.route,
      request.key,
      request.body,
      async () => {
        const result = await create();
        return created(result.revision, result.position, result.eventIds);
      },
      async () => {
        for await (const event of this.store.readStream(request.stream, { maxCount: 1 })) {
          const actor = (event.metadata as { actor?: { userId?: string } }).actor;
          return actor?.userId === request.userId ? created(0, event.position, [event.id]) : undefined;
        }
        return undefined;
      },
    );
    response.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
    if (answer.replayed) response.setHeader('Idempotent-Replayed', 'true');
    return answer.body;
  }

  /** The id a keyed request creates; a random one (from `fallback`) without a key. */
  idFor(userId: string, route: string, key: string | undefined, fallback: () => string): string {
    return key === undefined ? fallback() : deterministicId('idempotency', userId, route, key);
  }

  /**
   * Runs `work` once per key. `recover` rebuilds the answer when the work already happened but its answer was not
   * recorded (a crash): it returns undefined when nothing was created under this key after all.
   */
  async run(
    userId: string,
    route: string,
    key: string | undefined,
    body: unknown,
    work: () => Promise<StoredResponse>,
    recover: () => Promise<StoredResponse | undefined>,
  ): Promise<StoredResponse & { replayed: boolean }> {
    if (key === undefined) return { ...(await work()), replayed: false };
    if (!KEY_PATTERN.test(key)) {
      throw new ApiError(
        400,
        'INVALID_IDEMPOTENCY_KEY',
        'Idempotency-Key must be 8 to 200 visible ASCII characters (a UUID is a good choice).',
      );
    }
    const keyHash = createHash('sha256').update(key).digest('hex');
    const digest = createHash('sha256')
      .update(JSON.stringify(body ?? null))
      .digest('hex');
    const inserted = await this.db.query<{ user_id: string }>(
      `INSERT INTO idempotency_keys (user_id, route, key_hash, request_digest) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING user_id`,
      [userId, route, keyHash, digest],
    );
    if (inserted.length === 0) {
      const [row] = await this.db.query<{ request_digest: string; response: StoredResponse | null; age_ms: number }>(
        `SELECT request_digest, response, (EXTRACT(EPOCH FROM now() - started_at) * 1000)::float8 AS age_ms
           FROM idempotency_keys WHERE user_id = $1 AND route = $2 AND key_hash = $3`,
        [userId, route, keyHash],
      );
      if (row && row.request_digest !== digest) {
        throw new ApiError(
          422,
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used for a different request; use a new key for a new request.',
        );
      }
      if (row?.response) return { ...row.response, replayed: true };
      if (row && row.age_ms < STALE_AFTER_MS) {
        throw new ApiError(409, 'IDEMPOTENT_REQUEST_IN_PROGRESS', 'The first request with this key is still running.', {
          headers: { 'Retry-After': '2' },
        });
      }
      const recovered = await recover();
      if (recovered) {
        await this.record(userId, route, keyHash, recovered);
        return { ...recovered, replayed: true };
      }
    }
    let response: StoredResponse;
    try {
      response = await work();
    } catch (error) {
      const recovered = await recover().catch(() => undefined);
      if (!recovered) {
        // Nothing was created: free the key so the client may correct the request and retry with it.
        await this.db.query('DELETE FROM idempotency_keys WHERE user_id = $1 AND route = $2 AND key_hash = $3', [
          userId,
          route,
          keyHash,
        ]);
        throw error;
      }
      response = recovered;
    }
    await this.record(userId, route, keyHash, response);
    return { ...response, replayed: false };
  }

  private async record(userId: string, route: string, keyHash: string, response: StoredResponse): Promise<void> {
    await this.db.query(
      'UPDATE idempotency_keys SET response = $4 WHERE user_id = $1 AND route = $2 AND key_hash = $3',
      [userId, route, keyHash, JSON.stringify(response)],
    );
  }
}
