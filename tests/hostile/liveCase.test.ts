// Hostile input against a live case on the real server: workflow starts that bypass the client, clerk Updates
// with arbitrary arguments in arbitrary order, and duplicate Signal / Update delivery. A rejected message
// changes nothing, the workflow keeps running and can be completed, and duplicates are applied once.
import { WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import fc from 'fast-check';
import { ClerkActionName, ClerkActionSchemas, TRANSITIONS } from '../../shared/clerkActions';
import type { CaseSnapshot } from '../../shared/lifecycle';
import { isTerminal } from '../../shared/stages';
import { applicantCancelledSignal, applicantRespondedSignal, clerkActionUpdates } from '../../workflows/applicationLifecycle';
import { realisticFacts } from '../refusal/fixtures';
import { createTestContext, TestContext, waitFor } from '../support/harness';
import { APPLICATION_PATHS, hostileValue, setPath, validApplication } from './arbitraries';

let ctx: TestContext;
let n = 0;

beforeAll(async () => {
  ctx = await createTestContext('hostile');
  await ctx.startWorker();
});
afterAll(async () => {
  await ctx?.close();
});

const handle = (no: string) => ctx.client.workflow.getHandle(no);

async function update(no: string, action: ClerkActionName, args: unknown, updateId?: string): Promise<{ ok: true; snap: CaseSnapshot } | { ok: false; message: string }> {
  try {
    const snap = await handle(no).executeUpdate(clerkActionUpdates[action] as never, { args: [args] as never, ...(updateId ? { updateId } : {}) });
    return { ok: true, snap: snap as CaseSnapshot };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return { ok: false, message: String(err.cause?.message ?? err.message) };
    // A case that reached its end and finished delivering refuses every Update at the server.
    if (err instanceof WorkflowNotFoundError) return { ok: false, message: err.message };
    throw err;
  }
}

/** A call that does not settle in time fails the property (and is shrunk) instead of hanging the suite. */
async function bounded<T>(what: string, p: Promise<T>, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Drives a live case to a terminal stage from wherever it is, then waits for its result. */
async function finish(no: string): Promise<string> {
  const state = await ctx.cases.state(no);
  if (state.elk.problem) await ctx.cases.act(no, 'resolveDeliveryProblem', { clerk: 'ivanova', action: 'skip' });
  if (state.stage === 'approved') await ctx.cases.act(no, 'issueResult', { clerk: 'ivanova' });
  else if (!isTerminal(state.stage)) await ctx.cases.applicantCancelled(no, { reason: 'тест' });
  return (await ctx.cases.result(no)).outcome;
}

describe('workflow started directly, bypassing the client', () => {
  it('fails cleanly with InputValidationError before any activity, and the worker keeps serving', async () => {
    const refused = (input: unknown) => {
      try {
        ctx.cases.validateApplication(input);
        return false;
      } catch {
        return true;
      }
    };
    // Only inputs the schema refuses: the workflow must refuse exactly those.
    const mutated = fc.sample(
      fc.record({ path: fc.constantFrom(...APPLICATION_PATHS), value: hostileValue }).filter(({ path, value }) => refused(setPath(validApplication(0) as never, path, value))),
      { numRuns: 10, seed: 7 },
    );
    const inputs: unknown[][] = [
      ...mutated.map(({ path, value }) => [setPath(validApplication(++n) as never, path, value)]),
      [null],
      ['<script>'],
      [[1, 2, 3]],
      [],
    ];
    await Promise.all(
      inputs.map(async (args, i) => {
        const workflowId = `HOSTILE-RAW-${process.pid}-${Date.now() % 1e7}-${i}`;
        const h = await ctx.client.workflow.start('applicationLifecycle', { workflowId, taskQueue: ctx.taskQueue, args, workflowExecutionTimeout: '1 minute' });
        const err = await h.result().then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(WorkflowFailedError);
        const cause = (err as WorkflowFailedError).cause as { type?: string; message?: string } | undefined;
        expect(cause?.type).toBe('InputValidationError');
        expect(cause?.message).toMatch(/application rejected|workflowId must equal/);
        const history = await h.fetchHistory();
        expect(history.events?.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
      }),
    );
    // A valid application number under another workflow id is refused too.
    const app = validApplication(++n);
    const h = await ctx.client.workflow.start('applicationLifecycle', { workflowId: `${app.applicationNumber}-other`, taskQueue: ctx.taskQueue, args: [app] });
    expect(((await h.result().catch((e) => e)) as WorkflowFailedError).cause?.message).toContain('workflowId must equal applicationNumber');

    // The worker is unharmed: a valid application still runs to the end.
    const ok = validApplication(++n);
    await ctx.cases.startApplication(ok);
    await ctx.cases.act(ok.applicationNumber, 'register', { clerk: 'ivanova' });
    await ctx.cases.applicantCancelled(ok.applicationNumber);
    expect((await ctx.cases.result(ok.applicationNumber)).outcome).toBe('cancelled');
  });
});

// ---- clerk Updates in arbitrary order with arbitrary arguments ----

const ACTIONS = Object.keys(ClerkActionSchemas) as ClerkActionName[];
const archiveGrounds = [{ code: 'restricted-access', facts: realisticFacts['archive-certificate']!['restricted-access']! }];
const plausibleArgs: Record<ClerkActionName, unknown> = {
  register: { clerk: 'ivanova' },
  startReview: { clerk: 'ivanova' },
  requestInteragency: { clerk: 'ivanova', agencies: ['ФНС'] },
  recordInteragencyAnswer: { clerk: 'ivanova', agency: 'ФНС' },
  requestFromApplicant: { clerk: 'ivanova', kind: 'correction' },
  draftDecision: { clerk: 'ivanova', outcome: 'approve' },
  approve: { clerk: 'head' },
  refuse: { clerk: 'head' },
  issueResult: { clerk: 'ivanova' },
  reassign: { clerk: 'head', to: 'petrov', reason: 'нагрузка' },
  resolveDeliveryProblem: { clerk: 'ivanova', action: 'skip' },
  amendRefusal: { clerk: 'ivanova', grounds: archiveGrounds },
  extendDeadline: { clerk: 'ivanova', amount: 5, unit: 'workingDays', reason: 'ч. 3 ст. 7' },
};

// 'legal' picks one of the transitions allowed in the current stage, so runs get deep into the lifecycle.
const step = fc.record({
  action: fc.oneof(fc.constantFrom(...ACTIONS), fc.constant('legal' as const)),
  pick: fc.nat(),
  args: fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) }, // null = the plausible arguments of the action
    { weight: 1, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.constant({ clerk: 'ivanova', outcome: 'refuse', grounds: archiveGrounds }) },
    { weight: 1, arbitrary: fc.constant({ clerk: 'ivanova', outcome: 'refuse', grounds: [{ code: 'no-such-ground', facts: { x: '<script>' } }] }) },
  ),
});

