// The stage → ЕЛК status mapping is complete (every clerk action, every ЕПГУ callback, intake) and truthful:
// on every path through the stage machine the cabinet's latest status describes the stage the case is in.
import { CANCELLABLE_STAGES, ClerkActionName, ClerkActionSchemas, TRANSITIONS } from '../../shared/clerkActions';
import { ELK_STATUS_NAMES_RU } from '../../shared/elkStatusNames';
import { ELK_STATUS_ON_STAGE_CHANGE, StageChangeTrigger, TRUTHFUL_STATUSES } from '../../shared/elkStatusMapping';
import { DEFAULT_ELK_STATUS_BY_STAGE, DEFAULT_ELK_STATUS_ON_APPLICANT_RESPONSE, ServiceDefinitionSchema } from '../../services';
import { isTerminal, Stage } from '../../shared/stages';

const ACTIONS = Object.keys(ClerkActionSchemas) as ClerkActionName[];
const TRIGGERS = Object.keys(ELK_STATUS_ON_STAGE_CHANGE) as StageChangeTrigger[];

describe('the mapping is complete', () => {
  it('has an entry for every clerk action, both ЕПГУ callbacks and intake, and nothing else', () => {
    expect([...TRIGGERS].sort()).toEqual([...ACTIONS, 'receive', 'applicantResponded', 'applicantCancelled'].sort());
  });

  it.each(Object.entries(TRANSITIONS))('%s: target stage as in TRANSITIONS', (action, transition) => {
    expect(ELK_STATUS_ON_STAGE_CHANGE[action as ClerkActionName].to).toBe(transition!.to);
  });

  it('actions without a transition keep the stage', () => {
    for (const action of ACTIONS.filter((a) => !TRANSITIONS[a])) expect(ELK_STATUS_ON_STAGE_CHANGE[action].to).toBeNull();
  });

  it.each(TRIGGERS)('%s: a real status code, or a written reason why none', (trigger) => {
    const rule = ELK_STATUS_ON_STAGE_CHANGE[trigger];
    expect(rule.why.length).toBeGreaterThan(20);
    const codes = rule.status === null ? [] : typeof rule.status === 'number' ? [rule.status] : Object.values(rule.status);
    for (const code of codes) expect(ELK_STATUS_NAMES_RU[code]).toBeDefined();
  });

  it('states what the workflow sends with a default service definition', () => {
    const def = ServiceDefinitionSchema.parse({
      code: 'x', title: 'x', serviceTargetCode: '1',
      regulation: { term: { amount: 1, unit: 'workingDays' }, termStart: { from: 'registration', basis: 'x' } },
    });
    for (const trigger of TRIGGERS) {
      const rule = ELK_STATUS_ON_STAGE_CHANGE[trigger];
      if (trigger === 'requestFromApplicant') expect(rule.status).toEqual(def.awaitingApplicantStatus);
      else if (trigger === 'applicantResponded') expect(rule.status).toBe(DEFAULT_ELK_STATUS_ON_APPLICANT_RESPONSE);
      else if (rule.to !== null) expect(rule.status).toBe(DEFAULT_ELK_STATUS_BY_STAGE[rule.to]);
    }
    expect(def.elkStatusOnApplicantResponse).toBe(DEFAULT_ELK_STATUS_ON_APPLICANT_RESPONSE);
  });
});

describe('the mapping is truthful on every path', () => {
  type Step = { trigger: StageChangeTrigger; kind?: 'correction' | 'documents' };
  function moves(stage: Stage): Step[] {
    const out: Step[] = [];
    for (const [action, t] of Object.entries(TRANSITIONS)) {
      if (!t!.from.includes(stage)) continue;
      if (action === 'requestFromApplicant') out.push({ trigger: action, kind: 'correction' }, { trigger: action, kind: 'documents' });
      else out.push({ trigger: action as ClerkActionName });
    }
    if (stage === 'awaitingApplicant') out.push({ trigger: 'applicantResponded' });
    if (CANCELLABLE_STAGES.includes(stage)) out.push({ trigger: 'applicantCancelled' });
    return out;
  }

  it('after every transition the cabinet shows a status true of the stage (e.g. never 15 once the applicant answered)', () => {
    const seen = new Set<string>();
    const queue: { stage: Stage; shown: number | null; path: string[] }[] = [{ stage: 'received', shown: null, path: ['receive'] }];
    let transitions = 0;
    while (queue.length) {
      const { stage, shown, path } = queue.shift()!;
      const key = `${stage}/${shown}`;
      if (seen.has(key)) continue;
      seen.add(key);
      expect({ path, stage, shown, truthful: TRUTHFUL_STATUSES[stage].includes(shown) }).toEqual({ path, stage, shown, truthful: true });
      if (isTerminal(stage)) continue;
      for (const step of moves(stage)) {
        transitions++;
        const rule = ELK_STATUS_ON_STAGE_CHANGE[step.trigger];
        const status = rule.status === null ? null : typeof rule.status === 'number' ? rule.status : rule.status[step.kind!];
        queue.push({ stage: rule.to!, shown: status ?? shown, path: [...path, step.kind ? `${step.trigger}:${step.kind}` : step.trigger] });
      }
    }
    // Every stage is reached, and awaitingApplicant → underReview is among the walked transitions.
    expect(new Set([...seen].map((k) => k.split('/')[0])).size).toBe(Object.keys(TRUTHFUL_STATUSES).length);
    expect(seen.has('underReview/6')).toBe(true);
    expect(seen.has('underReview/15')).toBe(false);
    expect(transitions).toBeGreaterThan(20);
  });
});
