// A department embeds the plugin in its own Worker exactly as README's "Embedding the plugin" snippet shows:
// that worker alone must run an application's lifecycle and the weekly compliance report (the Schedule's
// workflow), i.e. the plugin registers every activity its workflows call. The snippet is copied below between
// the markers, and the first test keeps README and this copy identical.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CaseClient } from '../../client/caseClient';
import { createTestContext, sampleApplication, TestContext, TEST_CODEC_KEYS, TEST_DEPARTMENT, waitFor } from '../support/harness';
// ---- README embedding snippet: imports ----
import { NativeConnection, Worker } from '@temporalio/worker';
import { Pool } from 'pg';
import { createElkChannel, createLifecycleActivities } from 'case-lifecycle-temporal/activities';
import { ProductionCalendar } from 'case-lifecycle-temporal/calendar';
import { SmevAdapterClient } from 'case-lifecycle-temporal/epgu';
import { loadDirectory, WebhookNotifier } from 'case-lifecycle-temporal/escalation';
import { createRefusalRenderer } from 'case-lifecycle-temporal/refusal';
import { ServiceRegistry } from 'case-lifecycle-temporal/services';
import { CaseLifecyclePlugin } from 'case-lifecycle-temporal/worker';
// ---- end of imports ----

let ctx: TestContext;
let worker: Worker;
let running: Promise<void>;
let pool: Pool;
const reportsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'case-embedding-reports-'));

/** The department's configuration the snippet reads (README: "come from the department's configuration"). */
function departmentConfiguration(ctx: TestContext) {
  return {
    address: ctx.stack.temporalAddress,
    taskQueue: `embedding-${process.pid}`,
    databaseUrl: ctx.stack.databaseUrl,
    smevAdapterUrl: ctx.emulator.url,
    exchangeDir: ctx.emulator.exchangeDir,
    itSystem: 'TEST_VIS',
    department: TEST_DEPARTMENT,
    codecKeys: TEST_CODEC_KEYS,
    directoryFile: path.resolve(__dirname, '../../escalation/directory.demo.json'),
    caseLinkBase: 'http://localhost:8080/cases',
    reports: { department: 'embedding-test', departmentName: 'Администрация (встраивание)', outputDir: reportsDir },
  };
}

async function embed(config: ReturnType<typeof departmentConfiguration>): Promise<{ worker: Worker; pool: Pool }> {
  const { address, taskQueue, databaseUrl, smevAdapterUrl, exchangeDir, itSystem, department, codecKeys, directoryFile, caseLinkBase, reports } = config;
  // ---- README embedding snippet: body ----
  const pool = new Pool({ connectionString: databaseUrl });
  const activities = createLifecycleActivities({
    pool,
    services: ServiceRegistry.load(),
    elk: createElkChannel(new SmevAdapterClient({ baseUrl: smevAdapterUrl, itSystem }), department, { exchangeDir }),
    calendar: new ProductionCalendar(),
    timeZone: department.timeZone,
    refusalRenderer: createRefusalRenderer(),
    letterKeys: codecKeys,
    directory: loadDirectory({ CASE_DIRECTORY_FILE: directoryFile }),
    notifiers: [new WebhookNotifier()],
    caseLinkBase,
    reports,
  });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    taskQueue,
    plugins: [new CaseLifecyclePlugin({ codecKeys, activities })],
  });
  // ---- end of body ----
  return { worker, pool };
}

beforeAll(async () => {
  ctx = await createTestContext('embedding');
  ({ worker, pool } = await embed(departmentConfiguration(ctx)));
  running = worker.run();
});
afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running?.catch(() => undefined);
  await pool?.end();
  await ctx?.close();
});

test('README shows the same snippet this test runs', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const block = /## Embedding the plugin[^\n]*\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const self = fs.readFileSync(__filename, 'utf8');
  const between = (start: string, end: string) => self.slice(self.indexOf(start) + start.length, self.indexOf(end, self.indexOf(start))).trim();
  const unindent = (s: string) => s.split('\n').map((l) => l.replace(/^ {2}/, '')).join('\n');
  const imports = between('// ---- README embedding snippet: imports ----\n', '// ---- end of imports ----');
  const body = unindent(between('// ---- README embedding snippet: body ----\n', '  // ---- end of body ----'));
  const readmeLines = block!.split('\n').filter((l) => l.trim() && !l.startsWith('//'));
  expect(readmeLines.join('\n')).toBe(`${imports}\n${body}`);
});

test('the embedded worker runs a lifecycle to its result', async () => {
  const cases = new CaseClient({ client: ctx.client, services: ctx.services, taskQueue: departmentConfiguration(ctx).taskQueue });
  const app = sampleApplication();
  const no = app.applicationNumber;
  await cases.startApplication(app);
  await cases.act(no, 'register', { clerk: 'ivanova' });
  await cases.act(no, 'startReview', { clerk: 'ivanova' });
  await cases.act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'approve' });
  await cases.act(no, 'approve', { clerk: 'head-smirnov' });
  await cases.act(no, 'issueResult', { clerk: 'ivanova' });
  const result = await cases.result(no);
  expect(result).toMatchObject({ applicationNumber: no, outcome: 'resultIssued', elkStatusesSkipped: 0 });
  expect(result.elkStatusesDelivered).toBeGreaterThan(0);
  const { rows } = await ctx.pool.query('SELECT stage FROM applications WHERE application_number = $1', [no]);
  expect(rows[0].stage).toBe('resultIssued');
});

test('the embedded worker runs the weekly compliance report the Schedule starts', async () => {
  const handle = await ctx.client.workflow.start('weeklyComplianceReport', {
    taskQueue: departmentConfiguration(ctx).taskQueue,
    workflowId: `weekly-embedding-${process.pid}-${Date.now()}`,
    workflowExecutionTimeout: '10 minutes',
  });
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: TEST_DEPARTMENT.timeZone }).format(new Date());
  if (new ProductionCalendar().isWorkingDay(today as never)) {
    const result = (await handle.result()) as { reports: { path: string }[] };
    const { rows } = await ctx.pool.query('SELECT html FROM compliance_reports WHERE department = $1', ['embedding-test']);
    expect(rows).toHaveLength(1);
    expect(fs.readFileSync(result.reports[0]!.path, 'utf8')).toBe(rows[0].html);
  } else {
    // On a day off the run asks the calendar activities when to report and waits on a timer until then.
    await waitFor(async () => (await handle.fetchHistory()).events?.some((e) => e.timerStartedEventAttributes));
    await handle.terminate('test over');
  }
});
