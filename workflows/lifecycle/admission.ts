// Приём заявления: the input is checked (the client checks too, but a workflow may be started by any tool), the
// service profile is loaded and the "receive" event recorded — for new cases by one local activity with the
// same zod schema as the client. Cases started before that replay with the checks they ran then.
import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Admission } from '../../activities';
import type { ApplicationInput } from '../../shared/application';
// Zod-free: the sandbox loads none of zod.
import { receivedAtProblem } from '../../shared/lawfulDates';
import { INPUT_VALIDATION_ERROR } from '../../shared/lifecycle';
import { SA } from '../../shared/names';
import type { ServiceProfile } from '../../services';
import type { LifecycleProxy } from './activityKinds';
import type { CaseState } from './caseState';
import { activityFailureOfType } from './failures';

function rejectInput(message: string): never {
  throw ApplicationFailure.create({ type: INPUT_VALIDATION_ERROR, message, nonRetryable: true });
}

/**
 * The input as far as it can be read before admission: only where a malformed one cannot throw. Cases from
 * before the admission activity are checked here, as they were when they started.
 */
export function provisionalInput(rawInput: ApplicationInput, admitted: boolean): ApplicationInput {
  const input = (typeof rawInput === 'object' && rawInput !== null ? rawInput : {}) as ApplicationInput;
  if (!admitted) {
    // Workflow time: the same answer on replay. New cases get this check inside the admission activity, against
    // the workflow time of admission passed to it (and recorded with its result).
    const future = receivedAtProblem(input.receivedAt, Date.now());
    if (future) rejectInput(`Заявление отклонено (application rejected): ${future.field}: ${future.rule}`);
  }
  if (!admitted && workflowInfo().workflowId !== input.applicationNumber) {
    rejectInput(`workflowId must equal applicationNumber (идентификатор процесса должен совпадать с номером заявления)`);
  }
  return input;
}

export interface AdmittedCase {
  /** Workflow time of admission: the instant of the "receive" event. */
  at: string;
  admission: Admission;
}

/** Checks the input (same zod schema as the client), loads the profile, records "receive": one marker. */
export async function admit(rawInput: ApplicationInput, admissionActivities: LifecycleProxy, compact: boolean): Promise<AdmittedCase> {
  const at = new Date().toISOString();
  try {
    const request = { workflowId: workflowInfo().workflowId, application: rawInput, at, ...(compact ? { recordDeadlineEvent: true } : {}) };
    return { at, admission: await admissionActivities.admitApplication(request) };
  } catch (err) {
    const cause = activityFailureOfType(err, INPUT_VALIDATION_ERROR);
    if (cause) rejectInput(cause.message);
    throw err;
  }
}

/** The case as admitted: checked input, profile, registration term, the "receive" event the activity recorded. */
export function acceptAdmission(state: CaseState, { at, admission }: AdmittedCase): void {
  const input = admission.input;
  state.input = input;
  state.assignedClerk = input.assignedClerk ?? null;
  state.stageEnteredAt = input.receivedAt;
  state.receivedStageDeadline = admission.receivedStageDeadline;
  state.history.push({ seq: 1, stage: 'received', action: 'receive', actor: `channel:${input.channel}`, at });
  // Compact cases: admission wrote the "deadline" event too (event 2) when it computed the deadline.
  if (admission.deadlineEvent) state.history.push(admission.deadlineEvent);
  state.profile = admission.profile;
  if (state.lean && admission.deadline) state.deadlineAlongside = { version: 1, result: Promise.resolve(admission.deadline), recorded: !!admission.deadlineEvent };
}

/** Starts a term that runs from receipt and sets the case's search attributes; returns the loaded profile. */
export function openCase(state: CaseState, admitted: boolean): ServiceProfile {
  const { input } = state;
  const profile = state.service;
  // Profiles recorded before termStartsAt existed replay as before: the term starts at registration.
  if (profile.termStartsAt === 'receipt') state.startClock(input.receivedAt);
  let initialAttributes: SearchAttributeUpdatePair[] = [
    // Compact cases keep the stage in the applications projection only.
    ...(state.compact ? [] : [{ key: SA.stage, value: state.stage }]),
    { key: SA.serviceCode, value: input.serviceCode },
    ...(state.assignedClerk ? [{ key: SA.assignedClerk, value: state.assignedClerk }] : []),
  ];
  // CaseClient sets these when it starts the case: upserting them again is an event that changes nothing.
  if (admitted) initialAttributes = initialAttributes.filter((u) => workflowInfo().typedSearchAttributes.get(u.key as never) !== u.value);
  state.upsertCaseAttributes(initialAttributes);
  return profile;
}
