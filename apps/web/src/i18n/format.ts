/** Dates, times and numbers as Indonesians read them: id-ID conventions, wall-clock time in Asia/Jakarta (WIB). */
export const LOCALE = 'id-ID';
export const TIME_ZONE = 'Asia/Jakarta';

const dateFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'long', timeZone: TIME_ZONE });
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: TIME_ZONE,
});
const monthFormat = new Intl.DateTimeFormat(LOCALE, { month: 'long', year: 'numeric', timeZone: 'UTC' });
const numberFormat = new Intl.NumberFormat(LOCALE);

/** "22 November 2026". */
export function formatDate(value: string | Date): string {
  return dateFormat.format(new Date(value));
}

/** "22 Nov 2026, 19.45 WIB". */
export function formatDateTime(value: string | Date): string {
  return `${dateTimeFormat.format(new Date(value))} WIB`;
}

/** A period "2026-11" as "November 2026". */
export function formatPeriod(period: string): string {
  const [year, month] = period.split('-').map(Number);
  if (!year || !month) return period;
  return monthFormat.format(new Date(Date.UTC(year, month - 1, 1)));
}

/** "12.345". */
export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

/** The current month in Jakarta as "YYYY-MM". */
export function currentPeriod(now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', timeZone: TIME_ZONE })
    .formatToParts(now)
    .reduce<Record<string, string>>((acc, part) => ({ ...acc, [part.type]: part.value }), {});
  return `${parts.year}-${parts.month}`;
}

/** A datetime-local input's value ("2026-11-22T09:00", Jakarta wall clock) as an ISO instant. */
export function jakartaLocalToIso(local: string): string {
  // Jakarta has kept UTC+7 without daylight saving since 1964.
  return new Date(`${local}:00+07:00`).toISOString();
}
