/**
 * The monthly cycle's reminders: a village with proposals not yet deliberated before the batch's cut-off is
 * reminded once per period, stream `reminder-<villageCode>-<yyyymm>`. Exported under reminder-specific names, so
 * that they do not clash with the other deciders' in `@muskel/domain`.
 */
export * from './reminder.commands';
export * from './reminder.events';
export {
  REMINDER_MAX_PROPOSALS,
  decide as decideReminder,
  evolve as evolveReminder,
  initialState as initialReminderState,
  reminderDecider,
  type ReminderState,
} from './reminder.decider';
