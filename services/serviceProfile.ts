// A service's configuration as the lifecycle needs it: its identity in ЕПГУ and the ЕЛК status each stage shows.
import { z } from 'zod';
import { termUnitSchema } from '../calendar';
import { DEFAULT_ESCALATION_LADDER, escalationLadderSchema } from '../escalation';
import { DEFAULT_ELK_STATUS_ON_APPLICANT_RESPONSE, STAGES, type Stage } from '../shared';

export { DEFAULT_ELK_STATUS_ON_APPLICANT_RESPONSE };

const ElkCode = z.number().int().min(-1).max(999);

/** The day a regulatory term runs from (the day after it, ГК РФ ст. 191). */
export const TERM_STARTS = ['receipt', 'registration'] as const;
export type TermStart = (typeof TERM_STARTS)[number];


/** Default ЕЛК status per stage (classifier «ЕЛК. Статусы», see shared/reference/epgu-elk.md §2.1). null = no status. */
export const DEFAULT_ELK_STATUS_BY_STAGE: Record<Stage, number | null> = {
  received: null,
  registered: 6, // Заявление принято к рассмотрению
  underReview: null,
  interagencyRequested: 7, // Промежуточные результаты по заявлению
  awaitingApplicant: 15, // Заявление требует исправления (14 when documents are requested, see below)
  decisionDrafted: null,
  approved: null,
  refused: 4, // Отказано в предоставлении услуги
  resultIssued: 3, // Услуга оказана
  cancelled: 10, // Заявление отменено
};

/** The service's regulation (административный регламент): its term, what suspends the clock, the ladder. */
export const RegulationSchema = z.object({
  term: z.object({ amount: z.number().int().min(1).max(3650), unit: termUnitSchema }),
  /** Legal reference of the term, shown in tasks and reports. */
  termBasis: z.string().min(1).optional(),
  /**
   * When the term starts is the regulation's, not ours: from receipt (e.g. ГрК РФ ст. 51 ч. 11, «со дня получения
   * заявления») or from registration (most административные регламенты; 59-ФЗ ст. 12 ч. 1, «со дня регистрации»).
   * From receipt, a late registration eats the budget; the registration stage term still watches the gap.
   */
  termStart: z.object(
    {
      from: z.enum(TERM_STARTS, { message: `regulation.termStart.from: ${TERM_STARTS.join(' или ')} (${TERM_STARTS.join(' | ')})` }),
      basis: z.string().trim().min(1, 'regulation.termStart.basis: правовое основание обязательно (legal source required)').max(1000),
    },
    { message: 'regulation.termStart: укажите, с какого дня исчисляется срок, и правовое основание (state the term start rule and its legal source)' },
  ),
  /** Stages in which the term does not run (e.g. waiting for the applicant's corrections). */
  suspendingStages: z.array(z.enum(STAGES)).default(['awaitingApplicant']),
  /** Terms of single stages (registration within 1 working day, interagency answers within 5 working days). */
  stageTerms: z
    .partialRecord(z.enum(STAGES), z.object({ amount: z.number().int().min(1).max(365), unit: termUnitSchema }))
    .default({ received: { amount: 1, unit: 'workingDays' }, interagencyRequested: { amount: 5, unit: 'workingDays' } }),
  ladder: escalationLadderSchema.default(DEFAULT_ESCALATION_LADDER),
});
export type Regulation = z.infer<typeof RegulationSchema>;

export const ServiceDefinitionSchema = z.object({
  code: z.string().regex(/^[a-z0-9-]{1,64}$/, 'код услуги: строчные латинские буквы, цифры, дефис (a-z, 0-9, -)'),
  title: z.string().min(1),
  serviceTargetCode: z.string().min(1).max(20, 'serviceTargetCode: не более 20 символов (ФРГУ/КЦР)'),
  elkStatusByStage: z.partialRecord(z.enum(STAGES), ElkCode.nullable()).default({}),
  /** Status shown while waiting for the applicant, by what was asked of them. */
  awaitingApplicantStatus: z
    .object({ correction: ElkCode, documents: ElkCode })
    .default({ correction: 15, documents: 14 }),
  /** Status when the applicant has answered and review resumes; null keeps the cabinet as it is. */
  elkStatusOnApplicantResponse: ElkCode.nullable().default(DEFAULT_ELK_STATUS_ON_APPLICANT_RESPONSE),
  regulation: RegulationSchema,
});
export type ServiceDefinition = z.infer<typeof ServiceDefinitionSchema>;

/** What the workflow receives from the loadServiceProfile activity (recorded in history, so replay-safe). */
export interface ServiceProfile {
  code: string;
  title: string;
  serviceTargetCode: string;
  elkStatusByStage: Record<Stage, number | null>;
  awaitingApplicantStatus: { correction: number; documents: number };
  /** Absent in profiles recorded before it existed (replay): DEFAULT_ELK_STATUS_ON_APPLICANT_RESPONSE applies. */
  elkStatusOnApplicantResponse?: number | null;
  /** Absent in profiles recorded before it existed (replay): those cases count from registration, as they did. */
  termStartsAt?: TermStart;
  /** Retry ceiling for ЕЛК delivery; a dead portal is retried forever, at most this far apart. */
  elkRetryMaxIntervalMs: number;
  suspendingStages: Stage[];
  /** Stages that have a term of their own. */
  stagesWithTerms: Stage[];
  /** Whether the cluster has the case search attributes registered (ServiceCode, CaseStage, …). */
  searchAttributes: boolean;
}
