// The escalation ladder: who is reminded when, as department config (the rungs are fired by escalationActivities). Scheduling is a pure
// function of the clock, so a workflow can recompute the whole schedule after any ledger change.
import { z } from 'zod';
import {
  addDays,
  DEFAULT_WORKING_HOURS,
  formatOffsetDateTime,
  localDateOf,
  nextWorkingInstant,
  regulatoryClockInputSchema,
  workingWindow,
  type ProductionCalendar,
  type RegulatoryClockInput,
  type RegulatoryClockOutput,
  type WorkingHours,
  type WorkingWindow,
} from '../calendar';
import { roleSchema, type Role } from './roles';

export const rungAtSchema = z.union([
  /** Share of the term's working time consumed (working minutes of non-suspended days, not wall clock). */
  z.object({ percent: z.number().gt(0).lte(100) }).strict(),
  /** When exactly this many working days remain: the start of the k-th counted working day back from the due date (1 = morning of the due day). */
  z.object({ workingDaysBeforeDeadline: z.number().int().min(1) }).strict(),
  /** Exactly at the deadline instant. */
  z.object({ atDeadline: z.literal(true) }).strict(),
]);

export const escalationRungSchema = z
  .object({
    rung: z.string().trim().min(1),
    at: rungAtSchema,
    /** Roles to notify: clerk, head, deputy, management. */
    notify: z.array(roleSchema).min(1),
    /** The case is marked overdue when this rung fires. */
    flagsOverdue: z.boolean().default(false),
  })
  .strict();

export const escalationLadderSchema = z
  .array(escalationRungSchema)
  .min(1)
  .refine((l) => new Set(l.map((r) => r.rung)).size === l.length, 'rung names must be unique');
export type EscalationLadder = z.output<typeof escalationLadderSchema>;
export type EscalationLadderInput = z.input<typeof escalationLadderSchema>;
export type EscalationRung = z.output<typeof escalationRungSchema>;

export const DEFAULT_ESCALATION_LADDER: EscalationLadder = escalationLadderSchema.parse([
  { rung: 'clerkReminder', at: { percent: 50 }, notify: ['clerk'] },
  { rung: 'headWarning', at: { percent: 75 }, notify: ['clerk', 'head'] },
  { rung: 'lastDay', at: { workingDaysBeforeDeadline: 1 }, notify: ['head', 'deputy'] },
  { rung: 'breach', at: { atDeadline: true }, notify: ['management'], flagsOverdue: true },
]);

export interface ScheduledRung {
  rung: string;
  /** ISO 8601 with the department's offset. */
  fireAt: string;
  notify: Role[];
  flagsOverdue: boolean;
}

/**
 * The instants at which each rung fires, sorted by time (rungs that collapse to the same instant keep
 * ladder order). Percent rungs are placed in working time of the counted (non-suspended) working days
 * and snapped with nextWorkingInstant; no rung but `atDeadline` fires after the deadline, which that
 * rung hits exactly. While a suspension is open the deadline is unknown and nothing is scheduled.
 */
export function scheduleRungs(
  clockInput: RegulatoryClockInput,
  clockOutput: RegulatoryClockOutput,
  ladder: EscalationLadderInput = DEFAULT_ESCALATION_LADDER,
  calendar: ProductionCalendar,
  hours: WorkingHours = DEFAULT_WORKING_HOURS,
): ScheduledRung[] {
  const input = regulatoryClockInputSchema.parse(clockInput);
  const rungs = escalationLadderSchema.parse(ladder);
  if (clockOutput.calendarVersion !== calendar.version) {
    // Mixing calendars would place rungs on days the clock did not count.
    throw new Error(
      `Календарь ${calendar.version} не совпадает с календарём расчёта срока ${clockOutput.calendarVersion}: пересчитайте срок / ` +
        `calendar ${calendar.version} differs from the one that computed the clock (${clockOutput.calendarVersion}): recompute the clock first`,
    );
  }
  if (clockOutput.openSuspension || clockOutput.deadline === null || clockOutput.dueDate === null) return [];
  const tz = input.timeZone;
  const deadline = new Date(clockOutput.deadline);

  const suspended = new Set<string>(clockOutput.suspendedDates);
  const windows: WorkingWindow[] = [];
  const startDay = localDateOf(new Date(input.startedAt), tz);
  for (let d = addDays(startDay, 1); d <= clockOutput.dueDate; d = addDays(d, 1)) {
    if (suspended.has(d)) continue;
    const w = workingWindow(d, tz, calendar, hours);
    if (w) windows.push(w);
  }
  if (windows.length === 0) throw new Error(`internal: no working days between ${startDay} and ${clockOutput.dueDate}`);
  const budgetMs = windows.reduce((s, w) => s + (w.end.getTime() - w.start.getTime()), 0);

  const atPercent = (percent: number): Date => {
    let remaining = Math.round((budgetMs * percent) / 100);
    for (const w of windows) {
      const len = w.end.getTime() - w.start.getTime();
      // Strictly inside: a target at the very end of a day belongs to the next window's start.
      if (remaining < len) return new Date(w.start.getTime() + remaining);
      remaining -= len;
    }
    return deadline;
  };

  const scheduled = rungs.map((r, order) => {
    let fireAt: Date;
    if ('atDeadline' in r.at) {
      fireAt = deadline;
    } else {
      const raw = 'percent' in r.at ? atPercent(r.at.percent) : (windows[Math.max(0, windows.length - r.at.workingDaysBeforeDeadline)] as WorkingWindow).start;
      const snapped = raw.getTime() >= deadline.getTime() ? deadline : nextWorkingInstant(raw, tz, calendar, hours);
      // A warning after the breach is useless: cap at the deadline.
      fireAt = snapped.getTime() > deadline.getTime() ? deadline : snapped;
    }
    return { order, ms: fireAt.getTime(), item: { rung: r.rung, fireAt: formatOffsetDateTime(fireAt, tz), notify: [...r.notify], flagsOverdue: r.flagsOverdue } };
  });
  scheduled.sort((a, b) => a.ms - b.ms || a.order - b.order);
  return scheduled.map((s) => s.item);
}
