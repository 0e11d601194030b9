import { NATIONAL, type Actor } from '../access/roles';
import { DomainError, type DomainErrorKind } from '../domain-error';
import type { IssueDeliberationReminder } from './reminder.commands';
import { decide, evolve, initialState, reminderDecider, type ReminderState } from './reminder.decider';
import { reminderStreamName, type ReminderEvent } from './reminder.events';

const VILLAGE = '3515142001';
const PERIOD = '2026-11';
const CUTOFF = '2026-11-25';
const AT = '2026-11-20T00:00:00.000+07:00';
const P1 = 'b1d5a1f4-0d43-4a59-9f8f-7d1c1b9a0001';
const P2 = 'b1d5a1f4-0d43-4a59-9f8f-7d1c1b9a0002';

const system: Actor = { userId: 'system', role: 'SYSTEM', scope: NATIONAL };
const verifier: Actor = { userId: 'u-verifier', role: 'VERIFIER', scope: '3515' };
const operator: Actor = { userId: 'u-operator', role: 'VILLAGE_OPERATOR', scope: VILLAGE };

type Data = IssueDeliberationReminder['data'];
const issue = (data: Partial<Data> = {}, actor: Actor = system, occurredAt = AT): IssueDeliberationReminder => ({
  type: 'IssueDeliberationReminder',
  data: { villageCode: VILLAGE, period: PERIOD, cutoffDate: CUTOFF, proposalIds: [P1, P2], ...data },
  metadata: { actor, occurredAt },
});

function rejects(command: IssueDeliberationReminder, state: ReminderState, kind: DomainErrorKind, code: string) {
  let caught: unknown;
  try {
    decide(command, state);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DomainError);
  expect((caught as DomainError).kind).toBe(kind);
  expect((caught as DomainError).code).toBe(code);
}

const issued = (): ReminderState => decide(issue(), initialState()).reduce(evolve, initialState());

describe('deliberation reminder decider', () => {
  it('issues the reminder with the village, period, cut-off, proposals and the time of issue', () => {
    expect(decide(issue(), initialState())).toEqual<ReminderEvent[]>([
      {
        type: 'DeliberationReminderIssued',
        data: { villageCode: VILLAGE, period: PERIOD, cutoffDate: CUTOFF, proposalIds: [P1, P2], issuedAt: AT },
      },
    ]);
  });

  it('normalises a dotted village code', () => {
    const [event] = decide(issue({ villageCode: '35.15.14.2001' }), initialState());
    expect(event?.data.villageCode).toBe(VILLAGE);
  });

  it('issues once per village and period: a second reminder is a conflict', () => {
    rejects(issue(), issued(), 'conflict', 'REMINDER_ALREADY_ISSUED');
  });

  it('evolve records the reminder', () => {
    expect(issued()).toEqual({
      status: 'ISSUED',
      villageCode: VILLAGE,
      period: PERIOD,
      cutoffDate: CUTOFF,
      proposalIds: [P1, P2],
      issuedAt: AT,
    });
    expect(reminderDecider.initialState()).toEqual({ status: 'NONE', proposalIds: [] });
  });

  it('only SYSTEM issues reminders', () => {
    rejects(issue({}, verifier), initialState(), 'forbidden', 'SYSTEM_REQUIRED');
    rejects(issue({}, operator), initialState(), 'forbidden', 'SYSTEM_REQUIRED');
  });

  it('may be issued on the cut-off day itself (local date of the time of issue), not after it', () => {
    expect(decide(issue({}, system, '2026-11-25T23:59:00.000+07:00'), initialState())).toHaveLength(1);
    // 17:00 UTC on the 25th is already the 26th in Jakarta: the offset written decides the date.
    rejects(issue({}, system, '2026-11-26T00:00:00.000+07:00'), initialState(), 'conflict', 'CUTOFF_PASSED');
  });

  it('rejects a bad village, period, cut-off, time or proposal list', () => {
    rejects(issue({ villageCode: '3515' }), initialState(), 'invalid', 'INVALID_VILLAGE_CODE');
    rejects(issue({ period: '2026-13' }), initialState(), 'invalid', 'INVALID_PERIOD');
    rejects(issue({ cutoffDate: '2026-10-31' }), initialState(), 'invalid', 'CUTOFF_OUTSIDE_PERIOD');
    rejects(issue({ cutoffDate: '2026-11-31' }), initialState(), 'invalid', 'INVALID_DATE');
    rejects(issue({}, system, '2026-11-20'), initialState(), 'invalid', 'INVALID_TIMESTAMP');
    rejects(issue({ proposalIds: [] }), initialState(), 'invalid', 'NOTHING_TO_REMIND');
    rejects(issue({ proposalIds: [P1, P1] }), initialState(), 'invalid', 'DUPLICATE_PROPOSAL');
    rejects(issue({ proposalIds: ['not an id!'] }), initialState(), 'invalid', 'INVALID_ID');
  });

  it('names its stream after the village and the month', () => {
    expect(reminderStreamName('35.15.14.2001', '2026-11')).toBe('reminder-3515142001-202611');
    expect(() => reminderStreamName('3515', '2026-11')).toThrow(DomainError);
  });
});
