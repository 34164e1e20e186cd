// A critical review on the Java time-skipping server: the rating opens a reaction with the head's task and a
// term of 5 working days; the reaction's rungs fire at working instants; closing without a measure or an
// answer is rejected; the answer is sent exactly once although the worker "dies" after the SMSC accepted it.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as os from 'node:os';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { Pool } from 'pg';
import { createLifecycleActivities } from '../../activities';
import { createElkChannel } from '../../activities/elkChannel';
import { scheduleRungs } from '../../escalation';
import { ProductionCalendar } from '../../calendar/productionCalendar';
import { computeRegulatoryClock } from '../../calendar/regulatoryClock';
import { localDateTimeOf } from '../../calendar/timeZone';
import { SmevAdapterClient } from '../../epgu/smevAdapterClient';
import { REACTION_LADDER } from '../../feedback/feedbackActivities';
import { buildRatesXml } from '../../feedback/mkguXml';
import { feedbackWorkflowId } from '../../feedback/ratingSchemas';
import { createRefusalRenderer } from '../../refusal';
import { ServiceRegistry } from '../../services/registry';
import { CaseLifecyclePlugin } from '../../worker/plugin';
import { feedbackQueries, feedbackUpdates } from '../../workflows/applicantFeedback';
import { readStack, TEST_CODEC_KEYS, TEST_DEPARTMENT, uniqueNumber, waitFor } from '../support/harness';
import { insertClosedCase, startFeedbackParts, TEST_DIRECTORY } from './support';

const TZ = TEST_DEPARTMENT.timeZone;
const TASK_QUEUE = 'feedback-reactions';
const calendar = new ProductionCalendar();

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let pool: Pool;
let client: Client;
let parts: Awaited<ReturnType<typeof startFeedbackParts>>;
/** Crash injections: the answer activity fails after the SMSC accepted the SMS and the row was committed. */
let crashesToInject = 0;
let crashesInjected = 0;

beforeAll(async () => {
  const stack = readStack();
  pool = new Pool({ connectionString: stack.databaseUrl, max: 5 });
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: path.resolve(__dirname, '../../.tools/bin/temporal-test-server') } },
    plugins: [new CaseLifecyclePlugin({ codecKeys: TEST_CODEC_KEYS })],
  });
  // A plain client: waiting on it must not unlock time skipping; time moves only in env.sleep.
  client = new Client({ connection: env.connection, plugins: [new CaseLifecyclePlugin({ codecKeys: TEST_CODEC_KEYS })] });
  parts = await startFeedbackParts(pool, { client, taskQueue: TASK_QUEUE, calendar });
  const lifecycle = createLifecycleActivities({
    pool,
    services: ServiceRegistry.load(),
    elk: createElkChannel(new SmevAdapterClient({ baseUrl: 'http://127.0.0.1:9', itSystem: 'TEST_VIS' }), TEST_DEPARTMENT, { exchangeDir: os.tmpdir() }),
    calendar,
    timeZone: TZ,
    refusalRenderer: createRefusalRenderer(),
    letterKeys: TEST_CODEC_KEYS,
    directory: TEST_DIRECTORY,
    notifiers: [],
    caseLinkBase: 'http://vis.example/cases',
    searchAttributes: false,
    reports: { department: 'feedback-test', outputDir: os.tmpdir() },
  });
  const feedback = {
    ...parts.activities,
    async sendReactionAnswer(input: Parameters<typeof parts.activities.sendReactionAnswer>[0]) {
      const result = await parts.activities.sendReactionAnswer(input);
      if (crashesToInject > 0) {
        crashesToInject--;
        crashesInjected++;
        throw new Error('injected crash: worker died before reporting the completed send');
      }
      return result;
    },
  };
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: { codePath: stack.bundlePath },
    activities: { ...lifecycle, ...feedback },
    plugins: [new CaseLifecyclePlugin({ codecKeys: TEST_CODEC_KEYS })],
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await parts?.stop();
  await pool?.end();
});

function isWorkingInstant(at: Date): boolean {
  const local = localDateTimeOf(at, TZ);
  const minutes = local.hour * 60 + local.minute;
  return calendar.isWorkingDay(local.date) && minutes >= 9 * 60 && minutes <= 18 * 60;
}

