// Local calendar dates as 'YYYY-MM-DD' strings. Arithmetic is done on integer day numbers
// (days since 1970-01-01 in the proleptic Gregorian calendar), never on JS Date, so no implicit
// time zone can shift a date and the code stays deterministic inside Temporal workflows.

declare const localDateBrand: unique symbol;
/** A calendar date without time or zone, 'YYYY-MM-DD'. Obtain one with `localDate()`. */
export type LocalDate = string & { readonly [localDateBrand]: true };

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

const LOCAL_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
}

/** True when `s` is a real calendar date written as 'YYYY-MM-DD'. */
export function isLocalDate(s: unknown): s is LocalDate {
  if (typeof s !== 'string') return false;
  const m = LOCAL_DATE_RE.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

/** Validates and brands a 'YYYY-MM-DD' string; throws RangeError otherwise. */
export function localDate(s: string): LocalDate {
  if (!isLocalDate(s)) {
    throw new RangeError(`Некорректная дата «${String(s)}», ожидается ГГГГ-ММ-ДД / invalid local date "${String(s)}", expected YYYY-MM-DD`);
  }
  return s;
}

/** Builds a date from numeric parts (month 1–12); throws RangeError for impossible dates. */
export function localDateFromParts(year: number, month: number, day: number): LocalDate {
  return localDate(`${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
}

export function partsOf(d: LocalDate): { year: number; month: number; day: number } {
  return { year: Number(d.slice(0, 4)), month: Number(d.slice(5, 7)), day: Number(d.slice(8, 10)) };
}

export function yearOf(d: LocalDate): number {
  return Number(d.slice(0, 4));
}

// days_from_civil / civil_from_days (H. Hinnant): exact integer conversions without Date.
export function toDayNumber(d: LocalDate): number {
  const { year, month, day } = partsOf(d);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromDayNumber(n: number): LocalDate {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return localDateFromParts(year, month, day);
}

export function addDays(d: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`addDays: n must be an integer, got ${n}`);
  return fromDayNumber(toDayNumber(d) + n);
}

/** b − a in days. */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return toDayNumber(b) - toDayNumber(a);
}

export function compareLocalDates(a: LocalDate, b: LocalDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isoWeekday(d: LocalDate): IsoWeekday {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((toDayNumber(d) + 3) % 7) + 7) % 7 + 1) as IsoWeekday;
}

export function isWeekend(d: LocalDate): boolean {
  return isoWeekday(d) >= 6;
}
