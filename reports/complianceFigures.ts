// Pure computation of the weekly deadline-compliance figures from application and escalation rows.
// No I/O and no implicit time zone: every instant is read as a local date in the department's zone,
// and working days come from the production calendar, so the same rows always give the same figures.
//
// Definitions (the report's footnotes repeat them in Russian):
// - received: received_at's local date is inside the period;
// - completed: completed_at's local date is inside the period, whatever the outcome (result, refusal,
//   or cancellation by the applicant);
// - on time: completed_at <= deadline. Cancelled applications are excluded from the on-time share and
//   from processing time: the applicant stopped the clock, so neither says anything about the office.
//   A completed application without a deadline (none was ever set) is also outside the on-time share;
//   it is counted in `withoutDeadline` so the gap stays visible;
// - processing time: working days in (received date, completed date] by the calendar, minus
//   suspended_working_days, never below 0; mean and the nearest-rank 90th percentile;
// - open / overdue at period end: received by the end of the period and not completed by then; overdue
//   when its deadline passed before the end of the period (the current deadline column, not the live
//   `overdue` flag, which reflects today rather than the period end);
// - refusal share: refused / completed, cancellations included in the denominator;
// - escalations: rungs whose fired_at local date is inside the period;
// - weekly on-time share: the same on-time rule for each of the last N seven-day weeks ending with the period.
import {
  addDays,
  compareLocalDates,
  instantOf,
  isLocalDate,
  isoWeekday,
  localDate,
  localDateOf,
  type LocalDate,
  type ProductionCalendar,
} from '../calendar';
import { DEFAULT_ESCALATION_LADDER } from '../escalation';

export type Instant = Date | string;
export type ApplicationOutcome = 'resultIssued' | 'refused' | 'cancelled';

export interface ApplicationReportRow {
  applicationNumber: string;
  serviceCode: string;
  receivedAt: Instant;
  deadline: Instant | null;
  outcome: ApplicationOutcome | null;
  completedAt: Instant | null;
  suspendedWorkingDays: number;
  assignedClerk?: string | null;
}

export interface EscalationReportRow {
  applicationNumber: string;
  serviceCode: string;
  rung: string;
  firedAt: Instant;
}

export interface ComplianceOptions {
  /** First local date of the period (a Monday for the weekly report). */
  periodStart: string;
  /** Last local date of the period, inclusive. */
  periodEnd: string;
  timeZone: string;
  calendar: ProductionCalendar;
  /** When the figures are computed; recorded as generatedAt. */
  now: Instant;
  /** Number of seven-day weeks in the on-time chart, ending with the period. */
  weeksOfHistory?: number;
  /** Services listed even when they have no data this period. */
  serviceCodes?: readonly string[];
}

export interface WeekOnTime {
  weekStart: LocalDate;
  weekEnd: LocalDate;
  /** Completed in the week, not cancelled, with a deadline. */
  eligible: number;
  onTime: number;
  /** Percent rounded to 0.1, null when nothing was eligible. */
  onTimePercent: number | null;
}

export interface Figures {
  received: number;
  completed: number;
  resultIssued: number;
  refused: number;
  cancelled: number;
  /** Completed, not cancelled, with a deadline: the denominator of the on-time share. */
  onTimeEligible: number;
  completedOnTime: number;
  completedLate: number;
  /** Completed, not cancelled, but no deadline was ever set. */
  withoutDeadline: number;
  /** completedOnTime / onTimeEligible in percent, rounded to 0.1; null when nothing was eligible. */
  onTimePercent: number | null;
  openAtPeriodEnd: number;
  overdueOpenAtPeriodEnd: number;
  processing: {
    /** Completed, not cancelled. */
    count: number;
    /** Working days, rounded to 0.1. */
    meanWorkingDays: number | null;
    /** Nearest-rank 90th percentile, working days. */
    p90WorkingDays: number | null;
  };
  /** refused / completed in percent, rounded to 0.1. */
  refusalPercent: number | null;
  /** Every rung of the ladder (0 when none fired) plus any other rung found in the data. */
  escalationsByRung: Record<string, number>;
  weeklyOnTime: WeekOnTime[];
}

export interface ServiceFigures extends Figures {
  serviceCode: string;
}

