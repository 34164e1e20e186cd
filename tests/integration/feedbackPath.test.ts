// The post-closure path on the real Temporal dev server: a case closed by the lifecycle starts its feedback
// workflow (abandoned child, id feedback:<number>), which registers the served event with the rating-system
// emulator once; ratings pulled later reach it by signal-with-start — also for a case whose feedback run had
// ended — and a duplicate delivery counts once. The raw history holds neither phone nor comment in clear.
import { createFeedbackStarter } from '../../feedback/feedbackStart';
import { feedbackWorkflowId } from '../../feedback/ratingSchemas';
import { startMkguEmulator } from '../../feedback/emulator/mkguEmulator';
import { startSmscEmulator } from '../../feedback/emulator/smscEmulator';
import { feedbackQueries } from '../../workflows/applicantFeedback';
import { createTestContext, sampleApplication, TestContext, waitFor } from '../support/harness';

let ctx: TestContext;
let mkgu: Awaited<ReturnType<typeof startMkguEmulator>>;
let smsc: Awaited<ReturnType<typeof startSmscEmulator>>;
let worker: Awaited<ReturnType<TestContext['startWorker']>>;

beforeAll(async () => {
  ctx = await createTestContext('feedback');
  mkgu = await startMkguEmulator();
  smsc = await startSmscEmulator({ systemId: 'vis', password: 'pw' });
  // The rating system is down for the first two attempts: registration retries with the same request id.
  mkgu.failNextEvents(2);
  // The cursor is kept per rating-system endpoint; a port reused from an earlier emulator must not resume its cursor.
  await ctx.pool.query(`DELETE FROM feedback_pull_cursor WHERE source = $1`, [`mkgu ${mkgu.url}`]);
  worker = await ctx.startWorker({ feedback: { mkguUrl: mkgu.url, smpp: { url: smsc.url, systemId: 'vis', password: 'pw', sourceAddr: 'OTDEL' } } });
});
afterAll(async () => {
  await ctx?.close();
  await smsc?.stop();
  await mkgu?.stop();
});

/** Ratings of one application stored but not yet handed to its feedback workflow. */
async function unroutedOf(no: string): Promise<number> {
  const { rows } = await ctx.pool.query(`SELECT count(*)::int AS n, count(routed_at)::int AS routed FROM feedback_ratings WHERE application_number = $1`, [no]);
  expect(rows[0].n).toBeGreaterThan(0);
  return rows[0].n - rows[0].routed;
}

it('registers the served event at closure once across retries, and routes ratings into the feedback workflow', async () => {
  const app = sampleApplication(); // SAMPLE_PERSON has phone +79161234567
  const no = app.applicationNumber;
  await ctx.cases.startApplication(app);
  await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
  await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
  await ctx.cases.act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'approve' });
  await ctx.cases.act(no, 'approve', { clerk: 'head' });
  await ctx.cases.act(no, 'issueResult', { clerk: 'ivanova' });
  await ctx.cases.result(no);

  const feedback = ctx.client.workflow.getHandle(feedbackWorkflowId(no));
  const pkg = await waitFor(async () => (await feedback.query(feedbackQueries.state).catch(() => null))?.servedEventPackage);
  expect(mkgu.injectedFaults()).toBe(2);
  const events = mkgu.events().filter((e) => e.applicationNumber === no);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ outcome: 'resultIssued', procedureId: app.serviceCode, phone: '+79161234567' });
  const row = (await ctx.pool.query('SELECT package_id, attempts, contact_sealed FROM feedback_served_events WHERE application_number = $1', [no])).rows[0];
  expect(row.package_id).toBe(pkg);
  expect(row.attempts).toBe(3);
  expect(Buffer.from(row.contact_sealed).toString('latin1')).not.toContain('9161234567');
  // New cases start it when the closing status is delivered (no child workflow); a retried start finds the run
  // already there and starts no second one.
  const feedbackEvents = (await feedback.fetchHistory()).events!;
  // Three attempts inside the local activity were enough: one marker, no task-queue activity.
  expect(feedbackEvents.filter((e) => e.activityTaskScheduledEventAttributes)).toEqual([]);
  expect(feedbackEvents.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toHaveLength(1);
  const lifecycleHistory = await ctx.client.workflow.getHandle(no).fetchHistory();
  expect(lifecycleHistory.events!.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toBe(false);
  const firstRun = (await feedback.describe()).runId;
  await createFeedbackStarter(ctx.client)({ applicationNumber: no, serviceCode: app.serviceCode, served: { outcome: 'resultIssued', servedAt: new Date().toISOString(), contact: {} } }, ctx.taskQueue);
  expect((await feedback.describe()).runId).toBe(firstRun);

  // Ratings come back from the rating system, twice the same (the pull repeats a page).
  const rate = { externalId: `${no}-1`, applicationNumber: no, ratedAt: new Date().toISOString(), criteria: { '2.1': 5, '2.7': 4 }, comment: 'Всё хорошо, спасибо Ивановой' };
  mkgu.queueRates([rate, rate]);
  const pulled = await worker.feedbackActivities.pullRatingsFromMkgu({});
  // Accepted and duplicates count this emulator's page; routing also hands on ratings other suites left pending
  // in the shared database (as it does after a crash), so this case's own rating is checked by its row.
  expect(pulled).toMatchObject({ accepted: 1, duplicates: 1 });
  expect(pulled.routed).toBeGreaterThanOrEqual(1);
  expect(await unroutedOf(no)).toBe(0);
  await waitFor(async () => (await feedback.query(feedbackQueries.state)).ratings === 1);
  expect((await feedback.query(feedbackQueries.state)).reactions).toEqual([]);

  // Nothing personal in clear in the feedback workflow's history (payloads are encrypted).
  const history = JSON.stringify(await feedback.fetchHistory());
  expect(history).not.toContain('9161234567');
  expect(history).not.toContain('Ивановой');
});

