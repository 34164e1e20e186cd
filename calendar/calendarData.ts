// The bundled Russian production calendar: plain per-year JSON (calendar/data/ru/<year>.json),
// validated by zod when loaded so a typo in an edited file fails loudly instead of shifting deadlines.
// Static imports (not fs) keep this usable inside the Temporal workflow bundle.
import { z } from 'zod';
import { isLocalDate, isWeekend, yearOf, type LocalDate } from './localDate';
import y2020 from './data/ru/2020.json';
import y2021 from './data/ru/2021.json';
import y2022 from './data/ru/2022.json';
import y2023 from './data/ru/2023.json';
import y2024 from './data/ru/2024.json';
import y2025 from './data/ru/2025.json';
import y2026 from './data/ru/2026.json';
import y2027 from './data/ru/2027.json';

const dateString = z.string().refine(isLocalDate, 'must be a real date YYYY-MM-DD');

/**
 * One special day. Plain Saturdays/Sundays and plain Monday–Friday working days are implicit.
 * - holiday: нерабочий праздничный день (ТК РФ ст. 112), listed even when it falls on a weekend;
 * - transferredDayOff: a weekday made a day off (ТК РФ ст. 112 carry-over or the Government decree), `from` = source day;
 * - nonWorkingPaid: нерабочий день с сохранением заработной платы by a Presidential decree (2020–2021);
 *   not a holiday under the Labour Code, but offices were closed to the public, so by default it counts as a day off;
 *   `shortenedIfWorking` marks a day that would otherwise have been a shortened pre-holiday day;
 * - workingWeekend: a Saturday/Sunday made a working day by the decree (`shortened` when it is also pre-holiday);
 * - shortened: a pre-holiday working day one hour shorter (ТК РФ ст. 95).
 */
export const specialDaySchema = z.discriminatedUnion('kind', [
  z.object({ date: dateString, kind: z.literal('holiday'), name: z.string().min(1) }).strict(),
  z.object({ date: dateString, kind: z.literal('transferredDayOff'), from: dateString.optional() }).strict(),
  z
    .object({ date: dateString, kind: z.literal('nonWorkingPaid'), act: z.string().min(1), shortenedIfWorking: z.boolean().optional() })
    .strict(),
  z.object({ date: dateString, kind: z.literal('workingWeekend'), shortened: z.boolean().optional() }).strict(),
  z.object({ date: dateString, kind: z.literal('shortened') }).strict(),
]);
export type SpecialDay = z.infer<typeof specialDaySchema>;

export const calendarYearSchema = z
  .object({
    year: z.number().int().min(1992).max(2200),
    country: z.literal('ru'),
    source: z.string().min(1),
    decree: z.object({ number: z.string().min(1), date: dateString, title: z.string().min(1) }).strict(),
    generatedAt: dateString,
    notes: z.array(z.string()).optional(),
    days: z.array(specialDaySchema),
  })
  .strict()
  .superRefine((y, ctx) => {
    const seen = new Set<string>();
    y.days.forEach((d, i) => {
      const path = ['days', i, 'date'];
      if (yearOf(d.date as LocalDate) !== y.year) ctx.addIssue({ code: 'custom', path, message: `${d.date} is outside year ${y.year}` });
      if (seen.has(d.date)) ctx.addIssue({ code: 'custom', path, message: `${d.date} is listed twice` });
      seen.add(d.date);
      // Kind/weekday consistency catches the most likely editing mistakes (a shifted date).
      const weekend = isWeekend(d.date as LocalDate);
      if (d.kind === 'workingWeekend' && !weekend) ctx.addIssue({ code: 'custom', path, message: `${d.date} is not a Saturday/Sunday` });
      if ((d.kind === 'transferredDayOff' || d.kind === 'shortened' || d.kind === 'nonWorkingPaid') && weekend) {
        ctx.addIssue({ code: 'custom', path, message: `${d.date} (${d.kind}) falls on a weekend` });
      }
    });
  });
export type CalendarYear = z.infer<typeof calendarYearSchema>;

/** Parses one year file; throws with the zod issues and the year on invalid data. */
export function parseCalendarYear(raw: unknown): CalendarYear {
  const r = calendarYearSchema.safeParse(raw);
  if (!r.success) {
    const year = typeof raw === 'object' && raw !== null && 'year' in raw ? String((raw as { year: unknown }).year) : '?';
    throw new Error(`Производственный календарь за ${year} год повреждён / production calendar ${year} is invalid: ${z.prettifyError(r.error)}`);
  }
  return r.data;
}

let bundled: readonly CalendarYear[] | undefined;

/** The bundled Russian federal production calendar, validated once per process. */
export function bundledCalendarYears(): readonly CalendarYear[] {
  bundled ??= Object.freeze([y2020, y2021, y2022, y2023, y2024, y2025, y2026, y2027].map(parseCalendarYear));
  return bundled;
}
