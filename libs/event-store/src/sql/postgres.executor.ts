import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, Pool, type PoolClient, type PoolConfig } from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import type { SqlExecutor, SqlQueryable } from './sql-executor';

export interface PostgresExecutorOptions {
  connectionString: string;
  poolSize?: number;
  /** Ends a session that sits in an open transaction: such a session stalls every reader of the global log. */
  idleInTransactionTimeoutMs?: number;
}

/** `pg` pool: many connections, so appends, reads and subscriptions run side by side. */
export class PostgresExecutor implements SqlExecutor {
  private readonly pool: Pool;
  private readonly listeners = new Set<Client>();

  constructor(private readonly options: PostgresExecutorOptions) {
    const config: PoolConfig = {
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 60_000,
      application_name: 'muskel',
    };
    this.pool = new Pool(config);
    // An idle pooled connection that the server drops must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async query<R = Record<string, unknown>>(sql: string, params?: unknown[], name?: string): Promise<R[]> {
    const result = name
      ? await this.pool.query({ name, text: sql, values: params })
      : await this.pool.query(sql, params);
    return result.rows as R[];
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async copyFrom(copy: string, chunks: readonly Uint8Array[]): Promise<void> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await copyOn(client, copy, chunks);
    } catch (error) {
      broken = true;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async transaction<T>(work: (q: SqlQueryable) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    let broken = false;
    // A connection lost while the transaction awaits other work (Redis, a witness) must fail the transaction, not
    // crash the process with an unhandled 'error' event; the client is then destroyed, not returned to the pool.
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const queryable: SqlQueryable = {
        query: async <R>(sql: string, params?: unknown[], name?: string) =>
          (name ? await client.query({ name, text: sql, values: params }) : await client.query(sql, params))
            .rows as R[],
        exec: async (sql: string) => {
          await client.query(sql);
        },
        copyFrom: (copy: string, chunks: readonly Uint8Array[]) => copyOn(client, copy, chunks),
      };
      const result = await work(queryable);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async listen(channel: string, onNotify: () => void, onError: (error: unknown) => void): Promise<() => Promise<void>> {
    // LISTEN needs a session of its own; a pooled connection could be handed to someone else.
    const client = new Client({ connectionString: this.options.connectionString, application_name: 'muskel-listen' });
    client.on('notification', () => onNotify());
    client.on('error', (error) => {
      this.listeners.delete(client);
      onError(error);
    });
    client.on('end', () => {
      if (this.listeners.delete(client)) onError(new Error('listen connection ended'));
    });
    await client.connect();
    await client.query(`LISTEN ${channel}`);
    this.listeners.add(client);
    return async () => {
      if (this.listeners.delete(client)) await client.end().catch(() => undefined);
    };
  }

  async notify(channel: string): Promise<void> {
    await this.pool.query(`NOTIFY ${channel}`);
  }

  async close(): Promise<void> {
    const listeners = [...this.listeners];
    this.listeners.clear();
    await Promise.all(listeners.map((client) => client.end().catch(() => undefined)));
    await this.pool.end();
  }
}

/** COPY FROM STDIN through pg-copy-streams (pg itself has no COPY API). */
async function copyOn(client: PoolClient, copy: string, chunks: readonly Uint8Array[]): Promise<void> {
  await pipeline(Readable.from(chunks, { objectMode: false }), client.query(copyFromStdin(copy)));
}
