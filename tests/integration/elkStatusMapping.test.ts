// Every stage change on the real Temporal server reaches the emulated cabinet as the mapping table says
// (shared/elkStatusMapping.ts): routes that together take every clerk action and both ЕПГУ callbacks.
import { ClerkActionName } from '../../shared/clerkActions';
import { ELK_STATUS_ON_STAGE_CHANGE, StageChangeTrigger, TRUTHFUL_STATUSES } from '../../shared/elkStatusMapping';
import { createTestContext, sampleApplication, TestContext, waitFor } from '../support/harness';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('elk-mapping');
  await ctx.startWorker();
});
afterAll(async () => {
  await ctx?.close();
});

type Step = [StageChangeTrigger, Record<string, unknown>?];
const grounds = [{ code: 'missing-documents', facts: { missingDocuments: ['результаты инженерных изысканий'] } }];
const ROUTES: Record<string, Step[]> = {
  'answers twice, then a result': [
    ['register', { clerk: 'ivanova' }],
    ['startReview', { clerk: 'ivanova' }],
    ['requestInteragency', { clerk: 'ivanova', agencies: ['Росреестр'] }],
    ['recordInteragencyAnswer', { clerk: 'ivanova', agency: 'Росреестр' }],
    ['requestFromApplicant', { clerk: 'ivanova', kind: 'correction' }],
    ['applicantResponded', { note: 'исправлено' }],
    ['requestFromApplicant', { clerk: 'ivanova', kind: 'documents' }],
    ['applicantResponded', { documents: ['ГПЗУ'] }],
    ['reassign', { clerk: 'head', to: 'petrov', reason: 'отпуск' }],
    ['draftDecision', { clerk: 'petrov', outcome: 'approve' }],
    ['approve', { clerk: 'head' }],
    ['issueResult', { clerk: 'petrov' }],
  ],
  'refused after an extension and an amended draft': [
    ['register', { clerk: 'ivanova' }],
    ['extendDeadline', { clerk: 'head', amount: 5, unit: 'workingDays', reason: 'ч. 7 ст. 51 ГрК РФ' }],
    ['startReview', { clerk: 'ivanova' }],
    ['draftDecision', { clerk: 'ivanova', outcome: 'refuse', grounds }],
    ['amendRefusal', { clerk: 'ivanova', grounds }],
    ['refuse', { clerk: 'head' }],
  ],
  'withdrawn while the applicant was asked': [
    ['register', { clerk: 'ivanova' }],
    ['startReview', { clerk: 'ivanova' }],
    ['requestFromApplicant', { clerk: 'ivanova', kind: 'correction' }],
    ['applicantCancelled', { reason: 'передумал' }],
  ],
};

/** What the table says the cabinet receives along a route. */
function expectedStatuses(steps: Step[]): number[] {
  const out: number[] = [];
  for (const [trigger, args] of steps) {
    const { status } = ELK_STATUS_ON_STAGE_CHANGE[trigger];
    if (status === null) continue;
    out.push(typeof status === 'number' ? status : status[(args as { kind: 'correction' | 'documents' }).kind]);
  }
  return out;
}

it('the routes take every clerk action and both callbacks (resolveDeliveryProblem: see lifecycle and replay tests)', () => {
  const taken = new Set(Object.values(ROUTES).flatMap((r) => r.map(([t]) => t)));
  const all = (Object.keys(ELK_STATUS_ON_STAGE_CHANGE) as StageChangeTrigger[]).filter((t) => t !== 'receive' && t !== 'resolveDeliveryProblem');
  expect(all.filter((t) => !taken.has(t))).toEqual([]);
});

it.each(Object.entries(ROUTES))('%s: the cabinet receives what the table says, and each status is true of its stage', async (_name, steps) => {
  const app = sampleApplication({ serviceCode: 'construction-permit' });
  const no = app.applicationNumber;
  await ctx.cases.startApplication(app);
  for (const [trigger, args] of steps) {
    const before = (await ctx.cases.state(no)).history.length;
    if (trigger === 'applicantResponded') await ctx.cases.applicantResponded(no, args);
    else if (trigger === 'applicantCancelled') await ctx.cases.applicantCancelled(no, args);
    else await ctx.cases.act(no, trigger as ClerkActionName, args as never);
    // The stage the table names is the stage the workflow is in, and the status queued for it is true of it.
    const state = await waitFor(async () => {
      const s = await ctx.cases.state(no);
      return s.history.slice(before).some((e) => e.action.startsWith(trigger)) ? s : null;
    });
    const to = ELK_STATUS_ON_STAGE_CHANGE[trigger].to;
    if (to) expect(state.stage).toBe(to);
    const latest = state.elk.items.at(-1)?.elkStatus ?? null;
    expect(TRUTHFUL_STATUSES[state.stage]).toContain(latest);
  }
  await ctx.cases.result(no);
  const expected = expectedStatuses(steps);
  expect((ctx.emulator.order(no)?.history ?? []).map((h) => h.status)).toEqual(expected);
});

it('after the applicant answers a correction request the cabinet shows 6 again, not 15', async () => {
  expect(expectedStatuses(ROUTES['answers twice, then a result'])).toEqual([6, 7, 15, 6, 14, 6, 3]);
});
