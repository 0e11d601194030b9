export type { CommandContext, EventMetadata } from './command-context';
export {
  CommandPipeline,
  deterministicId,
  eventMetadata,
  type CommandResult,
  type Decider,
  type ExecuteOptions,
  type StreamStep,
} from './command-pipeline';
export {
  ProjectionRunner,
  rebuildProjection,
  waitForProjection,
  type Projection,
  type ProjectionRunnerOptions,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildSession,
} from './projection-runner';
