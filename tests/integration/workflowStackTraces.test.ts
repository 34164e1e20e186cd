// Workflow stack traces are off in production: the SDK's per-promise stack capture cost about a fifth of the
// workflow thread's CPU (docs/performance.md). An operator investigating a stuck case restarts the worker with
// CASE_WORKFLOW_STACK_TRACES=on, and the stack-trace query (Temporal UI "Stack Trace") shows where the case
// waits. The same case crosses both workers, so a history made with capture off also replays with it on.
import { createTestContext, sampleApplication, TestContext, waitFor } from '../support/harness';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('stacktraces');
});
afterAll(async () => {
  await ctx?.close();
});

const stackTrace = (no: string) => ctx.client.workflow.getHandle(no).query<string>('__stack_trace');

it('answers the stack-trace query without frames when off (production bundle), with the waiting lifecycle when on', async () => {
  const app = sampleApplication();
  const no = app.applicationNumber;

  // Off: the bundle the suite shares is the production one (tests/support/globalSetup.ts).
  const lean = await ctx.startWorker();
  await ctx.cases.startApplication(app);
  // The Update has been applied: the case now waits for the clerk's next action.
  await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
  const off = await stackTrace(no);
  expect(off).not.toMatch(/applicationLifecycle/);
  expect(off).not.toMatch(/\bat /);
  await lean.shutdown();
  await lean.running;

  // On: bundled at start-up with capture on; the case is evicted with the old worker, so it is replayed here.
  const debugging = await ctx.startWorker({ workflowBundlePath: undefined, workflowStackTraces: 'on' });
  const on = await waitFor(async () => {
    const trace = await stackTrace(no);
    return /applicationLifecycle/.test(trace) ? trace : undefined;
  }, 120_000);
  expect(on).toMatch(/\bat /);
  // The case goes on under the debugging worker as under the lean one.
  await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
  await debugging.shutdown();
  await debugging.running;
}, 240_000);
