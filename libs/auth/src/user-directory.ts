import { type EventStore } from '@muskel/event-store';
import { userDecider, userStreamName, type UserEvent, type UserState } from '@muskel/domain';

/**
 * The current state of a user, folded from the user's own stream at the moment of asking: a grant revoked or a
 * user disabled takes effect on the very next request, with no projection lag in between.
 */
export class UserDirectory {
  constructor(private readonly store: EventStore) {}

  async load(userId: string): Promise<{ state: UserState; revision: number | 'no_stream' }> {
    let state = userDecider.initialState();
    let revision: number | 'no_stream' = 'no_stream';
    if (!/^[0-9a-f-]{36}$/.test(userId)) return { state, revision };
    for await (const event of this.store.readStream(userStreamName(userId))) {
      state = userDecider.evolve(state, { type: event.type, data: event.data } as unknown as UserEvent);
      revision = event.revision;
    }
    return { state, revision };
  }
}
