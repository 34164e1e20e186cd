// Clerk actions (Workflow Updates) and ЕПГУ callbacks (Signals): names, argument schemas and the stage machine.
import { z } from 'zod';
import { boundedString, plainString } from './plainText';
import { Stage } from './stages';

// Clerk ids reach tasks, the case history and ЕЛК routing: single-line plain text (shared/plainText.ts).
const clerkId = plainString('clerk', 100);
// Structure and size only: the grounds catalog of the service checks codes and fact values (the letter activity).
// The bounds match the catalog's own (refusal/groundsCatalog.ts: MAX_FACT_LENGTH 2000, MAX_LIST_ITEMS 50).
const FACT_RULE = 'fact: строка, число или список строк (string, number or list of strings)';
const FACT_LENGTH = 2000;
// Checked by hand rather than as a union so an oversized list item is named by its own path.
const factValue = z.unknown().superRefine((v, ctx) => {
  const tooLong = `fact: не более ${FACT_LENGTH} символов (at most ${FACT_LENGTH} characters)`;
  if (typeof v === 'string') {
    if (v.length > FACT_LENGTH) ctx.addIssue({ code: 'custom', message: tooLong });
  } else if (Array.isArray(v)) {
    if (v.length > 50) ctx.addIssue({ code: 'custom', message: 'fact: не более 50 элементов (at most 50 items)' });
    else v.forEach((item, i) => {
      if (typeof item !== 'string') ctx.addIssue({ code: 'custom', path: [i], message: FACT_RULE });
      else if (item.length > FACT_LENGTH) ctx.addIssue({ code: 'custom', path: [i], message: tooLong });
    });
  } else if (v !== undefined && typeof v !== 'number' && typeof v !== 'boolean') {
    ctx.addIssue({ code: 'custom', message: FACT_RULE });
  }
});
const refusalGrounds = z
  .array(
    z.object({
      code: plainString('code', 100),
      facts: z.record(boundedString('fact name', 64), factValue).refine((f) => Object.keys(f).length <= 50, 'facts: не более 50 сведений (at most 50 facts)'),
    }),
    { message: 'grounds: ожидается список оснований (list of grounds expected)' },
  )
  .min(1, 'grounds: для отказа нужно хотя бы одно основание (at least one ground)')
  .max(20);

// Notes reach the case history and clerk tasks; an empty note is no note.
const note = plainString('комментарий', 2000, { min: 0, multiline: true }).optional();
const agency = plainString('agency', 200);
const reason = (max: number) => plainString('reason', max, { multiline: true });

export const ClerkActionSchemas = {
  register: z.object({ clerk: clerkId, note }),
  startReview: z.object({ clerk: clerkId, note }),
  requestInteragency: z.object({
    clerk: clerkId,
    agencies: z.array(agency).min(1, 'agencies: нужен хотя бы один орган (at least one agency)').max(20),
    note,
  }),
  recordInteragencyAnswer: z.object({ clerk: clerkId, agency, note }),
  requestFromApplicant: z.object({
    clerk: clerkId,
    kind: z.enum(['correction', 'documents'], { message: 'kind: correction или documents (correction | documents)' }),
    note,
  }),
  draftDecision: z
    .object({
      clerk: clerkId,
      outcome: z.enum(['approve', 'refuse'], { message: 'outcome: approve или refuse (approve | refuse)' }),
      grounds: refusalGrounds.optional(),
      note,
    })
    .superRefine((a, ctx) => {
      if (a.outcome === 'refuse' && !a.grounds) {
        ctx.addIssue({ code: 'custom', path: ['grounds'], message: 'для отказа нужно хотя бы одно основание (a refusal needs at least one ground)' });
      }
      if (a.outcome === 'approve' && a.grounds) {
        ctx.addIssue({ code: 'custom', path: ['grounds'], message: 'основания отказа не указываются при предоставлении услуги (no grounds when approving)' });
      }
    }),
  amendRefusal: z.object({ clerk: clerkId, grounds: refusalGrounds, note }),
  extendDeadline: z.object({
    clerk: clerkId,
    amount: z.number().int().min(1, 'amount: не меньше 1 (at least 1)').max(365),
    unit: z.enum(['workingDays', 'calendarDays'], { message: 'unit: workingDays или calendarDays' }),
    reason: reason(500),
  }),
  approve: z.object({ clerk: clerkId, note }),
  refuse: z.object({ clerk: clerkId, note }),
  issueResult: z.object({
    clerk: clerkId,
    note,
    /** The result document stored through documents/resultDocuments.ts: a reference, never the bytes. */
    document: z
      .object({
        documentId: boundedString('document.documentId', 36).pipe(z.uuid('document.documentId: ожидается UUID (UUID expected)')),
        sha256: boundedString('document.sha256', 64).regex(/^[0-9a-f]{64}$/, 'document.sha256: SHA-256, 64 шестнадцатеричные цифры (64 lower-case hex digits)'),
      })
      .optional(),
  }),
  reassign: z.object({ clerk: clerkId, to: clerkId, reason: reason(500) }),
  resolveDeliveryProblem: z.object({
    clerk: clerkId,
    action: z.enum(['retry', 'skip'], { message: 'action: retry или skip (retry | skip)' }),
    note,
  }),
} as const;

export type ClerkActionName = keyof typeof ClerkActionSchemas;
export type ClerkActionArgs<A extends ClerkActionName> = z.infer<(typeof ClerkActionSchemas)[A]>;

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

export const ApplicantRespondedSchema = z.object({
  note: plainString('комментарий', 2000, { min: 0, multiline: true }).optional(),
  documents: z.array(plainString('документ', 200)).max(50).optional(),
});
export const ApplicantCancelledSchema = z.object({ reason: plainString('reason', 2000, { min: 0, multiline: true }).optional() });
