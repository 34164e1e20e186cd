// A hand-built week for the compliance report: 2026-11-02 (Mon) … 2026-11-08 (Sun), Europe/Moscow (UTC+3),
// with 3 November shortened and 4 November a holiday (День народного единства). Each row's comment gives the
// hand count; the expected figures in the tests are literals derived from these comments, not recomputed.
import type { ApplicationReportRow, EscalationReportRow } from '../../reports/complianceFigures';

export const TZ = 'Europe/Moscow';
export const PERIOD = { periodStart: '2026-11-02', periodEnd: '2026-11-08' } as const;
export const RUN_AT = '2026-11-09T09:00:00+03:00';
export const NOW = '2026-11-09T09:05:00+03:00';
export const A = 'archive-certificate';
export const C = 'construction-permit';

const t = (local: string): string => `${local}+03:00`;

function app(
  n: string,
  serviceCode: string,
  received: string,
  completed: string | null,
  outcome: ApplicationReportRow['outcome'],
  deadline: string | null,
  suspendedWorkingDays = 0,
): ApplicationReportRow {
  return {
    applicationNumber: n,
    serviceCode,
    receivedAt: t(received),
    completedAt: completed === null ? null : t(completed),
    outcome,
    deadline: deadline === null ? null : t(deadline),
    suspendedWorkingDays,
    assignedClerk: Number(n.slice(1)) % 2 === 0 ? 'ivanova' : 'petrov',
  };
}

