import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { eventMetadata, type CommandContext } from '@muskel/application';
import { EVENT_STORE, type EventStore } from '@muskel/event-store';

/** What was read: the kind of record and our own ids of it (never a NIK, KK number or name). */
export interface PersonalDataRead {
  what:
    | 'household'
    | 'household-provenance'
    | 'village-registry'
    | 'registry-search'
    | 'person-history'
    | 'proposal'
    | 'meeting'
    | 'audit-export'
    | 'evidence-file';
  ids: readonly string[];
}

/** Roles whose reads of personal data are recorded (DESIGN §7: auditors and verifiers). */
const RECORDED_ROLES: ReadonlySet<string> = new Set(['AUDITOR', 'VERIFIER']);
/** At most this many ids per record: a large search is recorded as its first ids and a count. */
const MAX_IDS = 200;

/**
 * Every read of personal data by an auditor or a verifier is itself recorded (who, what, when), as an event on the
 * reader's own access stream, so it enters the audit log like any act (DESIGN §7, UU 27/2022 on accountability).
 * It is written before the answer leaves: a read that cannot be recorded is not served.
 */
@Injectable()
export class PersonalDataReads {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async record(context: CommandContext, read: PersonalDataRead): Promise<void> {
    if (!RECORDED_ROLES.has(context.actor.role)) return;
    const id = randomUUID();
    await this.store.appendToStream(
      `accesslog-${context.actor.userId}`,
      [
        {
          id,
          type: 'PersonalDataRead',
          data: { what: read.what, ids: read.ids.slice(0, MAX_IDS), count: read.ids.length },
          metadata: eventMetadata(context, id),
        },
      ],
      { expected: 'any' },
    );
  }
}
