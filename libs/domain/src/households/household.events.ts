import type { DomainEvent } from '../domain-message';
import type { RemovalReason } from '../identity';
import type { MemberSex, Relationship } from '../proposals/proposal.commands';
import { parseId } from '../users/user.validation';

/** The stream of one household (registry entry): `household-<householdId>`. Throws `INVALID_ID` for an unfit id. */
export function householdStreamName(householdId: string): string {
  return `household-${parseId(householdId, 'householdId')}`;
}

/** A member as the registry records it (validated and normalised). */
export type HouseholdMember = {
  readonly memberId: string;
  readonly nik: string;
  readonly name: string;
  readonly sex: MemberSex;
  readonly birthDate: string;
  readonly relationship: Relationship;
};

/** Where a household lives. */
export type HouseholdLocation = {
  readonly villageCode: string;
  readonly address: string;
  readonly rt: string;
  readonly rw: string;
};

/** Why the household is on the registry: the baseline import, or an accepted ADD proposal. */
export type EnrolmentCause =
  | { readonly source: 'BASELINE_IMPORT'; readonly importId: string }
  | { readonly source: 'PROPOSAL'; readonly proposalId: string };

export type HouseholdEnrolled = DomainEvent<
  'HouseholdEnrolled',
  EnrolmentCause &
    HouseholdLocation & {
      readonly householdId: string;
      readonly kkNumber: string;
      readonly members: readonly HouseholdMember[];
    }
>;
/** Only the fields that actually change. */
export type HouseholdCorrected = DomainEvent<
  'HouseholdCorrected',
  {
    readonly proposalId: string;
    readonly changes: {
      readonly address?: string;
      readonly rt?: string;
      readonly rw?: string;
      readonly kkNumber?: string;
    };
  }
>;
export type MemberAdded = DomainEvent<'MemberAdded', { readonly proposalId: string; readonly member: HouseholdMember }>;
export type MemberRemoved = DomainEvent<
  'MemberRemoved',
  {
    readonly proposalId: string;
    readonly memberId: string;
    readonly reason: RemovalReason;
    /** Present when the HEAD leaves: the member who becomes HEAD. */
    readonly newHeadMemberId?: string;
  }
>;
export type HouseholdRelocated = DomainEvent<
  'HouseholdRelocated',
  { readonly proposalId: string; readonly from: HouseholdLocation; readonly to: HouseholdLocation }
>;
export type HouseholdDeactivated = DomainEvent<
  'HouseholdDeactivated',
  { readonly proposalId: string; readonly reason: RemovalReason }
>;
export type HouseholdReactivated = DomainEvent<
  'HouseholdReactivated',
  { readonly proposalId: string; readonly reason: string }
>;

/**
 * Dukcapil's NIK matching result for a member ("padan" or "tidak padan", issue 6), from a DUKCAPIL_RESULTS
 * reference import: a fact on the record, which changes nothing else on the registry.
 */
export type DukcapilMatchRecorded = DomainEvent<
  'DukcapilMatchRecorded',
  {
    readonly memberId: string;
    readonly result: 'PADAN' | 'TIDAK_PADAN';
    /** Dukcapil's reference of the result (never the NIK). */
    readonly reference: string;
    /** The reference-list import that brought it. */
    readonly importId: string;
  }
>;

export type HouseholdEvent =
  | HouseholdEnrolled
  | HouseholdCorrected
  | MemberAdded
  | MemberRemoved
  | HouseholdRelocated
  | HouseholdDeactivated
  | HouseholdReactivated
  | DukcapilMatchRecorded;
export type HouseholdEventType = HouseholdEvent['type'];

export const HOUSEHOLD_EVENT_TYPES = [
  'HouseholdEnrolled',
  'HouseholdCorrected',
  'MemberAdded',
  'MemberRemoved',
  'HouseholdRelocated',
  'HouseholdDeactivated',
  'HouseholdReactivated',
  'DukcapilMatchRecorded',
] as const satisfies readonly HouseholdEventType[];

/** Compile-time check that HOUSEHOLD_EVENT_TYPES lists every event type. */
const _allListed: HouseholdEventType extends (typeof HOUSEHOLD_EVENT_TYPES)[number] ? true : never = true;

export function isHouseholdEventType(type: string): type is HouseholdEventType {
  return (HOUSEHOLD_EVENT_TYPES as readonly string[]).includes(type);
}