export const APPLICATIONS: ApplicationReportRow[] = [
  // ---- archive-certificate ----
  // received in period; on time; (11-02, 11-05] = 11-03, 11-05 (11-04 holiday) → 2 wd
  app('A1', A, '2026-11-02T10:00:00', '2026-11-05T12:00:00', 'resultIssued', '2026-11-06T18:00:00'),
  // on time; (10-26, 11-02] = 10-27..10-30, 11-02 → 5 wd
  app('A2', A, '2026-10-26T10:00:00', '2026-11-02T15:00:00', 'resultIssued', '2026-11-02T18:00:00'),
  // refused, late; (10-20, 11-03] = 3 + 5 + 2 = 10 wd − 2 suspended → 8
  app('A3', A, '2026-10-20T09:00:00', '2026-11-03T11:00:00', 'refused', '2026-10-30T18:00:00', 2),
  // completed exactly at the deadline → on time; (10-27, 11-06] = 3 + 4 → 7 wd
  app('A4', A, '2026-10-27T10:00:00', '2026-11-06T16:00:00', 'resultIssued', '2026-11-06T16:00:00'),
  // received in period; cancelled: completed, but outside on-time share and processing time
  app('A5', A, '2026-11-03T10:00:00', '2026-11-05T09:00:00', 'cancelled', '2026-11-13T18:00:00'),
  // received in period; open, deadline after the period
  app('A6', A, '2026-11-05T10:00:00', null, null, '2026-11-12T18:00:00'),
  // open, overdue at period end
  app('A7', A, '2026-10-15T10:00:00', null, null, '2026-11-06T18:00:00'),
  // completed after the period: open and overdue at period end
  app('A8', A, '2026-10-15T11:00:00', '2026-11-09T10:00:00', 'resultIssued', '2026-11-06T18:00:00'),
  // received on Sunday 23:30 local (20:30 UTC): in period; open
  app('A9', A, '2026-11-08T23:30:00', null, null, '2026-11-20T18:00:00'),
  // received Monday 00:10 local (Sunday 21:10 UTC): after the period, counts nowhere
  app('A10', A, '2026-11-09T00:10:00', null, null, '2026-11-20T18:00:00'),
  // received Sunday 1 Nov local (before the period); refused on time; (11-01, 11-06] = 11-02, 03, 05, 06 → 4 wd
  app('A11', A, '2026-11-01T23:30:00', '2026-11-06T10:00:00', 'refused', '2026-11-10T18:00:00'),
  // week 26.10–01.11: late
  app('A12', A, '2026-10-01T10:00:00', '2026-10-28T10:00:00', 'resultIssued', '2026-10-27T18:00:00'),
  // week 19.10–25.10: on time
  app('A13', A, '2026-10-05T10:00:00', '2026-10-20T10:00:00', 'resultIssued', '2026-10-30T18:00:00'),
  // week 26.10–01.11: on time
  app('A14', A, '2026-10-20T10:00:00', '2026-10-29T10:00:00', 'resultIssued', '2026-11-02T18:00:00'),
  // received in period; no deadline set: outside on-time share, inside processing; (11-02, 11-06] → 3 wd
  app('A15', A, '2026-11-02T12:00:00', '2026-11-06T12:00:00', 'resultIssued', null),
  // received in period; refused on time; (11-03, 11-06] = 2 wd − 5 suspended → 0 (never negative)
  app('A16', A, '2026-11-03T12:00:00', '2026-11-06T13:00:00', 'refused', '2026-11-10T18:00:00', 5),
  // completed before the chart's first week (14.09): counts nowhere
  app('A17', A, '2026-08-01T10:00:00', '2026-09-01T10:00:00', 'resultIssued', '2026-09-10T18:00:00'),

  // ---- construction-permit ----
  // on time; (10-05, 11-02] = 4 + 5 + 5 + 5 + 1 → 20 wd
  app('C1', C, '2026-10-05T10:00:00', '2026-11-02T11:00:00', 'resultIssued', '2026-11-03T18:00:00'),
  // refused, late; (10-06, 11-05] = 3 + 15 + 3 = 21 − 3 suspended → 18
  app('C2', C, '2026-10-06T10:00:00', '2026-11-05T14:00:00', 'refused', '2026-11-03T18:00:00', 3),
  // late; (10-07, 11-06] = 2 + 15 + 4 → 21 wd
  app('C3', C, '2026-10-07T10:00:00', '2026-11-06T10:00:00', 'resultIssued', '2026-11-05T18:00:00'),
  // received in period; cancelled
  app('C4', C, '2026-11-02T10:00:00', '2026-11-03T10:00:00', 'cancelled', '2026-12-01T18:00:00'),
  // received in period; open
  app('C5', C, '2026-11-02T09:00:00', null, null, '2026-12-01T18:00:00'),
  // received in period; open
  app('C6', C, '2026-11-06T10:00:00', null, null, '2026-12-04T18:00:00'),
  // open, overdue
  app('C7', C, '2026-09-01T10:00:00', null, null, '2026-10-30T18:00:00'),
  // week 21.09–27.09: late
  app('C8', C, '2026-08-20T10:00:00', '2026-09-22T10:00:00', 'resultIssued', '2026-09-21T18:00:00'),
  // week 12.10–18.10: one minute before the deadline → on time
  app('C9', C, '2026-09-01T10:00:00', '2026-10-13T17:59:00', 'resultIssued', '2026-10-13T18:00:00'),
  // received in period; on time; (11-05, 11-06] → 1 wd
  app('C10', C, '2026-11-05T10:00:00', '2026-11-06T17:00:00', 'resultIssued', '2026-12-03T18:00:00'),
  // received on Saturday: in period; open
  app('C11', C, '2026-11-07T12:00:00', null, null, '2026-12-04T18:00:00'),
  // received on the holiday via ЕПГУ: in period; refused on time; (11-04, 11-06] → 2 wd
  app('C12', C, '2026-11-04T10:00:00', '2026-11-06T11:00:00', 'refused', '2026-11-27T18:00:00'),
];

const esc = (n: string, serviceCode: string, rung: string, fired: string): EscalationReportRow => ({
  applicationNumber: n,
  serviceCode,
  rung,
  firedAt: t(fired),
});

export const ESCALATIONS: EscalationReportRow[] = [
  esc('A7', A, 'clerkReminder', '2026-10-30T09:00:00'), // before the period
  esc('A7', A, 'headWarning', '2026-11-02T09:00:00'),
  esc('A7', A, 'lastDay', '2026-11-06T09:00:00'),
  esc('A7', A, 'breach', '2026-11-06T18:00:00'),
  esc('A8', A, 'breach', '2026-11-06T18:00:00'),
  esc('A6', A, 'clerkReminder', '2026-11-09T00:00:00'), // Monday 00:00 local: after the period
  esc('C7', C, 'breach', '2026-10-30T18:00:00'), // before the period
  esc('C2', C, 'lastDay', '2026-11-03T09:00:00'),
  esc('C2', C, 'breach', '2026-11-03T18:00:00'),
  esc('C3', C, 'lastDay', '2026-11-05T09:00:00'),
  esc('C3', C, 'breach', '2026-11-05T18:00:00'),
  esc('C5', C, 'clerkReminder', '2026-11-02T00:00:00'), // Monday 00:00 local (Sunday 21:00 UTC): in the period
  esc('C6', C, 'deputyCall', '2026-11-05T12:00:00'), // a rung outside the default ladder
];

