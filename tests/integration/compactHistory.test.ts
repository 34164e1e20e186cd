// A new case is started compact (shared/lifecycle.ts COMPACT_HISTORY): fewer history events for the same
// behaviour. What a user relies on must not change with it: the case record has every event in order (the
// "deadline" event included), the stage is in the applications projection, escalation tasks are closed at
// closure, the applicant is asked for feedback once the result is in the cabinet. What the engine no longer
// records: patch markers, a CaseStage upsert per stage, a local activity for the deadline event, for closing
// escalation tasks and for the feedback start, and the cancellation of a rung timer at closure.
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { feedbackWorkflowId } from '../../feedback/ratingSchemas';
import { CaseLifecyclePlugin } from '../../worker/plugin';
import { createTestContext, sampleApplication, TEST_CODEC_KEYS, TestContext, waitFor } from '../support/harness';

const E = temporal.api.enums.v1.EventType;
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('compact');
  await ctx.startWorker();
});
afterAll(async () => {
  await ctx?.close();
});

async function events(no: string) {
  return (await ctx.client.workflow.getHandle(no).fetchHistory()).events ?? [];
}

function localActivityTypes(evs: temporal.api.history.v1.IHistoryEvent[]): string[] {
  return evs
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
    .map((e) => JSON.parse(Buffer.from(e.markerRecordedEventAttributes!.details!.data!.payloads![0]!.data!).toString('utf8')).activity_type as string);
}

it('a typical case keeps its record, projection, tasks and feedback, with the engine recording only what carries meaning', async () => {
  const app = sampleApplication({ serviceCode: 'archive-certificate', assignedClerk: 'ivanova' });
  const no = app.applicationNumber;
  await ctx.cases.startApplication(app);
  await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
  const registered = await ctx.pool.query('SELECT stage, deadline FROM applications WHERE application_number = $1', [no]);
  expect(registered.rows[0].stage).toBe('registered');
  await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
  await ctx.cases.act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'approve' });
  await ctx.cases.act(no, 'approve', { clerk: 'head' });
  await ctx.cases.act(no, 'issueResult', { clerk: 'ivanova' });
  const result = await ctx.cases.result(no);
  expect(result.outcome).toBe('resultIssued');

  // The case record: every event, in order, the deadline event with its term, once.
  const history = await ctx.cases.history(no);
  expect(history.map((e) => e.action)).toEqual(['receive', 'register', 'deadline', 'startReview', 'draftDecision:approve', 'approve', 'issueResult']);
  expect(history.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  const { rows: stored } = await ctx.pool.query('SELECT seq, action, note FROM case_events WHERE application_number = $1 ORDER BY seq', [no]);
  expect(stored.map((r) => r.action)).toEqual(history.map((e) => e.action));
  const deadline = await ctx.cases.deadline(no);
  const dueDate = stored.find((r) => r.action === 'deadline')!.note;
  expect(dueDate).toMatch(/^срок: \d{4}-\d{2}-\d{2}$/);
  expect(history.find((e) => e.action === 'deadline')!.note).toBe(dueDate);
  const { rows: projection } = await ctx.pool.query('SELECT stage, outcome, deadline, completed_at FROM applications WHERE application_number = $1', [no]);
  expect(projection[0]).toMatchObject({ stage: 'resultIssued', outcome: 'resultIssued' });
  expect(projection[0].deadline.toISOString()).toBe(new Date(deadline!).toISOString());
  expect(projection[0].completed_at).not.toBeNull();

  // The applicant was asked for feedback, after the result status reached the cabinet.
  const order = ctx.emulator.order(no)!;
  expect(order.history.length).toBeGreaterThanOrEqual(2);
  const feedback = await waitFor(async () => {
    try {
      return await ctx.client.workflow.getHandle(feedbackWorkflowId(no)).describe();
    } catch {
      return null;
    }
  });
  expect(feedback.type).toBe('applicantFeedback');
  // It ends once the served event is registered: a later rating starts a run of its own (signal-with-start), so no
  // idle workflow waits out the quiet period after every closed case.
  const feedbackHandle = ctx.client.workflow.getHandle(feedbackWorkflowId(no));
  const view = await feedbackHandle.result();
  expect(view).toMatchObject({ applicationNumber: no, ratings: 0, reactions: [] });
  const served = await ctx.pool.query('SELECT outcome FROM feedback_served_events WHERE application_number = $1', [no]);
  expect(served.rows).toEqual([{ outcome: 'resultIssued' }]);
  const feedbackHistory = await feedbackHandle.fetchHistory();
  const feedbackEvents = feedbackHistory.events ?? [];
  expect(feedbackEvents.filter((e) => e.eventType === E.EVENT_TYPE_TIMER_STARTED)).toEqual([]);
  expect(feedbackEvents.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toHaveLength(1);
  expect(localActivityTypes(feedbackEvents)).toEqual(['registerServedEvent']);
  expect(feedbackEvents.at(-1)!.eventType).toBe(E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  // And it replays as it ran.
  await Worker.runReplayHistory({ workflowBundle: { codePath: ctx.stack.bundlePath }, plugins: [new CaseLifecyclePlugin({ codecKeys: TEST_CODEC_KEYS })] }, feedbackHistory, feedbackWorkflowId(no));

  // What the engine recorded.
  const evs = await events(no);
  expect(evs.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toEqual([]);
  const upserted = evs.flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
  expect(upserted).toEqual(['CaseDeadline']);
  expect(localActivityTypes(evs)).toEqual(['admitApplication', 'recordCaseEventWithDeadline', 'recordCaseEvent', 'recordCaseEvent', 'recordCaseEvent', 'recordClosingCaseEvent']);
  // The registration term's timer is cancelled (the case goes on); the rung timer of the closing case is left.
  expect(evs.filter((e) => e.eventType === E.EVENT_TYPE_TIMER_STARTED)).toHaveLength(2);
  expect(evs.filter((e) => e.eventType === E.EVENT_TYPE_TIMER_CANCELED)).toHaveLength(1);
  expect(evs.filter((e) => e.eventType === E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)).toEqual([]);
});

it('a case that closes while a rung is open closes its escalation tasks with the closing record', async () => {
  // The rung itself fires weeks later (tests/integration/deadlines.test.ts fires every rung in skipped time);
  // here its task is planted, as the rung writes it, before the case is withdrawn.
  const app = sampleApplication({ serviceCode: 'construction-permit', assignedClerk: 'ivanova' });
  const no = app.applicationNumber;
  await ctx.cases.startApplication(app);
  await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
  // An escalation task left open by an earlier rung (written as fireEscalationRung writes it).
  await ctx.pool.query(
    `INSERT INTO clerk_tasks (task_key, application_number, kind, assignee_role, assignee, title, body, due_at)
     VALUES ($1, $2, 'escalation:clerkReminder', 'clerk', 'ivanova', 'Напоминание', 'Срок истекает', NULL)`,
    [`test-rung:${no}`, no],
  );
  await ctx.cases.applicantCancelled(no, { reason: 'не нужно' });
  await ctx.cases.result(no);
  const { rows } = await ctx.pool.query('SELECT resolution, resolved_at FROM clerk_tasks WHERE task_key = $1', [`test-rung:${no}`]);
  expect(rows[0].resolution).toBe('Заявление завершено: «Заявление отозвано заявителем»');
  expect(rows[0].resolved_at).not.toBeNull();
  expect(localActivityTypes(await events(no))).not.toContain('cancelOpenEscalationTasks');
});
