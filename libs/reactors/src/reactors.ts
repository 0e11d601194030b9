import { deterministicId, type CommandPipeline, type Projection } from '@muskel/application';
import {
  batchDecider,
  householdDecider,
  householdStreamName,
  proposalDecider,
  proposalStreamName,
  type BatchResult,
  type HouseholdCommand,
  type HouseholdState,
  type MeetingVotes,
  type MinutedDecision,
  type ProposalCommand,
  type ProposalState,
  type ProposedMember,
} from '@muskel/domain';
import type { EventStore, JsonObject, RecordedEvent, StoreTransaction } from '@muskel/event-store';
import {
  SYSTEM_ACTOR,
  reactorContext,
  readStreamInTransaction,
  recordFailure,
  runCommand,
  setupFailures,
  transactionalPipeline,
} from './reactor-support';

export const MEETING_REACTOR = 'reactor-meeting-decisions';
export const BATCH_REACTOR = 'reactor-batch-proposals';
export const REGISTRY_REACTOR = 'reactor-registry-changes';
export const REACTOR_NAMES = [MEETING_REACTOR, BATCH_REACTOR, REGISTRY_REACTOR] as const;

const idOf = (stream: string, category: string): string => stream.slice(category.length + 1);
/** A string field of stored JSON ('' when absent or not a string). */
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function metadataOf(event: RecordedEvent): { readonly actor: SystemLike; readonly occurredAt: string } {
  return { actor: SYSTEM_ACTOR, occurredAt: reactorContext(event).occurredAt };
}
type SystemLike = typeof SYSTEM_ACTOR;

async function proposalState(tx: StoreTransaction, proposalId: string): Promise<ProposalState> {
  return (await transactionalPipeline(tx).fold(proposalStreamName(proposalId), proposalDecider)).state;
}

async function householdState(tx: StoreTransaction, householdId: string): Promise<HouseholdState> {
  return (await transactionalPipeline(tx).fold(householdStreamName(householdId), householdDecider)).state;
}

function proposalTarget(proposalId: string): { stream: string; key: string } {
  return { stream: proposalStreamName(proposalId), key: proposalId };
}

/**
 * (a) A meeting's decisions take effect when it concludes: DeliberateProposal for every agenda item, with the
 * decision, reason and votes as recorded, and the user who recorded it (DecisionRecorded's actor).
 */
function meetingReactor(): Projection {
  return {
    name: MEETING_REACTOR,
    filter: { categories: ['meeting'], eventTypes: ['MeetingConcluded', 'MeetingCancelled'] },
    setup: setupFailures,
    async apply(event, tx) {
      if (event.type === 'MeetingCancelled') {
        await releaseAgenda(event, tx);
        return;
      }
      if (event.type !== 'MeetingConcluded') return;
      const meetingId = idOf(event.streamName, 'meeting');
      const decisions = (event.data['decisions'] ?? []) as unknown as readonly MinutedDecision[];
      const recorded = new Map<string, { recordedBy: string; votes?: MeetingVotes }>();
      for (const stored of await readStreamInTransaction(tx, event.streamName)) {
        if (stored.type !== 'DecisionRecorded') continue;
        const actor = stored.metadata['actor'] as JsonObject | undefined;
        const votes = stored.data['votes'] as unknown as MeetingVotes | undefined;
        recorded.set(text(stored.data['proposalId']), {
          recordedBy: text(actor?.['userId']),
          ...(votes === undefined ? {} : { votes }),
        });
      }
      for (const decision of decisions) {
        const state = await proposalState(tx, decision.proposalId);
        if (state.deliberatedAt.includes(meetingId)) continue; // already applied (replay)
        const taken = recorded.get(decision.proposalId);
        if (taken === undefined) {
          await recordFailure(tx, {
            eventId: event.id,
            reactor: MEETING_REACTOR,
            target: decision.proposalId,
            code: 'DECISION_NOT_RECORDED',
            message: 'The meeting concluded with a decision that no DecisionRecorded event carries.',
          });
          continue;
        }
        const command: ProposalCommand = {
          type: 'DeliberateProposal',
          data: {
            proposalId: decision.proposalId,
            meetingId,
            decision: decision.decision,
            reason: decision.reason,
            ...(taken.votes === undefined ? {} : { votes: taken.votes }),
            recordedBy: taken.recordedBy,
          },
          metadata: metadataOf(event),
        };
        await runCommand(tx, MEETING_REACTOR, event, proposalTarget(decision.proposalId), proposalDecider, [command]);
      }
    },
  };
}

/**
 * A cancelled meeting decides nothing: every proposal still tabled at it goes back to waiting for another meeting
 * (in the status it had before), so none is stranded on the agenda of a meeting that will never conclude.
 */
