/**
 * Calendar helpers shared by the NIK and KK number parsers: two-digit years, leap years and ISO dates. Pure: the
 * current year is never read from a clock, the caller passes it as `referenceYear`.
 */

/** Without a reference year, a two-digit year up to this value means 20yy, above it 19yy. */
export const DEFAULT_CENTURY_PIVOT = 30;

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/** True in the Gregorian leap years. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** True when day/month/year name a real calendar day (month 1-12, day 1 to the month's length). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

/**
 * The four-digit year of a two-digit year `yy` (0-99).
 * - With `referenceYear` (the current year, supplied by the caller): 20yy when 20yy <= referenceYear, else 19yy.
 * - Without it: 20yy when yy <= 30 (DEFAULT_CENTURY_PIVOT), else 19yy.
 */
export function resolveTwoDigitYear(yy: number, referenceYear?: number): number {
  if (referenceYear !== undefined) return 2000 + yy <= referenceYear ? 2000 + yy : 1900 + yy;
  return yy <= DEFAULT_CENTURY_PIVOT ? 2000 + yy : 1900 + yy;
}

/** `YYYY-MM-DD`. */
export function formatIsoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Year, month and day of a calendar-valid `YYYY-MM-DD`, or undefined. */
export function parseIsoDate(text: string): { year: number; month: number; day: number } | undefined {
  const match = ISO_DATE.exec(text);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isCalendarDate(year, month, day) ? { year, month, day } : undefined;
}
