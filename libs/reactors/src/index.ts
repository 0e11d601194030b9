export {
  BATCH_REACTOR,
  MEETING_REACTOR,
  REACTOR_NAMES,
  REGISTRY_REACTOR,
  createReactors,
  householdIdForProposal,
  memberIdForProposal,
} from './reactors';
export {
  SYSTEM_ACTOR,
  listReactorFailures,
  readStreamInTransaction,
  transactionalPipeline,
  type ReactorFailure,
} from './reactor-support';
export { catchUpReactors, resetReactorCheckpoints } from './catch-up';
export { WorkflowDriver } from './workflow-driver';
