// The documents a decision produces: the refusal letter (drafted, amended, issued) and the result document
// attached when the result is issued. Each call holds the case (busyWith) until the activity is done, so a
// second clerk action cannot slip in between.
import { proxyActivities } from '@temporalio/workflow';
import type { LifecycleActivities } from '../../activities';
import type { ClerkActionArgs, ClerkActionName } from '../../shared/clerkActionRules';
import { ElkStatusItem, REFUSAL_VALIDATION_ERROR, RESULT_DOCUMENT_MISSING } from '../../shared/lifecycle';
import type { CaseState } from './caseState';
import { HEARTBEAT_TIMEOUT } from './elkDelivery';
import { activityFailureOfType, failedBecause } from './failures';

const letters = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: [REFUSAL_VALIDATION_ERROR, RESULT_DOCUMENT_MISSING] },
});
/** Patch id: issueResult with a result document runs attachResultDocument before the status is queued. */
export const RESULT_DOCUMENT_PATCH = 'result-document-attachment';

type Grounds = { code: string; facts: Record<string, unknown> }[];
type ResultDocument = NonNullable<ClerkActionArgs<'issueResult'>['document']>;

/** Renders and stores the refusal letter; a rejected ground fails the action and leaves the stage as it was. */
export async function draftRefusalLetter(state: CaseState, action: ClerkActionName, clerk: string, grounds: Grounds): Promise<void> {
  const { input } = state;
  state.busyWith = action;
  try {
    state.refusalDraft = await letters.prepareRefusalLetter({
      applicationNumber: input.applicationNumber,
      serviceCode: input.serviceCode,
      version: (state.refusalDraft?.version ?? 0) + 1,
      applicant: input.applicant,
      clerk,
      decidedAt: new Date().toISOString(),
      grounds,
    });
  } catch (err) {
    const cause = activityFailureOfType(err, REFUSAL_VALIDATION_ERROR);
    throw cause ? failedBecause(REFUSAL_VALIDATION_ERROR, 'Отказ не оформлен (refusal rejected)', cause) : err;
  } finally {
    state.busyWith = null;
  }
}

/** Marks the stored letter issued; the refusal status carries it to the cabinet. */
export async function issueRefusalLetter(state: CaseState, clerk: string): Promise<ElkStatusItem['attachment']> {
  state.busyWith = 'refuse';
  try {
    return await letters.issueRefusalLetter({ applicationNumber: state.input.applicationNumber, letterId: state.refusalDraft!.letterId, clerk });
  } finally {
    state.busyWith = null;
  }
}

/**
 * The result document to attach, if the clerk gave one. The patch marker is written only for histories with a
 * document, so cases issued without one replay unchanged.
 */
export function resultDocumentToAttach(state: CaseState, document: ResultDocument | undefined): ResultDocument | undefined {
  return document && state.patched(RESULT_DOCUMENT_PATCH) ? document : undefined;
}

/** Checks the uploaded result document and attaches it to the result status. */
export async function attachResultDocument(state: CaseState, document: ResultDocument, clerk: string): Promise<ElkStatusItem['attachment']> {
  state.busyWith = 'issueResult';
  try {
    return await letters.attachResultDocument({ applicationNumber: state.input.applicationNumber, ...document, clerk });
  } catch (err) {
    const cause = activityFailureOfType(err, RESULT_DOCUMENT_MISSING);
    throw cause ? failedBecause(RESULT_DOCUMENT_MISSING, 'Результат не выдан (result not issued)', cause) : err;
  } finally {
    state.busyWith = null;
  }
}
