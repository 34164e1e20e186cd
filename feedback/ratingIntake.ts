// Ratings intake: one door for every source (pages pulled from ИАС МКГУ, the ЕПГУ questionnaire, the
// department's own SMS survey). A batch is bounded in size before it is parsed, recorded with what became of
// it, and written in one transaction: each rating is validated (zod), matched to a known application and
// stored once per (source, the source's id); what cannot be taken goes to the quarantine, sealed, with its
// reason. Nothing is dropped: a rejected batch leaves a row with the reason and is not acknowledged.
import type { Pool, PoolClient } from 'pg';
import type { CodecKeys } from '../codec';
import { inTransaction } from '../db';
import { sealText } from '../security';
import { problemsOf } from '../shared';
import { MkguFormatError, parseRatesXml, RatingCandidate } from './mkguXml';
import {
  DEFAULT_CRITICAL_THRESHOLD,
  isCritical,
  MAX_BATCH_BYTES,
  MAX_BATCH_RATINGS,
  MAX_QUARANTINE_PAYLOAD_BYTES,
  overallOf,
  RatingSource,
  ratingSchema,
  RoutedRating,
  type Criterion,
} from './ratingSchemas';

export interface IntakeProblem {
  externalId: string;
  reasonCode: 'invalid' | 'unknownApplication';
  reason: string;
}

export interface IntakeResult {
  batchRowId: string;
  accepted: number;
  duplicates: number;
  quarantined: number;
  /** The whole batch was refused (too large, malformed): nothing of it was taken, the sender must resend. */
  rejected: boolean;
  reason?: string;
  problems: IntakeProblem[];
  /** The cursor after this page (pulled pages only). */
  next?: string;
}

export interface RatingIntakeDependencies {
  pool: Pool;
  keys: CodecKeys;
  /** A rating at or below this on any criterion is critical (default 3). */
  criticalThreshold?: number;
}

export const commentContext = (source: string, externalId: string) => `feedback_ratings.comment:${source}:${externalId}`;
export const quarantineContext = (source: string, externalId: string) => `feedback_quarantine.payload:${source}:${externalId}`;

/** A candidate as stored in quarantine: bounded, so a 10 MB comment keeps its first 64 KiB and a flag. */
function boundedPayload(raw: unknown): { text: string; truncated: boolean } {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? 'null';
  } catch {
    text = '"(unserialisable)"';
  }
  if (Buffer.byteLength(text, 'utf8') <= MAX_QUARANTINE_PAYLOAD_BYTES) return { text, truncated: false };
  return { text: Buffer.from(text, 'utf8').subarray(0, MAX_QUARANTINE_PAYLOAD_BYTES).toString('utf8'), truncated: true };
}

