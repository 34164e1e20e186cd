// The fixed data set behind the satisfaction golden file (tests/reports/golden/satisfaction-2026-11-23.json,
// computed by hand): three services, the week 23–29 November 2026 in Moscow time, edges at both ends.
import type { RatingReportRow, ReactionReportRow, ServedReportRow } from '../../reports/satisfactionFigures';

type Row = Omit<RatingReportRow, 'overall'> & { overall: number };
const r = (applicationNumber: string, serviceCode: string, ratedAt: string, criteria: RatingReportRow['criteria'], overall: number, outcome: RatingReportRow['outcome'], completedOnTime: boolean): Row => ({
  applicationNumber,
  serviceCode,
  ratedAt,
  criteria,
  overall,
  outcome,
  completedOnTime,
});

export const SAT_RATINGS: RatingReportRow[] = [
  r('A1', 'archive-certificate', '2026-11-24T10:00:00+03:00', { '2.1': 5, '2.3': 5, '2.5': 5 }, 5, 'resultIssued', true),
  r('A2', 'archive-certificate', '2026-11-25T10:00:00+03:00', { '2.1': 5, '2.3': 4 }, 4.5, 'refused', true),
  r('A3', 'archive-certificate', '2026-11-26T10:00:00+03:00', { '2.1': 4, '2.3': 5, '2.5': 5, '2.8': 5 }, 4.75, 'resultIssued', false),
  r('B1', 'construction-permit', '2026-11-27T10:00:00+03:00', { '2.1': 2, '2.3': 3 }, 2.5, 'refused', false),
  // Late on Sunday evening, local time: still inside the period (20:30 UTC).
  r('B2', 'construction-permit', '2026-11-29T23:30:00+03:00', { '2.1': 5 }, 5, 'resultIssued', true),
  r('C1', 'land-lease', '2026-11-23T09:00:00+03:00', { '2.1': 5, '2.2': 4 }, 4.5, 'resultIssued', true),
  // The week before: only in the chart.
  r('A0', 'archive-certificate', '2026-11-18T10:00:00+03:00', { '2.1': 3 }, 3, 'resultIssued', false),
  // Half an hour after the period: nowhere (21:30 UTC on the 29th).
  r('A9', 'archive-certificate', '2026-11-30T00:30:00+03:00', { '2.1': 1 }, 1, 'resultIssued', true),
];

const s = (applicationNumber: string, serviceCode: string, completedAt: string, rated: boolean): ServedReportRow => ({ applicationNumber, serviceCode, completedAt, rated });
export const SAT_SERVED: ServedReportRow[] = [
  s('A1', 'archive-certificate', '2026-11-23T12:00:00+03:00', true),
  s('A2', 'archive-certificate', '2026-11-23T13:00:00+03:00', true),
  s('A3', 'archive-certificate', '2026-11-24T12:00:00+03:00', true),
  s('A4', 'archive-certificate', '2026-11-25T12:00:00+03:00', false),
  s('B1', 'construction-permit', '2026-11-24T12:00:00+03:00', true),
  s('B2', 'construction-permit', '2026-11-25T12:00:00+03:00', true),
  s('B3', 'construction-permit', '2026-11-26T12:00:00+03:00', false),
  s('B4', 'construction-permit', '2026-11-27T12:00:00+03:00', false),
  s('B5', 'construction-permit', '2026-11-27T15:00:00+03:00', false),
  s('C1', 'land-lease', '2026-11-23T08:00:00+03:00', true),
  s('A0', 'archive-certificate', '2026-11-17T12:00:00+03:00', true),
  // One minute before the period: the previous week's.
  s('B6', 'construction-permit', '2026-11-22T23:59:00+03:00', false),
];

export const SAT_REACTIONS: ReactionReportRow[] = [
  { serviceCode: 'construction-permit', openedAt: '2026-11-24T12:00:00+03:00', dueAt: '2026-12-01T18:00:00+03:00', answeredAt: '2026-11-26T15:00:00+03:00' },
  { serviceCode: 'archive-certificate', openedAt: '2026-11-18T11:00:00+03:00', dueAt: '2026-11-25T18:00:00+03:00', answeredAt: null },
  { serviceCode: 'land-lease', openedAt: '2026-11-27T10:00:00+03:00', dueAt: '2026-12-04T18:00:00+03:00', answeredAt: null },
];
