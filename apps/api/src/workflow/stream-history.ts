import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@muskel/event-store';

/** One event of a stream as a detail page shows it: what happened, when, by whom, at which log position. */
export interface HistoryEntry {
  /** The event's id: what the audit log's proof bundle (`GET /audit/v1/events/:eventId/bundle`) is asked by. */
  eventId: string;
  revision: number;
  type: string;
  occurredAt: string | undefined;
  recordedAt: string;
  actor: { userId: string; role: string; scope: string } | undefined;
  position: string;
  data: unknown;
}

/** The full history of one stream, read from the log itself (never stale, whatever a projection's lag). */
@Injectable()
export class StreamHistory {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async read(stream: string): Promise<HistoryEntry[]> {
    const entries: HistoryEntry[] = [];
    for await (const event of this.store.readStream(stream)) {
      const metadata = event.metadata as { occurredAt?: string; actor?: HistoryEntry['actor'] };
      entries.push({
        eventId: event.id,
        revision: event.revision,
        type: event.type,
        occurredAt: metadata.occurredAt,
        recordedAt: new Date(event.recordedAt).toISOString(),
        actor: metadata.actor,
        position: event.position,
        data: event.data,
      });
    }
    return entries;
  }
}
