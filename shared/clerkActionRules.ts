// Clerk actions (Workflow Updates) and ЕПГУ callbacks (Signals) without zod: names, the stage machine, the
// argument rules (limits and messages) and the guards built from them. The workflow sandbox uses these; the
// zod schemas in clerkActions.ts are built from the same rules for the client and the tests.
import { arrayOf, check, facts, FactsRule, Guard, int, object, oneOf, optional, str, StringRule } from './guards';
import type { Stage } from './stages';

export const REFUSAL_OUTCOMES = ['approve', 'refuse'] as const;

/** RFC 9562 UUID, the pattern of zod's z.uuid() (its core regexes, `uuid()` without a version). */
const UUID = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;

/**
 * Limits and messages of every argument, the single source of both the guards and the zod schemas. Free text
 * follows the plain-text policy (shared/plainTextRules.ts): `plain: 'line'` for ids and names, `'text'` for notes.
 */
export const ARG_RULES = {
  // Clerk ids reach tasks, the case history and ЕЛК routing: single-line plain text.
  clerk: { field: 'clerk', max: 100, plain: 'line' },
  // Notes reach the case history and clerk tasks; an empty note is no note.
  note: { field: 'комментарий', max: 2000, plain: 'text', min: 0 },
  groundCode: { field: 'code', max: 100, plain: 'line' },
  // Structure and size only: the grounds catalog of the service checks codes and fact values (the letter
  // activity). The bounds match the catalog's own (refusal/groundsCatalog.ts: MAX_FACT_LENGTH 2000, MAX_LIST_ITEMS 50).
  facts: {
    name: { field: 'fact name', max: 64 },
    maxFacts: [50, 'facts: не более 50 сведений (at most 50 facts)'],
    valueMax: [2000, 'fact: не более 2000 символов (at most 2000 characters)'],
    listMax: [50, 'fact: не более 50 элементов (at most 50 items)'],
    type: 'fact: строка, число или список строк (string, number or list of strings)',
  },
  grounds: {
    type: 'grounds: ожидается список оснований (list of grounds expected)',
    min: [1, 'grounds: для отказа нужно хотя бы одно основание (at least one ground)'],
    max: [20],
  },
  agency: { field: 'agency', max: 200, plain: 'line' },
  agencies: { min: [1, 'agencies: нужен хотя бы один орган (at least one agency)'], max: [20] },
  requestKind: { values: ['correction', 'documents'], message: 'kind: correction или documents (correction | documents)' },
  outcome: { values: REFUSAL_OUTCOMES, message: 'outcome: approve или refuse (approve | refuse)' },
  refuseNeedsGrounds: 'для отказа нужно хотя бы одно основание (a refusal needs at least one ground)',
  approveHasNoGrounds: 'основания отказа не указываются при предоставлении услуги (no grounds when approving)',
  amount: { min: [1, 'amount: не меньше 1 (at least 1)'], max: [365] },
  unit: { values: ['workingDays', 'calendarDays'], message: 'unit: workingDays или calendarDays' },
  extensionReason: { field: 'reason', max: 500, plain: 'text' },
  reassignReason: { field: 'reason', max: 500, plain: 'text' },
  resolution: { values: ['retry', 'skip'], message: 'action: retry или skip (retry | skip)' },
  // The result document stored through documents/resultDocuments.ts: a reference, never the bytes.
  documentId: { field: 'document.documentId', max: 36, pattern: { regex: UUID, message: 'document.documentId: ожидается UUID (UUID expected)' } },
  documentSha256: {
    field: 'document.sha256',
    max: 64,
    pattern: { regex: /^[0-9a-f]{64}$/, message: 'document.sha256: SHA-256, 64 шестнадцатеричные цифры (64 lower-case hex digits)' },
  },
  applicantNote: { field: 'комментарий', max: 2000, plain: 'text', min: 0 },
  applicantDocument: { field: 'документ', max: 200, plain: 'line' },
  applicantDocuments: { max: [50] },
  cancellationReason: { field: 'reason', max: 2000, plain: 'text', min: 0 },
} as const satisfies Record<string, StringRule | FactsRule | object | string>;

const R = ARG_RULES;
const clerk = str(R.clerk);
const note = optional(str(R.note));
const grounds = arrayOf(object({ code: str(R.groundCode), facts: facts(R.facts) }), R.grounds);

