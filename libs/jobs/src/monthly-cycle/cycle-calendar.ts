/**
 * The monthly cycle's calendar (issue 6 item 6): village meetings early in the month, a cut-off day by which the
 * regency's batch takes its verified proposals, reminders some days before it, all in one time zone. `dueSteps`
 * is the whole schedule as a pure function of the calendar, an instant and what the regency's batches are, so the
 * processor can be walked through a month on a fake clock and a late or repeated tick does the same as a punctual one.
 */

/** What a step does to one regency's batch of one month. */
export const CYCLE_STEPS = ['OPEN', 'REMIND', 'CLOSE'] as const;
export type CycleStepKind = (typeof CYCLE_STEPS)[number];

export interface CycleCalendar {
  /** The days of the month villages hold their meetings (musyawarah), inclusive, e.g. 1 to 14: reminder text. */
  readonly meetingDays: { readonly from: number; readonly to: number };
  /** The cut-off day of the month (1 to 31); a shorter month's cut-off is its last day. */
  readonly cutoffDay: number;
  /** How many days before the cut-off date the reminders start (never before the month's first day). */
  readonly reminderDays: number;
  /** IANA time zone of the calendar, e.g. `Asia/Jakarta`. */
  readonly timeZone: string;
}

export const DEFAULT_CYCLE_CALENDAR: CycleCalendar = {
  meetingDays: { from: 1, to: 14 },
  cutoffDay: 25,
  reminderDays: 5,
  timeZone: 'Asia/Jakarta',
};

/** One step due for one regency's month. `cutoffDate` is the batch's (from the calendar, or the open batch's own). */
export interface CycleStep {
  readonly step: CycleStepKind;
  readonly period: string;
  readonly cutoffDate: string;
}

/** What `dueSteps` needs to know of a regency: the status and cut-off of each of its batches, by period. */
export interface RegencyCycleState {
  readonly batches: Readonly<Record<string, { readonly status: string; readonly cutoffDate: string }>>;
}

/** `1-14` → `{ from: 1, to: 14 }`; undefined unless 1 <= from <= to <= 31. */
export function parseMeetingDays(input: string): { from: number; to: number } | undefined {
  const match = /^\s*(\d{1,2})\s*-\s*(\d{1,2})\s*$/.exec(input);
  if (!match) return undefined;
  const from = Number(match[1]);
  const to = Number(match[2]);
  return from >= 1 && from <= to && to <= 31 ? { from, to } : undefined;
}

/** True when the runtime knows this IANA time zone. */
export function isTimeZone(input: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: input });
    return input.trim() !== '';
  } catch {
    return false;
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function localParts(instant: Date, timeZone: string): LocalParts {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The calendar date `YYYY-MM-DD` of an instant in the time zone (Jakarta's day starts at 17:00 UTC). */
export function localDate(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/**
 * The instant written in the time zone's own offset (`2026-11-26T00:00:00.000+07:00`): the batch and reminder
 * rules read the calendar date from the timestamp as written, so the cycle's commands must carry the local one.
 */
export function localTimestamp(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const offsetMinutes = Math.round((wall - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const ms = pad(instant.getUTCMilliseconds(), 3);
  return (
    `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}.${ms}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `2026-02` → `2026-02-28` for cut-off day 31 (a shorter month's cut-off is its last day). */
export function cutoffDateOf(calendar: CycleCalendar, period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return `${period}-${pad(Math.min(calendar.cutoffDay, daysInMonth(year, month)))}`;
}

/** The first day reminders go out: `reminderDays` before the cut-off date, not before the month's first day. */
export function reminderStartOf(calendar: CycleCalendar, period: string): string {
  const cutoff = cutoffDateOf(calendar, period);
  const start = new Date(`${cutoff}T00:00:00.000Z`);
  start.setUTCDate(start.getUTCDate() - calendar.reminderDays);
  const date = start.toISOString().slice(0, 10);
  return date < `${period}-01` ? `${period}-01` : date;
}

/**
 * The steps due for one regency at `now`, in the order to run them:
 * - CLOSE every batch still open whose cut-off date has passed (the cut-off day itself still takes proposals; the
 *   batch closes when the next day starts, local time), including an earlier month's a stopped worker missed;
 * - OPEN this month's batch, from the first day up to its cut-off date, unless it exists (a month whose cut-off
 *   passed without a batch gets none: its proposals roll over to the next month's);
 * - REMIND, from `reminderDays` before the cut-off date through the cut-off date, while this month's batch is open
 *   (or is being opened by this same run).
 * Already done steps are not due again, so running the result twice changes nothing the second time.
 */
export function dueSteps(calendar: CycleCalendar, now: Date, state: RegencyCycleState): CycleStep[] {
  const today = localDate(now, calendar.timeZone);
  const period = today.slice(0, 7);
  const cutoffDate = cutoffDateOf(calendar, period);
  const steps: CycleStep[] = [];
  for (const [batchPeriod, batch] of Object.entries(state.batches).sort(([a], [b]) => a.localeCompare(b))) {
    if (batch.status === 'OPEN' && batch.cutoffDate < today) {
      steps.push({ step: 'CLOSE', period: batchPeriod, cutoffDate: batch.cutoffDate });
    }
  }
  const current = state.batches[period];
  if (current === undefined && today <= cutoffDate) steps.push({ step: 'OPEN', period, cutoffDate });
  const openNow = current === undefined ? today <= cutoffDate : current.status === 'OPEN';
  const batchCutoff = current?.cutoffDate ?? cutoffDate;
  if (openNow && today >= reminderStartOf(calendar, period) && today <= batchCutoff) {
    steps.push({ step: 'REMIND', period, cutoffDate: batchCutoff });
  }
  return steps;
}

/** `2026-11` → `2026-10`: the month before (its batch may still need closing). */
export function previousPeriod(period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return month === 1 ? `${year - 1}-12` : `${year}-${pad(month - 1)}`;
}
