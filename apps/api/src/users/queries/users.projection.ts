import type { Projection } from '@muskel/application';
import type { RecordedEvent, StoreTransaction } from '@muskel/event-store';
import { isUserEventType, userDecider, type UserEvent, type UserState } from '@muskel/domain';

/**
 * `users_view`: one row per user for administrators' lists, kept from the global log. The current state of one user
 * for access decisions is always folded from their stream instead (no lag).
 */
export const usersProjection: Projection = {
  name: 'users-view',
  filter: { categories: ['user'] },

  async setup(tx: StoreTransaction): Promise<void> {
    await tx.query(`
      CREATE TABLE IF NOT EXISTS users_view (
        user_id      uuid PRIMARY KEY,
        username     text NOT NULL,
        display_name text NOT NULL,
        home_region  text NOT NULL,
        status       text NOT NULL,
        state        jsonb NOT NULL,
        revision     bigint NOT NULL
      )`);
    await tx.query(
      'CREATE INDEX IF NOT EXISTS users_view_region ON users_view (home_region text_pattern_ops, username)',
    );
  },

  async apply(event: RecordedEvent, tx: StoreTransaction): Promise<void> {
    if (!isUserEventType(event.type)) return;
    const userId = event.streamName.slice('user-'.length);
    const [row] = await tx.query<{ state: UserState; revision: string | number }>(
      'SELECT state, revision FROM users_view WHERE user_id = $1',
      [userId],
    );
    // A replay of an event already applied changes nothing.
    if (row && Number(row.revision) >= event.revision) return;
    const state = userDecider.evolve(row?.state ?? userDecider.initialState(), {
      type: event.type,
      data: event.data,
    } as unknown as UserEvent);
    await tx.query(
      `INSERT INTO users_view (user_id, username, display_name, home_region, status, state, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (user_id) DO UPDATE SET username = EXCLUDED.username, display_name = EXCLUDED.display_name,
         home_region = EXCLUDED.home_region, status = EXCLUDED.status, state = EXCLUDED.state, revision = EXCLUDED.revision`,
      [
        userId,
        state.username ?? '',
        state.displayName ?? '',
        state.homeRegion ?? '',
        state.status,
        JSON.stringify(state),
        event.revision,
      ],
    );
  },
};
