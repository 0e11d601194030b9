import type { DomainCommand } from '../domain-message';
import type { RemovalReason } from '../identity';
import type { MemberSex, Relationship } from '../proposals/proposal.commands';

/** How a household entered the registry: the baseline DTKS/DTSEN import, or an accepted ADD proposal. */
export const ENROLMENT_SOURCES = ['BASELINE_IMPORT', 'PROPOSAL'] as const;
export type EnrolmentSource = (typeof ENROLMENT_SOURCES)[number];

/** A member (anggota keluarga) as a command gives it; `memberId` is our own stable id. */
export type HouseholdMemberInput = {
  readonly memberId: string;
  readonly nik: string;
  readonly name: string;
  readonly sex: MemberSex;
  /** `YYYY-MM-DD`. */
  readonly birthDate: string;
  readonly relationship: Relationship;
};

/**
 * Puts a household on the registry. `proposalId` is required iff `source` is PROPOSAL (the accepted ADD),
 * `importId` iff BASELINE_IMPORT. Every other command carries the `proposalId` of the accepted proposal it applies.
 */
export type EnrolHousehold = DomainCommand<
  'EnrolHousehold',
  {
    readonly householdId: string;
    readonly source: EnrolmentSource;
    readonly proposalId?: string;
    readonly importId?: string;
    /** 10 digits, dots allowed. */
    readonly villageCode: string;
    readonly address: string;
    /** Rukun tetangga / rukun warga: 1 to 3 digits each. */
    readonly rt: string;
    readonly rw: string;
    readonly kkNumber: string;
    readonly members: readonly HouseholdMemberInput[];
  }
>;

/** What a correction may change; a new KK number becomes the next version in the KK history. */
export type HouseholdChanges = {
  readonly address?: string;
  readonly rt?: string;
  readonly rw?: string;
  readonly kkNumber?: string;
};

export type CorrectHousehold = DomainCommand<
  'CorrectHousehold',
  { readonly householdId: string; readonly proposalId: string; readonly changes: HouseholdChanges }
>;

export type AddMember = DomainCommand<
  'AddMember',
  { readonly householdId: string; readonly proposalId: string; readonly member: HouseholdMemberInput }
>;

/** Removing the HEAD names the member who becomes HEAD (`newHeadMemberId`). */
export type RemoveMember = DomainCommand<
  'RemoveMember',
  {
    readonly householdId: string;
    readonly proposalId: string;
    readonly memberId: string;
    readonly reason: RemovalReason;
    readonly newHeadMemberId?: string;
  }
>;

export type RelocateHousehold = DomainCommand<
  'RelocateHousehold',
  {
    readonly householdId: string;
    readonly proposalId: string;
    /** 10 digits, dots allowed; a village other than the current one. */
    readonly toVillageCode: string;
    readonly address: string;
    readonly rt: string;
    readonly rw: string;
  }
>;

export type DeactivateHousehold = DomainCommand<
  'DeactivateHousehold',
  { readonly householdId: string; readonly proposalId: string; readonly reason: RemovalReason }
>;

export type ReactivateHousehold = DomainCommand<
  'ReactivateHousehold',
  { readonly householdId: string; readonly proposalId: string; readonly reason: string }
>;

/** Records Dukcapil's NIK matching result of an active member (SYSTEM only: the reference-list matching job). */
export type RecordDukcapilResult = DomainCommand<
  'RecordDukcapilResult',
  {
    readonly householdId: string;
    readonly memberId: string;
    readonly result: 'PADAN' | 'TIDAK_PADAN';
    readonly reference: string;
    readonly importId: string;
  }
>;

export type HouseholdCommand =
  | EnrolHousehold
  | CorrectHousehold
  | AddMember
  | RemoveMember
  | RelocateHousehold
  | DeactivateHousehold
  | ReactivateHousehold
  | RecordDukcapilResult;
