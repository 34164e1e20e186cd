// The clerk's side of a flagged comment: a rating that is not low by its points can still carry a review that
// needs an answer (a complaint about a person, a grievance the points don't show). The clerk flags it; the
// rating's feedback workflow opens a reaction as for a low rating. Signal-with-start, because the feedback run
// may have ended (quiet period) by the time someone reads the comment.
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { InputValidationError, problemsOf } from '../shared';
import { feedbackWorkflowId, flagCommentSchema } from './ratingSchemas';

export interface CommentFlagResult {
  applicationNumber: string;
  ratingId: number;
  /** The reaction the flag opens (or had opened): the id the head's Updates take. */
  reactionId: string;
}

export function createCommentFlagger(deps: { pool: Pool; client: Client; taskQueue: string }) {
  return async function flagComment(raw: unknown): Promise<CommentFlagResult> {
    const parsed = flagCommentSchema.safeParse(raw);
    if (!parsed.success) throw new InputValidationError('Отметка отзыва (flagComment)', problemsOf(parsed.error));
    const { ratingId, clerk } = parsed.data;
    const row = (
      await deps.pool.query<{ application_number: string; service_code: string; has_comment: boolean }>(
        'SELECT application_number, service_code, comment_sealed IS NOT NULL AS has_comment FROM feedback_ratings WHERE id = $1',
        [ratingId],
      )
    ).rows[0];
    if (!row) throw new InputValidationError('Отметка отзыва (flagComment)', [{ field: 'ratingId', rule: `оценка ${ratingId} не найдена (unknown rating)` }]);
    if (!row.has_comment) throw new InputValidationError('Отметка отзыва (flagComment)', [{ field: 'ratingId', rule: 'у оценки нет комментария: отмечать нечего (the rating has no comment)' }]);
    await deps.client.workflow.signalWithStart('applicantFeedback', {
      workflowId: feedbackWorkflowId(row.application_number),
      taskQueue: deps.taskQueue,
      args: [{ applicationNumber: row.application_number, serviceCode: row.service_code }],
      signal: 'flagComment',
      signalArgs: [{ ratingId, clerk }],
    });
    return { applicationNumber: row.application_number, ratingId, reactionId: `${row.application_number}:rating-${ratingId}` };
  };
}
