import {
  cutoffDateOf,
  DEFAULT_CYCLE_CALENDAR,
  dueSteps,
  isTimeZone,
  localDate,
  localTimestamp,
  parseMeetingDays,
  previousPeriod,
  reminderStartOf,
  type CycleCalendar,
  type RegencyCycleState,
} from './cycle-calendar';

const calendar = DEFAULT_CYCLE_CALENDAR;
const none: RegencyCycleState = { batches: {} };
const open = (period: string, cutoffDate: string): RegencyCycleState => ({
  batches: { [period]: { status: 'OPEN', cutoffDate } },
});
/** Local midnight in Jakarta of `date` (17:00 UTC the day before). */
const jakartaMidnight = (date: string) => new Date(new Date(`${date}T00:00:00.000+07:00`).getTime());

describe('monthly cycle calendar', () => {
  it('reads dates in the calendar time zone: Jakarta midnight is 17:00 UTC the day before', () => {
    expect(localDate(new Date('2026-10-31T16:59:59.999Z'), 'Asia/Jakarta')).toBe('2026-10-31');
    expect(localDate(new Date('2026-10-31T17:00:00.000Z'), 'Asia/Jakarta')).toBe('2026-11-01');
    expect(localTimestamp(new Date('2026-10-31T17:00:00.000Z'), 'Asia/Jakarta')).toBe('2026-11-01T00:00:00.000+07:00');
    expect(localTimestamp(new Date('2026-11-25T05:06:07.089Z'), 'UTC')).toBe('2026-11-25T05:06:07.089+00:00');
    expect(localTimestamp(new Date('2026-11-25T05:00:00.000Z'), 'America/Sao_Paulo')).toBe(
      '2026-11-25T02:00:00.000-03:00',
    );
  });

  it('cut-off day beyond a month end falls on its last day (February, 30- and 31-day months, leap years)', () => {
    const day31: CycleCalendar = { ...calendar, cutoffDay: 31 };
    expect(cutoffDateOf(day31, '2026-02')).toBe('2026-02-28');
    expect(cutoffDateOf(day31, '2028-02')).toBe('2028-02-29');
    expect(cutoffDateOf(day31, '2026-04')).toBe('2026-04-30');
    expect(cutoffDateOf(day31, '2026-12')).toBe('2026-12-31');
    expect(cutoffDateOf({ ...calendar, cutoffDay: 30 }, '2026-02')).toBe('2026-02-28');
    expect(cutoffDateOf(calendar, '2026-02')).toBe('2026-02-25');
  });

  it('reminders start the configured days before the cut-off, never before the first of the month', () => {
    expect(reminderStartOf(calendar, '2026-11')).toBe('2026-11-20');
    expect(reminderStartOf({ ...calendar, cutoffDay: 3 }, '2026-11')).toBe('2026-11-01');
    expect(reminderStartOf({ ...calendar, cutoffDay: 31, reminderDays: 3 }, '2026-02')).toBe('2026-02-25');
  });

  it('day 1 (local) opens the month; 16:59 UTC the day before is still last month', () => {
    expect(dueSteps(calendar, jakartaMidnight('2026-11-01'), none)).toEqual([
      { step: 'OPEN', period: '2026-11', cutoffDate: '2026-11-25' },
    ]);
    // 16:59 UTC on Oct 31 is still October in Jakarta: October's (missed) batch is past its cut-off, nothing opens.
    expect(dueSteps(calendar, new Date('2026-10-31T16:59:00.000Z'), none)).toEqual([]);
  });

  it('an open batch is not opened again; no reminder before the window', () => {
    expect(dueSteps(calendar, jakartaMidnight('2026-11-02'), open('2026-11', '2026-11-25'))).toEqual([]);
    expect(dueSteps(calendar, new Date('2026-11-19T16:59:59.000Z'), open('2026-11', '2026-11-25'))).toEqual([]);
  });

  it('reminds from the window start through the cut-off day itself, while the batch is open', () => {
    const state = open('2026-11', '2026-11-25');
    const remind = [{ step: 'REMIND', period: '2026-11', cutoffDate: '2026-11-25' }];
    expect(dueSteps(calendar, jakartaMidnight('2026-11-20'), state)).toEqual(remind);
    expect(dueSteps(calendar, new Date('2026-11-25T16:59:59.000Z'), state)).toEqual(remind);
    const closed: RegencyCycleState = { batches: { '2026-11': { status: 'CLOSED', cutoffDate: '2026-11-25' } } };
    expect(dueSteps(calendar, jakartaMidnight('2026-11-21'), closed)).toEqual([]);
    // A regency seen for the first time inside the window: opened and reminded by the same run.
    expect(dueSteps(calendar, jakartaMidnight('2026-11-22'), none)).toEqual([
      { step: 'OPEN', period: '2026-11', cutoffDate: '2026-11-25' },
      { step: 'REMIND', period: '2026-11', cutoffDate: '2026-11-25' },
    ]);
  });

  it('closes when the day after the cut-off starts (local), and not again; a missed month opens nothing', () => {
    const state = open('2026-11', '2026-11-25');
    expect(dueSteps(calendar, new Date('2026-11-25T16:59:59.999Z'), state).map((s) => s.step)).toEqual(['REMIND']);
    expect(dueSteps(calendar, new Date('2026-11-25T17:00:00.000Z'), state)).toEqual([
      { step: 'CLOSE', period: '2026-11', cutoffDate: '2026-11-25' },
    ]);
    const closed: RegencyCycleState = { batches: { '2026-11': { status: 'CLOSED', cutoffDate: '2026-11-25' } } };
    expect(dueSteps(calendar, jakartaMidnight('2026-11-27'), closed)).toEqual([]);
    expect(dueSteps(calendar, jakartaMidnight('2026-11-27'), none)).toEqual([]);
  });

  it('month boundary: a batch still open from last month closes and the new month opens in one run', () => {
    const day31: CycleCalendar = { ...calendar, cutoffDay: 31 };
    expect(dueSteps(day31, jakartaMidnight('2026-03-01'), open('2026-02', '2026-02-28'))).toEqual([
      { step: 'CLOSE', period: '2026-02', cutoffDate: '2026-02-28' },
      { step: 'OPEN', period: '2026-03', cutoffDate: '2026-03-31' },
    ]);
    // Cut-off on the last day of February: still open and reminded on the 28th, closed from March 1.
    expect(dueSteps(day31, jakartaMidnight('2026-02-28'), open('2026-02', '2026-02-28'))).toEqual([
      { step: 'REMIND', period: '2026-02', cutoffDate: '2026-02-28' },
    ]);
    expect(dueSteps(calendar, jakartaMidnight('2027-01-01'), open('2026-12', '2026-12-25'))).toEqual([
      { step: 'CLOSE', period: '2026-12', cutoffDate: '2026-12-25' },
      { step: 'OPEN', period: '2027-01', cutoffDate: '2027-01-25' },
    ]);
  });

  it("follows an open batch's own cut-off date (a verifier may have opened it with another)", () => {
    const state = open('2026-11', '2026-11-28');
    expect(dueSteps(calendar, jakartaMidnight('2026-11-26'), state)).toEqual([
      { step: 'REMIND', period: '2026-11', cutoffDate: '2026-11-28' },
    ]);
    expect(dueSteps(calendar, jakartaMidnight('2026-11-29'), state)).toEqual([
      { step: 'CLOSE', period: '2026-11', cutoffDate: '2026-11-28' },
    ]);
  });

  it('parses the meeting days and knows time zones', () => {
    expect(parseMeetingDays('1-14')).toEqual({ from: 1, to: 14 });
    expect(parseMeetingDays(' 3 - 10 ')).toEqual({ from: 3, to: 10 });
    for (const bad of ['14-1', '0-5', '1-32', '1', 'a-b', '']) expect(parseMeetingDays(bad)).toBeUndefined();
    expect(isTimeZone('Asia/Jakarta')).toBe(true);
    expect(isTimeZone('Asia/Makassar')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(previousPeriod('2026-01')).toBe('2025-12');
    expect(previousPeriod('2026-11')).toBe('2026-10');
  });
});
