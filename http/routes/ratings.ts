// The ratings push intake: the ЕПГУ questionnaire and the department's SMS survey deliver batches of ratings
// here (ИАС МКГУ is pulled on its Schedule instead). The intake (feedback/ratingIntake.ts) validates each
// rating, stores it once per (source, its id) or quarantines it with the reason; new ratings are then handed
// to their feedback workflows the way the pull does. A rating stored but not yet routed (Temporal away) is
// routed by the next scheduled pull (routeRatings): nothing accepted is lost.
import { z } from 'zod';
import { MAX_BATCH_BYTES, MAX_BATCH_RATINGS } from '../../feedback';
import type { HttpApiDeps } from '../deps';
import type { RouteSpec } from '../routeSpec';

export const PUSHED_RATING_SOURCES = ['epguQuestionnaire', 'smsSurvey'] as const;

export const RatingBatchSchema = z
  .object({
    source: z.enum(PUSHED_RATING_SOURCES, { error: `ожидается один из: ${PUSHED_RATING_SOURCES.join(', ')} (mkgu is pulled, not pushed)` }),
    batchId: z.string().trim().min(1).max(200).optional().describe('Идентификатор пакета у источника (the source’s batch id)'),
    items: z
      .array(z.unknown())
      .max(MAX_BATCH_RATINGS, `не более ${MAX_BATCH_RATINGS} оценок в пакете (at most ${MAX_BATCH_RATINGS} ratings)`)
      .describe('Оценки: {externalId, applicationNumber, ratedAt, criteria: {"2.1": 1..5, …}, comment?}; неверная оценка уходит в карантин с причиной (an invalid rating is quarantined with its reason)'),
  })
  .strict();

export const RatingBatchResultSchema = z.object({
  batchRowId: z.string(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  quarantined: z.number().int(),
  rejected: z.boolean(),
  reason: z.string().optional(),
  problems: z.array(z.object({ externalId: z.string(), reasonCode: z.enum(['invalid', 'unknownApplication']), reason: z.string() })),
  /** Ratings handed to their feedback workflows now; the rest go with the next scheduled routing. */
  routed: z.number().int(),
});

export function ratingRoutes(deps: HttpApiDeps): RouteSpec[] {
  return [
    {
      method: 'POST',
      path: '/ratings/batches',
      operationId: 'pushRatings',
      summary: 'Принять пакет оценок (push a batch of ratings)',
      description: 'Each rating is stored once per (source, externalId): a batch delivered again counts as duplicates. Accepted ratings are routed to the per-application feedback workflow.',
      tag: 'ratings',
      roles: ['caseSystem', 'operator'],
      write: true,
      bodyLimit: MAX_BATCH_BYTES,
      body: RatingBatchSchema,
      target: () => 'ratings',
      responses: { 200: { description: 'Пакет обработан (batch taken): counts', schema: RatingBatchResultSchema } },
      async handler({ body, request }) {
        const b = body as z.infer<typeof RatingBatchSchema>;
        const declared = Number(request.headers['content-length']);
        const bytes = Number.isFinite(declared) && declared > 0 ? declared : Buffer.byteLength(JSON.stringify(b.items), 'utf8');
        const result = await deps.ratings.intake.ingestItems(b.source, b.items, bytes, b.batchId);
        let routed = 0;
        if (result.accepted > 0 && deps.ratings.routeRating) {
          try {
            for (const rating of await deps.ratings.intake.unrouted()) {
              await deps.ratings.routeRating(rating);
              await deps.ratings.intake.markRouted(rating.ratingId);
              routed++;
            }
          } catch {
            // Stored ratings stay unrouted and are routed by the scheduled routeRatings: the batch was taken.
          }
        }
        return { status: 200, body: { ...result, routed } };
      },
    },
  ];
}