// Only what a clerk action can change: the workflow's own events (receive, deadline, escalation) land on their own.
const clerkEvents = (s: CaseSnapshot) => s.history.filter((e) => !['receive', 'deadline'].includes(e.action) && !e.action.startsWith('escalation')).length;
const comparable = (s: CaseSnapshot) => ({ stage: s.stage, clerk: s.assignedClerk, events: clerkEvents(s), elk: s.elk.items.length });

describe('clerk Updates with arbitrary arguments, in arbitrary order', () => {
  it('rejected ones change nothing, accepted ones follow TRANSITIONS, and the case can still be completed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 10 }), async (steps) => {
        const app = validApplication(++n);
        const no = app.applicationNumber;
        await ctx.cases.startApplication(app);
        for (const { action: chosen, pick, args } of steps) {
          const before = await ctx.cases.state(no);
          const legal = ACTIONS.filter((a) => TRANSITIONS[a]?.from.includes(before.stage));
          const action = chosen === 'legal' ? (legal.length ? legal[pick % legal.length]! : 'reassign') : chosen;
          const sent = args === null ? plausibleArgs[action] : args;
          const r = await bounded(`${action} in ${before.stage}`, update(no, action, sent));
          const after = await ctx.cases.state(no);
          const schemaOk = ClerkActionSchemas[action].safeParse(sent).success;
          const t = TRANSITIONS[action];
          if (!r.ok) {
            expect(comparable(after)).toEqual(comparable(before));
            expect(r.message.length).toBeGreaterThan(0);
            continue;
          }
          // Accepted: the arguments were valid, the stage was legal and it moved as the table says.
          expect(schemaOk).toBe(true);
          if (t) {
            expect(t.from).toContain(before.stage);
            expect(after.stage).toBe(t.to);
          } else {
            expect(after.stage).toBe(before.stage);
          }
          expect(isTerminal(before.stage) && action !== 'resolveDeliveryProblem').toBe(false);
        }
        const { status } = await handle(no).describe();
        const stage = (await ctx.cases.state(no)).stage;
        // A case still short of a terminal stage must be alive; a terminal one may still be delivering statuses.
        if (!isTerminal(stage)) expect(status.name).toBe('RUNNING');
        expect(await bounded(`finishing from ${stage}`, finish(no))).toMatch(/cancelled|resultIssued|refused/);
      }),
      { numRuns: 8 },
    );
  }, 300_000);
});

