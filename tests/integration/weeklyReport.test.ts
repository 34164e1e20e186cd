// The weekly compliance report on the real dev server: the Schedule fires Mondays 09:00 in the department's
// zone, and a triggered run produces the report for the previous week, stores it and writes the files.
import * as fs from 'node:fs';
import { ProductionCalendar } from '../../calendar/productionCalendar';
import { localDateOf } from '../../calendar/timeZone';
import { ensureWeeklyReportSchedule, WEEKLY_REPORT_WORKFLOW_TYPE } from '../../reports/schedule';
import { createTestContext, TestContext, TEST_DEPARTMENT, waitFor } from '../support/harness';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('weekly');
  await ctx.startWorker({ reports: { department: 'test-dept', departmentName: 'Тестовая администрация', outputDir: '/tmp/case-lifecycle-test-reports' } });
});
afterAll(async () => {
  await ctx?.close();
});

it('schedules the report for Monday 09:00 in the department zone and a triggered run stores and writes it', async () => {
  const handle = await ensureWeeklyReportSchedule(ctx.client, { taskQueue: ctx.taskQueue, timeZone: TEST_DEPARTMENT.timeZone, scheduleId: `weekly-${ctx.taskQueue}` });
  // Running it twice updates the same Schedule.
  await ensureWeeklyReportSchedule(ctx.client, { taskQueue: ctx.taskQueue, timeZone: TEST_DEPARTMENT.timeZone, scheduleId: `weekly-${ctx.taskQueue}` });
  const description = await handle.describe();
  expect(description.spec.timezone).toBe('Europe/Moscow');
  expect(description.spec.calendars?.[0]).toMatchObject({ dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY', step: 1 }], hour: [{ start: 9, end: 9, step: 1 }] });
  const next = description.info.nextActionTimes[0];
  expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Moscow', weekday: 'long', hour: '2-digit', minute: '2-digit' }).format(next)).toBe('Monday 09:00');

  await handle.trigger();
  const run = await waitFor(async () => {
    for await (const wf of ctx.client.workflow.list({ query: `WorkflowType = "${WEEKLY_REPORT_WORKFLOW_TYPE}" AND TaskQueue = "${ctx.taskQueue}"` })) return wf;
    return null;
  });
  const today = localDateOf(new Date(), TEST_DEPARTMENT.timeZone);
  if (new ProductionCalendar().isWorkingDay(today)) {
    const result = await ctx.client.workflow.getHandle(run.workflowId, run.runId).result();
    const [report] = (result as { reports: { periodStart: string; path: string; csvPath: string }[] }).reports;
    const { rows } = await ctx.pool.query('SELECT period_start, html, csv FROM compliance_reports WHERE department = $1', ['test-dept']);
    expect(rows).toHaveLength(1);
    expect(rows[0].html).toContain('Еженедельный отчёт о соблюдении регламентных сроков');
    expect(fs.readFileSync(report.path, 'utf8')).toBe(rows[0].html);
    expect(fs.existsSync(report.csvPath)).toBe(true);
  } else {
    // Triggered on a day off: the run waits for 09:00 of the next working day instead of reporting now.
    const history = await ctx.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    await waitFor(async () => (await ctx.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory()).events?.some((e) => e.timerStartedEventAttributes));
    expect(history).toBeDefined();
  }
  await handle.delete();
});
