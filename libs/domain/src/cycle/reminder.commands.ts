import type { DomainCommand } from '../domain-message';

/**
 * Reminds a village, before the cut-off, of its proposals not yet deliberated (musyawarah): issued by the monthly
 * cycle (SYSTEM), once per village and period. The time of issue is the command's `occurredAt`.
 */
export type IssueDeliberationReminder = DomainCommand<
  'IssueDeliberationReminder',
  {
    /** The village (desa/kelurahan) code, 10 digits (dotted accepted). */
    readonly villageCode: string;
    /** The batch month, `YYYY-MM`. */
    readonly period: string;
    /** The batch's cut-off date, `YYYY-MM-DD`. */
    readonly cutoffDate: string;
    /** The village's proposals not yet deliberated, at least one. */
    readonly proposalIds: readonly string[];
  }
>;

export type ReminderCommand = IssueDeliberationReminder;