export interface ComplianceFigures {
  version: 1;
  periodStart: LocalDate;
  periodEnd: LocalDate;
  timeZone: string;
  calendarVersion: string;
  generatedAt: string;
  weeksOfHistory: number;
  /** Rung order for tables: the default ladder's order, then unknown rungs alphabetically. */
  rungs: string[];
  /** Sorted by service code. */
  services: ServiceFigures[];
  total: Figures;
}

/** The default ladder's rungs, in firing order. */
export const KNOWN_RUNGS: readonly string[] = DEFAULT_ESCALATION_LADDER.map((r) => r.rung);

/** The Monday..Sunday week before the local date of `at` in `timeZone`. */
export function previousWeek(at: Instant, timeZone: string): { periodStart: LocalDate; periodEnd: LocalDate } {
  const today = localDateOf(at, timeZone);
  const periodStart = addDays(today, -(isoWeekday(today) - 1) - 7);
  return { periodStart, periodEnd: addDays(periodStart, 6) };
}

/** Percent rounded half-up to 0.1 from integer counts (integer arithmetic first, so 87.5 stays 87.5). */
export function percent(part: number, whole: number): number | null {
  if (whole === 0) return null;
  return Math.round((part * 1000) / whole) / 10;
}

/** Nearest-rank percentile of an ascending-sorted list. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

function ms(i: Instant): number {
  const t = typeof i === 'string' ? Date.parse(i) : i.getTime();
  if (!Number.isFinite(t)) throw new RangeError(`invalid instant: ${String(i)}`);
  return t;
}

const inRange = (d: LocalDate, from: LocalDate, to: LocalDate): boolean => compareLocalDates(d, from) >= 0 && compareLocalDates(d, to) <= 0;

/** A row with its instants resolved once: local dates for period membership, epoch ms for deadline checks. */
interface Prepared {
  serviceCode: string;
  receivedDate: LocalDate;
  completedDate: LocalDate | null;
  completedMs: number | null;
  deadlineMs: number | null;
  outcome: ApplicationOutcome | null;
  suspendedWorkingDays: number;
}

