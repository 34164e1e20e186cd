// The worker process is killed with SIGKILL in the middle of lifecycles and started again: every
// application finishes and the applicant's cabinet holds each status exactly once, in order.
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createTestContext, sampleApplication, TestContext, TEST_KEY_SPEC, waitFor } from '../support/harness';

const ROOT = path.resolve(__dirname, '../..');
let ctx: TestContext;

function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'worker/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: ctx.stack.temporalAddress,
      DATABASE_URL: ctx.stack.databaseUrl,
      SMEV_ADAPTER_URL: ctx.emulator.url,
      CASE_PAYLOAD_KEYS: TEST_KEY_SPEC,
      CASE_PAYLOAD_KEY_ACTIVE: 'test-2026',
      CASE_TASK_QUEUE: ctx.taskQueue,
      CASE_WORKFLOW_BUNDLE: ctx.stack.bundlePath,
      ELK_RETRY_MAX_INTERVAL_MS: '500',
    },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('worker ready')) resolve(child);
    });
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${out}`)));
  });
}

beforeAll(async () => {
  ctx = await createTestContext('crash');
});
afterAll(async () => {
  await ctx?.close();
});

it('finishes every application after the worker is SIGKILLed mid-lifecycle, without losing or doubling a status', async () => {
  const first = await startWorkerProcess();
  const apps = Array.from({ length: 6 }, () => sampleApplication());
  for (const app of apps) {
    await ctx.cases.startApplication(app);
    await ctx.cases.act(app.applicationNumber, 'register', { clerk: 'ivanova' });
    await ctx.cases.act(app.applicationNumber, 'startReview', { clerk: 'ivanova' });
  }
  // Slow portal: deliveries are in flight when the worker dies.
  ctx.emulator.faults.set({ latencyMs: 300 });
  for (const app of apps) await ctx.cases.act(app.applicationNumber, 'requestInteragency', { clerk: 'ivanova', agencies: ['ФНС'] });
  await waitFor(() => ctx.emulator.messages().some((m) => m.content.includes('<status>7</status>') && apps.some((a) => m.content.includes(a.applicationNumber))));
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  ctx.emulator.faults.set({ latencyMs: 0 });

  const second = await startWorkerProcess();
  try {
    for (const app of apps) {
      await ctx.cases.act(app.applicationNumber, 'recordInteragencyAnswer', { clerk: 'ivanova', agency: 'ФНС' });
      await ctx.cases.act(app.applicationNumber, 'draftDecision', { clerk: 'ivanova', outcome: 'approve' });
      await ctx.cases.act(app.applicationNumber, 'approve', { clerk: 'head' });
      await ctx.cases.act(app.applicationNumber, 'issueResult', { clerk: 'ivanova' });
    }
    for (const app of apps) {
      expect(await ctx.cases.result(app.applicationNumber)).toMatchObject({ outcome: 'resultIssued', elkStatusesDelivered: 3 });
      expect(ctx.emulator.order(app.applicationNumber)!.history.map((h) => h.status)).toEqual([6, 7, 3]);
    }
    const { rows } = await ctx.pool.query(
      `SELECT count(*)::int AS n FROM elk_outbox WHERE application_number = ANY($1) AND state = 'delivered'`,
      [apps.map((a) => a.applicationNumber)],
    );
    expect(rows[0].n).toBe(apps.length * 3);
  } finally {
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  }
});
