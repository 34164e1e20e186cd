// Creates or updates the Temporal Schedule that starts the weekly compliance report: Mondays 09:00 in the
// department's zone. Overlap SKIP (a run still waiting out a holiday covers the next week itself) and a
// one-day catch-up window (a server outage on Monday morning still yields Monday's report, a week-old one doesn't).
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleHandle } from '@temporalio/client';
import { isValidTimeZone } from '../calendar';

export const WEEKLY_REPORT_SCHEDULE_ID = 'weekly-compliance-report';
export const WEEKLY_REPORT_WORKFLOW_TYPE = 'weeklyComplianceReport';

export interface WeeklyReportScheduleOptions {
  taskQueue: string;
  timeZone: string;
  scheduleId?: string;
}

export async function ensureWeeklyReportSchedule(client: Client, options: WeeklyReportScheduleOptions): Promise<ScheduleHandle> {
  const { taskQueue, timeZone } = options;
  const scheduleId = options.scheduleId ?? WEEKLY_REPORT_SCHEDULE_ID;
  if (!isValidTimeZone(timeZone)) throw new RangeError(`unknown time zone "${timeZone}"`);
  const spec = { calendars: [{ dayOfWeek: 'MONDAY' as const, hour: 9 }], timezone: timeZone };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: WEEKLY_REPORT_WORKFLOW_TYPE,
    // The Schedule appends the scheduled time, so each week's run has its own id.
    workflowId: scheduleId,
    taskQueue,
    args: [],
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' as const };
  try {
    return await client.schedule.create({ scheduleId, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const handle = client.schedule.getHandle(scheduleId);
    // Replace spec, action and policies; keep the rest (state, e.g. a pause set by an operator).
    await handle.update((prev) => ({ ...prev, spec, action, policies }));
    return handle;
  }
}
