import { CheckpointSigner } from '@muskel/audit-log';
import type { AppConfig } from '@muskel/config';
import type { EventStore } from '@muskel/event-store';

/**
 * The one way the app builds its checkpoint signer, for signing on demand (API) and on a schedule (worker) alike:
 * both must publish only with the witnesses' quorum.
 */
export function checkpointSignerFor(store: EventStore, config: AppConfig): CheckpointSigner {
  return new CheckpointSigner(store, {
    origin: config.AUDIT_LOG_ORIGIN,
    signerKey: config.AUDIT_SIGNER_KEY,
    // A checkpoint is published only once AUDIT_WITNESS_QUORUM of these cosigned it (none by default).
    witnesses: { witnesses: config.AUDIT_WITNESSES, quorum: config.AUDIT_WITNESS_QUORUM },
  });
}
