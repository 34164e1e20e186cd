// Pure computation of the satisfaction figures of the weekly report: what applicants said of the services
// (ratings from every source), whether enough of them said it (response rate), how each service stands against
// the 4.51 floor and the national indicator (share of services with a mean above 4.5; plan for 2026: 57 %),
// how critical reviews were handled, and what drives the rating (terms kept, refusals). No I/O.
//
// Definitions (repeated in the report's footnotes):
// - ratings of the period: rated_at's local date inside the period, every source, duplicates already removed;
//   a rating's overall value is the mean of the criteria it rates;
// - mean per service / criterion / overall: mean of those values, rounded to 0.01;
// - response rate: of the applications completed (served) in the period, the share rated at all by the time
//   the report is computed (a mean from 2 of 100 applicants says little: seed 003);
// - floor: a service whose mean is below 4.51 is highlighted; "above 4.5" is strictly greater than 4.5; the
//   share of services above 4.5 is taken over services with at least one rating in the period;
// - critical reviews: opened in the period; answered on time / late (answer sent in the period, before or
//   after its term); overdue at period end (not answered, term passed before the end of the period);
// - drivers: mean overall of the period's ratings of applications completed on time vs late, and of refusals
//   vs approvals (result issued).
import { addDays, compareLocalDates, localDate, localDateOf, type LocalDate } from '../calendar';
import { CRITERIA, type Criterion } from '../feedback';

export const SATISFACTION_FLOOR = 4.51;
export const INDICATOR_THRESHOLD = 4.5;
export const INDICATOR_PLAN_PERCENT = 57;

type Instant = Date | string;

export interface RatingReportRow {
  applicationNumber: string;
  serviceCode: string;
  ratedAt: Instant;
  criteria: Partial<Record<Criterion, number>>;
  overall: number;
  /** The rated application, as the lifecycle closed it. */
  outcome: 'resultIssued' | 'refused' | 'cancelled' | null;
  completedOnTime: boolean | null;
}

export interface ServedReportRow {
  applicationNumber: string;
  serviceCode: string;
  completedAt: Instant;
  rated: boolean;
}

export interface ReactionReportRow {
  serviceCode: string;
  openedAt: Instant;
  dueAt: Instant;
  answeredAt: Instant | null;
}

export interface SatisfactionOptions {
  periodStart: string;
  periodEnd: string;
  timeZone: string;
  weeksOfHistory?: number;
  serviceCodes?: readonly string[];
}

export interface SatisfactionBlock {
  ratings: number;
  served: number;
  servedRated: number;
  responseRatePercent: number | null;
  meanOverall: number | null;
  meanByCriterion: Partial<Record<Criterion, number>>;
  belowFloor: boolean;
  aboveIndicator: boolean;
  reactions: { opened: number; answeredOnTime: number; answeredLate: number; overdueOpen: number };
  drivers: { onTime: number | null; late: number | null; approvals: number | null; refusals: number | null };
}

