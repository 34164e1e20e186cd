// On the real Temporal dev server with worker *processes*: the worker is SIGKILLed while the answer to a
// critical review is being sent — the SMS committed, the SMTP relay holding its reply to DATA — and a new worker
// finishes it: the applicant gets one SMS and one e-mail, and the reaction closes. Then the clerk-flagged
// comment path, from the clerk's flag to a closed reaction, on the surviving worker.
import { ChildProcess } from 'node:child_process';
import { temporal } from '@temporalio/proto';
import { createCommentFlagger } from '../../feedback/commentFlags';
import { startSmscEmulator } from '../../feedback/emulator/smscEmulator';
import { startSmtpEmulator } from '../../feedback/emulator/smtpEmulator';
import { buildRatesXml } from '../../feedback/mkguXml';
import { createRatingIntake } from '../../feedback/ratingIntake';
import { createRatingRouter } from '../../feedback/ratingRouter';
import { feedbackWorkflowId } from '../../feedback/ratingSchemas';
import { InputValidationError } from '../../shared/validation';
import { feedbackQueries, feedbackUpdates } from '../../workflows/applicantFeedback';
import { createTestContext, killProcess, startWorkerProcess, TEST_CODEC_KEYS, TestContext, uniqueNumber, waitFor } from '../support/harness';
import { ANSWER_SENDER, insertClosedCase, SMPP_CREDENTIALS } from './support';

let ctx: TestContext;
let smsc: Awaited<ReturnType<typeof startSmscEmulator>>;
let smtp: Awaited<ReturnType<typeof startSmtpEmulator>>;
let workerEnv: Record<string, string>;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  ctx = await createTestContext('fb-crash');
  smsc = await startSmscEmulator(SMPP_CREDENTIALS);
  smtp = await startSmtpEmulator();
  workerEnv = {
    SMPP_URL: smsc.url,
    SMPP_SYSTEM_ID: SMPP_CREDENTIALS.systemId,
    SMPP_PASSWORD: SMPP_CREDENTIALS.password,
    SMPP_SOURCE_ADDR: 'OTDEL',
    FEEDBACK_SMTP_URL: smtp.url,
    FEEDBACK_EMAIL_FROM: ANSWER_SENDER,
    FEEDBACK_PULL_SCHEDULE: 'false',
    MKGU_URL: '',
  };
});
afterAll(async () => {
  for (const w of workers) await killProcess(w, 'SIGTERM');
  await ctx?.close();
  await smtp?.stop();
  await smsc?.stop();
});

async function startWorker(): Promise<ChildProcess> {
  const w = await startWorkerProcess(ctx, { env: workerEnv });
  workers.push(w);
  return w;
}

/** Takes a rating in as the rating system would send it, and routes this application's ratings only. */
async function rate(no: string, criteria: Record<string, number>, comment?: string): Promise<number> {
  const intake = createRatingIntake({ pool: ctx.pool, keys: TEST_CODEC_KEYS });
  const externalId = `${no}-${Object.values(criteria).join('')}`;
  const taken = await intake.ingestXml('mkgu', buildRatesXml([{ externalId, applicationNumber: no, ratedAt: new Date().toISOString(), criteria, ...(comment ? { comment } : {}) }]));
  expect(taken).toMatchObject({ accepted: 1, rejected: false });
  const route = createRatingRouter(ctx.client, ctx.taskQueue);
  for (const r of (await intake.unrouted(10_000)).filter((x) => x.applicationNumber === no)) {
    await route(r);
    await intake.markRouted(r.ratingId);
  }
  return Number((await ctx.pool.query('SELECT id FROM feedback_ratings WHERE source = $1 AND external_id = $2', ['mkgu', externalId])).rows[0].id);
}

