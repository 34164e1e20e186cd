// The shapes of the satisfaction loop at its boundaries: rating criteria, one rating from any source, the
// served event, and the per-application feedback workflow's messages. Sizes are bounded before any parse.
import { z } from 'zod';

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

export const SERVED_OUTCOMES = ['resultIssued', 'refused', 'cancelled'] as const;
export type ServedOutcome = (typeof SERVED_OUTCOMES)[number];

export const applicantContactSchema = z
  .object({
    phone: z.string().regex(/^\+7\d{10}$/, 'must be +7 and 10 digits').optional(),
    email: z.email().max(254).optional(),
  })
  .strict();
export type ApplicantContact = z.output<typeof applicantContactSchema>;

/** Input of the per-application feedback workflow (workflow id feedbackWorkflowId(applicationNumber)). */
export const feedbackInputSchema = z
  .object({
    applicationNumber: z.string().trim().min(1).max(200),
    serviceCode: z.string().trim().min(1).max(100),
    /** Present when the lifecycle starts it at closure; absent when a rating arrives first (signal-with-start). */
    served: z
      .object({
        outcome: z.enum(SERVED_OUTCOMES),
        servedAt: z.iso.datetime({ offset: true }),
        contact: applicantContactSchema,
      })
      .strict()
      .optional(),
    /** Working days the head has to answer a critical review. */
    reactionTermWorkingDays: z.number().int().min(1).max(30).default(5),
    /**
     * The workflow completes after this many days without ratings and without an open reaction: half a year,
     * since repeated batches and late questionnaires come weeks after the service; an idle run costs one timer.
     */
    quietDays: z.number().int().min(1).max(365).default(180),
  })
  .strict();
export type FeedbackInput = z.input<typeof feedbackInputSchema>;

/** The derived id: one feedback workflow per application, next to (not inside) the lifecycle. */
export { feedbackWorkflowId } from '../shared/feedback';

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

export const flagCommentSchema = z.object({ ratingId: z.number().int().positive(), clerk: z.string().trim().min(1).max(100) }).strict();
export const recordMeasureSchema = z
  .object({
    reactionId: z.string().min(1).max(300),
    head: z.string().trim().min(1).max(100),
    measure: z.string().trim().min(10, 'describe the measure taken (at least 10 characters)').max(4000),
  })
  .strict();
export const reactionActorSchema = z.object({ reactionId: z.string().min(1).max(300), head: z.string().trim().min(1).max(100) }).strict();
