// The shapes of the satisfaction loop at its boundaries: rating criteria, one rating from any source, the
// served event, and the per-application feedback workflow's messages. Sizes are bounded before any parse.
import { z } from 'zod';
import { bounded, zstr } from '../shared';
import { FEEDBACK_RULES as F } from '../shared';

/**
 * Criteria of the reference (seeds 000/001 §2): 2.1–2.5 for service in person, 2.6–2.9 on ЕПГУ. The ids are
 * the seed's numbering; ИАС МКГУ's own indicator ids are unconfirmed (feedback/mkguXml.ts maps them).
 */
export const CRITERIA = ['2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7', '2.8', '2.9'] as const;
export type Criterion = (typeof CRITERIA)[number];
export const CRITERION_TITLES_RU: Record<Criterion, string> = {
  '2.1': 'Соблюдение сроков',
  '2.2': 'Время ожидания в очереди',
  '2.3': 'Вежливость и компетентность сотрудника',
  '2.4': 'Комфортность помещений',
  '2.5': 'Доступность информации',
  '2.6': 'Понятность информации о порядке получения услуги',
  '2.7': 'Сроки регистрации, запросов и результата',
  '2.8': 'Удобство процедуры (запись, подача, статус, результат)',
  '2.9': 'Надёжность систем',
};

export const RATING_SOURCES = ['mkgu', 'epguQuestionnaire', 'smsSurvey'] as const;
export type RatingSource = (typeof RATING_SOURCES)[number];

/** Bounds: a comment is a review, not a document; a batch is a page of the rating system's answer. */
export const MAX_COMMENT_CHARS = 4000;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
export const MAX_BATCH_RATINGS = 1000;
/** What of a rejected rating is kept (sealed) in the quarantine: enough to read it, not a 10 MB payload. */
export const MAX_QUARANTINE_PAYLOAD_BYTES = 64 * 1024;

const criterionValue = z
  .number({ error: 'must be a number' })
  .int('must be a whole number of points')
  .min(1, 'must be from 1 to 5 (five-point scale)')
  .max(5, 'must be from 1 to 5 (five-point scale)');

export const ratingSchema = z
  .object({
    source: z.enum(RATING_SOURCES),
    /** The source's own id of this rating: a repeated delivery of the same rating has the same id. */
    externalId: z.string().trim().min(1).max(200).regex(/^[\p{L}\p{N}._:\-/]+$/u, 'letters, digits and . _ : - / only'),
    applicationNumber: z.string().trim().min(1).max(200),
    ratedAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 instant with offset' }),
    criteria: z
      .partialRecord(z.enum(CRITERIA, { error: `criterion must be one of ${CRITERIA.join(', ')}` }), criterionValue)
      .refine((c) => Object.keys(c).length > 0, 'at least one criterion must be rated'),
    comment: z.string().max(MAX_COMMENT_CHARS, `must be at most ${MAX_COMMENT_CHARS} characters`).optional(),
  })
  .strict();
export type Rating = z.output<typeof ratingSchema>;

/** Default threshold of a critical review: any criterion at or below 3 points. */
export const DEFAULT_CRITICAL_THRESHOLD = 3;

export function isCritical(criteria: Partial<Record<Criterion, number>>, threshold = DEFAULT_CRITICAL_THRESHOLD): boolean {
  return Object.values(criteria).some((v) => v !== undefined && v <= threshold);
}

export function overallOf(criteria: Partial<Record<Criterion, number>>): number {
  const values = Object.values(criteria).filter((v): v is number => v !== undefined);
  return Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
}

// The served event and the feedback workflow's messages: built from the rules the workflow's zod-free guards use.
export { SERVED_OUTCOMES, type ServedOutcome, type FeedbackInput } from '../shared';

// Unknown keys are dropped, as the workflow's guards (shared/feedbackRules.ts) drop them.
export const applicantContactSchema = z.object({ phone: zstr(F.phone).optional(), email: zstr(F.email).optional() });
export type ApplicantContact = z.output<typeof applicantContactSchema>;

const whole = (rule: { min?: readonly [number, string?]; max?: readonly [number, string?] }) => bounded(z.number().int(), rule);

/** Input of the per-application feedback workflow (workflow id feedbackWorkflowId(applicationNumber)). */
export const feedbackInputSchema = z
  .object({
    applicationNumber: zstr(F.applicationNumber),
    serviceCode: zstr(F.serviceCode),
    served: z
      .object({
        outcome: z.enum(F.outcome.values, { message: F.outcome.message }),
        servedAt: zstr(F.servedAt),
        contact: applicantContactSchema,
      })
      .optional(),
    reactionTermWorkingDays: whole(F.reactionTermWorkingDays).default(F.reactionTermWorkingDays.default),
    quietDays: whole(F.quietDays).default(F.quietDays.default),
    historyShape: z.enum(F.historyShape.values, { message: F.historyShape.message }).optional(),
    closureRun: z.enum(F.closureRun.values, { message: F.closureRun.message }).optional(),
  });

/** The derived id: one feedback workflow per application, next to (not inside) the lifecycle. */
export { feedbackWorkflowId } from '../shared';

/** A rating as routed to the feedback workflow: values only; the comment stays sealed in PostgreSQL. */
export interface RoutedRating {
  ratingId: number;
  source: RatingSource;
  ratedAt: string;
  criteria: Partial<Record<Criterion, number>>;
  overall: number;
  critical: boolean;
  hasComment: boolean;
}

export const flagCommentSchema = z.object({ ratingId: whole(F.ratingId), clerk: zstr(F.clerk) });
export const recordMeasureSchema = z.object({ reactionId: zstr(F.reactionId), head: zstr(F.head), measure: zstr(F.measure) });
export const reactionActorSchema = z.object({ reactionId: zstr(F.reactionId), head: zstr(F.head) });
