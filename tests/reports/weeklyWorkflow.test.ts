// The scheduling workflow on the Java time-skipping test server, with recording stand-ins for the activities:
// which week it asks for, and how it waits out a Monday off.
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { ComplianceReportActivities, ProduceReportResult } from '../../reports/complianceReportActivities';
import { weeklyComplianceReport } from '../../workflows/weeklyComplianceReport';

const DAY = 24 * 60 * 60 * 1000;
let env: TestWorkflowEnvironment;
let workflowBundle: { code: string };

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* installed already */
  }
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: path.resolve(__dirname, '../../.tools/bin/temporal-test-server') } },
  });
  workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows/weeklyComplianceReport'),
    logger: new DefaultLogger('WARN'),
  });
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

interface Calls {
  isWorkingDayToday: string[];
  nextWorkingMorning: { at: string; hour: number }[];
  produce: (string | undefined)[];
}

async function run(opts: { workingDay: boolean; wakeAfterMs?: number }, taskQueue: string) {
  const calls: Calls = { isWorkingDayToday: [], nextWorkingMorning: [], produce: [] };
  const activities: ComplianceReportActivities = {
    async isWorkingDayToday({ at }) {
      calls.isWorkingDayToday.push(at);
      return opts.workingDay;
    },
    async nextWorkingMorning(input) {
      calls.nextWorkingMorning.push(input);
      return new Date(Date.parse(input.at) + (opts.wakeAfterMs ?? DAY)).toISOString();
    },
    async produceWeeklyComplianceReport({ runAt } = {}): Promise<ProduceReportResult> {
      calls.produce.push(runAt);
      return { periodStart: 'p', periodEnd: 'e', path: '/x.html', csvPath: '/x.csv', contentSha256: '0', total: {} as never, services: [] };
    },
  };
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities });
  const result = await worker.runUntil(
    env.client.workflow.execute(weeklyComplianceReport, { taskQueue, workflowId: `${taskQueue}-${Date.now()}` }),
  );
  return { calls, result };
}

describe('weeklyComplianceReport workflow', () => {
  it('on a working Monday produces the report at once, for the week before its start', async () => {
    const { calls, result } = await run({ workingDay: true }, 'weekly-working');
    expect(calls.isWorkingDayToday).toHaveLength(1);
    expect(calls.nextWorkingMorning).toEqual([]);
    expect(calls.produce).toEqual([calls.isWorkingDayToday[0]]);
    expect(result.reports).toHaveLength(1);
    expect(result.waitedUntil).toBeUndefined();
  });

  it('on a Monday off waits for 09:00 of the next working day, then reports the same week', async () => {
    const { calls, result } = await run({ workingDay: false, wakeAfterMs: DAY }, 'weekly-holiday');
    const startedAt = calls.isWorkingDayToday[0] as string;
    expect(calls.nextWorkingMorning).toEqual([{ at: startedAt, hour: 9 }]);
    // runAt is the run's start, not the wake-up time, so the reported week cannot drift.
    expect(calls.produce).toEqual([startedAt]);
    expect(result.waitedUntil).toBe(new Date(Date.parse(startedAt) + DAY).toISOString());
  });

  it('when the days off outlast the week (1–11 January) it also covers the week the skipped run would have reported', async () => {
    const { calls, result } = await run({ workingDay: false, wakeAfterMs: 7 * DAY }, 'weekly-newyear');
    const startedAt = calls.isWorkingDayToday[0] as string;
    expect(calls.produce).toHaveLength(2);
    expect(calls.produce[0]).toBe(startedAt);
    // The second run is for the wake-up week: workflow time after the timer, i.e. at least 7 days later.
    expect(Date.parse(calls.produce[1] as string) - Date.parse(startedAt)).toBeGreaterThanOrEqual(7 * DAY);
    expect(result.reports).toHaveLength(2);
  });
});
