// The feedback workflow's messages without zod: the rules (limits and messages) of its input, its Signal and its
// Updates, and the guards built from them. The workflow sandbox checks arguments with these guards;
// feedback/ratingSchemas.ts builds its zod schemas from the same rules for the client, the activities and tests.
import { check, Guard, int, object, oneOf, optional, str, withDefault } from './guards';
import { COMPACT_HISTORY } from './lifecycle';

export const SERVED_OUTCOMES = ['resultIssued', 'refused', 'cancelled'] as const;
export type ServedOutcome = (typeof SERVED_OUTCOMES)[number];

/** ISO 8601 instant with an offset (Z or ±hh:mm), as zod's `z.iso.datetime({ offset: true })` accepts it. */
const INSTANT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)$/;
/** zod's own e-mail pattern (z.email() default). */
const EMAIL = /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

/** Limits and messages of every argument, the single source of the guards and the zod schemas. */
export const FEEDBACK_RULES = {
  applicationNumber: { field: 'applicationNumber', max: 200, plain: 'line' },
  serviceCode: { field: 'serviceCode', max: 100, plain: 'line' },
  outcome: { values: SERVED_OUTCOMES, message: 'served.outcome: resultIssued, refused или cancelled (resultIssued | refused | cancelled)' },
  historyShape: { values: [COMPACT_HISTORY] as const, message: `historyShape: ${COMPACT_HISTORY} или не указано (${COMPACT_HISTORY} or absent)` },
  closureRun: { values: ['endsWhenRegistered'] as const, message: 'closureRun: endsWhenRegistered или не указано (endsWhenRegistered or absent)' },
  servedAt: {
    field: 'served.servedAt',
    max: 64,
    pattern: { regex: INSTANT, message: 'served.servedAt: момент ISO 8601 со смещением (ISO 8601 instant with offset)' },
  },
  phone: { field: 'contact.phone', max: 12, pattern: { regex: /^\+7\d{10}$/, message: 'contact.phone: +7 и 10 цифр (must be +7 and 10 digits)' } },
  email: { field: 'contact.email', max: 254, pattern: { regex: EMAIL, message: 'contact.email: адрес электронной почты (e-mail address expected)' } },
  reactionTermWorkingDays: {
    min: [1, 'reactionTermWorkingDays: от 1 до 30 рабочих дней (1 to 30 working days)'],
    max: [30, 'reactionTermWorkingDays: от 1 до 30 рабочих дней (1 to 30 working days)'],
    default: 5,
  },
  /**
   * The workflow completes after this many days without ratings and without an open reaction: half a year,
   * since repeated batches and late questionnaires come weeks after the service; an idle run costs one timer.
   */
  quietDays: { min: [1, 'quietDays: от 1 до 365 дней (1 to 365 days)'], max: [365, 'quietDays: от 1 до 365 дней (1 to 365 days)'], default: 180 },
  ratingId: { min: [1, 'ratingId: положительное целое (positive integer)'] },
  clerk: { field: 'clerk', max: 100, plain: 'line' },
  reactionId: { field: 'reactionId', max: 300 },
  head: { field: 'head', max: 100, plain: 'line' },
  measure: {
    field: 'measure',
    max: 4000,
    plain: 'text',
    pattern: { regex: /^[\s\S]{10,}$/u, message: 'measure: опишите принятые меры, не менее 10 символов (describe the measure taken, at least 10 characters)' },
  },
} as const;

const R = FEEDBACK_RULES;

export const ApplicantContactGuard = object({ phone: optional(str(R.phone)), email: optional(str(R.email)) });

export const FeedbackInputGuard = object({
  applicationNumber: str(R.applicationNumber),
  serviceCode: str(R.serviceCode),
  served: optional(object({ outcome: oneOf(R.outcome.values, R.outcome.message), servedAt: str(R.servedAt), contact: ApplicantContactGuard })),
  reactionTermWorkingDays: withDefault(int(R.reactionTermWorkingDays), R.reactionTermWorkingDays.default),
  quietDays: withDefault(int(R.quietDays), R.quietDays.default),
  historyShape: optional(oneOf(R.historyShape.values, R.historyShape.message)),
  closureRun: optional(oneOf(R.closureRun.values, R.closureRun.message)),
});
/** What the lifecycle (or signal-with-start) passes; the guard fills in the defaults. */
export interface FeedbackInput {
  applicationNumber: string;
  serviceCode: string;
  /** Present when the lifecycle starts it at closure; absent when a rating arrives first (signal-with-start). */
  served?: { outcome: ServedOutcome; servedAt: string; contact: { phone?: string; email?: string } };
  /** Working days the head has to answer a critical review. */
  reactionTermWorkingDays?: number;
  quietDays?: number;
  /** Started by a compact lifecycle (shared/lifecycle.ts): the served event is registered by a local activity first. */
  historyShape?: typeof COMPACT_HISTORY;
  /** Set by the client starter at closure: the run ends once the served event is registered (applicantFeedback.ts). */
  closureRun?: 'endsWhenRegistered';
}

export const FlagCommentGuard = object({ ratingId: int(R.ratingId), clerk: str(R.clerk) });
export const RecordMeasureGuard = object({ reactionId: str(R.reactionId), head: str(R.head), measure: str(R.measure) });
export const ReactionActorGuard = object({ reactionId: str(R.reactionId), head: str(R.head) });

/** Checks a message of the feedback workflow: the normalised value, or an error naming fields and rules. */
export function checkFeedback<T>(guard: Guard<T>, value: unknown): { ok: true; value: T } | { ok: false; message: string } {
  const r = check(guard, value);
  if (r.ok) return r;
  return { ok: false, message: r.problems.map((p) => `${p.field || '(input)'}: ${p.rule}`).join('; ') };
}
