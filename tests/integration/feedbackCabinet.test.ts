// The answer to a critical review in the applicant's cabinet, on the real Temporal dev server and the ЕЛК
// emulator: a case filed in person (its order created in ЕЛК by the department) is closed, rated badly, and the
// head's answer goes by SMS and as a status entry of the same order — the order's final status again, with the
// answer in the template's Param and as a PDF file — through the outbox and the XSD-validated delivery, once.
import { spawnSync } from 'node:child_process';
import { startSmscEmulator } from '../../feedback/emulator/smscEmulator';
import { CABINET_ANSWER_SEQ_BASE, CABINET_ANSWER_TEMPLATE } from '../../feedback/feedbackActivities';
import { buildRatesXml } from '../../feedback/mkguXml';
import { createRatingIntake } from '../../feedback/ratingIntake';
import { feedbackWorkflowId } from '../../feedback/ratingSchemas';
import { feedbackQueries, feedbackUpdates } from '../../workflows/applicantFeedback';
import { createTestContext, sampleApplication, TEST_CODEC_KEYS, TestContext, waitFor } from '../support/harness';

let ctx: TestContext;
let smsc: Awaited<ReturnType<typeof startSmscEmulator>>;

beforeAll(async () => {
  ctx = await createTestContext('fb-cabinet');
  smsc = await startSmscEmulator({ systemId: 'vis', password: 'pw' });
  await ctx.startWorker({ feedback: { smpp: { url: smsc.url, systemId: 'vis', password: 'pw', sourceAddr: 'OTDEL' } } });
});
afterAll(async () => {
  await ctx?.close();
  await smsc?.stop();
});

it('sends the answer to the cabinet as a status entry of the application’s ЕЛК order, once, beside the SMS', async () => {
  const app = sampleApplication({ channel: 'inPerson' });
  const no = app.applicationNumber;
  await ctx.cases.startApplication(app);
  for (const [action, args] of [
    ['register', { clerk: 'ivanova' }],
    ['startReview', { clerk: 'ivanova' }],
    ['draftDecision', { clerk: 'ivanova', outcome: 'approve' }],
    ['approve', { clerk: 'head' }],
    ['issueResult', { clerk: 'ivanova' }],
  ] as const) {
    await ctx.cases.act(no, action as never, args as never);
  }
  await ctx.cases.result(no);
  const before = ctx.emulator.order(no)!.history;
  const finalStatus = before.at(-1)!.status;

  const intake = createRatingIntake({ pool: ctx.pool, keys: TEST_CODEC_KEYS });
  expect(await intake.ingestXml('mkgu', buildRatesXml([{ externalId: `${no}-cab`, applicationNumber: no, ratedAt: new Date().toISOString(), criteria: { '2.1': 2 } }]))).toMatchObject({ accepted: 1 });
  const feedback = ctx.client.workflow.getHandle(feedbackWorkflowId(no));
  // Routing is the worker's own activity (it also hands on ratings other suites left pending).
  const ratingId = Number((await ctx.pool.query('SELECT id FROM feedback_ratings WHERE external_id = $1', [`${no}-cab`])).rows[0].id);
  const r = (await intake.unrouted(10_000)).find((x) => x.ratingId === ratingId)!;
  await ctx.client.workflow.signalWithStart('applicantFeedback', {
    workflowId: feedbackWorkflowId(no),
    taskQueue: ctx.taskQueue,
    args: [{ applicationNumber: no, serviceCode: app.serviceCode }],
    signal: 'feedbackRating',
    signalArgs: [{ ratingId: r.ratingId, source: r.source, ratedAt: r.ratedAt, criteria: r.criteria, overall: r.overall, critical: r.critical, hasComment: r.hasComment }],
  });
  await intake.markRouted(ratingId);
  const reactionId = `${no}:rating-${ratingId}`;
  await waitFor(async () => (await feedback.query(feedbackQueries.state)).reactions.find((x) => x.reactionId === reactionId)?.deadline);

  const measure = 'Срок выдачи справок взят на ежедневный контроль начальника отдела';
  await feedback.executeUpdate(feedbackUpdates.recordMeasure, { args: [{ reactionId, head: 'kuznetsov', measure }] });
  const answered = await feedback.executeUpdate(feedbackUpdates.sendAnswer, { args: [{ reactionId, head: 'kuznetsov' }] });
  expect(answered.answerSha256).toMatch(/^[0-9a-f]{64}$/);

  // The cabinet: one new entry on the same order, the final status again, the answer in the template's Param.
  const after = ctx.emulator.order(no)!.history;
  expect(after).toHaveLength(before.length + 1);
  const entry = after.at(-1)!;
  expect(entry.status).toBe(finalStatus);
  expect(entry.messageType).toBe(CABINET_ANSWER_TEMPLATE.messageType);
  expect(entry.params).toHaveLength(1);
  expect(entry.params[0]!.name).toBe(CABINET_ANSWER_TEMPLATE.textParam);
  expect(entry.params[0]!.value).toContain(measure);
  const sms = smsc.messages().filter((m) => m.text.includes(no) && m.text.includes('Мы разобрались'));
  expect(sms).toHaveLength(1);
  expect(entry.params[0]!.value).toBe(sms[0]!.text);
  // The answer as a PDF in the cabinet, through the exchange folder: its text is the answer's.
  expect(entry.attachments).toEqual([{ fsUuid: expect.any(String), docTypeId: CABINET_ANSWER_TEMPLATE.docTypeId }]);
  const files = ctx.emulator.cabinet(no)!.statuses.at(-1)!.files;
  expect(files).toHaveLength(1);
  expect(files[0]).toMatchObject({ mimeType: 'application/pdf', docTypeId: CABINET_ANSWER_TEMPLATE.docTypeId });
  const pdf = Buffer.from(await (await fetch(`${ctx.emulator.url}/__emulator/files/${files[0]!.fsUuid}`)).arrayBuffer());
  const out = spawnSync('pdftotext', ['-raw', '-', '-'], { input: pdf });
  expect(out.status).toBe(0);
  const pdfText = out.stdout.toString('utf8').replace(/\s+/g, ' ');
  expect(pdfText).toContain(`Ответ на отзыв по заявлению № ${no}`);
  expect(pdfText).toContain(measure);
  // Through the same outbox as the statuses, on its own row above the lifecycle's.
  const outbox = (await ctx.pool.query(`SELECT seq, request_type, state, elk_status FROM elk_outbox WHERE application_number = $1 AND seq >= $2`, [no, CABINET_ANSWER_SEQ_BASE])).rows;
  expect(outbox).toEqual([{ seq: CABINET_ANSWER_SEQ_BASE, request_type: 'UpdateOrdersRequest', state: 'delivered', elk_status: finalStatus }]);
  expect((await ctx.pool.query(`SELECT channels FROM feedback_answers WHERE reaction_id = $1`, [reactionId])).rows[0].channels).toEqual(['sms', 'cabinet']);

  const closed = await feedback.executeUpdate(feedbackUpdates.closeReaction, { args: [{ reactionId, head: 'kuznetsov' }] });
  expect(closed.closed).toBe(true);
  expect(ctx.emulator.order(no)!.history).toHaveLength(before.length + 1);
});
