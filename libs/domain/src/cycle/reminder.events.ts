import type { DomainEvent } from '../domain-message';
import { parseBatchPeriod } from '../batches/batch.validation';
import { parseVillageCode } from '../proposals/proposal.validation';

/**
 * The stream of one village's reminder for one period: `reminder-<villageCode>-<yyyymm>`, e.g.
 * `reminder-3515142001-202611`. Throws DomainError `INVALID_VILLAGE_CODE` or `INVALID_PERIOD`.
 */
export function reminderStreamName(villageCode: string, period: string): string {
  return `reminder-${parseVillageCode(villageCode, 'villageCode')}-${parseBatchPeriod(period).replace('-', '')}`;
}

export type DeliberationReminderIssued = DomainEvent<
  'DeliberationReminderIssued',
  {
    readonly villageCode: string;
    readonly period: string;
    readonly cutoffDate: string;
    readonly proposalIds: readonly string[];
    readonly issuedAt: string;
  }
>;

export type ReminderEvent = DeliberationReminderIssued;
export type ReminderEventType = ReminderEvent['type'];
export const REMINDER_EVENT_TYPES = ['DeliberationReminderIssued'] as const satisfies readonly ReminderEventType[];
