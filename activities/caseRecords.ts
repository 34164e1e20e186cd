// Activities that keep the operator's view of a case in PostgreSQL. Each is idempotent: a retried attempt
// (after a crash or a database restart) writes nothing twice. This module is the only writer of case_events
// and applications (the overdue flag included); tasks for people are written by escalation's task board.
import type { Pool } from 'pg';
import type { Queryable } from '../db';
import { closeClerkTaskByKey, closeOpenEscalationTasks, insertClerkTask } from '../escalation';
import type { ClerkTaskRequest } from '../escalation';
import type { CaseEventRecord } from '../shared';

export function createCaseRecordActivities(pool: Pool) {
  const records = {
    async recordCaseEvent(r: CaseEventRecord): Promise<void> {
      // One statement, so one round trip (it was BEGIN, two statements, COMMIT: 4, six times per case) and
      // still all or nothing: the event and the projection are written together or not at all.
      // The projection only moves forward: an older event replayed late never overwrites a newer state.
      await pool.query(
        `WITH event AS (
           INSERT INTO case_events (application_number, seq, stage, action, actor, occurred_at, note)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING
         )
         INSERT INTO applications AS a (application_number, service_code, channel, received_at, stage, assigned_clerk,
                                        deadline, outcome, completed_at, last_event_seq, registered_at, due_date, overdue, updated_at)
         VALUES ($8, $9, $10, $11, $12, $13, $14, $15, CASE WHEN $15::text IS NULL THEN NULL ELSE $16::timestamptz END, $17,
                 $18, $19, $20, now())
         ON CONFLICT (application_number) DO UPDATE SET
           stage = EXCLUDED.stage, assigned_clerk = EXCLUDED.assigned_clerk, deadline = EXCLUDED.deadline,
           outcome = EXCLUDED.outcome, completed_at = EXCLUDED.completed_at, registered_at = EXCLUDED.registered_at,
           due_date = EXCLUDED.due_date, overdue = a.overdue OR EXCLUDED.overdue,
           last_event_seq = EXCLUDED.last_event_seq, updated_at = now()
         WHERE a.last_event_seq < EXCLUDED.last_event_seq`,
        [r.applicationNumber, r.event.seq, r.event.stage, r.event.action, r.event.actor, r.event.at, r.event.note ?? null,
         r.applicationNumber, r.serviceCode, r.channel, r.receivedAt, r.event.stage, r.assignedClerk, r.deadline,
         r.outcome, r.event.at, r.event.seq, r.registeredAt, r.dueDate, r.overdue],
      );
    },

    /**
     * The record that closes a case, and its open escalation tasks closed with it (compact cases, when no rung's
     * task is still being written): one marker instead of two. Both writes are idempotent, so a retry is safe.
     */
    async recordClosingCaseEvent(req: { record: CaseEventRecord; escalationTasksReason: string }): Promise<void> {
      await records.recordCaseEvent(req.record);
      await closeOpenEscalationTasks(pool, req.record.applicationNumber, req.escalationTasksReason);
    },

    async openClerkTask(t: ClerkTaskRequest): Promise<void> {
      await insertClerkTask(pool, t);
    },

    async closeClerkTask(t: { taskKey: string; resolution: string }): Promise<void> {
      await closeClerkTaskByKey(pool, t.taskKey, t.resolution);
    },
  };
  return records;
}

/** The breach rung's flag, set at once; the workflow's next record carries it too and never clears it. */
export async function markCaseOverdue(db: Queryable, applicationNumber: string): Promise<void> {
  await db.query('UPDATE applications SET overdue = true, updated_at = now() WHERE application_number = $1 AND NOT overdue', [applicationNumber]);
}
