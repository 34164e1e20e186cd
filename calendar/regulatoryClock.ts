// The regulatory (SLA) clock of an application: a term budget plus a ledger of suspensions and
// extensions, recomputed from scratch whenever the ledger changes — never one fixed instant stored
// at registration, because a suspension or an extension must move the deadline exactly.
import { z } from 'zod';
import { isoInstantSchema as isoInstant } from '../shared';
import { addDays, type LocalDate } from './localDate';
import type { ProductionCalendar } from './productionCalendar';
import { formatOffsetDateTime, isValidTimeZone, localDateOf } from './timeZone';
import { DEFAULT_WORKING_HOURS, workingWindow, type WorkingHours } from './workingHours';

export const termUnitSchema = z.enum(['workingDays', 'calendarDays']);
export type TermUnit = z.infer<typeof termUnitSchema>;

export const suspensionSchema = z
  .object({
    from: isoInstant,
    /** Absent while the suspension is still open (documents requested, not yet received). */
    to: isoInstant.optional(),
    reason: z.string().trim().min(1),
  })
  .strict()
  .refine((s) => s.to === undefined || Date.parse(s.to) >= Date.parse(s.from), {
    message: 'suspension must not end before it starts (приостановление не может закончиться раньше начала)',
    path: ['to'],
  });

export const extensionSchema = z
  .object({ amount: z.number().int().min(1), unit: termUnitSchema, reason: z.string().trim().min(1) })
  .strict();

export const regulatoryClockInputSchema = z
  .object({
    /** Registration instant of the application; the term runs from the next calendar day. */
    startedAt: isoInstant,
    term: z.object({ amount: z.number().int().min(1), unit: termUnitSchema }).strict(),
    /** The department's IANA zone; days and working hours are local to it. */
    timeZone: z.string().refine(isValidTimeZone, 'must be a known IANA time zone'),
    suspensions: z.array(suspensionSchema).default([]),
    extensions: z.array(extensionSchema).default([]),
  })
  .strict();
export type RegulatoryClockInput = z.input<typeof regulatoryClockInputSchema>;
/** What a case keeps of its clock (the workflow's ledger): term and zone come from the service and the department. */
export type RegulatoryLedger = Pick<z.output<typeof regulatoryClockInputSchema>, 'startedAt' | 'suspensions' | 'extensions'>;
export type Suspension = z.infer<typeof suspensionSchema>;
export type Extension = z.infer<typeof extensionSchema>;

export interface RegulatoryClockOutput {
  /**
   * End of the department's working hours on the due day, ISO 8601 with the department's offset
   * (ГК РФ ст. 194: a term for an act in an organisation ends when its working hours end).
   * Null while a suspension is open.
   */
  deadline: string | null;
  /** The last day of the term; null while a suspension is open. */
  dueDate: LocalDate | null;
  /** Whole working days excluded by closed suspensions inside the running term. */
  suspendedWorkingDays: number;
  /** The excluded days themselves, for the case file and the escalation schedule. */
  suspendedDates: LocalDate[];
  /** First day counted (the calendar day after startedAt). */
  countingFrom: LocalDate;
  /** Working days actually available to the department: term + extensions, excluding suspended days; null while open. */
  budgetWorkingDays: number | null;
  calendarVersion: string;
  openSuspension: boolean;
}

/** Working days wholly inside a suspension: a day only partly suspended does not move the term. */
function wholeSuspendedDays(
  s: Suspension & { to: string },
  tz: string,
  calendar: ProductionCalendar,
  hours: WorkingHours,
  after: LocalDate,
): LocalDate[] {
  const from = Date.parse(s.from);
  const to = Date.parse(s.to);
  const out: LocalDate[] = [];
  const last = localDateOf(new Date(to), tz);
  for (let d = localDateOf(new Date(from), tz); d <= last; d = addDays(d, 1)) {
    if (d <= after) continue;
    const w = workingWindow(d, tz, calendar, hours);
    if (w && w.start.getTime() >= from && w.end.getTime() <= to) out.push(d);
  }
  return out;
}

/**
 * Computes the due date and deadline instant.
 * - The term runs from the day after `startedAt` (the registration day is not counted).
 * - workingDays: the N-th working day; calendarDays: start + N, moved to the next working day if that is a day off.
 * - Extensions are applied in order from the current due date, each in its own unit.
 * - Each working day wholly covered by a closed suspension and falling inside the running term pushes the
 *   due date by exactly one working day (for both units). Overlapping suspensions are not double-counted.
 * - An open suspension makes the deadline unknown: deadline/dueDate null, openSuspension true.
 * Throws CalendarCoverageError when any day needed lies outside the calendar's data.
 */
export function computeRegulatoryClock(
  input: RegulatoryClockInput,
  calendar: ProductionCalendar,
  hours: WorkingHours = DEFAULT_WORKING_HOURS,
): RegulatoryClockOutput {
  const c = regulatoryClockInputSchema.parse(input);
  const tz = c.timeZone;
  const startDay = localDateOf(new Date(c.startedAt), tz);
  calendar.dayInfo(startDay); // coverage of the start itself

  let base = c.term.unit === 'workingDays' ? calendar.addWorkingDays(startDay, c.term.amount) : calendar.addCalendarDays(startDay, c.term.amount);
  for (const e of c.extensions) base = e.unit === 'workingDays' ? calendar.addWorkingDays(base, e.amount) : calendar.addCalendarDays(base, e.amount);

  const suspended = new Set<LocalDate>();
  for (const s of c.suspensions) {
    if (s.to === undefined) continue;
    for (const d of wholeSuspendedDays({ ...s, to: s.to }, tz, calendar, hours, startDay)) suspended.add(d);
  }
  const sortedSuspended = [...suspended].sort();

  // Least fixed point: pushing the due date can bring further suspended days into the term.
  let k = 0;
  let due = base;
  for (;;) {
    const inTerm = sortedSuspended.filter((d) => d <= due).length;
    if (inTerm === k) break;
    k = inTerm;
    due = calendar.addWorkingDays(base, k);
  }
  const suspendedDates = sortedSuspended.filter((d) => d <= due);
  const openSuspension = c.suspensions.some((s) => s.to === undefined);
  const common = {
    suspendedWorkingDays: suspendedDates.length,
    suspendedDates,
    countingFrom: addDays(startDay, 1),
    calendarVersion: calendar.version,
  };
  if (openSuspension) return { ...common, deadline: null, dueDate: null, budgetWorkingDays: null, openSuspension: true };

  const window = workingWindow(due, tz, calendar, hours);
  if (!window) throw new Error(`internal: due date ${due} is not a working day`);
  return {
    ...common,
    deadline: formatOffsetDateTime(window.end, tz),
    dueDate: due,
    budgetWorkingDays: calendar.workingDaysBetween(startDay, due) - suspendedDates.length,
    openSuspension: false,
  };
}
