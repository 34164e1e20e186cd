// Determinism guard of the feedback workflow: a history through a whole reaction (critical rating, measure,
// answer, close) replays against the current code; so does the same history as the code before the answer had
// a heartbeat timeout wrote it (only the activity's options differ, which replay does not compare); and so do
// the committed fixtures (tests/fixtures/feedback-histories, added to with UPDATE_HISTORY_FIXTURES=1).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { startSmscEmulator } from '../../feedback/emulator/smscEmulator';
import { buildRatesXml } from '../../feedback/mkguXml';
import { createRatingIntake } from '../../feedback/ratingIntake';
import { feedbackWorkflowId } from '../../feedback/ratingSchemas';
import { COMPACT_HISTORY } from '../../shared/lifecycle';
import { CaseLifecyclePlugin } from '../../worker/plugin';
import { feedbackQueries, feedbackSignals, feedbackUpdates } from '../../workflows/applicantFeedback';
import { createTestContext, TEST_CODEC_KEYS, TestContext, uniqueNumber, waitFor } from '../support/harness';
import { insertClosedCase } from './support';

const History = temporal.api.history.v1.History;
const FIXTURES = path.resolve(__dirname, '../fixtures/feedback-histories');
let ctx: TestContext;
let smsc: Awaited<ReturnType<typeof startSmscEmulator>>;

beforeAll(async () => {
  ctx = await createTestContext('fb-replay');
  smsc = await startSmscEmulator({ systemId: 'vis', password: 'pw' });
  await ctx.startWorker({ feedback: { smpp: { url: smsc.url, systemId: 'vis', password: 'pw', sourceAddr: 'OTDEL' } } });
});
afterAll(async () => {
  await ctx?.close();
  await smsc?.stop();
});

async function replay(histories: { id: string; history: temporal.api.history.v1.IHistory }[]) {
  const out: { id: string; error: string | null }[] = [];
  for await (const r of Worker.runReplayHistories(
    { workflowBundle: { codePath: ctx.stack.bundlePath }, plugins: [new CaseLifecyclePlugin({ codecKeys: TEST_CODEC_KEYS })] },
    histories.map(({ id, history }) => ({ workflowId: id, history: history as never })),
  )) {
    out.push({ id: r.workflowId, error: r.error ? String(r.error) : null });
  }
  return out;
}

it('replays a whole reaction, also as written before the answer had a heartbeat timeout, and the fixtures', async () => {
  const no = uniqueNumber('FBR');
  await insertClosedCase(ctx.pool, no);
  const intake = createRatingIntake({ pool: ctx.pool, keys: TEST_CODEC_KEYS });
  await intake.ingestXml('mkgu', buildRatesXml([{ externalId: `${no}-r`, applicationNumber: no, ratedAt: new Date().toISOString(), criteria: { '2.1': 1 } }]));
  const ratingId = Number((await ctx.pool.query('SELECT id FROM feedback_ratings WHERE external_id = $1', [`${no}-r`])).rows[0].id);
  // As a compact lifecycle starts it (the served event registered by a local activity), with the rating arriving
  // before the registration is done: the run goes on to the reaction instead of ending once registered. The
  // committed fixtures hold runs started without historyShape, and before the run ended once registered.
  const handle = await ctx.client.workflow.signalWithStart('applicantFeedback', {
    workflowId: feedbackWorkflowId(no),
    taskQueue: ctx.taskQueue,
    args: [{ applicationNumber: no, serviceCode: 'archive-certificate', historyShape: COMPACT_HISTORY, closureRun: 'endsWhenRegistered', served: { outcome: 'resultIssued', servedAt: new Date().toISOString(), contact: { phone: '+79165550199' } } }],
    signal: feedbackSignals.rating,
    signalArgs: [{ ratingId, source: 'mkgu', ratedAt: new Date().toISOString(), criteria: { '2.1': 1 }, overall: 1, critical: true, hasComment: false }],
  });
  await intake.markRouted(ratingId);
  const reactionId = `${no}:rating-${ratingId}`;
  await waitFor(async () => (await handle.query(feedbackQueries.state)).reactions[0]?.deadline);
  await handle.executeUpdate(feedbackUpdates.recordMeasure, { args: [{ reactionId, head: 'kuznetsov', measure: 'Исполнителю объявлено замечание за нарушение срока' }] });
  await handle.executeUpdate(feedbackUpdates.sendAnswer, { args: [{ reactionId, head: 'kuznetsov' }] });
  await handle.executeUpdate(feedbackUpdates.closeReaction, { args: [{ reactionId, head: 'kuznetsov' }] });
  const history = await handle.fetchHistory();

  // As the earlier code wrote it: sendReactionAnswer with the common options (1 minute, no heartbeat).
  const old = History.decode(History.encode(history).finish());
  const answer = old.events!.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendReactionAnswer')!;
  expect(answer.activityTaskScheduledEventAttributes!.heartbeatTimeout).toBeTruthy();
  answer.activityTaskScheduledEventAttributes!.heartbeatTimeout = null;
  answer.activityTaskScheduledEventAttributes!.startToCloseTimeout = { seconds: 60 } as never;

  if (process.env.UPDATE_HISTORY_FIXTURES === '1') fs.writeFileSync(path.join(FIXTURES, `${feedbackWorkflowId(no).replace(':', '-')}.binpb`), History.encode(history).finish());
  const fixtures = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.binpb'));
  expect(fixtures.length).toBeGreaterThan(0);
  const results = await replay([
    { id: feedbackWorkflowId(no), history },
    { id: feedbackWorkflowId(no), history: old },
    ...fixtures.map((f) => ({ id: `feedback:${f.replace(/^feedback-/, '').replace(/\.binpb$/, '')}`, history: History.decode(fs.readFileSync(path.join(FIXTURES, f))) })),
  ]);
  expect(results.map((r) => r.error)).toEqual(results.map(() => null));
  expect(results).toHaveLength(2 + fixtures.length);
});
