import { DomainError } from '../domain-error';
import type { Actor } from './roles';

/** The capacities in which a user acts on a proposal (pemisahan tugas: segregation of duties). */
export const CAPACITIES = [
  'PROPOSER',
  'VILLAGE_RECORDER',
  'MEETING_CHAIR',
  'FIELD_VISITOR',
  'VERIFIER',
  'BATCH_ENDORSER',
  'BATCH_SUBMITTER',
] as const;
export type Capacity = (typeof CAPACITIES)[number];

/** One recorded act on a proposal: who, in which capacity, when (ISO 8601). */
export type Act = {
  readonly userId: string;
  readonly capacity: Capacity;
  readonly at: string;
};

/** True when `userId` has recorded an act in any of `capacities`. */
export function hasActedAs(acts: readonly Act[], userId: string, capacities: readonly Capacity[]): boolean {
  return acts.some((act) => act.userId === userId && capacities.includes(act.capacity));
}

function describe(capacity: Capacity): string {
  return capacity.toLowerCase().replaceAll('_', ' ');
}

/**
 * Throws DomainError `SEGREGATION_OF_DUTIES` (forbidden) when `actor` already acted on this proposal in one of
 * the `conflicting` capacities and now wants to act as `capacity`. Which capacities conflict is the workflow's
 * rule (e.g. DESIGN.md section 1: VERIFIER conflicts with PROPOSER and VILLAGE_RECORDER).
 */
export function assertSegregated(
  acts: readonly Act[],
  actor: Actor,
  capacity: Capacity,
  conflicting: readonly Capacity[],
): void {
  const earlier = acts.find((act) => act.userId === actor.userId && conflicting.includes(act.capacity));
  if (earlier === undefined) return;
  throw new DomainError(
    'forbidden',
    'SEGREGATION_OF_DUTIES',
    `This user already acted on this proposal as ${describe(earlier.capacity)} and may not also act as ${describe(capacity)}.`,
    { capacity, conflictingCapacity: earlier.capacity },
  );
}

/**
 * Rejects actors that may not record workflow acts: administrators and the SYSTEM operator (`ADMIN_NOT_IN_WORKFLOW`)
 * and auditors, who only read (`AUDITOR_READ_ONLY`). Both forbidden.
 */
export function assertWorkflowActor(actor: Actor): void {
  switch (actor.role) {
    case 'VILLAGE_OPERATOR':
    case 'VERIFIER':
      return;
    case 'ADMIN':
    case 'SYSTEM':
      throw new DomainError('forbidden', 'ADMIN_NOT_IN_WORKFLOW', 'An administrator does not act in the workflow.', {
        role: actor.role,
      });
    case 'AUDITOR':
      throw new DomainError('forbidden', 'AUDITOR_READ_ONLY', 'An auditor reads but does not act in the workflow.', {
        role: actor.role,
      });
    default: {
      const _exhaustive: never = actor.role;
      throw new DomainError('forbidden', 'UNKNOWN_ROLE', 'This role does not act in the workflow.');
    }
  }
}
