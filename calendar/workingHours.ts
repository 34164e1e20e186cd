// A department's working hours (служебный распорядок) on top of the production calendar.
// Reminders and escalations must never land at night or on a day off: they are moved to the
// start of the next working hour instead.
import { z } from 'zod';
import { addDays, isoWeekday, type LocalDate } from './localDate';
import type { ProductionCalendar } from './productionCalendar';
import { instantOf, localDateOf, parseHhMm } from './timeZone';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');
const windowSchema = z
  .object({ start: hhmm, end: hhmm })
  .strict()
  .refine((w) => parseHhMm(w.start) < parseHhMm(w.end), 'start must be before end');

export const workingHoursSchema = z
  .object({
    start: hhmm.default('09:00'),
    end: hhmm.default('18:00'),
    /** Minutes cut from the end of a shortened pre-holiday day (ТК РФ ст. 95: one hour). */
    shortenedDayMinutes: z.number().int().min(0).max(240).default(60),
    /**
     * Per ISO weekday (1 = Monday … 7 = Sunday) hours, e.g. many federal bodies close at 16:45 on Friday:
     * `{ '5': { start: '09:00', end: '16:45' } }`. Weekend entries apply only to decree working weekends.
     */
    byWeekday: z.partialRecord(z.enum(['1', '2', '3', '4', '5', '6', '7']), windowSchema).default({}),
  })
  .strict()
  .superRefine((h, ctx) => {
    for (const w of [{ start: h.start, end: h.end }, ...Object.values(h.byWeekday)]) {
      if (!w) continue;
      if (parseHhMm(w.end) - h.shortenedDayMinutes <= parseHhMm(w.start)) {
        ctx.addIssue({ code: 'custom', message: `working window ${w.start}–${w.end} is empty on a shortened day` });
      }
    }
  });
export type WorkingHours = z.output<typeof workingHoursSchema>;
export type WorkingHoursInput = z.input<typeof workingHoursSchema>;

/** 09:00–18:00, shortened days end at 17:00. */
export const DEFAULT_WORKING_HOURS: WorkingHours = Object.freeze(workingHoursSchema.parse({})) as WorkingHours;

export interface WorkingWindow {
  date: LocalDate;
  start: Date;
  end: Date;
  /** Length of the window in minutes. */
  minutes: number;
}

/** The working window of `date`, or null on a day off. Throws CalendarCoverageError outside the data. */
export function workingWindow(date: string, tz: string, calendar: ProductionCalendar, hours: WorkingHours = DEFAULT_WORKING_HOURS): WorkingWindow | null {
  const info = calendar.dayInfo(date);
  if (info.kind === 'dayOff') return null;
  const w = hours.byWeekday[String(isoWeekday(info.date)) as '1'] ?? { start: hours.start, end: hours.end };
  const startMin = parseHhMm(w.start);
  const endMin = parseHhMm(w.end) - (info.kind === 'shortened' ? hours.shortenedDayMinutes : 0);
  const start = instantOf(info.date, startMin, tz);
  const end = instantOf(info.date, endMin, tz);
  return { date: info.date, start, end, minutes: Math.round((end.getTime() - start.getTime()) / 60000) };
}

/**
 * `instant` itself when it falls inside the working hours of a working day (end exclusive),
 * otherwise the start of the next working window — e.g. 18:30 on the Friday before the New Year
 * holidays → 09:00 on the first working day after them.
 */
export function nextWorkingInstant(instant: Date, tz: string, calendar: ProductionCalendar, hours: WorkingHours = DEFAULT_WORKING_HOURS): Date {
  const t = instant.getTime();
  if (!Number.isFinite(t)) throw new RangeError('nextWorkingInstant: invalid instant');
  // Coverage bounds the loop: past the last year with data dayInfo throws CalendarCoverageError.
  for (let day = localDateOf(instant, tz); ; day = addDays(day, 1)) {
    const w = workingWindow(day, tz, calendar, hours);
    if (!w) continue;
    if (t < w.start.getTime()) return w.start;
    if (t < w.end.getTime()) return new Date(t);
  }
}

/** Working minutes between two instants (0 when `to` is not after `from`). */
export function workingMinutesBetween(from: Date, to: Date, tz: string, calendar: ProductionCalendar, hours: WorkingHours = DEFAULT_WORKING_HOURS): number {
  const a = from.getTime();
  const b = to.getTime();
  if (!(b > a)) return 0;
  let ms = 0;
  const last = localDateOf(to, tz);
  for (let day = localDateOf(from, tz); day <= last; day = addDays(day, 1)) {
    const w = workingWindow(day, tz, calendar, hours);
    if (!w) continue;
    const s = Math.max(a, w.start.getTime());
    const e = Math.min(b, w.end.getTime());
    if (e > s) ms += e - s;
  }
  return ms / 60000;
}
