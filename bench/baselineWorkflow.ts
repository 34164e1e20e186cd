// The engine's own limit: a workflow that makes as many activity calls as one application lifecycle, of the
// same kinds (task-queue activities and local activities, counted from a real lifecycle history), one after
// another (each remote completion is a workflow task, as in the lifecycle), with no-op activities, no payload
// codec and no PostgreSQL. Bundled separately from the production workflows.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

export interface BaselineActivities {
  noop(): Promise<void>;
}

const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });

export async function baselineWorkflow(activityCalls: number, localActivityCalls = 0): Promise<number> {
  for (let i = 0; i < Math.max(activityCalls, localActivityCalls); i++) {
    if (i < localActivityCalls) await local.noop();
    if (i < activityCalls) await noop();
  }
  return activityCalls + localActivityCalls;
}
