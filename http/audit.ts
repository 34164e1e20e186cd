// The API's audit trail in PostgreSQL: who (role, subject, token id), what (operation, target), when, with
// which request id, and how it ended. No request or response bodies: those may carry personal data.
import type { Pool } from 'pg';
import type { ApiRole } from './auth';

export interface AuditEntry {
  actorRole: ApiRole | 'anonymous';
  actorSubject: string | null;
  tokenId: string | null;
  operation: string;
  method: string;
  /** Application number or task id the request was about, if any. */
  target: string | null;
  requestId: string | null;
  outcome: 'done' | 'replayed' | 'refused' | 'rejected' | 'failed';
  status: number;
  /** The problem title for refusals and failures (never a request value). */
  reason: string | null;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}

export function createAuditLog(pool: Pool): AuditLog {
  return {
    async record(e) {
      await pool.query(
        `INSERT INTO api_audit (at, actor_role, actor_subject, token_id, operation, method, target, request_id, outcome, status, reason)
         VALUES (clock_timestamp(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [e.actorRole, e.actorSubject, e.tokenId, e.operation, e.method, e.target, e.requestId, e.outcome, e.status, e.reason?.slice(0, 500) ?? null],
      );
    },
  };
}
