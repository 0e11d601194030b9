import { scopeCovers, type Actor } from '../access/roles';
import type { DomainCommand, DomainEvent } from '../domain-message';
import { DomainError } from '../domain-error';
import { isRegionCode, parseRegionCode } from '../regions/region-code';
import { DEFAULT_QUORUM_POLICY, type QuorumPolicy } from './quorum';
import { parseQuorumPolicy } from './meeting.validation';

/**
 * A regency's quorum policy (kuorum musyawarah) as its own stream `quorumpolicy-<regencyCode>`, so each change is
 * attributable and auditable like any other act. A regency without one uses DEFAULT_QUORUM_POLICY.
 */
export function quorumPolicyStreamName(regencyCode: string): string {
  return `quorumpolicy-${parseRegencyCode(regencyCode)}`;
}

export type SetQuorumPolicy = DomainCommand<
  'SetQuorumPolicy',
  { readonly regencyCode: string; readonly policy: QuorumPolicy }
>;
export type QuorumPolicySet = DomainEvent<
  'QuorumPolicySet',
  { readonly regencyCode: string; readonly policy: QuorumPolicy; readonly setBy: string }
>;
export type QuorumPolicyState = { readonly regencyCode: string | null; readonly policy: QuorumPolicy };

function parseRegencyCode(input: string): string {
  const analysed = typeof input === 'string' && isRegionCode(input) ? parseRegionCode(input) : undefined;
  const code = analysed?.code ?? '';
  if (analysed?.level !== 'regency') {
    throw new DomainError('invalid', 'INVALID_REGENCY_CODE', 'A regency code has 4 digits (dots allowed).', {
      field: 'regencyCode',
    });
  }
  return code;
}

function authorize(actor: Actor, regencyCode: string): void {
  if (actor.role !== 'ADMIN') {
    throw new DomainError('forbidden', 'ROLE_NOT_ALLOWED', 'Only an administrator sets a quorum policy.', {
      role: actor.role,
    });
  }
  if (!scopeCovers(actor.scope, regencyCode)) {
    throw new DomainError('forbidden', 'OUTSIDE_SCOPE', 'The regency is outside your scope.', { scope: actor.scope });
  }
}

export const quorumPolicyDecider = {
  initialState: (): QuorumPolicyState => ({ regencyCode: null, policy: DEFAULT_QUORUM_POLICY }),
  decide(command: SetQuorumPolicy, state: QuorumPolicyState): QuorumPolicySet[] {
    const regencyCode = parseRegencyCode(command.data.regencyCode);
    authorize(command.metadata.actor, regencyCode);
    if (state.regencyCode !== null && state.regencyCode !== regencyCode) {
      throw new DomainError('conflict', 'REGENCY_MISMATCH', 'This policy belongs to another regency.');
    }
    const policy = parseQuorumPolicy(command.data.policy);
    const same =
      state.regencyCode !== null &&
      state.policy.minimumAttendees === policy.minimumAttendees &&
      state.policy.chairMustAttend === policy.chairMustAttend &&
      state.policy.requiredRoles.join() === policy.requiredRoles.join();
    // Setting the policy it already has records nothing (a retried request changes nothing).
    if (same) return [];
    return [{ type: 'QuorumPolicySet', data: { regencyCode, policy, setBy: command.metadata.actor.userId } }];
  },
  evolve(state: QuorumPolicyState, event: QuorumPolicySet): QuorumPolicyState {
    switch (event.type) {
      case 'QuorumPolicySet':
        return { regencyCode: event.data.regencyCode, policy: event.data.policy };
      default: {
        const _exhaustive: never = event.type;
        return state;
      }
    }
  },
} as const;
