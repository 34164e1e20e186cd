// The engine's own limit: a workflow that makes as many activity calls as one application lifecycle,
// one after another (each completion is a workflow task, as in the lifecycle), with no-op activities,
// no payload codec and no PostgreSQL. Bundled separately from the production workflows.
import { proxyActivities } from '@temporalio/workflow';

export interface BaselineActivities {
  noop(): Promise<void>;
}

const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });

export async function baselineWorkflow(activityCalls: number): Promise<number> {
  for (let i = 0; i < activityCalls; i++) await noop();
  return activityCalls;
}
