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
export { ProjectionRunner, type Projection, type ProjectionRunnerOptions } from './projection-runner';
