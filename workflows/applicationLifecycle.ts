// One durable workflow per application (workflow id = the department's application number), from intake to
// result, in the order of the административный регламент. The case is one state object (lifecycle/caseState.ts);
// each concern that changes it is a module of lifecycle/: clerk actions (Updates), ЕПГУ callbacks (Signals),
// ЕЛК delivery, the regulatory clock with its escalation ladder, stage terms, feedback at closure.
import { allHandlersFinished, condition } from '@temporalio/workflow';
import type { ApplicationInput } from '../shared/application';
import type { LifecycleResult, LifecycleRunOptions } from '../shared/lifecycle';
import { chooseActivityKinds } from './lifecycle/activityKinds';
import { acceptAdmission, admit, openCase, provisionalInput } from './lifecycle/admission';
import { handleApplicantCallbacks } from './lifecycle/applicantCallbacks';
import { answerQueries, CaseState } from './lifecycle/caseState';
import { handleClerkActions } from './lifecycle/clerkActions';
import { askForFeedbackAtClosure } from './lifecycle/closure';
import { deliverStatusesToElk } from './lifecycle/elkDelivery';
import { watchRegulatoryClock } from './lifecycle/regulatoryClock';
import { watchStageTerms } from './lifecycle/stageTerms';

// The messages and patch ids, for the case system's client and for tests.
export * from './lifecycle/messages';
export { ADMISSION_PATCH, LEAN_HISTORY_PATCH, LOCAL_ACTIVITIES_PATCH, ONE_LOCAL_ACTIVITY_AT_A_TIME_PATCH } from './lifecycle/activityKinds';
export { FEEDBACK_AT_CLOSURE_PATCH } from './lifecycle/closure';
export { STATUS_ON_APPLICANT_RESPONSE_PATCH } from './lifecycle/applicantCallbacks';
export { RESULT_DOCUMENT_PATCH } from './lifecycle/decisionLetters';
export { HEARTBEAT_TIMEOUT } from './lifecycle/elkDelivery';

export async function applicationLifecycle(rawInput: ApplicationInput, run?: LifecycleRunOptions): Promise<LifecycleResult> {
  // Decided once, before the first command, so every later call of this run takes the same kind.
  const kinds = chooseActivityKinds(run);
  const state = new CaseState(provisionalInput(rawInput, kinds.admitted), kinds.records, kinds.lean, kinds.compact);

  // Handlers are registered before the first await (an Update arriving earlier would find no handler);
  // they wait for the service profile, which the first activity loads.
  handleClerkActions(state);
  handleApplicantCallbacks(state);
  answerQueries(state);

  // 1. Приём заявления: the input checked, the service profile loaded, "receive" recorded.
  if (kinds.admitted) acceptAdmission(state, await admit(rawInput, kinds.admission, kinds.compact));
  else state.profile = await state.records.loadServiceProfile(state.input.serviceCode);
  const profile = openCase(state, kinds.admitted);

  // 2. From here the case runs on its own: statuses to the cabinet, the regulatory term, the stage terms.
  const delivery = deliverStatusesToElk(state, profile);
  const watchingTerm = watchRegulatoryClock(state, kinds.deadlines);
  const watchingStages = watchStageTerms(state, kinds.deadlines);
  if (!kinds.admitted) void state.record('receive', `channel:${state.input.channel}`);
  state.enqueueElkStatus('received', profile.elkStatusByStage.received);

  // 3. Рассмотрение and решение happen in the clerk's Updates and the applicant's Signals, until the case closes:
  //    result issued, refused or withdrawn.
  await condition(() => state.closed);

  // 4. Closure: every status delivered, every record written, every handler done; then the applicant is asked.
  await watchingTerm;
  await watchingStages;
  await delivery;
  await state.allRecorded();
  await condition(allHandlersFinished);
  await askForFeedbackAtClosure(state);
  return state.result();
}
