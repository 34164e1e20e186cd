// The Russian production calendar (производственный календарь): which local dates are working,
// shortened or days off, plus the term arithmetic regulations rely on. Pure: all data is loaded
// and validated at construction; a lookup outside the covered years throws instead of guessing.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { bundledCalendarYears, parseCalendarYear, type CalendarYear, type SpecialDay } from './calendarData';
import { addDays, isLocalDate, isWeekend, localDate, yearOf, type LocalDate } from './localDate';

export type DayKind = 'working' | 'shortened' | 'dayOff';

/** Why a day has its kind; useful in UI and logs ("выходной: перенос с 04.01"). */
export type DayReason =
  | 'weekday'
  | 'weekend'
  | 'holiday'
  | 'transferredDayOff'
  | 'nonWorkingPaid'
  | 'workingWeekend'
  | 'shortened'
  | 'regionalHoliday';

export interface DayInfo {
  date: LocalDate;
  kind: DayKind;
  reason: DayReason;
  /** Holiday name, regional holiday name or the act that declared a non-working day. */
  name?: string;
  /** Source day of a transferred day off. */
  transferredFrom?: LocalDate;
}

export interface CalendarCoverage {
  firstYear: number;
  lastYear: number;
}

export const regionalHolidaySchema = z
  .object({
    date: z.string().refine(isLocalDate, 'must be a real date YYYY-MM-DD'),
    name: z.string().trim().min(1),
  })
  .strict();
export type RegionalHoliday = z.infer<typeof regionalHolidaySchema>;

export const productionCalendarOptionsSchema = z
  .object({
    /** Department additions, e.g. Tatarstan's Ураза-байрам / Курбан-байрам / 30 August; always days off. */
    regionalHolidays: z.array(regionalHolidaySchema).default([]),
    /**
     * How to treat the 2020–2021 Presidential "нерабочие дни с сохранением заработной платы".
     * Default 'dayOff': offices were closed to applicants, and regulatory terms were in practice counted
     * without them. 'working' restores the Labour Code production calendar (they were not holidays).
     */
    nonWorkingPaid: z.enum(['dayOff', 'working']).default('dayOff'),
  })
  .strict();
export type ProductionCalendarOptions = z.input<typeof productionCalendarOptionsSchema> & {
  /** Replaces the bundled federal data (each year is validated like the bundled files). */
  years?: readonly unknown[];
};

/** Thrown for any date outside the years the calendar has data for. Never caught silently: the operator must update the data. */
export class CalendarCoverageError extends Error {
  readonly code = 'CALENDAR_COVERAGE' as const;
  constructor(
    readonly year: number,
    readonly coverage: CalendarCoverage,
    readonly date?: string,
  ) {
    const at = date ? ` (дата ${date})` : '';
    const atEn = date ? ` (date ${date})` : '';
    const file = `calendar/data/ru/${year}.json`;
    super(
      `Производственный календарь не содержит данных за ${year} год${at}; есть данные за ${coverage.firstYear}–${coverage.lastYear}. ` +
        `Обновите производственный календарь (${file}) по постановлению Правительства РФ о переносе выходных дней и перезапустите обработчик. / ` +
        `The production calendar has no data for ${year}${atEn}; covered years are ${coverage.firstYear}–${coverage.lastYear}. ` +
        `Update the production calendar (${file}) from the Government decree on transferring days off and restart the worker.`,
    );
    this.name = 'CalendarCoverageError';
  }
}

interface ResolvedDay {
  kind: DayKind;
  reason: DayReason;
  name?: string;
  transferredFrom?: LocalDate;
}

function resolveSpecial(d: SpecialDay, nonWorkingPaid: 'dayOff' | 'working'): ResolvedDay {
  switch (d.kind) {
    case 'holiday':
      return { kind: 'dayOff', reason: 'holiday', name: d.name };
    case 'transferredDayOff':
      return { kind: 'dayOff', reason: 'transferredDayOff', ...(d.from ? { transferredFrom: d.from as LocalDate } : {}) };
    case 'nonWorkingPaid':
      return nonWorkingPaid === 'dayOff'
        ? { kind: 'dayOff', reason: 'nonWorkingPaid', name: d.act }
        : { kind: d.shortenedIfWorking ? 'shortened' : 'working', reason: d.shortenedIfWorking ? 'shortened' : 'weekday' };
    case 'workingWeekend':
      return { kind: d.shortened ? 'shortened' : 'working', reason: 'workingWeekend' };
    case 'shortened':
      return { kind: 'shortened', reason: 'shortened' };
  }
}

export class ProductionCalendar {
  readonly coverage: CalendarCoverage;
  /** Stable content hash of the data, the additions and the options; record it next to every computed deadline. */
  readonly version: string;
  private readonly special = new Map<string, ResolvedDay>();

