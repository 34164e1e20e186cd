// The Schedule that pulls rates from ИАС МКГУ: every 30 minutes, one run at a time (a slow pull is not
// overtaken by the next), a short catch-up window (the next run reads from the stored cursor anyway).
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleHandle } from '@temporalio/client';

export const RATINGS_PULL_SCHEDULE_ID = 'ratings-pull';

export async function ensureRatingsPullSchedule(client: Client, opts: { taskQueue: string; every?: string }): Promise<ScheduleHandle> {
  const spec = { intervals: [{ every: (opts.every ?? '30 minutes') as '30 minutes' }] };
  const action = { type: 'startWorkflow' as const, workflowType: 'ratingsPull', workflowId: RATINGS_PULL_SCHEDULE_ID, taskQueue: opts.taskQueue, args: [] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' as const };
  try {
    return await client.schedule.create({ scheduleId: RATINGS_PULL_SCHEDULE_ID, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const handle = client.schedule.getHandle(RATINGS_PULL_SCHEDULE_ID);
    await handle.update((prev) => ({ ...prev, spec, action, policies }));
    return handle;
  }
}