export interface SatisfactionFigures {
  periodStart: string;
  periodEnd: string;
  total: SatisfactionBlock & {
    servicesRated: number;
    servicesAboveIndicator: number;
    shareAboveIndicatorPercent: number | null;
    planPercent: number;
    meetsPlan: boolean | null;
    servicesBelowFloor: string[];
  };
  services: (SatisfactionBlock & { serviceCode: string })[];
  weeks: { weekStart: string; weekEnd: string; ratings: number; meanOverall: number | null }[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const round1 = (n: number) => Math.round(n * 10) / 10;
const mean = (xs: number[]): number | null => (xs.length === 0 ? null : round2(xs.reduce((a, b) => a + b, 0) / xs.length));
const inRange = (d: LocalDate, from: LocalDate, to: LocalDate) => compareLocalDates(d, from) >= 0 && compareLocalDates(d, to) <= 0;

function block(ratings: RatingReportRow[], served: ServedReportRow[], reactions: ReactionReportRow[], end: Date, inPeriod: (at: Instant) => boolean): SatisfactionBlock {
  const meanByCriterion: Partial<Record<Criterion, number>> = {};
  for (const c of CRITERIA) {
    const m = mean(ratings.map((r) => r.criteria[c]).filter((v): v is number => v !== undefined));
    if (m !== null) meanByCriterion[c] = m;
  }
  const meanOverall = mean(ratings.map((r) => r.overall));
  const servedRated = served.filter((s) => s.rated).length;
  return {
    ratings: ratings.length,
    served: served.length,
    servedRated,
    responseRatePercent: served.length === 0 ? null : round1((servedRated / served.length) * 100),
    meanOverall,
    meanByCriterion,
    belowFloor: meanOverall !== null && meanOverall < SATISFACTION_FLOOR,
    aboveIndicator: meanOverall !== null && meanOverall > INDICATOR_THRESHOLD,
    reactions: {
      opened: reactions.filter((r) => inPeriod(r.openedAt)).length,
      answeredOnTime: reactions.filter((r) => r.answeredAt !== null && inPeriod(r.answeredAt) && new Date(r.answeredAt) <= new Date(r.dueAt)).length,
      answeredLate: reactions.filter((r) => r.answeredAt !== null && inPeriod(r.answeredAt) && new Date(r.answeredAt) > new Date(r.dueAt)).length,
      overdueOpen: reactions.filter((r) => (r.answeredAt === null || new Date(r.answeredAt) >= end) && new Date(r.dueAt) < end && new Date(r.openedAt) < end).length,
    },
    drivers: {
      onTime: mean(ratings.filter((r) => r.completedOnTime === true).map((r) => r.overall)),
      late: mean(ratings.filter((r) => r.completedOnTime === false).map((r) => r.overall)),
      approvals: mean(ratings.filter((r) => r.outcome === 'resultIssued').map((r) => r.overall)),
      refusals: mean(ratings.filter((r) => r.outcome === 'refused').map((r) => r.overall)),
    },
  };
}

/** `endExclusive` is the instant the period ends (local midnight after periodEnd). */
export function computeSatisfactionFigures(
  ratings: RatingReportRow[],
  served: ServedReportRow[],
  reactions: ReactionReportRow[],
  opts: SatisfactionOptions & { endExclusive: Date },
): SatisfactionFigures {
  const start = localDate(opts.periodStart);
  const endDate = localDate(opts.periodEnd);
  const local = (at: Instant) => localDateOf(new Date(at), opts.timeZone);
  const inPeriod = (at: Instant) => inRange(local(at), start, endDate);
  const periodRatings = ratings.filter((r) => inPeriod(r.ratedAt));
  const periodServed = served.filter((s) => inPeriod(s.completedAt));
  const codes = [...new Set([...(opts.serviceCodes ?? []), ...periodRatings.map((r) => r.serviceCode), ...periodServed.map((s) => s.serviceCode)])].sort();
  const services = codes.map((serviceCode) => ({
    serviceCode,
    ...block(
      periodRatings.filter((r) => r.serviceCode === serviceCode),
      periodServed.filter((s) => s.serviceCode === serviceCode),
      reactions.filter((r) => r.serviceCode === serviceCode),
      opts.endExclusive,
      inPeriod,
    ),
  }));
  const rated = services.filter((s) => s.meanOverall !== null);
  const above = rated.filter((s) => s.aboveIndicator).length;
  const share = rated.length === 0 ? null : round1((above / rated.length) * 100);
  const weeks = [];
  const n = opts.weeksOfHistory ?? 8;
  for (let i = n - 1; i >= 0; i--) {
    const weekEnd = addDays(endDate, -7 * i);
    const weekStart = addDays(weekEnd, -6);
    const inWeek = ratings.filter((r) => inRange(local(r.ratedAt), weekStart, weekEnd));
    weeks.push({ weekStart, weekEnd, ratings: inWeek.length, meanOverall: mean(inWeek.map((r) => r.overall)) });
  }
  return {
    periodStart: opts.periodStart,
    periodEnd: opts.periodEnd,
    total: {
      ...block(periodRatings, periodServed, reactions, opts.endExclusive, inPeriod),
      servicesRated: rated.length,
      servicesAboveIndicator: above,
      shareAboveIndicatorPercent: share,
      planPercent: INDICATOR_PLAN_PERCENT,
      meetsPlan: share === null ? null : share >= INDICATOR_PLAN_PERCENT,
      servicesBelowFloor: services.filter((s) => s.belowFloor).map((s) => s.serviceCode),
    },
    services,
    weeks,
  };
}