  constructor(options: ProductionCalendarOptions = {}) {
    const { years: rawYears, ...rest } = options;
    const opts = productionCalendarOptionsSchema.parse(rest);
    const years: CalendarYear[] = (rawYears ? rawYears.map(parseCalendarYear) : [...bundledCalendarYears()]).sort((a, b) => a.year - b.year);
    if (years.length === 0) throw new Error('Производственный календарь пуст / production calendar has no years');
    for (let i = 1; i < years.length; i++) {
      const prev = (years[i - 1] as CalendarYear).year;
      const cur = (years[i] as CalendarYear).year;
      // A gap would make a term silently skip a year's holidays; coverage must be contiguous.
      if (cur !== prev + 1) throw new Error(`Производственный календарь: пропуск или повтор года между ${prev} и ${cur} / production calendar years must be contiguous`);
    }
    this.coverage = { firstYear: (years[0] as CalendarYear).year, lastYear: (years[years.length - 1] as CalendarYear).year };

    for (const y of years) for (const d of y.days) this.special.set(d.date, resolveSpecial(d, opts.nonWorkingPaid));
    const regional = [...opts.regionalHolidays].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.name < b.name ? -1 : 1));
    for (const r of regional) {
      const prev = this.special.get(r.date);
      const name = prev?.reason === 'regionalHoliday' && prev.name ? `${prev.name}; ${r.name}` : r.name;
      this.special.set(r.date, { kind: 'dayOff', reason: 'regionalHoliday', name });
    }

    // Only content that changes answers goes into the hash (not generatedAt/source wording).
    const canonical = JSON.stringify({
      years: years.map((y) => ({ year: y.year, decree: y.decree, days: [...y.days].sort((a, b) => (a.date < b.date ? -1 : 1)) })),
      regionalHolidays: regional,
      nonWorkingPaid: opts.nonWorkingPaid,
    });
    this.version = `ru-${this.coverage.firstYear}-${this.coverage.lastYear}-${createHash('sha256').update(canonical, 'utf8').digest('hex').slice(0, 16)}`;
  }

  private check(date: string): LocalDate {
    const d = localDate(date);
    const y = yearOf(d);
    if (y < this.coverage.firstYear || y > this.coverage.lastYear) throw new CalendarCoverageError(y, this.coverage, d);
    return d;
  }

  dayInfo(date: string): DayInfo {
    const d = this.check(date);
    const s = this.special.get(d);
    if (s) return { date: d, ...s };
    return isWeekend(d) ? { date: d, kind: 'dayOff', reason: 'weekend' } : { date: d, kind: 'working', reason: 'weekday' };
  }

  dayKind(date: string): DayKind {
    return this.dayInfo(date).kind;
  }

  /** Shortened pre-holiday days are working days. */
  isWorkingDay(date: string): boolean {
    return this.dayKind(date) !== 'dayOff';
  }

  /** The first working day strictly after `date`. */
  nextWorkingDay(date: string): LocalDate {
    return this.addWorkingDays(date, 1);
  }

  /** `date` itself when it is a working day, else the next working day. */
  workingDayOnOrAfter(date: string): LocalDate {
    let d = this.check(date);
    while (!this.isWorkingDay(d)) d = addDays(d, 1);
    return d;
  }

  /**
   * Counts `n` working days after `date` (the start date itself is not counted, as in
   * "в течение N рабочих дней со дня регистрации"). Negative `n` counts backwards; 0 returns `date`.
   */
  addWorkingDays(date: string, n: number): LocalDate {
    if (!Number.isInteger(n)) throw new RangeError(`addWorkingDays: n must be an integer, got ${n}`);
    let d = this.check(date);
    const step = n < 0 ? -1 : 1;
    for (let left = Math.abs(n); left > 0; ) {
      d = addDays(d, step);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  /**
   * `date` + `n` calendar days; if that day is not a working day the term ends on the next working
   * day (ГК РФ ст. 193, and the same rule restated in administrative regulations).
   */
  addCalendarDays(date: string, n: number): LocalDate {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`addCalendarDays: n must be a non-negative integer, got ${n}`);
    return this.workingDayOnOrAfter(addDays(this.check(date), n));
  }

  /**
   * Working days in (a, b] — the inverse of addWorkingDays: workingDaysBetween(a, addWorkingDays(a, n)) === n.
   * Negative when b is before a.
   */
  workingDaysBetween(a: string, b: string): number {
    let from = this.check(a);
    let to = this.check(b);
    let sign = 1;
    if (to < from) {
      [from, to] = [to, from];
      sign = -1;
    }
    let count = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (this.isWorkingDay(d)) count++;
    return sign * count;
  }
}

let defaultCalendar: ProductionCalendar | undefined;

/** The federal calendar without regional additions (shared instance). */
export function defaultProductionCalendar(): ProductionCalendar {
  defaultCalendar ??= new ProductionCalendar();
  return defaultCalendar;
}