const nullWeeks = (n: number) => Array.from({ length: n }, () => null);

/** Hand-computed expectations (see the comments above). */
export const EXPECTED = {
  rungs: ['clerkReminder', 'headWarning', 'lastDay', 'breach', 'deputyCall'],
  weeks: [
    ['2026-09-14', '2026-09-20'],
    ['2026-09-21', '2026-09-27'],
    ['2026-09-28', '2026-10-04'],
    ['2026-10-05', '2026-10-11'],
    ['2026-10-12', '2026-10-18'],
    ['2026-10-19', '2026-10-25'],
    ['2026-10-26', '2026-11-01'],
    ['2026-11-02', '2026-11-08'],
  ],
  [A]: {
    received: 6, // A1, A5, A6, A9, A15, A16
    completed: 8, // A1, A2, A3, A4, A5, A11, A15, A16
    resultIssued: 4,
    refused: 3,
    cancelled: 1,
    onTimeEligible: 6, // without A5 (cancelled) and A15 (no deadline)
    completedOnTime: 5,
    completedLate: 1, // A3
    withoutDeadline: 1,
    onTimePercent: 83.3, // 5/6
    openAtPeriodEnd: 4, // A6, A7, A8, A9
    overdueOpenAtPeriodEnd: 2, // A7, A8
    processing: { count: 7, meanWorkingDays: 4.1, p90WorkingDays: 8 }, // [0,2,3,4,5,7,8]: 29/7; rank ceil(6.3)=7
    refusalPercent: 37.5, // 3/8
    escalationsByRung: { clerkReminder: 0, headWarning: 1, lastDay: 1, breach: 2, deputyCall: 0 },
    weeklyPercent: [...nullWeeks(5), 100, 50, 83.3],
  },
  [C]: {
    received: 6, // C4, C5, C6, C10, C11, C12
    completed: 6, // C1, C2, C3, C4, C10, C12
    resultIssued: 3,
    refused: 2,
    cancelled: 1,
    onTimeEligible: 5,
    completedOnTime: 3, // C1, C10, C12
    completedLate: 2, // C2, C3
    withoutDeadline: 0,
    onTimePercent: 60,
    openAtPeriodEnd: 4, // C5, C6, C7, C11
    overdueOpenAtPeriodEnd: 1, // C7
    processing: { count: 5, meanWorkingDays: 12.4, p90WorkingDays: 21 }, // [1,2,18,20,21]: 62/5; rank 5
    refusalPercent: 33.3, // 2/6
    escalationsByRung: { clerkReminder: 1, headWarning: 0, lastDay: 2, breach: 2, deputyCall: 1 },
    weeklyPercent: [null, 0, null, null, 100, null, null, 60],
  },
  total: {
    received: 12,
    completed: 14,
    resultIssued: 7,
    refused: 5,
    cancelled: 2,
    onTimeEligible: 11,
    completedOnTime: 8,
    completedLate: 3,
    withoutDeadline: 1,
    onTimePercent: 72.7, // 8/11
    openAtPeriodEnd: 8,
    overdueOpenAtPeriodEnd: 3,
    processing: { count: 12, meanWorkingDays: 7.6, p90WorkingDays: 20 }, // [0,1,2,2,3,4,5,7,8,18,20,21]: 91/12; rank 11
    refusalPercent: 35.7, // 5/14
    escalationsByRung: { clerkReminder: 1, headWarning: 1, lastDay: 3, breach: 4, deputyCall: 1 },
    weeklyPercent: [null, 0, null, null, 100, 100, 50, 72.7],
  },
};