async function closedCaseWithFeedback(contact: { phone?: string; email?: string }) {
  const no = uniqueNumber('FBX');
  await insertClosedCase(ctx.pool, no);
  await ctx.client.workflow.start('applicantFeedback', {
    workflowId: feedbackWorkflowId(no),
    taskQueue: ctx.taskQueue,
    args: [{ applicationNumber: no, serviceCode: 'archive-certificate', served: { outcome: 'resultIssued', servedAt: new Date().toISOString(), contact } }],
  });
  // The served event (with the sealed contacts) is recorded before any rating is handled.
  await waitFor(async () => (await ctx.pool.query('SELECT 1 FROM feedback_served_events WHERE application_number = $1', [no])).rowCount);
  // Addressed by id, as a head's tools do: the closure's run ends once it has registered, and the rating starts the
  // run that holds the reaction (a handle bound to the first run would not follow it).
  return { no, handle: ctx.client.workflow.getHandle(feedbackWorkflowId(no)) };
}

/** Rejects when `p` has not settled within `ms`: every wait in this file is bounded. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

it('sends the answer exactly once per channel although the worker process is SIGKILLed mid-send', async () => {
  let kills = 0;
  const first = await startWorker();
  const phone = '+79167770011';
  const email = 'crash.applicant@mail.example.ru';
  const { no, handle } = await closedCaseWithFeedback({ phone, email });
  const ratingId = await rate(no, { '2.1': 1, '2.3': 2 });
  const reactionId = `${no}:rating-${ratingId}`;
  await waitFor(async () => (await handle.query(feedbackQueries.state)).reactions.find((r) => r.reactionId === reactionId)?.deadline);
  await handle.executeUpdate(feedbackUpdates.recordMeasure, { args: [{ reactionId, head: 'kuznetsov', measure: 'Исполнителю указано на нарушение срока; сроки выдачи взяты на контроль' }] });

  // The relay will keep the answer's DATA unanswered: the SMS goes first and is committed, then the worker dies.
  smtp.holdRepliesFor(email);
  const answering = handle.executeUpdate(feedbackUpdates.sendAnswer, { args: [{ reactionId, head: 'kuznetsov' }] });
  answering.catch(() => undefined);
  await waitFor(() => smtp.held() === 1, 60_000);
  const smsRow = (await ctx.pool.query(`SELECT state, attempts FROM feedback_sms WHERE purpose_key = $1`, [`answer:${reactionId}`])).rows[0];
  expect(['submitted', 'delivered']).toContain(smsRow.state);
  expect(smsc.messages().filter((m) => m.to === phone.slice(1) && m.text.includes('Мы разобрались'))).toHaveLength(1);
  expect((await ctx.pool.query(`SELECT state FROM feedback_email WHERE purpose_key = $1`, [`answer:${reactionId}`])).rows[0].state).toBe('pending');

  await killProcess(first, 'SIGKILL');
  kills++;
  expect(first.signalCode).toBe('SIGKILL');
  // The relay saw its client vanish before the reply: nothing was handed over, nothing kept.
  await waitFor(() => smtp.abandoned() === 1, 15_000);
  expect(smtp.messages().filter((m) => m.to.includes(email))).toHaveLength(0);
  smtp.release();

  await startWorker();
  // The activity is retried after its 10 s heartbeat timeout; bounded well below the 2-minute start-to-close.
  const answered = await within(answering, 90_000, 'answer after the crash');
  expect(kills).toBe(1);
  expect(answered.answerSha256).toMatch(/^[0-9a-f]{64}$/);

  const sms = smsc.messages().filter((m) => m.to === phone.slice(1) && m.text.includes('Мы разобрались'));
  const mails = smtp.messages().filter((m) => m.to.includes(email));
  expect(sms).toHaveLength(1);
  expect(mails).toHaveLength(1);
  expect(mails[0]!.text).toBe(sms[0]!.text);
  expect((await ctx.pool.query(`SELECT attempts FROM feedback_sms WHERE purpose_key = $1`, [`answer:${reactionId}`])).rows[0].attempts).toBe(1);
  expect((await ctx.pool.query(`SELECT state, attempts FROM feedback_email WHERE purpose_key = $1`, [`answer:${reactionId}`])).rows[0]).toEqual({ state: 'sent', attempts: 1 });
  // The history shows why the second attempt ran: the first one's heartbeat timed out with the killed worker.
  const history = await handle.fetchHistory();
  const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendReactionAnswer')!;
  const started = history.events!.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled.eventId))!;
  expect(started.activityTaskStartedEventAttributes!.attempt).toBe(2);
  expect(started.activityTaskStartedEventAttributes!.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT);

  const closed = await handle.executeUpdate(feedbackUpdates.closeReaction, { args: [{ reactionId, head: 'kuznetsov' }] });
  expect(closed).toMatchObject({ closed: true, measureRecorded: true });
  expect((await ctx.pool.query(`SELECT state, channels FROM feedback_reactions x JOIN feedback_answers a USING (reaction_id) WHERE reaction_id = $1`, [reactionId])).rows[0]).toEqual({
    state: 'closed',
    channels: ['sms', 'email'],
  });
});

it('a comment flagged by a clerk opens a reaction that the head closes with a measure and an answer', async () => {
  if (workers.every((w) => w.exitCode !== null || w.signalCode !== null)) await startWorker();
  const email = 'flag.applicant@mail.example.ru';
  const { no, handle } = await closedCaseWithFeedback({ email });
  // Good points, a grievance in words: not critical by the threshold, so no reaction opens by itself.
  const ratingId = await rate(no, { '2.1': 5, '2.3': 4 }, 'Сотрудник разговаривал грубо и не объяснил, какие документы нужны');
  await waitFor(async () => (await handle.query(feedbackQueries.state)).ratings === 1);
  expect((await handle.query(feedbackQueries.state)).reactions).toEqual([]);

  const flag = createCommentFlagger({ pool: ctx.pool, client: ctx.client, taskQueue: ctx.taskQueue });
  // The clerk's flag is checked at the boundary, naming the field.
  await expect(flag({ ratingId: 0, clerk: 'ivanova' })).rejects.toThrow(InputValidationError);
  await expect(flag({ ratingId: 2_000_000_000, clerk: 'ivanova' })).rejects.toThrow(/ratingId: оценка 2000000000 не найдена/);
  const flagged = await flag({ ratingId, clerk: 'ivanova' });
  expect(flagged).toEqual({ applicationNumber: no, ratingId, reactionId: `${no}:rating-${ratingId}` });

  const reaction = await waitFor(async () => (await ctx.pool.query('SELECT trigger, state, due_at FROM feedback_reactions WHERE reaction_id = $1', [flagged.reactionId])).rows[0]);
  expect(reaction).toMatchObject({ trigger: 'flaggedComment', state: 'open' });
  const task = (await ctx.pool.query(`SELECT assignee_role, body, resolved_at FROM clerk_tasks WHERE task_key = $1`, [`reaction:${flagged.reactionId}`])).rows[0];
  expect(task).toMatchObject({ assignee_role: 'head', resolved_at: null });
  expect(task.body).toContain('отзыв отмечен сотрудником как критический');
  // Flagging twice opens nothing more.
  await flag({ ratingId, clerk: 'ivanova' });
  await waitFor(async () => (await handle.query(feedbackQueries.state)).reactions.length === 1);

  await handle.executeUpdate(feedbackUpdates.recordMeasure, { args: [{ reactionId: flagged.reactionId, head: 'kuznetsov', measure: 'С сотрудником проведена беседа о правилах общения с заявителями' }] });
  const answered = await handle.executeUpdate(feedbackUpdates.sendAnswer, { args: [{ reactionId: flagged.reactionId, head: 'kuznetsov' }] });
  expect(answered.answerSha256).toMatch(/^[0-9a-f]{64}$/);
  const mails = smtp.messages().filter((m) => m.to.includes(email));
  expect(mails).toHaveLength(1);
  expect(mails[0]!.text).toContain('правилах общения');
  const closed = await handle.executeUpdate(feedbackUpdates.closeReaction, { args: [{ reactionId: flagged.reactionId, head: 'kuznetsov' }] });
  expect(closed.closed).toBe(true);
  expect((await ctx.pool.query('SELECT state, closed_by FROM feedback_reactions WHERE reaction_id = $1', [flagged.reactionId])).rows[0]).toEqual({ state: 'closed', closed_by: 'kuznetsov' });
  expect((await ctx.pool.query('SELECT resolved_at FROM clerk_tasks WHERE task_key = $1', [`reaction:${flagged.reactionId}`])).rows[0].resolved_at).not.toBeNull();
});