async function releaseAgenda(event: RecordedEvent, tx: StoreTransaction): Promise<void> {
  const meetingId = idOf(event.streamName, 'meeting');
  const agenda = (await readStreamInTransaction(tx, event.streamName))
    .filter((stored) => stored.type === 'AgendaItemAdded')
    .map((stored) => text(stored.data['proposalId']));
  for (const proposalId of agenda) {
    const state = await proposalState(tx, proposalId);
    if (state.status !== 'TABLED' || state.meetingId !== meetingId) continue; // released already, or elsewhere
    const command: ProposalCommand = {
      type: 'UntableProposal',
      data: { proposalId, meetingId, reason: 'The meeting was cancelled.' },
      metadata: metadataOf(event),
    };
    await runCommand(tx, MEETING_REACTOR, event, proposalTarget(proposalId), proposalDecider, [command]);
  }
}

/** (b) Batch facts carried to each proposal: batched, sent to Pusdatin, Pusdatin's result. */
function batchReactor(): Projection {
  return {
    name: BATCH_REACTOR,
    filter: { categories: ['batch'], eventTypes: ['ProposalIncluded', 'BatchSubmitted', 'BatchResultsRecorded'] },
    setup: setupFailures,
    async apply(event, tx) {
      const batchId = idOf(event.streamName, 'batch');
      const metadata = metadataOf(event);
      const run = (proposalId: string, command: ProposalCommand) =>
        runCommand(tx, BATCH_REACTOR, event, proposalTarget(proposalId), proposalDecider, [command]);
      switch (event.type) {
        case 'ProposalIncluded': {
          const proposalId = text(event.data['proposalId']);
          const state = await proposalState(tx, proposalId);
          if (state.batchId === batchId) return; // already batched here
          await run(proposalId, { type: 'MarkBatched', data: { proposalId, batchId }, metadata });
          return;
        }
        case 'BatchSubmitted': {
          const sentAt = text(event.data['submittedAt']);
          const batch = (await transactionalPipeline(tx).fold(event.streamName, batchDecider)).state;
          for (const proposalId of batch.included) {
            const state = await proposalState(tx, proposalId);
            if (state.batchId === batchId && state.status !== 'BATCHED') continue; // sent already, or beyond
            await run(proposalId, { type: 'MarkSentToPusdatin', data: { proposalId, batchId, sentAt }, metadata });
          }
          return;
        }
        case 'BatchResultsRecorded': {
          const results = (event.data['results'] ?? []) as unknown as readonly BatchResult[];
          for (const result of results) {
            const state = await proposalState(tx, result.proposalId);
            if (state.status === 'ACCEPTED' || (state.status === 'REJECTED' && state.rejectionStage === 'PUSDATIN')) {
              continue; // result already carried
            }
            const { proposalId, ...outcome } = result;
            await run(proposalId, {
              type: 'RecordPusdatinResult',
              data: { proposalId, batchId, result: outcome },
              metadata,
            });
          }
          return;
        }
        default:
          return;
      }
    },
  };
}

/** Our own id of the household an accepted ADD enrols, and of its members: derived, so a replay finds them. */
export const householdIdForProposal = (proposalId: string): string => deterministicId('household', proposalId);
export const memberIdForProposal = (proposalId: string, index: number | 'added'): string =>
  deterministicId('member', proposalId, index);

const memberInput = (member: ProposedMember, memberId: string) => ({
  memberId,
  nik: member.nik,
  name: member.name,
  sex: member.sex,
  birthDate: member.birthDate,
  relationship: member.relationship,
});

