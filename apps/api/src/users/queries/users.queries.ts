import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore, type SqlExecutor } from '@muskel/event-store';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { NATIONAL, scopeContains, userStreamName, type Grant, type UserState } from '@muskel/domain';

export interface UserSummary {
  userId: string;
  username: string;
  displayName: string;
  homeRegion: string;
  status: string;
  grants: readonly Grant[];
}

/** Lists (from `users_view`) and one user's full history (from their stream). */
@Injectable()
export class UsersQueries {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlExecutor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** Users whose home region lies inside one of `scopes` (and inside `region` when given), by username. */
  async list(
    scopes: readonly string[],
    region: string | undefined,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: UserSummary[]; nextCursor: string | null }> {
    const national = scopes.includes(NATIONAL);
    const prefixes = national ? [] : scopes.filter((s) => /^\d+$/.test(s));
    if (!national && prefixes.length === 0) return { items: [], nextCursor: null };
    const rows = await this.db.query<{
      user_id: string;
      username: string;
      display_name: string;
      home_region: string;
      status: string;
      state: UserState;
    }>(
      `SELECT user_id::text, username, display_name, home_region, status, state FROM users_view
        WHERE ($1::boolean OR EXISTS (SELECT 1 FROM unnest($2::text[]) p WHERE home_region LIKE p || '%'))
          AND ($3::text IS NULL OR home_region LIKE $3 || '%' OR ($3 = 'NATIONAL'))
          AND ($4::text IS NULL OR username > $4)
        ORDER BY username LIMIT $5`,
      [
        national,
        prefixes,
        region && /^\d+$/.test(region) ? region : region === NATIONAL ? NATIONAL : (region ?? null),
        cursor ?? null,
        limit + 1,
      ],
    );
    const items = rows.slice(0, limit).map((r) => ({
      userId: r.user_id,
      username: r.username,
      displayName: r.display_name,
      homeRegion: r.home_region,
      status: r.status,
      grants: r.state.grants,
    }));
    return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.username : null };
  }

  /** Every event of the user's stream, who caused it and when: the grant history auditors ask for. */
  async history(
    userId: string,
  ): Promise<
    { type: string; data: object; actor: unknown; occurredAt: unknown; recordedAt: string; revision: number }[]
  > {
    const history = [];
    for await (const event of this.store.readStream(userStreamName(userId))) {
      history.push({
        revision: event.revision,
        type: event.type,
        data: event.data,
        actor: event.metadata.actor,
        occurredAt: event.metadata.occurredAt,
        recordedAt: event.recordedAt.toISOString(),
      });
    }
    return history;
  }

  static visibleTo(scopes: readonly string[], homeRegion: string): boolean {
    return scopes.some((scope) => scopeContains(scope, homeRegion));
  }
}