export function computeComplianceFigures(
  rows: readonly ApplicationReportRow[],
  escalations: readonly EscalationReportRow[],
  options: ComplianceOptions,
): ComplianceFigures {
  const { timeZone, calendar } = options;
  if (!isLocalDate(options.periodStart) || !isLocalDate(options.periodEnd)) throw new RangeError('periodStart and periodEnd must be YYYY-MM-DD');
  const periodStart = localDate(options.periodStart);
  const periodEnd = localDate(options.periodEnd);
  if (compareLocalDates(periodStart, periodEnd) > 0) throw new RangeError(`period starts after it ends: ${periodStart} > ${periodEnd}`);
  const weeksOfHistory = options.weeksOfHistory ?? 8;
  if (!Number.isInteger(weeksOfHistory) || weeksOfHistory < 1) throw new RangeError(`weeksOfHistory must be a positive integer, got ${weeksOfHistory}`);

  // Deadlines are instants; "passed before the end of the period" means before local midnight after periodEnd.
  const periodEndMs = ms(localMidnight(addDays(periodEnd, 1), timeZone));

  const prepared: Prepared[] = rows.map((r) => ({
    serviceCode: r.serviceCode,
    receivedDate: localDateOf(r.receivedAt, timeZone),
    completedDate: r.completedAt === null ? null : localDateOf(r.completedAt, timeZone),
    completedMs: r.completedAt === null ? null : ms(r.completedAt),
    deadlineMs: r.deadline === null ? null : ms(r.deadline),
    outcome: r.outcome,
    suspendedWorkingDays: r.suspendedWorkingDays,
  }));
  const firedInPeriod = escalations
    .map((e) => ({ serviceCode: e.serviceCode, rung: e.rung, firedDate: localDateOf(e.firedAt, timeZone) }))
    .filter((e) => inRange(e.firedDate, periodStart, periodEnd));

  const weeks = Array.from({ length: weeksOfHistory }, (_, i) => {
    const weekEnd = addDays(periodEnd, -7 * (weeksOfHistory - 1 - i));
    return { weekStart: addDays(weekEnd, -6), weekEnd };
  });
  const historyStart = (weeks[0] as { weekStart: LocalDate }).weekStart;

  const rungs = [...KNOWN_RUNGS, ...[...new Set(firedInPeriod.map((e) => e.rung))].filter((r) => !KNOWN_RUNGS.includes(r)).sort()];

  const relevant = (p: Prepared): boolean =>
    compareLocalDates(p.receivedDate, periodEnd) <= 0 &&
    (p.completedDate === null || compareLocalDates(p.completedDate, historyStart) >= 0);
  const codes = new Set<string>(options.serviceCodes ?? []);
  for (const p of prepared) if (relevant(p)) codes.add(p.serviceCode);
  for (const e of firedInPeriod) codes.add(e.serviceCode);

  const figuresOf = (apps: Prepared[], fired: typeof firedInPeriod): Figures => {
    const completed = apps.filter((a) => a.completedDate !== null && inRange(a.completedDate, periodStart, periodEnd));
    const judged = completed.filter((a) => a.outcome !== 'cancelled');
    const eligible = judged.filter((a) => a.deadlineMs !== null);
    const onTime = eligible.filter((a) => (a.completedMs as number) <= (a.deadlineMs as number)).length;
    const open = apps.filter(
      (a) => compareLocalDates(a.receivedDate, periodEnd) <= 0 && (a.completedDate === null || compareLocalDates(a.completedDate, periodEnd) > 0),
    );
    const durations = judged
      .map((a) => Math.max(0, calendar.workingDaysBetween(a.receivedDate, a.completedDate as LocalDate) - a.suspendedWorkingDays))
      .sort((x, y) => x - y);
    const refused = completed.filter((a) => a.outcome === 'refused').length;
    const byRung: Record<string, number> = {};
    for (const r of rungs) byRung[r] = 0;
    for (const e of fired) byRung[e.rung] = (byRung[e.rung] ?? 0) + 1;
    return {
      received: apps.filter((a) => inRange(a.receivedDate, periodStart, periodEnd)).length,
      completed: completed.length,
      resultIssued: completed.filter((a) => a.outcome === 'resultIssued').length,
      refused,
      cancelled: completed.filter((a) => a.outcome === 'cancelled').length,
      onTimeEligible: eligible.length,
      completedOnTime: onTime,
      completedLate: eligible.length - onTime,
      withoutDeadline: judged.length - eligible.length,
      onTimePercent: percent(onTime, eligible.length),
      openAtPeriodEnd: open.length,
      overdueOpenAtPeriodEnd: open.filter((a) => a.deadlineMs !== null && a.deadlineMs < periodEndMs).length,
      processing: {
        count: durations.length,
        meanWorkingDays: durations.length === 0 ? null : Math.round((durations.reduce((s, d) => s + d, 0) * 10) / durations.length) / 10,
        p90WorkingDays: nearestRank(durations, 90),
      },
      refusalPercent: percent(refused, completed.length),
      escalationsByRung: byRung,
      weeklyOnTime: weeks.map(({ weekStart, weekEnd }) => {
        const inWeek = apps.filter(
          (a) => a.completedDate !== null && a.outcome !== 'cancelled' && a.deadlineMs !== null && inRange(a.completedDate, weekStart, weekEnd),
        );
        const ok = inWeek.filter((a) => (a.completedMs as number) <= (a.deadlineMs as number)).length;
        return { weekStart, weekEnd, eligible: inWeek.length, onTime: ok, onTimePercent: percent(ok, inWeek.length) };
      }),
    };
  };

  const services = [...codes].sort().map((serviceCode) => ({
    serviceCode,
    ...figuresOf(
      prepared.filter((p) => p.serviceCode === serviceCode),
      firedInPeriod.filter((e) => e.serviceCode === serviceCode),
    ),
  }));
  return {
    version: 1,
    periodStart,
    periodEnd,
    timeZone,
    calendarVersion: calendar.version,
    generatedAt: new Date(ms(options.now)).toISOString(),
    weeksOfHistory,
    rungs,
    services,
    total: figuresOf(prepared, firedInPeriod),
  };
}

/** Local midnight at the start of `date` in the zone, as an instant (the loader's query bounds use it too). */
export function localMidnight(date: LocalDate, timeZone: string): Date {
  return instantOf(date, 0, timeZone);
}
