// Idempotency-Key for every write: the first answer is kept (sealed) per caller and key and replayed for a
// repeat; the same key with a different request is refused (RFC draft "The Idempotency-Key HTTP Header Field").
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { CodecKeys } from '../codec';
import { openText, sealText } from '../security';

export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export type IdempotencyState =
  | { state: 'new' }
  | { state: 'inProgress' }
  | { state: 'done'; status: number; body: unknown }
  | { state: 'mismatch'; operation: string };

export function fingerprint(operation: string, target: string, body: unknown): string {
  return createHash('sha256').update(`${operation}\n${target}\n${JSON.stringify(body ?? null)}`).digest('hex');
}

export class IdempotencyStore {
  constructor(
    private readonly pool: Pool,
    private readonly keys: CodecKeys,
  ) {}

  /** Claims (scope, key) for this request, or tells what the first request with that key became. */
  async begin(scope: string, key: string, operation: string, print: string): Promise<IdempotencyState> {
    const inserted = await this.pool.query(
      `INSERT INTO api_requests (scope, request_id, operation, fingerprint) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [scope, key, operation, print],
    );
    if (inserted.rowCount === 1) return { state: 'new' };
    const { rows } = await this.pool.query<{ operation: string; fingerprint: string; status: number | null; response: Buffer | null }>(
      'SELECT operation, fingerprint, status, response FROM api_requests WHERE scope = $1 AND request_id = $2',
      [scope, key],
    );
    const row = rows[0];
    if (!row) return { state: 'new' };
    if (row.fingerprint !== print) return { state: 'mismatch', operation: row.operation };
    if (row.status === null || row.response === null) return { state: 'inProgress' };
    return { state: 'done', status: row.status, body: JSON.parse(openText(this.keys, row.response, this.context(scope, key))) };
  }

  /** Keeps a final answer (success or a business refusal) so a repeat gets it without acting again. */
  async complete(scope: string, key: string, status: number, body: unknown): Promise<void> {
    await this.pool.query('UPDATE api_requests SET completed_at = now(), status = $3, response = $4 WHERE scope = $1 AND request_id = $2', [
      scope,
      key,
      status,
      sealText(this.keys, JSON.stringify(body ?? null), this.context(scope, key)),
    ]);
  }

  private context(scope: string, key: string): string {
    return `api_requests:${scope}:${key}`;
  }
}
