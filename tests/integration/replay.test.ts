// Determinism guard: histories of every lifecycle path replay against the current workflow code without
// nondeterminism errors. Fresh histories are recorded from the real server; committed fixtures
// (tests/fixtures/histories, added to with UPDATE_HISTORY_FIXTURES=1; fixtures recorded before a patched() change stay, so both
// of its branches replay) catch changes that would break
// workflows already running in a department.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { storeResultDocument } from '../../documents/resultDocuments';
import { simpleResultPdf } from '../../scripts/demoDocuments';
import { ApplicationInput } from '../../shared/application';
import { CaseLifecyclePlugin } from '../../worker/plugin';
import { createTestContext, sampleApplication, TestContext, TEST_CODEC_KEYS, waitFor } from '../support/harness';

const History = temporal.api.history.v1.History;
const FIXTURES = path.resolve(__dirname, '../fixtures/histories');
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('replay');
  await ctx.startWorker();
});
afterAll(async () => {
  await ctx?.close();
});

type Route = (no: string) => Promise<void>;
const ROUTES: Record<string, Route> = {
  'positive-result': async (no) => {
    await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'requestInteragency', { clerk: 'ivanova', agencies: ['Росреестр'] });
    await ctx.cases.act(no, 'recordInteragencyAnswer', { clerk: 'ivanova', agency: 'Росреестр' });
    await ctx.cases.act(no, 'requestFromApplicant', { clerk: 'ivanova', kind: 'correction' });
    await ctx.cases.applicantResponded(no);
    await ctx.cases.act(no, 'reassign', { clerk: 'head', to: 'petrov', reason: 'отпуск' });
    await ctx.cases.act(no, 'draftDecision', { clerk: 'petrov', outcome: 'approve' });
    await ctx.cases.act(no, 'approve', { clerk: 'head' });
    await ctx.cases.act(no, 'issueResult', { clerk: 'petrov' });
  },
  refused: async (no) => {
    await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'extendDeadline', { clerk: 'head', amount: 10, unit: 'workingDays', reason: 'межведомственный запрос без ответа' });
    await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'draftDecision', {
      clerk: 'ivanova',
      outcome: 'refuse',
      grounds: [{ code: 'missing-documents', facts: { missingDocuments: ['результаты инженерных изысканий'] } }],
    });
    await ctx.cases.act(no, 'amendRefusal', {
      clerk: 'ivanova',
      grounds: [{ code: 'missing-documents', facts: { missingDocuments: ['результаты инженерных изысканий', 'проектная документация'] } }],
    });
    await ctx.cases.act(no, 'refuse', { clerk: 'head' });
  },
  cancelled: async (no) => {
    await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
    await ctx.cases.applicantCancelled(no, { reason: 'не нужно' });
  },
  'delivery-problem-skipped': async (no) => {
    await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
    await waitFor(() => ctx.emulator.order(no)?.history.length === 1);
    ctx.emulator.faults.set({ rejectNext: { code: 'InvalidContent', description: 'SMEV-403: схема не соответствует' } });
    await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'requestInteragency', { clerk: 'ivanova', agencies: ['МВД'] });
    await waitFor(async () => (await ctx.cases.state(no)).elk.problem);
    await ctx.cases.act(no, 'resolveDeliveryProblem', { clerk: 'ivanova', action: 'retry' });
    await ctx.cases.applicantCancelled(no);
  },
  // issueResult with a result document (RESULT_DOCUMENT_PATCH); filed on ЕПГУ, so statuses answer ЕПГУ's request.
  'epgu-result-document': async (no) => {
    const document = await storeResultDocument(ctx.pool, TEST_CODEC_KEYS, { applicationNumber: no, fileName: 'result.pdf', content: simpleResultPdf([no]) });
    await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'approve' });
    await ctx.cases.act(no, 'approve', { clerk: 'head' });
    await ctx.cases.act(no, 'issueResult', { clerk: 'ivanova', document });
  },
  // A term that runs from registration: the registration's record computes the first deadline (LEAN_HISTORY_PATCH).
  'term-from-registration': async (no) => {
    await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'approve' });
    await ctx.cases.act(no, 'approve', { clerk: 'head' });
    await ctx.cases.act(no, 'issueResult', { clerk: 'ivanova' });
  },
};
const APPLICATION_OVERRIDES: Record<string, () => Partial<ApplicationInput>> = {
  'term-from-registration': () => ({ serviceCode: 'archive-certificate' }),
  'epgu-result-document': () => {
    const epgu = { orderId: String(8_000_000_000 + (Date.now() % 1_000_000)), requestClientId: `epgu-replay-${Date.now()}` };
    ctx.emulator.registerEpguRequest(epgu);
    return { channel: 'epgu', epgu };
  },
};

async function replay(histories: { id: string; history: unknown }[]) {
  const results = [];
  for await (const r of Worker.runReplayHistories(
    { workflowBundle: { codePath: ctx.stack.bundlePath }, plugins: [new CaseLifecyclePlugin({ codecKeys: TEST_CODEC_KEYS })] },
    histories.map(({ id, history }) => ({ workflowId: id, history: history as never })),
  )) {
    results.push(r);
  }
  return results;
}

it('replays the recorded history of every lifecycle path without determinism errors', async () => {
  const recorded: { id: string; history: unknown }[] = [];
  for (const [name, route] of Object.entries(ROUTES)) {
    const app = sampleApplication({
      applicationNumber: `R-${name.slice(0, 12)}-${Date.now() % 100000}`,
      serviceCode: 'construction-permit',
      ...APPLICATION_OVERRIDES[name]?.(),
    });
    await ctx.cases.startApplication(app);
    await route(app.applicationNumber);
    await ctx.cases.result(app.applicationNumber);
    const history = await ctx.client.workflow.getHandle(app.applicationNumber).fetchHistory();
    recorded.push({ id: app.applicationNumber, history });
    if (process.env.UPDATE_HISTORY_FIXTURES === '1') {
      // The file name is the workflow id: replay checks it against the application number.
      // Binary protobuf: exact, and independent of the JSON converters' protobufjs copies.
      fs.writeFileSync(path.join(FIXTURES, `${app.applicationNumber}.binpb`), History.encode(history).finish());
    }
  }
  const results = await replay(recorded);
  expect(results.map((r) => [r.workflowId, r.error ? String(r.error) : null])).toEqual(recorded.map((r) => [r.id, null]));
});

it('replays the committed history fixtures of earlier code', async () => {
  const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.binpb'));
  expect(files.length).toBeGreaterThanOrEqual(3);
  const results = await replay(files.map((f) => ({ id: f.replace(/\.binpb$/, ''), history: History.decode(fs.readFileSync(path.join(FIXTURES, f))) })));
  expect(results.map((r) => [r.workflowId, r.error ? String(r.error) : null])).toEqual(files.map((f) => [f.replace(/\.binpb$/, ''), null]));
});
