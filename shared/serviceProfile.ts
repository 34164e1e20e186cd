// A service's configuration as the lifecycle needs it: its identity in ЕПГУ and the ЕЛК status each stage shows.
import { z } from 'zod';
import { termUnitSchema } from '../calendar';
import { DEFAULT_ESCALATION_LADDER, escalationLadderSchema } from '../escalation';
import { STAGES, Stage } from './stages';

const ElkCode = z.number().int().min(-1).max(999);

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
  /** Retry ceiling for ЕЛК delivery; a dead portal is retried forever, at most this far apart. */
  elkRetryMaxIntervalMs: number;
  suspendingStages: Stage[];
  /** Stages that have a term of their own. */
  stagesWithTerms: Stage[];
  /** Whether the cluster has the case search attributes registered (ServiceCode, CaseStage, …). */
  searchAttributes: boolean;
}
