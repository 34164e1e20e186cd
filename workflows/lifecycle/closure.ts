// At closure the applicant is asked how they were served. The rating arrives after this workflow has ended: a
// feedback workflow next to it (abandoned child, id feedback:<number>) registers the served event with ИАС МКГУ
// and receives the ratings.
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { FeedbackInput } from '../../feedback';
import { feedbackWorkflowId } from '../../shared/feedback';
import { COMPACT_HISTORY } from '../../shared/lifecycle';
import type { CaseState } from './caseState';

/** Patch id: the applicant's rating is collected by a feedback workflow started when the case closes. */
export const FEEDBACK_AT_CLOSURE_PATCH = 'feedback-at-closure';

export async function askForFeedbackAtClosure(state: CaseState): Promise<void> {
  // Compact cases: the closing status's delivery already started it (elkDelivery.ts).
  if (state.feedbackStartedWithDelivery) return;
  if (state.patched(FEEDBACK_AT_CLOSURE_PATCH)) await startFeedback(state);
}

/** What the feedback workflow is started with: the case as served, and how to reach the applicant. */
export function feedbackRequest(state: CaseState): FeedbackInput {
  const { input } = state;
  const applicant = input.applicant;
  const phone = applicant.kind === 'person' && applicant.phone && /^\+7\d{10}$/.test(applicant.phone) ? applicant.phone : undefined;
  const email = applicant.kind === 'person' ? applicant.email : undefined;
  return {
    applicationNumber: input.applicationNumber,
    serviceCode: input.serviceCode,
    ...(state.compact ? { historyShape: COMPACT_HISTORY } : {}),
    served: { outcome: state.stage as 'resultIssued' | 'refused' | 'cancelled', servedAt: new Date().toISOString(), contact: { ...(phone ? { phone } : {}), ...(email ? { email } : {}) } },
  };
}

async function startFeedback(state: CaseState): Promise<void> {
  const { input } = state;
  const args = feedbackRequest(state);
  // LEAN_HISTORY_PATCH: started by a local activity (one marker) where the worker has a client for it.
  if (state.lean && (await state.records.startApplicantFeedback(args))) return;
  try {
    await startChild('applicantFeedback', { workflowId: feedbackWorkflowId(input.applicationNumber), args: [args], parentClosePolicy: ParentClosePolicy.ABANDON });
  } catch (err) {
    // A rating that came first already started it (signal-with-start): that run registers nothing, which is
    // acceptable — the rating system knew the case, or the rating could not have been given.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
