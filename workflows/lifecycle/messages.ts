// The lifecycle's messages: clerk actions (Updates), ЕПГУ callbacks (Signals) and what the case system reads
// (Queries). The case system's client uses the same objects, through applicationLifecycle.ts.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RefusalDraft } from '../../activities';
import type { ClerkActionArgs, ClerkActionName } from '../../shared/clerkActionRules';
import type { CaseEvent, CaseSnapshot } from '../../shared/lifecycle';

export const clerkActionUpdates = {
  register: defineUpdate<CaseSnapshot, [ClerkActionArgs<'register'>]>('register'),
  startReview: defineUpdate<CaseSnapshot, [ClerkActionArgs<'startReview'>]>('startReview'),
  requestInteragency: defineUpdate<CaseSnapshot, [ClerkActionArgs<'requestInteragency'>]>('requestInteragency'),
  recordInteragencyAnswer: defineUpdate<CaseSnapshot, [ClerkActionArgs<'recordInteragencyAnswer'>]>('recordInteragencyAnswer'),
  requestFromApplicant: defineUpdate<CaseSnapshot, [ClerkActionArgs<'requestFromApplicant'>]>('requestFromApplicant'),
  draftDecision: defineUpdate<CaseSnapshot, [ClerkActionArgs<'draftDecision'>]>('draftDecision'),
  approve: defineUpdate<CaseSnapshot, [ClerkActionArgs<'approve'>]>('approve'),
  refuse: defineUpdate<CaseSnapshot, [ClerkActionArgs<'refuse'>]>('refuse'),
  issueResult: defineUpdate<CaseSnapshot, [ClerkActionArgs<'issueResult'>]>('issueResult'),
  reassign: defineUpdate<CaseSnapshot, [ClerkActionArgs<'reassign'>]>('reassign'),
  resolveDeliveryProblem: defineUpdate<CaseSnapshot, [ClerkActionArgs<'resolveDeliveryProblem'>]>('resolveDeliveryProblem'),
  amendRefusal: defineUpdate<CaseSnapshot, [ClerkActionArgs<'amendRefusal'>]>('amendRefusal'),
  extendDeadline: defineUpdate<CaseSnapshot, [ClerkActionArgs<'extendDeadline'>]>('extendDeadline'),
} satisfies { [A in ClerkActionName]: unknown };

/** ЕПГУ callback: the applicant supplied corrections or documents. */
export const applicantRespondedSignal = defineSignal<[{ note?: string; documents?: string[] }]>('applicantResponded');
/** ЕПГУ callback: the applicant withdrew the application. */
export const applicantCancelledSignal = defineSignal<[{ reason?: string }]>('applicantCancelled');

export const stateQuery = defineQuery<CaseSnapshot>('state');
export const historyQuery = defineQuery<CaseEvent[]>('history');
export const deadlineQuery = defineQuery<string | null>('deadline');
/** The refusal letter draft the clerk is about to issue (plain text), or null. */
export const refusalDraftQuery = defineQuery<RefusalDraft | null>('refusalDraft');
