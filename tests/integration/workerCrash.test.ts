// The worker process is killed with SIGKILL in the middle of lifecycles and started again: every
// application finishes and the applicant's cabinet holds each status exactly once, in order.
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
