export { dayBound, type Page, type RowMeta } from './common';
export { BatchesQueries, type BatchItem, type BatchListFilter } from './batches.queries';
export { MeetingsQueries, type MeetingItem, type MeetingListFilter } from './meetings.queries';
export { PersonHistoryQueries, type PersonHistoryEntry } from './person-history.queries';
export { ProposalsQueries, type ProposalItem, type ProposalListFilter } from './proposals.queries';
export { PublicBoardQueries, type PublicBoard } from './public-board.queries';
export {
  RegistryQueries,
  type ProvenanceStep,
  type RegistryChange,
  type RegistryChanges,
  type RegistryEntry,
  type RegistrySearch,
} from './registry.queries';
