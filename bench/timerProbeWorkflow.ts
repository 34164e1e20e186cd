// Stand-in for an escalation rung that falls due while the worker carries thousands of open cases: the
// real rungs land hours away, so the bench measures how late a short timer fires under the same load.
import { sleep } from '@temporalio/workflow';

export async function timerProbe(ms: number): Promise<void> {
  await sleep(ms);
}
