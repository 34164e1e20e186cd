// The worker's logs carry no personal data: a worker process (worker/main.ts with the masking Runtime
// logger, at DEBUG) runs lifecycles through a portal outage and bad input, and the whole log file, stdout
// and stderr are scanned for every personal value used.
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputValidationError } from '../../shared/validation';
import { createTestContext, killProcess, sampleApplication, startWorkerProcess, TestContext, waitFor } from '../support/harness';
import { expectNoPii, PERSON } from './support/person';

let ctx: TestContext;
let worker: ChildProcess;
let output = '';
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'case-logs-'));
const logFile = path.join(logDir, 'worker.log');

// The worker process as deployed, with the masking logger writing everything it logs to one file.
const startMaskedWorker = (): Promise<ChildProcess> =>
  startWorkerProcess(ctx, { entry: 'tests/security/support/maskedWorkerMain.ts', env: { CASE_LOG_FILE: logFile, CASE_LOG_LEVEL: 'debug' } });

beforeAll(async () => {
  ctx = await createTestContext('logs-pii');
  worker = await startMaskedWorker();
});
afterAll(async () => {
  if (worker) await killProcess(worker, 'SIGTERM');
  await ctx?.close();
  fs.rmSync(logDir, { recursive: true, force: true });
});

it('rejects bad personal input naming the field, never echoing the value', async () => {
  const bad: [string, Record<string, unknown>, string, string][] = [
    ['snils', { snils: '738-291-046 00' }, 'applicant.snils', '738-291-046'],
    ['passport', { passport: { series: '45 10', number: '73918' } }, 'applicant.passport.series', '73918'],
    ['phone', { phone: '+7 (903) 111-22-3x' }, 'applicant.phone', '111-22-3x'],
    ['email', { email: 'evlampiy.z@@mail' }, 'applicant.email', 'evlampiy'],
    ['lastName', { lastName: 'Загорулько<script>' }, 'applicant.lastName', 'Загорулько'],
  ];
  for (const [, patch, field, value] of bad) {
    const app = sampleApplication({ applicant: { ...PERSON, ...patch } as never });
    const err = await ctx.cases.startApplication(app).catch((e) => e);
    expect(err).toBeInstanceOf(InputValidationError);
    expect(err.message).toContain(`${field}: `);
    expect(err.message).not.toContain(value);
    expectNoPii(err.message, `error for ${field}`);
  }
  // Bypassing the client, the workflow's own check fails the run with the same kind of message.
  const app = { ...sampleApplication(), applicant: { ...PERSON, snils: '738-291-046 00' } };
  const handle = await ctx.client.workflow.start('applicationLifecycle', { workflowId: app.applicationNumber, taskQueue: ctx.taskQueue, args: [app] });
  const failure = await handle.result().catch((e) => e);
  expect(String(failure.cause?.message)).toContain('applicant.snils');
  expectNoPii(String(failure.cause?.message), 'workflow failure');
});

it('runs a refusal through a portal outage, and no personal value reaches the log file, stdout or stderr', async () => {
  const app = sampleApplication({ serviceCode: 'construction-permit', applicant: PERSON });
  const no = app.applicationNumber;
  await ctx.cases.startApplication(app);
  await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
  ctx.emulator.faults.set({ outage: true });
  await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
  await ctx.cases.act(no, 'requestFromApplicant', { clerk: 'ivanova', kind: 'correction' });
  await ctx.cases.applicantResponded(no);
  await ctx.cases.act(no, 'draftDecision', {
    clerk: 'ivanova',
    outcome: 'refuse',
    grounds: [{ code: 'missing-documents', facts: { missingDocuments: ['результаты инженерных изысканий'] } }],
  });
  await ctx.cases.act(no, 'refuse', { clerk: 'head-smirnov' });
  await waitFor(async () => {
    const { rows } = await ctx.pool.query(`SELECT count(*)::int AS n FROM elk_delivery_attempts WHERE application_number = $1 AND outcome = 'transport-error'`, [no]);
    return rows[0].n >= 2;
  });
  ctx.emulator.faults.set({ outage: false });
  expect(await ctx.cases.result(no)).toMatchObject({ outcome: 'refused' });

  await killProcess(worker, 'SIGTERM');
  const log = fs.readFileSync(logFile, 'utf8');
  const lines = log.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  // The logs are real and about this case: activity starts at DEBUG and the failed deliveries at WARN.
  expect(lines.length).toBeGreaterThan(20);
  expect(log).toContain(no);
  expect(lines.some((l) => l.level === 'warn' && l.workflowId === no)).toBe(true);
  expectNoPii(log, 'worker log file');
  expectNoPii(output, 'worker stdout/stderr');
});
