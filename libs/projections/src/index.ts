/**
 * @muskel/projections: the read models kept from the global log (DESIGN.md section 6) and the queries over them.
 * Every projection applies pages of events with set-based SQL, is idempotent per event (it keeps the stream
 * revision it applied) and can be rebuilt (`reset()` then a replay with `rebuildProjection`).
 */
import type { Projection } from '@muskel/application';
import { BatchesProjection, BATCHES_VIEW } from './batches.projection';
import { MeetingsProjection, MEETINGS_VIEW } from './meetings.projection';
import { PersonHistoryProjection, PERSON_HISTORY } from './person-history.projection';
import { ProposalsProjection, PROPOSALS_VIEW } from './proposals.projection';
import { PublicBoardProjection, PUBLIC_BOARD } from './public-board.projection';
import { RegistryProjection, REGISTRY } from './registry.projection';
import { VillageRemindersProjection, VILLAGE_REMINDERS } from './village-reminders.projection';

export const projectionNames = [
  PROPOSALS_VIEW,
  MEETINGS_VIEW,
  BATCHES_VIEW,
  REGISTRY,
  PERSON_HISTORY,
  PUBLIC_BOARD,
  VILLAGE_REMINDERS,
] as const;
export type ProjectionName = (typeof projectionNames)[number];

/** A fresh instance of every projection, in `projectionNames` order. */
export function createProjections(): Projection[] {
  return [
    new ProposalsProjection(),
    new MeetingsProjection(),
    new BatchesProjection(),
    new RegistryProjection(),
    new PersonHistoryProjection(),
    new PublicBoardProjection(),
    new VillageRemindersProjection(),
  ];
}

export { BlindIndex, ensureBlindIndexKey, normaliseIdentityNumber } from './blind-index';
export { BatchesProjection, BATCHES_VIEW, batchIdOf, type BatchView } from './batches.projection';
export { MeetingsProjection, MEETINGS_VIEW, type MeetingView } from './meetings.projection';
export { PersonHistoryProjection, PERSON_HISTORY } from './person-history.projection';
export {
  ProposalsProjection,
  PROPOSALS_VIEW,
  type ProposalDeliberation,
  type ProposalView,
} from './proposals.projection';
export { PublicBoardProjection, PUBLIC_BOARD, BOARD_DIMENSIONS, type BoardDimension } from './public-board.projection';
export {
  RegistryProjection,
  REGISTRY,
  searchableName,
  type RegistryHousehold,
  type RegistryMember,
} from './registry.projection';
export type { SqlRunner } from './support';
export {
  VillageRemindersProjection,
  VillageRemindersQueries,
  VILLAGE_REMINDERS,
  type VillageReminderFilter,
  type VillageReminderItem,
  type VillageReminderView,
} from './village-reminders.projection';
export * from './queries';
