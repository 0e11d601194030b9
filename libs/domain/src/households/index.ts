/**
 * Households: the registry entry (DTKS/DTSEN), stream `household-<uuid>` (DESIGN.md section 4). `decide`, `evolve`
 * and `initialState` are exported as `householdDecider` and under household-specific names, so that they do not
 * clash with the other deciders' in `@muskel/domain`.
 */
export * from './household.commands';
export * from './household.events';
export {
  HOUSEHOLD_STATUSES,
  activeMembers,
  decide as decideHousehold,
  evolve as evolveHousehold,
  headOf,
  householdDecider,
  initialState as initialHouseholdState,
  memberByNik,
  type HouseholdState,
  type HouseholdStatus,
  type KkVersion,
  type MemberRecord,
  type RegistryCause,
} from './household.decider';
export {
  MEMBER_NAME_MAX_LENGTH,
  parseAddress,
  parseHouseholdKk,
  parseMember,
  parseMembers,
  parseRtRw,
} from './household.validation';
