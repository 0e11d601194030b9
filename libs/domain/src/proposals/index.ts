/**
 * Proposals (usulan): commands, events and the decider of the `proposal-<uuid>` stream (DESIGN.md section 4).
 * `decide`, `evolve` and `initialState` are re-exported under proposal-specific names (and as `proposalDecider`) so
 * that this barrel sits beside the user decider's in `libs/domain/src/index.ts` without ambiguity.
 */
export * from './proposal.commands';
export * from './proposal.events';
export { identityFindings, membersToCheck, type IdentityLookups } from './identity-check';
export {
  IDENTITY_CHECK_SOURCE,
  KINDS_NEEDING_FIELD_VISIT,
  PROPOSAL_STATUSES,
  TERMINAL_STATUSES,
  decide as decideProposal,
  evolve as evolveProposal,
  initialState as initialProposalState,
  isTerminalStatus,
  proposalDecider,
  type FieldVisit,
  type OpenFlag,
  type ProposalState,
  type ProposalStatus,
} from './proposal.decider';
export {
  MAX_EVIDENCE_DIGESTS,
  MAX_MEMBERS,
  NOTES_MAX_LENGTH,
  TEXT_MAX_LENGTH,
  parseContent,
} from './proposal.validation';