export const ClerkActionGuards = {
  register: object({ clerk, note }),
  startReview: object({ clerk, note }),
  requestInteragency: object({ clerk, agencies: arrayOf(str(R.agency), R.agencies), note }),
  recordInteragencyAnswer: object({ clerk, agency: str(R.agency), note }),
  requestFromApplicant: object({ clerk, kind: oneOf(R.requestKind.values, R.requestKind.message), note }),
  draftDecision: object({ clerk, outcome: oneOf(R.outcome.values, R.outcome.message), grounds: optional(grounds), note }, (a, add) => {
    if (a.outcome === 'refuse' && !a.grounds) add('grounds', R.refuseNeedsGrounds);
    if (a.outcome === 'approve' && a.grounds) add('grounds', R.approveHasNoGrounds);
  }),
  amendRefusal: object({ clerk, grounds, note }),
  extendDeadline: object({ clerk, amount: int(R.amount), unit: oneOf(R.unit.values, R.unit.message), reason: str(R.extensionReason) }),
  approve: object({ clerk, note }),
  refuse: object({ clerk, note }),
  issueResult: object({ clerk, note, document: optional(object({ documentId: str(R.documentId), sha256: str(R.documentSha256) })) }),
  reassign: object({ clerk, to: clerk, reason: str(R.reassignReason) }),
  resolveDeliveryProblem: object({ clerk, action: oneOf(R.resolution.values, R.resolution.message), note }),
} as const;

export type ClerkActionName = keyof typeof ClerkActionGuards;
export type ClerkActionArgs<A extends ClerkActionName> = ReturnType<(typeof ClerkActionGuards)[A]>;
export const CLERK_ACTIONS = Object.keys(ClerkActionGuards) as ClerkActionName[];

export const ApplicantRespondedGuard = object({
  note: optional(str(R.applicantNote)),
  documents: optional(arrayOf(str(R.applicantDocument), R.applicantDocuments)),
});
export const ApplicantCancelledGuard = object({ reason: optional(str(R.cancellationReason)) });

/** Checks the arguments of a clerk action: the normalised arguments, or an error naming fields and rules. */
export function checkClerkAction<A extends ClerkActionName>(action: A, args: unknown): { ok: true; value: ClerkActionArgs<A> } | { ok: false; message: string } {
  const r = check(ClerkActionGuards[action] as Guard<ClerkActionArgs<A>>, args);
  if (r.ok) return r;
  return { ok: false, message: r.problems.map((p) => `${p.field || '(root)'}: ${p.rule}`).join('; ') };
}

export const CLERK_ACTION_TITLES_RU: Record<ClerkActionName, string> = {
  register: 'Зарегистрировать заявление',
  startReview: 'Начать рассмотрение',
  requestInteragency: 'Направить межведомственный запрос',
  recordInteragencyAnswer: 'Учесть ответ на межведомственный запрос',
  requestFromApplicant: 'Запросить у заявителя исправления или документы',
  draftDecision: 'Подготовить проект решения',
  approve: 'Утвердить решение о предоставлении услуги',
  refuse: 'Утвердить решение об отказе',
  issueResult: 'Выдать результат',
  reassign: 'Передать другому исполнителю',
  amendRefusal: 'Исправить проект письма об отказе',
  extendDeadline: 'Продлить срок предоставления услуги',
  resolveDeliveryProblem: 'Разобрать ошибку передачи статуса в ЕЛК',
};

/** Stage transitions of each clerk action; reassign and resolveDeliveryProblem do not change the stage. */
export const TRANSITIONS: Partial<Record<ClerkActionName, { from: readonly Stage[]; to: Stage }>> = {
  register: { from: ['received'], to: 'registered' },
  startReview: { from: ['registered'], to: 'underReview' },
  requestInteragency: { from: ['underReview'], to: 'interagencyRequested' },
  recordInteragencyAnswer: { from: ['interagencyRequested'], to: 'underReview' },
  requestFromApplicant: { from: ['underReview'], to: 'awaitingApplicant' },
  draftDecision: { from: ['underReview'], to: 'decisionDrafted' },
  approve: { from: ['decisionDrafted'], to: 'approved' },
  refuse: { from: ['decisionDrafted'], to: 'refused' },
  issueResult: { from: ['approved'], to: 'resultIssued' },
};

/** Stages in which the applicant may still withdraw the application (before the decision is final). */
export const CANCELLABLE_STAGES: readonly Stage[] = [
  'received', 'registered', 'underReview', 'interagencyRequested', 'awaitingApplicant', 'decisionDrafted',
];
