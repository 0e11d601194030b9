import type { Actor, Grant } from '@muskel/domain';

/** Who is calling: a user signed in (a session) or a machine client (an API token acting for a user). */
export interface Principal {
  userId: string;
  username: string;
  grants: readonly Grant[];
  sessionId?: string;
  apiTokenId?: string;
}

/** What the guard attaches to the request. */
export interface AuthenticatedRequestState {
  principal?: Principal;
  /** The grant that allowed this request (role routes): the actor recorded on the events it causes. */
  actor?: Actor;
}