/** The registry commands that apply an accepted proposal, and the household they act on. */
function registryCommands(
  proposal: ProposalState,
  household: HouseholdState | undefined,
  metadata: HouseholdCommand['metadata'],
): { householdId: string; commands: HouseholdCommand[] } | { failure: { code: string; message: string } } {
  const proposalId = proposal.proposalId ?? '';
  const content = proposal.content;
  const householdId = content.householdId ?? householdIdForProposal(proposalId);
  switch (proposal.kind) {
    case 'ADD': {
      const proposed = content.household;
      if (proposed === undefined || proposal.villageCode === undefined) {
        return { failure: { code: 'HOUSEHOLD_REQUIRED', message: 'The accepted ADD carries no household.' } };
      }
      const members = proposed.members.map((member, index) =>
        memberInput(member, memberIdForProposal(proposalId, index)),
      );
      const { address, rt, rw, kkNumber } = proposed;
      const data = { householdId, source: 'PROPOSAL' as const, proposalId, villageCode: proposal.villageCode };
      return {
        householdId,
        commands: [{ type: 'EnrolHousehold', data: { ...data, address, rt, rw, kkNumber, members }, metadata }],
      };
    }
    case 'CORRECT': {
      if (content.memberToAdd !== undefined) {
        const member = memberInput(content.memberToAdd, memberIdForProposal(proposalId, 'added'));
        return { householdId, commands: [{ type: 'AddMember', data: { householdId, proposalId, member }, metadata }] };
      }
      const asked = content.changes ?? {};
      const changes: Record<string, string> = {};
      for (const field of ['address', 'rt', 'rw', 'kkNumber'] as const) {
        if (asked[field] !== undefined) changes[field] = asked[field];
      }
      if (Object.keys(changes).length === 0) {
        return {
          failure: {
            code: 'NO_REGISTRY_CHANGE',
            message: 'The correction names no field the registry keeps (address, rt, rw, kkNumber).',
          },
        };
      }
      return {
        householdId,
        commands: [{ type: 'CorrectHousehold', data: { householdId, proposalId, changes }, metadata }],
      };
    }
    case 'REMOVE': {
      const removal = content.removal;
      if (removal === undefined) return { failure: { code: 'REMOVAL_REQUIRED', message: 'No removal reason.' } };
      if (removal.memberId === undefined) {
        return {
          householdId,
          commands: [
            { type: 'DeactivateHousehold', data: { householdId, proposalId, reason: removal.reason }, metadata },
          ],
        };
      }
      const data = {
        householdId,
        proposalId,
        memberId: removal.memberId,
        reason: removal.reason,
        ...(removal.newHeadMemberId === undefined ? {} : { newHeadMemberId: removal.newHeadMemberId }),
      };
      return { householdId, commands: [{ type: 'RemoveMember', data, metadata }] };
    }
    case 'RELOCATE': {
      // The proposal names the target village only; the address lines move as registered until corrected.
      const location = household?.location;
      if (content.targetVillageCode === undefined || location === undefined) {
        return { failure: { code: 'HOUSEHOLD_NOT_FOUND', message: 'No household with this id is on the registry.' } };
      }
      const { address, rt, rw } = location;
      const data = { householdId, proposalId, toVillageCode: content.targetVillageCode, address, rt, rw };
      return { householdId, commands: [{ type: 'RelocateHousehold', data, metadata }] };
    }
    default:
      return { failure: { code: 'UNKNOWN_KIND', message: 'The accepted proposal has no known kind.' } };
  }
}

/** (c) An accepted proposal changes the registry, with the proposal as the cause. */
function registryReactor(): Projection {
  return {
    name: REGISTRY_REACTOR,
    filter: { categories: ['proposal'], eventTypes: ['ProposalAccepted'] },
    setup: setupFailures,
    async apply(event, tx) {
      if (event.type !== 'ProposalAccepted') return;
      const proposalId = idOf(event.streamName, 'proposal');
      const proposal = await proposalState(tx, proposalId);
      const householdId = proposal.content.householdId ?? householdIdForProposal(proposalId);
      const household = await householdState(tx, householdId);
      if (household.appliedProposals.includes(proposalId)) return; // already applied (replay)
      const planned = registryCommands(proposal, household, metadataOf(event));
      if ('failure' in planned) {
        await recordFailure(tx, {
          eventId: event.id,
          reactor: REGISTRY_REACTOR,
          target: proposalId,
          ...planned.failure,
        });
        return;
      }
      await runCommand(
        tx,
        REGISTRY_REACTOR,
        event,
        { stream: householdStreamName(planned.householdId), key: proposalId },
        householdDecider,
        planned.commands,
      );
    },
  };
}

/**
 * The three reactors, as projections for the ProjectionRunner (each with its own checkpoint). On a store whose
 * appends join a transaction (PostgreSQL, PGlite), their commands commit together with the checkpoint (see
 * transactionalPipeline). Where they cannot (KurrentDB), see `appendingOutside`.
 */
export function createReactors(_pipeline: CommandPipeline, store: EventStore): Projection[] {
  const reactors = [meetingReactor(), batchReactor(), registryReactor()];
  if (store.capabilities().transactions) return reactors;
  return reactors.map((reactor) => ({
    ...reactor,
    apply: (event: RecordedEvent, tx: StoreTransaction) => reactor.apply(event, appendingOutside(tx, store)),
  }));
}

/**
 * The reactor's transaction with its appends sent to the store at once, for stores that cannot append inside a
 * read-model transaction (KurrentDB). A crash after an append and before the checkpoint commits replays the event;
 * the replay appends nothing new: each reactor checks the state first (already deliberated, already applied), and
 * its event ids are derived from (reactor, causing event, target), which the store takes as a retry of an append
 * it already holds.
 */
function appendingOutside(tx: StoreTransaction, store: EventStore): StoreTransaction {
  return {
    query: (sql, params) => tx.query(sql, params),
    readStream: (stream) => tx.readStream(stream),
    readEvents: (places) => tx.readEvents(places),
    copyRows: (table, columns, rows) => tx.copyRows(table, columns, rows),
    appendToStream: (stream, events, options) => store.appendToStream(stream, events, options),
  };
}
