// Weekly deadline-compliance report, started by a Temporal Schedule every Monday 09:00 in the department's
// zone. When that Monday is a day off (New Year holidays, transferred days off) the report waits until 09:00
// of the next working day, so management receives it when the office is open. Calendar answers come from
// activities (the calendar data may change between deployments; history keeps what was decided).
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { ComplianceReportActivities, ProduceReportResult } from '../reports';

const calendarActivities = proxyActivities<ComplianceReportActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['RangeError'] },
});

const reportActivities = proxyActivities<ComplianceReportActivities>({
  startToCloseTimeout: '10 minutes',
  // PostgreSQL may be restarting or the calendar data may need an update: keep trying, the run is idempotent.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: ['RangeError'] },
});

/** Longer than any in-week wait (Monday 09:00 → Sunday 09:00 is 6 days), shorter than a full week. */
const NEXT_WEEK_MS = 6.5 * 24 * 60 * 60 * 1000;

export interface WeeklyComplianceReportResult {
  /** One report normally; two when the wait crossed into the next week (see below). */
  reports: ProduceReportResult[];
  waitedUntil?: string;
}

export async function weeklyComplianceReport(): Promise<WeeklyComplianceReportResult> {
  // The run's own start fixes which week is reported, however long we wait below.
  const startedAt = new Date(workflowInfo().startTime.getTime()).toISOString();
  if (await calendarActivities.isWorkingDayToday({ at: startedAt })) {
    return { reports: [await reportActivities.produceWeeklyComplianceReport({ runAt: startedAt })] };
  }
  const wakeAt = await calendarActivities.nextWorkingMorning({ at: startedAt, hour: 9 });
  await sleep(Math.max(0, Date.parse(wakeAt) - Date.now()));
  const reports = [await reportActivities.produceWeeklyComplianceReport({ runAt: startedAt })];
  // When the days off last past the next Monday (1–11 January), this run is still sleeping when the Schedule
  // fires again, and overlap SKIP drops that run: cover its week too (the activity is idempotent per period).
  if (Date.parse(wakeAt) - Date.parse(startedAt) >= NEXT_WEEK_MS) {
    reports.push(await reportActivities.produceWeeklyComplianceReport({ runAt: new Date(Date.now()).toISOString() }));
  }
  return { reports, waitedUntil: wakeAt };
}