export function createRatingIntake(deps: RatingIntakeDependencies) {
  const { pool, keys } = deps;
  const threshold = deps.criticalThreshold ?? DEFAULT_CRITICAL_THRESHOLD;

  async function quarantine(c: PoolClient, batchId: string, source: RatingSource, externalId: string, app: string | null, problem: IntakeProblem, raw: unknown): Promise<boolean> {
    const { text, truncated } = boundedPayload(raw);
    const r = await c.query(
      `INSERT INTO feedback_quarantine (source, external_id, application_number, reason_code, reason, payload_sealed, payload_truncated, batch_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (source, external_id) DO NOTHING`,
      [source, externalId, app, problem.reasonCode, problem.reason, sealText(keys, text, quarantineContext(source, externalId)), truncated, batchId],
    );
    return r.rowCount === 1;
  }

  async function take(source: RatingSource, candidates: unknown[], bytes: number, meta: { batchId?: string; next?: string }): Promise<IntakeResult> {
    return inTransaction(pool, async (c) => {
      const batch = await c.query<{ id: string }>(`INSERT INTO feedback_intake_batches (source, batch_id, bytes) VALUES ($1, $2, $3) RETURNING id`, [source, meta.batchId ?? null, bytes]);
      const batchRowId = batch.rows[0]!.id;
      const result: IntakeResult = { batchRowId, accepted: 0, duplicates: 0, quarantined: 0, rejected: false, problems: [], ...(meta.next ? { next: meta.next } : {}) };
      for (const [i, raw] of candidates.entries()) {
        const cand = (raw && typeof raw === 'object' ? raw : {}) as Partial<RatingCandidate> & Record<string, unknown>;
        const rawId = typeof cand.externalId === 'string' && cand.externalId.length <= 200 ? cand.externalId : `(item #${i + 1})`;
        const { readProblems, ...fields } = cand;
        const parsed = ratingSchema.safeParse({ ...fields, source });
        const appGuess = typeof cand.applicationNumber === 'string' && cand.applicationNumber.length <= 200 ? cand.applicationNumber : null;
        const problems = [...(Array.isArray(readProblems) ? (readProblems as string[]) : []), ...(parsed.success ? [] : problemsOf(parsed.error).map((p) => `${p.field || '(rating)'}: ${p.rule}`))];
        if (!parsed.success || problems.length > 0) {
          const problem: IntakeProblem = { externalId: rawId, reasonCode: 'invalid', reason: problems.join('; ') };
          result.problems.push(problem);
          if (await quarantine(c, batchRowId, source, rawId, appGuess, problem, fields)) result.quarantined++;
          else result.duplicates++;
          continue;
        }
        const rating = parsed.data;
        const app = await c.query<{ service_code: string }>('SELECT service_code FROM applications WHERE application_number = $1', [rating.applicationNumber]);
        if (app.rowCount === 0) {
          const problem: IntakeProblem = { externalId: rating.externalId, reasonCode: 'unknownApplication', reason: `заявление ${rating.applicationNumber} не найдено / unknown application` };
          result.problems.push(problem);
          if (await quarantine(c, batchRowId, source, rating.externalId, rating.applicationNumber, problem, fields)) result.quarantined++;
          else result.duplicates++;
          continue;
        }
        const criteria = rating.criteria as Partial<Record<Criterion, number>>;
        const inserted = await c.query(
          `INSERT INTO feedback_ratings (source, external_id, application_number, service_code, rated_at, criteria, overall, comment_sealed, critical, batch_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (source, external_id) DO NOTHING`,
          [
            source,
            rating.externalId,
            rating.applicationNumber,
            app.rows[0]!.service_code,
            rating.ratedAt,
            JSON.stringify(criteria),
            overallOf(criteria),
            rating.comment ? sealText(keys, rating.comment, commentContext(source, rating.externalId)) : null,
            isCritical(criteria, threshold),
            batchRowId,
          ],
        );
        if (inserted.rowCount === 1) {
          result.accepted++;
          // A rating once quarantined (its application was unknown then) is released when it is taken.
          await c.query('UPDATE feedback_quarantine SET released_at = now() WHERE source = $1 AND external_id = $2 AND released_at IS NULL', [source, rating.externalId]);
        } else result.duplicates++;
      }
      await c.query('UPDATE feedback_intake_batches SET accepted = $2, duplicates = $3, quarantined = $4 WHERE id = $1', [batchRowId, result.accepted, result.duplicates, result.quarantined]);
      return result;
    });
  }

  async function rejectBatch(source: RatingSource, bytes: number, reason: string): Promise<IntakeResult> {
    const r = await pool.query<{ id: string }>(`INSERT INTO feedback_intake_batches (source, bytes, rejected, reason) VALUES ($1, $2, true, $3) RETURNING id`, [source, bytes, reason]);
    return { batchRowId: r.rows[0]!.id, accepted: 0, duplicates: 0, quarantined: 0, rejected: true, reason, problems: [] };
  }

  return {
    /** A page of rates in the rating system's XML (pulled or pushed). */
    async ingestXml(source: RatingSource, xml: string): Promise<IntakeResult> {
      const bytes = typeof xml === 'string' ? Math.min(Buffer.byteLength(xml, 'utf8'), 2 ** 31 - 1) : 0;
      let page: ReturnType<typeof parseRatesXml>;
      try {
        page = parseRatesXml(xml);
      } catch (err) {
        if (err instanceof MkguFormatError) return rejectBatch(source, bytes, err.message);
        throw err;
      }
      return take(source, page.rates, bytes, { batchId: page.batchId, next: page.next });
    },

    /** Ratings already decoded from JSON (ЕПГУ questionnaire, SMS survey replies); the caller bounded the body. */
    async ingestItems(source: RatingSource, items: unknown, bodyBytes: number, batchId?: string): Promise<IntakeResult> {
      if (bodyBytes > MAX_BATCH_BYTES) return rejectBatch(source, bodyBytes, `batch exceeds ${MAX_BATCH_BYTES} bytes`);
      if (!Array.isArray(items)) return rejectBatch(source, bodyBytes, 'batch must be a JSON array of ratings');
      if (items.length > MAX_BATCH_RATINGS) return rejectBatch(source, bodyBytes, `more than ${MAX_BATCH_RATINGS} ratings in one batch`);
      return take(source, items, bodyBytes, batchId ? { batchId } : {});
    },

    /** Ratings not yet handed to their feedback workflow, oldest first. */
    async unrouted(limit = 200): Promise<(RoutedRating & { applicationNumber: string; serviceCode: string })[]> {
      const { rows } = await pool.query(
        `SELECT id, source, application_number, service_code, rated_at, criteria, overall, critical, comment_sealed IS NOT NULL AS has_comment
           FROM feedback_ratings WHERE routed_at IS NULL ORDER BY id LIMIT $1`,
        [limit],
      );
      return rows.map((r) => ({
        ratingId: Number(r.id),
        source: r.source,
        applicationNumber: r.application_number,
        serviceCode: r.service_code,
        ratedAt: (r.rated_at as Date).toISOString(),
        criteria: r.criteria,
        overall: Number(r.overall),
        critical: r.critical,
        hasComment: r.has_comment,
      }));
    },

    async markRouted(ratingId: number): Promise<void> {
      await pool.query('UPDATE feedback_ratings SET routed_at = now() WHERE id = $1 AND routed_at IS NULL', [ratingId]);
    },
  };
}

export type RatingIntake = ReturnType<typeof createRatingIntake>;
