import { DomainError } from '../domain-error';
import type { Actor } from './roles';
import { assertSegregated, assertWorkflowActor, hasActedAs, type Act } from './segregation';

const operator: Actor = { userId: 'u-operator', role: 'VILLAGE_OPERATOR', scope: '1872011001' };
const verifier: Actor = { userId: 'u-verifier', role: 'VERIFIER', scope: '1872' };

const acts: readonly Act[] = [
  { userId: 'u-operator', capacity: 'PROPOSER', at: '2025-03-01T09:00:00+07:00' },
  { userId: 'u-operator', capacity: 'VILLAGE_RECORDER', at: '2025-03-10T10:00:00+07:00' },
  { userId: 'u-verifier', capacity: 'FIELD_VISITOR', at: '2025-03-15T10:00:00+07:00' },
];

function rejection(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError');
}

describe('hasActedAs', () => {
  it('is true when the user acted in one of the capacities', () => {
    expect(hasActedAs(acts, 'u-operator', ['VERIFIER', 'PROPOSER'])).toBe(true);
  });

  it('is false for another user, another capacity, no capacities or no acts', () => {
    expect(hasActedAs(acts, 'u-other', ['PROPOSER'])).toBe(false);
    expect(hasActedAs(acts, 'u-operator', ['FIELD_VISITOR', 'VERIFIER'])).toBe(false);
    expect(hasActedAs(acts, 'u-operator', [])).toBe(false);
    expect(hasActedAs([], 'u-operator', ['PROPOSER'])).toBe(false);
  });
});

describe('assertSegregated', () => {
  it('given a proposer, when they would verify the same proposal, then SEGREGATION_OF_DUTIES', () => {
    const actorAsVerifier: Actor = { ...operator, role: 'VERIFIER', scope: '1872' };
    const error = rejection(() =>
      assertSegregated(acts, actorAsVerifier, 'VERIFIER', ['PROPOSER', 'VILLAGE_RECORDER']),
    );
    expect([error.kind, error.code]).toEqual(['forbidden', 'SEGREGATION_OF_DUTIES']);
    expect(error.message).toBe(
      'This user already acted on this proposal as proposer and may not also act as verifier.',
    );
    expect(error.details).toEqual({ capacity: 'VERIFIER', conflictingCapacity: 'PROPOSER' });
  });

  it('names the earliest conflicting act', () => {
    const error = rejection(() => assertSegregated(acts, operator, 'BATCH_SUBMITTER', ['VILLAGE_RECORDER']));
    expect(error.message).toBe(
      'This user already acted on this proposal as village recorder and may not also act as batch submitter.',
    );
  });

  it('passes when the actor acted only in capacities that do not conflict', () => {
    expect(() => assertSegregated(acts, verifier, 'VERIFIER', ['PROPOSER', 'VILLAGE_RECORDER'])).not.toThrow();
  });

  it('passes when someone else acted in the conflicting capacity', () => {
    expect(() => assertSegregated(acts, verifier, 'VERIFIER', ['PROPOSER'])).not.toThrow();
  });
});

describe('assertWorkflowActor', () => {
  it.each([operator, verifier])('lets a $role act', (actor) => {
    expect(() => assertWorkflowActor(actor)).not.toThrow();
  });

  it.each<Actor>([
    { userId: 'u-admin', role: 'ADMIN', scope: '18' },
    { userId: 'cli', role: 'SYSTEM', scope: 'NATIONAL' },
  ])('rejects a $role actor with ADMIN_NOT_IN_WORKFLOW', (actor) => {
    const error = rejection(() => assertWorkflowActor(actor));
    expect([error.kind, error.code]).toEqual(['forbidden', 'ADMIN_NOT_IN_WORKFLOW']);
  });

  it('rejects an auditor with AUDITOR_READ_ONLY', () => {
    const error = rejection(() => assertWorkflowActor({ userId: 'u-kpk', role: 'AUDITOR', scope: 'NATIONAL' }));
    expect([error.kind, error.code]).toEqual(['forbidden', 'AUDITOR_READ_ONLY']);
  });
});
