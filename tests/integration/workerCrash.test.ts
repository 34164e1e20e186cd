// The worker process is killed with SIGKILL in the middle of lifecycles and started again: every
// application finishes and the applicant's cabinet holds each status exactly once, in order; and work the dead
// worker held (a refusal letter mid-render) is taken over after the heartbeat timeout, not the start-to-close.
import { ChildProcess } from 'node:child_process';
import { temporal } from '@temporalio/proto';
import { createTestContext, sampleApplication, killProcess, startWorkerProcess, TestContext, waitFor } from '../support/harness';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('crash');
});
afterAll(async () => {
  await ctx?.close();
});

it('finishes every application after the worker is SIGKILLed mid-lifecycle, without losing or doubling a status', async () => {
  const first = await startWorkerProcess(ctx);
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
  await killProcess(first, 'SIGKILL');
  ctx.emulator.faults.set({ latencyMs: 0 });

  const second = await startWorkerProcess(ctx);
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
    await killProcess(second, 'SIGTERM');
  }
});

it('a worker killed inside prepareRefusalLetter holds the refusal only until the heartbeat timeout, not the 2-minute start-to-close', async () => {
  const app = sampleApplication();
  const no = app.applicationNumber;
  let renderStarted = false;
  const stalling: ChildProcess = await startWorkerProcess(ctx, { entry: 'tests/integration/support/stallingRefusalWorkerMain.ts' });
  stalling.stdout!.on('data', (d: Buffer) => (renderStarted ||= d.toString().includes('refusal render started')));
  let survivor: Awaited<ReturnType<TestContext['startWorker']>> | undefined;
  try {
    await ctx.cases.startApplication(app);
    await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
    // The Update waits for the letter, which the stalling worker never finishes: it is answered by the survivor.
    const drafted = ctx.cases.act(no, 'draftDecision', {
      clerk: 'ivanova',
      outcome: 'refuse',
      grounds: [{ code: 'restricted-access', facts: { requestedDocuments: 'личное дело', createdYear: 1985 } }],
    });
    drafted.catch(() => undefined);
    await waitFor(() => renderStarted, 60_000);
    await killProcess(stalling, 'SIGKILL');
    survivor = await ctx.startWorker();
    // Bounded well below the 2-minute start-to-close: a recovery that waited for it would fail here.
    await Promise.race([drafted, new Promise((_, reject) => setTimeout(() => reject(new Error('draft not ready within 60 s of the kill')), 60_000))]);
    await ctx.cases.act(no, 'refuse', { clerk: 'head' });
    expect(await ctx.cases.result(no)).toMatchObject({ outcome: 'refused' });

    // The history shows why the second attempt ran: the first one's heartbeat timed out.
    const history = await ctx.client.workflow.getHandle(no).fetchHistory();
    const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'prepareRefusalLetter')!;
    const started = history.events!.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled.eventId))!;
    expect(started.activityTaskStartedEventAttributes!.attempt).toBeGreaterThanOrEqual(2);
    expect(started.activityTaskStartedEventAttributes!.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
    expect(ctx.emulator.order(no)!.history.map((h) => h.status)).toEqual([6, 4]);
  } finally {
    await killProcess(stalling, 'SIGKILL');
    await survivor?.shutdown();
  }
});
