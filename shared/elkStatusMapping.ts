// What the applicant's cabinet (ЕЛК) shows after every stage change: a status, or the written reason why none is
// sent. One entry per clerk action (TRANSITIONS and the actions that keep the stage), per ЕПГУ callback and for
// intake. Codes are the classifier «ЕЛК. Статусы» (../shared/reference/epgu-elk.md §2.1), the defaults of
// services/serviceProfile.ts; a service may override them in its definition.
import type { ClerkActionName } from './clerkActions';
import type { Stage } from './stages';

/**
 * Status shown when the applicant has answered a request (corrections or documents) and review resumes: the
 * cabinet must not keep showing 15 «требует исправления» / 14 «ожидание дополнительной информации» until the
 * decision. 6 «Заявление принято к рассмотрению» is true again. Kept here (no runtime imports) because the
 * workflow sandbox reads it.
 */
export const DEFAULT_ELK_STATUS_ON_APPLICANT_RESPONSE = 6;

export type StageChangeTrigger = ClerkActionName | 'receive' | 'applicantResponded' | 'applicantCancelled';

export interface StatusRule {
  /** Stage after the change; null when the stage stays as it was. */
  to: Stage | null;
  /** ЕЛК status sent (by what was asked of the applicant, for requestFromApplicant); null = none. */
  status: number | { correction: number; documents: number } | null;
  /** Why this status, or why none: what the cabinet keeps showing and why that is still true. */
  why: string;
}

export const ELK_STATUS_ON_STAGE_CHANGE: Record<StageChangeTrigger, StatusRule> = {
  receive: {
    to: 'received',
    status: null,
    why: 'ЕЛК has no order yet: it is created by the registration status (CreateOrdersRequest with 6), which the registration stage term (1 working day) keeps close',
  },
  register: { to: 'registered', status: 6, why: '6 «Заявление принято к рассмотрению» creates the order in the cabinet' },
  startReview: { to: 'underReview', status: null, why: '6 «Заявление принято к рассмотрению» stays true while the review starts' },
  requestInteragency: { to: 'interagencyRequested', status: 7, why: '7 «Промежуточные результаты по заявлению»: the term may be waiting on other agencies' },
  recordInteragencyAnswer: { to: 'underReview', status: null, why: '7 stays true: the interagency answer is an intermediate result, and its content is internal to the review' },
  requestFromApplicant: {
    to: 'awaitingApplicant',
    status: { correction: 15, documents: 14 },
    why: '15 «Заявление требует исправления» or 14 «Ожидание дополнительной информации»: the applicant must act',
  },
  applicantResponded: {
    to: 'underReview',
    status: 6,
    why: '6 «Заявление принято к рассмотрению» again: 15/14 would tell the applicant to act when it is the department\'s turn',
  },
  draftDecision: { to: 'decisionDrafted', status: null, why: 'a draft is not a decision (the head may send it back or amend it); 6/7 stays true until it is approved' },
  amendRefusal: { to: null, status: null, why: 'the draft changes, the stage does not' },
  approve: {
    to: 'approved',
    status: null,
    why: 'the positive result is announced with its document at issueResult (3); no code of classifier 7212 is confirmed for «decision taken, result in preparation»',
  },
  refuse: { to: 'refused', status: 4, why: '4 «Отказано в предоставлении услуги», with the refusal letter attached' },
  issueResult: { to: 'resultIssued', status: 3, why: '3 «Услуга оказана», with the result' },
  applicantCancelled: { to: 'cancelled', status: 10, why: '10 «Заявление отменено»' },
  extendDeadline: { to: null, status: null, why: 'the stage does not change; the new term is the department\'s record (ЕЛК 1.0.2 has no element for a deadline)' },
  reassign: { to: null, status: null, why: 'a new clerk changes nothing the applicant is told' },
  resolveDeliveryProblem: { to: null, status: null, why: 'resends or skips a status already owed; no status of its own' },
};

/**
 * Statuses that truthfully describe each stage to the applicant. Tests walk every path of the stage machine and
 * require the cabinet's latest status to be one of these (null: no order in the cabinet yet).
 */
export const TRUTHFUL_STATUSES: Record<Stage, readonly (number | null)[]> = {
  received: [null],
  registered: [6],
  underReview: [6, 7],
  interagencyRequested: [7],
  awaitingApplicant: [14, 15],
  decisionDrafted: [6, 7],
  approved: [6, 7],
  refused: [4],
  resultIssued: [3],
  cancelled: [10, null],
};
