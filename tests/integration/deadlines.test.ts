// A full regulatory term on the Java time-skipping test server: 30 working days that cross the New Year
// holidays. Every rung fires once, at its working instant, in order; none fire for a case finished early;
// a suspended case's rungs move by exactly the suspended working days.
import * as http from 'node:http';
import * as path from 'node:path';
import { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { Pool } from 'pg';
import { createLifecycleActivities } from '../../activities';
import { createElkChannel } from '../../activities/elkChannel';
import { ProductionCalendar } from '../../calendar/productionCalendar';
import { computeRegulatoryClock } from '../../calendar/regulatoryClock';
import { DEFAULT_ESCALATION_LADDER, scheduleRungs } from '../../escalation';
import { localDateTimeOf } from '../../calendar/timeZone';
import { CaseClient } from '../../client/caseClient';
import { SmevAdapterClient } from '../../epgu/smevAdapterClient';
import { startElkEmulator } from '../../epgu/emulator/elkEmulator';
import { parseDirectory } from '../../escalation/directory';
import { WebhookNotifier } from '../../escalation/notifier';
import { createRefusalRenderer } from '../../refusal';
import { ServiceRegistry } from '../../services/registry';
import { ServiceDefinitionSchema } from '../../services';
import { CaseLifecyclePlugin } from '../../worker/plugin';
import { readStack, sampleApplication, TEST_CODEC_KEYS, TEST_DEPARTMENT, waitFor } from '../support/harness';

const TZ = TEST_DEPARTMENT.timeZone;
const services = new ServiceRegistry([
  ServiceDefinitionSchema.parse({
    code: 'test-thirty-days',
    title: 'Тестовая услуга со сроком 30 рабочих дней',
    serviceTargetCode: '6300000010000000999',
    regulation: {
      term: { amount: 30, unit: 'workingDays' },
      termStart: { from: 'registration', basis: 'ч. 1 ст. 12 Федерального закона от 02.05.2006 № 59-ФЗ («со дня регистрации»)' },
    },
  }),
  ServiceDefinitionSchema.parse({
    code: 'test-five-from-receipt',
    title: 'Тестовая услуга: 5 рабочих дней со дня получения заявления',
    serviceTargetCode: '6300000010000000998',
    regulation: {
      term: { amount: 5, unit: 'workingDays' },
      termStart: { from: 'receipt', basis: 'ч. 11 ст. 51 ГрК РФ («со дня получения заявления»)' },
    },
  }),
]);
const calendar = new ProductionCalendar();

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let pool: Pool;
let cases: CaseClient;
let emulator: Awaited<ReturnType<typeof startElkEmulator>>;
let sink: http.Server;
const webhooks: { taskKey?: string; rung?: string; to?: unknown }[] = [];
let portalSkewMs = 0;

/** Skips time on the test server and moves the emulated portal's clock along. */
async function skip(duration: Duration): Promise<void> {
  await env.sleep(duration);
  portalSkewMs = (await env.currentTimeMs()) - Date.now();
}

beforeAll(async () => {
  const stack = readStack();
  pool = new Pool({ connectionString: stack.databaseUrl, max: 5 });
  // The portal lives in the test server's skipped time too: it rejects status dates from its future.
  emulator = await startElkEmulator({ port: 0, host: '127.0.0.1', now: () => new Date(Date.now() + portalSkewMs) });
  sink = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      webhooks.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/tasks`;

  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: path.resolve(__dirname, '../../.tools/bin/temporal-test-server') } },
    plugins: [new CaseLifecyclePlugin({ codecKeys: TEST_CODEC_KEYS })],
  });
  const activities = createLifecycleActivities({
    pool,
    services,
    elk: createElkChannel(new SmevAdapterClient({ baseUrl: emulator.url, itSystem: 'TEST_VIS' }), TEST_DEPARTMENT, { exchangeDir: emulator.exchangeDir }),
    calendar,
    timeZone: TZ,
    refusalRenderer: createRefusalRenderer(),
    letterKeys: TEST_CODEC_KEYS,
    directory: parseDirectory({
      clerks: { ivanova: { name: 'Иванова Анна Сергеевна' } },
      head: { name: 'Кузнецов Олег Петрович' },
      deputy: { name: 'Смирнова Елена Андреевна' },
      management: [{ name: 'Волков Сергей Николаевич' }],
      webhookUrl: sinkUrl,
    }),
    notifiers: [new WebhookNotifier()],
    caseLinkBase: 'http://vis.example/cases',
    elkRetryMaxIntervalMs: 500,
    // The Java test server has no search attribute registry.
    searchAttributes: false,
    reports: { department: 'deadlines-test', outputDir: '/tmp/case-lifecycle-test-reports' },
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'deadlines',
    workflowBundle: { codePath: stack.bundlePath },
    activities,
    plugins: [new CaseLifecyclePlugin({ codecKeys: TEST_CODEC_KEYS })],
  });
  running = worker.run();
  // A plain client: waiting for a result must not unlock time skipping, or the server would race past the
  // timeouts of activities still running in real time. Time moves only in skip().
  const plain = new Client({ connection: env.connection, plugins: [new CaseLifecyclePlugin({ codecKeys: TEST_CODEC_KEYS })] });
  // The case system lives in the skipped time too: receipts are stamped with the test server's clock.
  cases = new CaseClient({ client: plain, services, taskQueue: 'deadlines', searchAttributes: false, now: () => Date.now() + portalSkewMs });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await emulator?.stop();
  await new Promise((r) => sink?.close(r));
  await pool?.end();
});

/**
 * An application received now in the test server's time (it runs ahead of the wall clock after a skip). With
 * the wall clock, a stage term would already be over at intake and its timer due at once, racing the next
 * workflow task: the time-skipping server strands a run that cancels a timer fired meanwhile
 * (temporalio/sdk-java#3088); a real server retries such a task.
 */
async function newApplication() {
  return sampleApplication({ serviceCode: 'test-thirty-days', assignedClerk: 'ivanova', receivedAt: new Date(await env.currentTimeMs()).toISOString() });
}

async function firedRungs(no: string) {
  const { rows } = await pool.query(
    'SELECT rung, fire_at, fired_at, deadline, notify FROM escalations WHERE application_number = $1 ORDER BY fired_at, id',
    [no],
  );
  return rows as { rung: string; fire_at: Date; fired_at: Date; deadline: Date; notify: string[] }[];
}

async function registeredAt(no: string): Promise<string> {
  const history = await cases.history(no);
  return history.find((e) => e.action === 'register')!.at;
}

function expectedRungs(startedAt: string, suspensions: { from: string; to: string; reason: string }[] = []) {
  const input = { startedAt, term: { amount: 30, unit: 'workingDays' as const }, timeZone: TZ, suspensions, extensions: [] };
  const clock = computeRegulatoryClock(input, calendar);
  return { clock, rungs: scheduleRungs(input, clock, DEFAULT_ESCALATION_LADDER, calendar) };
}

function isWorkingInstant(at: Date): boolean {
  const local = localDateTimeOf(at, TZ);
  const minutes = local.hour * 60 + local.minute;
  return calendar.isWorkingDay(local.date) && minutes >= 9 * 60 && minutes <= 18 * 60;
}

it('fires every rung of a 30-working-day term across the New Year holidays once, at its working instant, in order', async () => {
  const app = await newApplication();
  const no = app.applicationNumber;
  await cases.startApplication(app);
  await cases.act(no, 'register', { clerk: 'ivanova' });
  const start = await registeredAt(no);
  const { clock, rungs } = expectedRungs(start);

  // Let the whole term pass in skipped time (the server skips from timer to timer).
  await skip('75 days');

  const fired = await firedRungs(no);
  expect(fired.map((f) => f.rung)).toEqual(['clerkReminder', 'headWarning', 'lastDay', 'breach']);
  expect(fired.map((f) => f.fire_at.toISOString())).toEqual(rungs.map((r) => new Date(r.fireAt).toISOString()));
  for (const f of fired) {
    expect(f.deadline.toISOString()).toBe(new Date(clock.deadline!).toISOString());
    // Fired when due by workflow time, never before, and only on a working day in working hours.
    expect(f.fired_at.getTime()).toBeGreaterThanOrEqual(f.fire_at.getTime());
    expect(f.fired_at.getTime() - f.fire_at.getTime()).toBeLessThan(60_000);
    expect(isWorkingInstant(f.fire_at)).toBe(true);
  }
  // The term crosses the New Year holidays: nothing lands on 31.12–11.01.
  expect(fired.every((f) => !/-(12-31|01-0\d|01-1[01])$/.test(localDateTimeOf(f.fire_at, TZ).date))).toBe(true);
  expect(fired.find((f) => f.rung === 'breach')!.notify).toEqual(['management']);

  const state = await cases.state(no);
  expect(state.overdue).toBe(true);
  expect(state.deadline).toBe(clock.deadline);
  const { rows: tasks } = await pool.query(`SELECT kind, assignee_role FROM clerk_tasks WHERE application_number = $1 AND kind LIKE 'escalation:%' ORDER BY id`, [no]);
  expect(tasks.map((t) => `${t.kind}/${t.assignee_role}`)).toEqual([
    'escalation:clerkReminder/clerk',
    'escalation:headWarning/clerk',
    'escalation:headWarning/head',
    'escalation:lastDay/head',
    'escalation:lastDay/deputy',
    'escalation:breach/management',
  ]);
  expect(webhooks.filter((w) => JSON.stringify(w).includes(no)).length).toBe(6);
  await cases.applicantCancelled(no);
  await cases.result(no);
  // Closing the case closes what the ladder left open, with the reason on each task (the closing record does
  // it when no rung's task is still being written).
  const { rows: closed } = await pool.query(`SELECT resolution FROM clerk_tasks WHERE application_number = $1 AND kind LIKE 'escalation:%' AND resolved_at IS NOT NULL`, [no]);
  expect(closed.map((t) => t.resolution)).toEqual(Array(6).fill('Заявление завершено: «Заявление отозвано заявителем»'));
});

it('fires nothing for a case finished before its first rung', async () => {
  const app = await newApplication();
  const no = app.applicationNumber;
  await cases.startApplication(app);
  await cases.act(no, 'register', { clerk: 'ivanova' });
  await cases.act(no, 'startReview', { clerk: 'ivanova' });
  await cases.act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'approve' });
  await cases.act(no, 'approve', { clerk: 'head' });
  await cases.act(no, 'issueResult', { clerk: 'ivanova' });
  await cases.result(no);
  await skip('30 days');
  expect(await firedRungs(no)).toEqual([]);
});

it('moves the rungs of a suspended case by exactly the suspended working days', async () => {
  const app = await newApplication();
  const no = app.applicationNumber;
  await cases.startApplication(app);
  await cases.act(no, 'register', { clerk: 'ivanova' });
  await cases.act(no, 'startReview', { clerk: 'ivanova' });
  await skip('2 days');
  await cases.act(no, 'requestFromApplicant', { clerk: 'ivanova', kind: 'correction' });
  const suspendedFrom = (await cases.history(no)).find((e) => e.action === 'requestFromApplicant:correction')!.at;
  expect((await cases.state(no)).suspended).toBe(true);
  await skip('7 days');
  await cases.applicantResponded(no);
  const resumedAt = (await cases.history(no)).find((e) => e.action === 'applicantResponded')!.at;
  await skip('75 days');

  const start = await registeredAt(no);
  const plain = expectedRungs(start);
  const moved = expectedRungs(start, [{ from: suspendedFrom, to: resumedAt, reason: 'stage:awaitingApplicant' }]);
  expect(moved.clock.suspendedWorkingDays).toBeGreaterThanOrEqual(4);
  expect(calendar.workingDaysBetween(plain.clock.dueDate!, moved.clock.dueDate!)).toBe(moved.clock.suspendedWorkingDays);

  const fired = await firedRungs(no);
  expect(fired.map((f) => f.rung)).toEqual(['clerkReminder', 'headWarning', 'lastDay', 'breach']);
  expect(fired.map((f) => f.fire_at.toISOString())).toEqual(moved.rungs.map((r) => new Date(r.fireAt).toISOString()));
  expect(fired.every((f) => f.deadline.toISOString() === new Date(moved.clock.deadline!).toISOString())).toBe(true);
  await cases.applicantCancelled(no);
  await cases.result(no);
});

it('gives the clerk a task when a stage outlives its own term (registration within 1 working day)', async () => {
  const app = await newApplication();
  const no = app.applicationNumber;
  await cases.startApplication(app);
  await skip('5 days');
  const { rows } = await pool.query(`SELECT kind, assignee, title, due_at FROM clerk_tasks WHERE application_number = $1 AND kind LIKE 'stageTerm:%'`, [no]);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ kind: 'stageTerm:received', assignee: 'ivanova' });
  expect(rows[0].title).toContain('Истёк срок этапа «Заявление поступило»');
  // Registered late, then moved on within the interagency term: no second task.
  await cases.act(no, 'register', { clerk: 'ivanova' });
  await cases.act(no, 'startReview', { clerk: 'ivanova' });
  await cases.act(no, 'requestInteragency', { clerk: 'ivanova', agencies: ['ФНС'] });
  await skip('1 day');
  await cases.act(no, 'recordInteragencyAnswer', { clerk: 'ivanova', agency: 'ФНС' });
  await skip('10 days');
  const after = await pool.query(`SELECT kind FROM clerk_tasks WHERE application_number = $1 AND kind LIKE 'stageTerm:%'`, [no]);
  expect(after.rows.map((r) => r.kind)).toEqual(['stageTerm:received']);
  await cases.applicantCancelled(no);
  await cases.result(no);
});

it('counts a term that runs from receipt from receipt: a late registration eats the budget, the registration term still watches', async () => {
  const app = sampleApplication({ serviceCode: 'test-five-from-receipt', assignedClerk: 'ivanova', receivedAt: new Date(await env.currentTimeMs()).toISOString() });
  const no = app.applicationNumber;
  await cases.startApplication(app);
  const fromReceipt = computeRegulatoryClock({ startedAt: app.receivedAt, term: { amount: 5, unit: 'workingDays' }, timeZone: TZ }, calendar);
  // The term runs before anyone registers the case.
  const before = await waitFor(async () => (await cases.state(no)).deadline);
  expect(before).toBe(fromReceipt.deadline);
  // Admission computed it and wrote the "deadline" event right after "receive", once.
  const early = await cases.history(no);
  expect(early.slice(0, 2).map((e) => [e.seq, e.action, e.note])).toEqual([[1, 'receive', undefined], [2, 'deadline', `срок: ${fromReceipt.dueDate}`]]);
  const { rows: deadlineEvents } = await pool.query(`SELECT seq FROM case_events WHERE application_number = $1 AND action = 'deadline'`, [no]);
  expect(deadlineEvents.map((r) => r.seq)).toEqual([2]);

  await skip('4 days');
  await cases.act(no, 'register', { clerk: 'ivanova' });
  const registered = await registeredAt(no);
  const fromRegistration = computeRegulatoryClock({ startedAt: registered, term: { amount: 5, unit: 'workingDays' }, timeZone: TZ }, calendar);
  expect(calendar.workingDaysBetween(fromReceipt.dueDate!, fromRegistration.dueDate!)).toBeGreaterThanOrEqual(1);
  // Registration restarted nothing: the deadline is still five working days from receipt.
  const state = await cases.state(no);
  expect(state.deadline).toBe(fromReceipt.deadline);
  const { rows: record } = await pool.query('SELECT deadline, registered_at FROM applications WHERE application_number = $1', [no]);
  expect(record[0].deadline.toISOString()).toBe(new Date(fromReceipt.deadline!).toISOString());
  expect(record[0].registered_at.toISOString()).toBe(new Date(registered).toISOString());
  // The gap was watched: registration outlived its own term of 1 working day.
  const { rows: tasks } = await pool.query(`SELECT kind FROM clerk_tasks WHERE application_number = $1 AND kind LIKE 'stageTerm:%'`, [no]);
  expect(tasks.map((t) => t.kind)).toEqual(['stageTerm:received']);

  await skip('10 days');
  const fired = await firedRungs(no);
  expect(fired.map((f) => f.rung)).toContain('breach');
  for (const f of fired) expect(f.deadline.toISOString()).toBe(new Date(fromReceipt.deadline!).toISOString());
  await cases.applicantCancelled(no);
  await cases.result(no);
});