// ---- duplicate delivery ----

const statuses = (no: string) => (ctx.emulator.order(no)?.history ?? []).map((h) => h.status);
const actions = (s: CaseSnapshot) => s.history.map((e) => e.action).filter((a) => a !== 'deadline' && !a.startsWith('escalation'));

describe('duplicate delivery', () => {
  it('the same Signal many times, interleaved, is applied once', async () => {
    const app = validApplication(++n);
    const no = app.applicationNumber;
    await ctx.cases.startApplication(app);
    await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'requestFromApplicant', { clerk: 'ivanova', kind: 'documents' });
    await Promise.all(Array.from({ length: 8 }, () => handle(no).signal(applicantRespondedSignal, { documents: ['паспорт'] })));
    await waitFor(async () => (await ctx.cases.state(no)).stage === 'underReview');
    await ctx.cases.act(no, 'requestFromApplicant', { clerk: 'ivanova', kind: 'correction' });
    // Responses and cancellations race; the first one that applies wins, the rest change nothing.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 2 ? handle(no).signal(applicantCancelledSignal, { reason: 'дубль' }) : handle(no).signal(applicantRespondedSignal, {}),
      ),
    );
    // Hostile payloads of the signals are ignored too.
    await handle(no).signal(applicantRespondedSignal, { note: 'x'.repeat(5000) } as never).catch(() => undefined);
    await handle(no).signal(applicantCancelledSignal, 42 as never).catch(() => undefined);
    const snap = await waitFor(async () => {
      const s = await ctx.cases.state(no);
      return s.stage === 'cancelled' ? s : null;
    });
    const done = actions(snap);
    expect(done.filter((a) => a === 'applicantCancelled')).toHaveLength(1);
    // responded once after "documents", and at most once after "correction" (if it won the race)
    expect(done.filter((a) => a === 'applicantResponded').length).toBeGreaterThanOrEqual(1);
    expect(done.filter((a) => a === 'applicantResponded').length).toBeLessThanOrEqual(2);
    await ctx.cases.result(no);
    // Each applied answer shows 6 again (review resumed), each once: nothing is doubled by the duplicates.
    const answeredTwice = done.filter((a) => a === 'applicantResponded').length === 2;
    expect(statuses(no)).toEqual(answeredTwice ? [6, 14, 6, 15, 6, 10] : [6, 14, 6, 15, 10]);
  });

  it('the same Update id delivered twice, sequentially and concurrently, is applied once', async () => {
    const app = validApplication(++n);
    const no = app.applicationNumber;
    await ctx.cases.startApplication(app);
    const first = await update(no, 'register', { clerk: 'ivanova' }, `${no}:register`);
    const again = await update(no, 'register', { clerk: 'ivanova' }, `${no}:register`);
    expect(first.ok && again.ok).toBe(true);
    if (first.ok && again.ok) expect(again.snap).toEqual(first.snap);

    const concurrent = await Promise.all(Array.from({ length: 5 }, () => update(no, 'startReview', { clerk: 'ivanova' }, `${no}:startReview`)));
    expect(concurrent.every((r) => r.ok)).toBe(true);
    // A duplicate without the id is a new request: refused as illegal in the new stage, changing nothing.
    const plain = await update(no, 'startReview', { clerk: 'ivanova' });
    expect(plain.ok).toBe(false);
    await Promise.all(Array.from({ length: 3 }, () => update(no, 'requestInteragency', { clerk: 'ivanova', agencies: ['ФНС'] }, `${no}:ri`)));
    await Promise.all(Array.from({ length: 3 }, () => update(no, 'extendDeadline', { clerk: 'ivanova', amount: 2, unit: 'calendarDays', reason: 'ч. 3' }, `${no}:ext`)));

    const snap = await ctx.cases.state(no);
    const done = actions(snap);
    for (const a of ['register', 'startReview', 'requestInteragency', 'extendDeadline']) expect(done.filter((x) => x === a)).toHaveLength(1);
    const history = await handle(no).fetchHistory();
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(4);
    await ctx.cases.applicantCancelled(no);
    await ctx.cases.result(no);
    expect(statuses(no)).toEqual([6, 7, 10]);
  });
});