async function rejectedUpdate(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return String((err as WorkflowUpdateFailedError).cause?.message);
}

it('opens a reaction for a critical rating, escalates it on working days, and closes it only with a measure and one sent answer', async () => {
  const no = uniqueNumber('FB');
  await insertClosedCase(pool, no);
  const servedAt = new Date(await env.currentTimeMs()).toISOString();
  await client.workflow.start('applicantFeedback', {
    workflowId: feedbackWorkflowId(no),
    taskQueue: TASK_QUEUE,
    args: [{ applicationNumber: no, serviceCode: 'archive-certificate', served: { outcome: 'resultIssued', servedAt, contact: { phone: '+79161234567' } } }],
  });
  // By id: the closure's run ends once registered, and the rating below starts the run that holds the reaction.
  const handle = client.workflow.getHandle(feedbackWorkflowId(no));
  // The served event reached the rating system, once, with the application number as the link.
  await waitFor(async () => (await handle.query(feedbackQueries.state)).servedEventPackage);
  expect(parts.mkgu.events().filter((e) => e.applicationNumber === no)).toHaveLength(1);

  // The citizen rates days later: a batch from the rating system, one criterion at 2 points.
  const ratedAt = new Date(await env.currentTimeMs()).toISOString();
  const taken = await parts.intake.ingestXml('mkgu', buildRatesXml([{ externalId: `${no}-r1`, applicationNumber: no, ratedAt, criteria: { '2.1': 2, '2.3': 4 }, comment: 'Долго ждал результата' }]));
  expect(taken).toMatchObject({ accepted: 1, quarantined: 0, rejected: false });
  // Routing also hands on ratings other suites left pending in the shared database: this case's row is checked.
  expect((await parts.activities.routeRatings()).routed).toBeGreaterThanOrEqual(1);
  expect((await pool.query('SELECT routed_at FROM feedback_ratings WHERE external_id = $1', [`${no}-r1`])).rows[0].routed_at).not.toBeNull();

  const reactionId = `${no}:rating-${(await pool.query('SELECT id FROM feedback_ratings WHERE external_id = $1', [`${no}-r1`])).rows[0].id}`;
  const reaction = await waitFor(async () => (await pool.query('SELECT * FROM feedback_reactions WHERE reaction_id = $1', [reactionId])).rows[0]);
  expect(reaction).toMatchObject({ trigger: 'lowRating', state: 'open', term_working_days: 5 });
  // Term: 5 working days of the production calendar from the moment the reaction opened.
  const input = { startedAt: (reaction.opened_at as Date).toISOString(), term: { amount: 5, unit: 'workingDays' as const }, timeZone: TZ, suspensions: [], extensions: [] };
  const clock = computeRegulatoryClock(input, calendar);
  expect((reaction.due_at as Date).toISOString()).toBe(new Date(clock.deadline!).toISOString());
  const headTask = (await pool.query(`SELECT assignee_role, assignee, title, due_at, resolved_at FROM clerk_tasks WHERE task_key = $1`, [`reaction:${reactionId}`])).rows[0];
  expect(headTask).toMatchObject({ assignee_role: 'head', assignee: 'Кузнецов Олег Петрович', resolved_at: null });
  expect(headTask.title).toContain(no);

  // The follow-up survey went out over SMPP and its delivery receipt came back.
  await waitFor(async () => (await pool.query(`SELECT 1 FROM feedback_sms WHERE purpose_key = $1 AND state = 'delivered'`, [`survey:${reactionId}`])).rowCount);
  expect(parts.smsc.messages().filter((m) => m.to === '79161234567' && m.text.includes(no))).toHaveLength(1);

  // Closing with nothing done, or answering before a measure, is rejected by the validators.
  expect(await rejectedUpdate(handle.executeUpdate(feedbackUpdates.closeReaction, { args: [{ reactionId, head: 'kuznetsov' }] }))).toContain('не зафиксированы принятые меры');
  expect(await rejectedUpdate(handle.executeUpdate(feedbackUpdates.sendAnswer, { args: [{ reactionId, head: 'kuznetsov' }] }))).toContain('Сначала зафиксируйте');

  // Nobody acts: the term passes in skipped time and both rungs fire, each at a working instant.
  await env.sleep('14 days');
  const rungs = scheduleRungs(input, clock, REACTION_LADDER, calendar);
  const fired = await waitFor(async () => {
    const { rows } = await pool.query(`SELECT rung, fire_at, fired_at, notify FROM escalations WHERE application_number = $1 ORDER BY fire_at`, [no]);
    return rows.length === 2 ? rows : null;
  });
  expect(fired.map((f) => f.rung)).toEqual(['reaction:lastDay', 'reaction:breach']);
  expect(fired.map((f) => (f.fire_at as Date).toISOString())).toEqual(rungs.map((r) => new Date(r.fireAt).toISOString()));
  for (const f of fired) {
    expect(isWorkingInstant(f.fire_at)).toBe(true);
    expect((f.fired_at as Date).getTime()).toBeGreaterThanOrEqual((f.fire_at as Date).getTime());
  }
  const escalationTasks = (await pool.query(`SELECT kind, assignee_role FROM clerk_tasks WHERE application_number = $1 AND kind LIKE 'escalation:reaction:%' ORDER BY id`, [no])).rows;
  expect(escalationTasks.map((t) => `${t.kind}/${t.assignee_role}`)).toEqual(['escalation:reaction:lastDay/head', 'escalation:reaction:breach/deputy', 'escalation:reaction:breach/management']);
  await waitFor(async () => (await handle.query(feedbackQueries.state)).reactions[0]?.overdue);
  expect((await pool.query('SELECT overdue FROM feedback_reactions WHERE reaction_id = $1', [reactionId])).rows[0].overdue).toBe(true);

  // The head records the measure; closing is still rejected until the answer is sent.
  const measure = 'Сотруднику, нарушившему срок, объявлено замечание; сроки выдачи справок взяты на ежедневный контроль';
  await handle.executeUpdate(feedbackUpdates.recordMeasure, { args: [{ reactionId, head: 'kuznetsov', measure }] });
  expect(await rejectedUpdate(handle.executeUpdate(feedbackUpdates.closeReaction, { args: [{ reactionId, head: 'kuznetsov' }] }))).toContain('ответ заявителю не отправлен');

  // The answer: the worker dies after the SMSC accepted it; the retry must not send it again.
  crashesToInject = 1;
  const answered = await handle.executeUpdate(feedbackUpdates.sendAnswer, { args: [{ reactionId, head: 'kuznetsov' }] });
  expect(crashesInjected).toBe(1);
  const answers = parts.smsc.messages().filter((m) => m.to === '79161234567' && m.text.includes('Мы разобрались'));
  expect(answers).toHaveLength(1);
  expect(answers[0]!.text).toContain(measure);
  expect(answers[0]!.text).toContain(`№ ${no}`);
  const stored = (await pool.query('SELECT content_sha256, template_version, text_sealed FROM feedback_answers WHERE reaction_id = $1', [reactionId])).rows[0];
  expect(stored.content_sha256).toBe(createHash('sha256').update(answers[0]!.text, 'utf8').digest('hex'));
  expect(answered.answerSha256).toBe(stored.content_sha256);
  expect(stored.template_version).toMatch(/^answer@[0-9a-f]{12}$/);
  // Sealed in PostgreSQL: neither the measure nor the answer is readable there.
  expect(Buffer.from(stored.text_sealed).toString('utf8')).not.toContain('замечание');
  const sms = (await pool.query(`SELECT state, attempts FROM feedback_sms WHERE purpose_key = $1`, [`answer:${reactionId}`])).rows[0];
  expect(sms.attempts).toBe(1);
  expect(await rejectedUpdate(handle.executeUpdate(feedbackUpdates.sendAnswer, { args: [{ reactionId, head: 'kuznetsov' }] }))).toContain('уже отправлен');

  const closed = await handle.executeUpdate(feedbackUpdates.closeReaction, { args: [{ reactionId, head: 'kuznetsov' }] });
  expect(closed.closed).toBe(true);
  const after = (await pool.query(`SELECT state, answered_at, closed_by FROM feedback_reactions WHERE reaction_id = $1`, [reactionId])).rows[0];
  expect(after).toMatchObject({ state: 'closed', closed_by: 'kuznetsov' });
  const open = await pool.query(`SELECT task_key FROM clerk_tasks WHERE application_number = $1 AND resolved_at IS NULL`, [no]);
  expect(open.rows).toEqual([]);
});
