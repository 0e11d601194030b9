/** The operator's village and the shapes the secretary pages read from the API. */
import { useCallback, useEffect, useState } from 'react';
import { scopeOf, useSession } from '../../auth/session';

/** The village (10 digits) of the user's VILLAGE_OPERATOR grant; undefined for a wider scope. */
export function useVillage(): string | undefined {
  const { me } = useSession();
  const scope = scopeOf(me, 'VILLAGE_OPERATOR');
  return scope && /^\d{10}$/.test(scope) ? scope : undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ProposalItem {
  id: string;
  kind: string;
  status: string;
  memberCount: number;
  submittedAt: string;
  meetingId: string | null;
}

export interface MeetingItem {
  id: string;
  kind: string;
  scheduledAt: string;
  venue: string;
  chair: string;
  status: 'SCHEDULED' | 'OPEN' | 'CONCLUDED' | 'CANCELLED';
}

export interface Attendee {
  name: string;
  role: string;
}

/** GET /meetings/:id: the meeting folded from its stream (always current). */
export interface Meeting {
  meetingId: string;
  revision: number;
  status: 'scheduled' | 'open' | 'concluded' | 'cancelled';
  villageCode: string;
  kind: string;
  scheduledAt: string;
  venue: string;
  chair: string;
  agenda: string[];
  decisions: Record<string, { decision: string; reason: string }>;
  attendees: Attendee[];
  openedAt?: string;
  minutesDigest?: string;
  signatories: Attendee[];
  cancellationReason?: string;
  /** SHA-256 of the scanned, signed paper berita acara, once recorded. */
  signedCopyDigest?: string;
  /** The meeting's events, oldest first (only what the pages need of them). */
  history?: { type: string; occurredAt?: string; recordedAt: string }[];
}

/** A short, readable form of an id (the first group of a UUID). */
export const shortId = (id: string) => id.slice(0, 8);

/** Loads `load()` and reloads it on demand; keeps the last error. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  // The loader is a new closure each render: it is re-created only when the values it depends on change.
  const key = JSON.stringify(deps);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(() => load(), [key]);
  const reload = useCallback(
    () =>
      run().then(
        (value) => (setData(value), setError(undefined)),
        (reason: unknown) => setError(reason),
      ),
    [run],
  );
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}