it('registers the served event through the task-queue activity when the rating system stays down past the local attempts', async () => {
  const app = sampleApplication();
  const no = app.applicationNumber;
  const faultsBefore = mkgu.injectedFaults();
  await ctx.cases.startApplication(app);
  await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
  await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
  await ctx.cases.act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'approve' });
  await ctx.cases.act(no, 'approve', { clerk: 'head' });
  // Down for the three local attempts and the first task-queue attempt.
  mkgu.failNextEvents(4);
  await ctx.cases.act(no, 'issueResult', { clerk: 'ivanova' });
  await ctx.cases.result(no);

  const feedback = ctx.client.workflow.getHandle(feedbackWorkflowId(no));
  const pkg = await waitFor(async () => (await feedback.query(feedbackQueries.state).catch(() => null))?.servedEventPackage);
  expect(mkgu.injectedFaults() - faultsBefore).toBe(4);
  expect(mkgu.events().filter((e) => e.applicationNumber === no)).toHaveLength(1);
  const row = (await ctx.pool.query('SELECT package_id, attempts FROM feedback_served_events WHERE application_number = $1', [no])).rows[0];
  expect(row).toMatchObject({ package_id: pkg, attempts: 5 });
  const events = (await feedback.fetchHistory()).events!;
  expect(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'registerServedEvent')).toHaveLength(1);
});

it('starts a feedback workflow with signal-with-start when a rating finds none running', async () => {
  const no = `LEGACY-${Date.now()}`;
  // A case closed before this release: known to PostgreSQL, no feedback workflow.
  await ctx.pool.query(
    `INSERT INTO applications (application_number, service_code, channel, received_at, stage, outcome, completed_at) VALUES ($1, 'archive-certificate', 'epgu', now(), 'refused', 'refused', now())`,
    [no],
  );
  const taken = await worker.feedbackActivities.pullRatingsFromMkgu({});
  expect(taken.accepted).toBe(0);
  mkgu.queueRates([{ externalId: `${no}-1`, applicationNumber: no, ratedAt: new Date().toISOString(), criteria: { '2.1': 1 } }]);
  const r = await worker.feedbackActivities.pullRatingsFromMkgu({});
  expect(r).toMatchObject({ accepted: 1 });
  expect(r.routed).toBeGreaterThanOrEqual(1);
  expect(await unroutedOf(no)).toBe(0);
  const feedback = ctx.client.workflow.getHandle(feedbackWorkflowId(no));
  const state = await waitFor(async () => {
    const s = await feedback.query(feedbackQueries.state).catch(() => null);
    return s && s.reactions.length === 1 && s.reactions[0]!.deadline ? s : null;
  });
  expect(state.servedEventPackage).toBeNull();
  expect(state.reactions[0]).toMatchObject({ trigger: 'lowRating', closed: false });
  const task = await ctx.pool.query(`SELECT assignee_role FROM clerk_tasks WHERE application_number = $1 AND kind = 'feedbackReaction'`, [no]);
  expect(task.rows).toEqual([{ assignee_role: 'head' }]);
});
