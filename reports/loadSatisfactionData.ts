// Loads what the satisfaction figures need, in one read-only snapshot: the ratings of the chart's weeks with
// their applications' outcome and timeliness, the applications served in the period with whether they were
// rated, and the reactions to critical reviews. No comment or measure is read: only values and dates.
import type { Pool } from 'pg';
import { addDays, localDate } from '../calendar';
import { localMidnight } from './complianceFigures';
import { computeSatisfactionFigures, type RatingReportRow, type ReactionReportRow, type SatisfactionFigures, type ServedReportRow } from './satisfactionFigures';

export async function loadSatisfactionFigures(pool: Pool, q: { periodStart: string; periodEnd: string; timeZone: string; weeksOfHistory?: number; serviceCodes?: string[] }): Promise<SatisfactionFigures> {
  const weeks = q.weeksOfHistory ?? 8;
  const end = localDate(q.periodEnd);
  const from = localMidnight(addDays(end, -7 * weeks + 1), q.timeZone);
  const start = localMidnight(localDate(q.periodStart), q.timeZone);
  const endExclusive = localMidnight(addDays(end, 1), q.timeZone);
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const ratings = await client.query(
      `SELECT r.application_number, r.service_code, r.rated_at, r.criteria, r.overall, a.outcome,
              CASE WHEN a.completed_at IS NULL OR a.deadline IS NULL OR a.outcome = 'cancelled' THEN NULL ELSE a.completed_at <= a.deadline END AS on_time
         FROM feedback_ratings r LEFT JOIN applications a ON a.application_number = r.application_number
        WHERE r.rated_at >= $1 AND r.rated_at < $2 ORDER BY r.id`,
      [from < start ? from : start, endExclusive],
    );
    const served = await client.query(
      `SELECT a.application_number, a.service_code, a.completed_at,
              EXISTS (SELECT 1 FROM feedback_ratings r WHERE r.application_number = a.application_number) AS rated
         FROM applications a WHERE a.completed_at >= $1 AND a.completed_at < $2`,
      [start, endExclusive],
    );
    const reactions = await client.query(`SELECT service_code, opened_at, due_at, answered_at FROM feedback_reactions WHERE opened_at < $1 AND (answered_at IS NULL OR answered_at >= $2 OR opened_at >= $2)`, [endExclusive, start]);
    await client.query('COMMIT');
    return computeSatisfactionFigures(
      ratings.rows.map(
        (r): RatingReportRow => ({
          applicationNumber: r.application_number,
          serviceCode: r.service_code,
          ratedAt: r.rated_at,
          criteria: r.criteria,
          overall: Number(r.overall),
          outcome: r.outcome ?? null,
          completedOnTime: r.on_time,
        }),
      ),
      served.rows.map((s): ServedReportRow => ({ applicationNumber: s.application_number, serviceCode: s.service_code, completedAt: s.completed_at, rated: s.rated })),
      reactions.rows.map((r): ReactionReportRow => ({ serviceCode: r.service_code, openedAt: r.opened_at, dueAt: r.due_at, answeredAt: r.answered_at })),
      { periodStart: q.periodStart, periodEnd: q.periodEnd, timeZone: q.timeZone, weeksOfHistory: weeks, endExclusive, ...(q.serviceCodes ? { serviceCodes: q.serviceCodes } : {}) },
    );
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
