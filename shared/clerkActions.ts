// Clerk actions (Workflow Updates) and ЕПГУ callbacks (Signals): names, argument schemas and the stage machine.
import { z } from 'zod';
import { Stage } from './stages';

const clerkId = z.string({ message: 'clerk: обязательное поле (required)' }).trim().min(1, 'clerk не может быть пустым (must not be empty)').max(100);
// Structure only: the grounds catalog of the service checks codes and facts (client, and the letter activity).
const refusalGrounds = z
  .array(
    z.object({
      code: z.string().trim().min(1, 'code: код основания обязателен (required)').max(100),
      facts: z.record(z.string(), z.unknown()),
    }),
    { message: 'grounds: ожидается список оснований (list of grounds expected)' },
  )
  .min(1, 'grounds: для отказа нужно хотя бы одно основание (at least one ground)')
  .max(20);

const note = z.string().trim().max(2000, 'комментарий: не более 2000 символов (at most 2000 characters)').optional();

export const ClerkActionSchemas = {
  register: z.object({ clerk: clerkId, note }),
  startReview: z.object({ clerk: clerkId, note }),
  requestInteragency: z.object({
    clerk: clerkId,
    agencies: z.array(z.string().trim().min(1).max(200)).min(1, 'agencies: нужен хотя бы один орган (at least one agency)').max(20),
    note,
  }),
  recordInteragencyAnswer: z.object({ clerk: clerkId, agency: z.string().trim().min(1).max(200), note }),
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
    reason: z.string().trim().min(1, 'reason: укажите основание продления (legal basis required)').max(500),
  }),
  approve: z.object({ clerk: clerkId, note }),
  refuse: z.object({ clerk: clerkId, note }),
  issueResult: z.object({
    clerk: clerkId,
    note,
    /** The result document stored through documents/resultDocuments.ts: a reference, never the bytes. */
    document: z
      .object({
        documentId: z.uuid('document.documentId: ожидается UUID (UUID expected)'),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, 'document.sha256: SHA-256, 64 шестнадцатеричные цифры (64 lower-case hex digits)'),
      })
      .optional(),
  }),
  reassign: z.object({ clerk: clerkId, to: clerkId, reason: z.string().trim().min(1, 'reason: укажите причину (required)').max(500) }),
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

export const ApplicantRespondedSchema = z.object({ note: z.string().max(2000).optional(), documents: z.array(z.string().max(200)).max(50).optional() });
export const ApplicantCancelledSchema = z.object({ reason: z.string().max(2000).optional() });
