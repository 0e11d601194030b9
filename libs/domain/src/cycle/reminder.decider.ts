import { DomainError } from '../domain-error';
import { localDateOf, parseBatchPeriod, parseBatchTimestamp, parseCutoffDate } from '../batches/batch.validation';
import { parseStreamId } from '../shared/fields';
import { parseVillageCode } from '../proposals/proposal.validation';
import type { IssueDeliberationReminder, ReminderCommand } from './reminder.commands';
import type { ReminderEvent } from './reminder.events';

/** No reminder names more proposals than this; a longer list is a mistake. */
export const REMINDER_MAX_PROPOSALS = 10_000;

/** A village's reminder for one period: not yet issued, or issued (once, never again). */
export type ReminderState = {
  readonly status: 'NONE' | 'ISSUED';
  readonly villageCode?: string;
  readonly period?: string;
  readonly cutoffDate?: string;
  readonly proposalIds: readonly string[];
  readonly issuedAt?: string;
};

export function initialState(): ReminderState {
  return { status: 'NONE', proposalIds: [] };
}

const invalid = (code: string, message: string, details?: DomainError['details']) =>
  new DomainError('invalid', code, message, details);

function parseProposalIds(input: readonly string[]): string[] {
  const list: unknown = input;
  if (!Array.isArray(list) || list.length === 0) {
    throw invalid('NOTHING_TO_REMIND', 'A reminder names at least one proposal not yet deliberated.', {
      field: 'proposalIds',
    });
  }
  if (list.length > REMINDER_MAX_PROPOSALS) {
    throw invalid('TOO_MANY_PROPOSALS', `A reminder names at most ${REMINDER_MAX_PROPOSALS} proposals.`, {
      field: 'proposalIds',
    });
  }
  const ids = list.map((id: unknown) => parseStreamId(id, 'proposalIds'));
  if (new Set(ids).size !== ids.length) {
    throw invalid('DUPLICATE_PROPOSAL', 'A reminder names each proposal once.', { field: 'proposalIds' });
  }
  return ids;
}

function issue({ data, metadata: { actor, occurredAt } }: IssueDeliberationReminder, state: ReminderState) {
  // The monthly cycle issues reminders; people remind each other outside the system.
  if (actor.role !== 'SYSTEM') {
    throw new DomainError('forbidden', 'SYSTEM_REQUIRED', 'Only the monthly cycle (SYSTEM) issues reminders.', {
      role: actor.role,
    });
  }
  const villageCode = parseVillageCode(data.villageCode, 'villageCode');
  const period = parseBatchPeriod(data.period);
  const cutoffDate = parseCutoffDate(data.cutoffDate, period);
  const proposalIds = parseProposalIds(data.proposalIds);
  const issuedAt = parseBatchTimestamp(occurredAt, 'occurredAt');
  if (state.status === 'ISSUED') {
    throw new DomainError(
      'conflict',
      'REMINDER_ALREADY_ISSUED',
      'This village has already been reminded for this period.',
      { villageCode, period },
    );
  }
  // A reminder after the cut-off would ask for what can no longer make the batch.
  if (localDateOf(issuedAt) > cutoffDate) {
    throw new DomainError('conflict', 'CUTOFF_PASSED', 'The cut-off date has passed; there is nothing to remind of.', {
      cutoffDate,
    });
  }
  const event: ReminderEvent = {
    type: 'DeliberationReminderIssued',
    data: { villageCode, period, cutoffDate, proposalIds, issuedAt },
  };
  return [event];
}

/** Decides what a command on a reminder's stream appends, or throws DomainError. */
export function decide(command: ReminderCommand, state: ReminderState): ReminderEvent[] {
  switch (command.type) {
    case 'IssueDeliberationReminder':
      return issue(command, state);
    default: {
      const _exhaustive: never = command.type;
      throw invalid('UNKNOWN_COMMAND', 'This command is not known for a reminder.');
    }
  }
}

/** Folds one event into the state. */
export function evolve(state: ReminderState, event: ReminderEvent): ReminderState {
  switch (event.type) {
    case 'DeliberationReminderIssued': {
      const { villageCode, period, cutoffDate, proposalIds, issuedAt } = event.data;
      return { status: 'ISSUED', villageCode, period, cutoffDate, proposalIds, issuedAt };
    }
    default: {
      const _exhaustive: never = event.type;
      return state;
    }
  }
}

export const reminderDecider = { decide, evolve, initialState } as const;
