// The record of the clerk action that starts a case's regulatory clock (registration) and the first deadline
// computation, in one local activity: one marker in history instead of a task-queue activity (three events)
// plus the workflow task its completion wakes. The record is written first, so a calendar gap never holds it.
// Compact cases (shared/lifecycle.ts COMPACT_HISTORY) also have it write the "deadline" event, at the seq the
// workflow reserved for it: one marker fewer.
import { deadlineEventNote, type CaseEvent, type CaseEventRecord } from '../shared';
import { deadlineOrDefer, type ClockLedger, type DeadlineComputation } from './deadlines';

export interface RecordWithDeadlineRequest {
  record: CaseEventRecord;
  /** The clock as it stands after the recorded event. */
  ledger: ClockLedger;
  /** Where the workflow expects the "deadline" event (compact cases); absent: the workflow records it itself. */
  deadlineEvent?: { seq: number; at: string };
}

/** The "deadline" case event and the projection as it stands after it. */
export function deadlineEventRecord(after: CaseEventRecord, slot: { seq: number; at: string }, computed: DeadlineComputation | null): CaseEventRecord {
  const event: CaseEvent = { seq: slot.seq, stage: after.event.stage, action: 'deadline', actor: 'system', at: slot.at, note: deadlineEventNote(computed) };
  return { ...after, event, ...(computed ? { deadline: computed.deadline, dueDate: computed.dueDate } : {}) };
}

export function createRecordWithDeadlineActivities(deps: {
  recordCaseEvent(r: CaseEventRecord): Promise<void>;
  computeDeadline(ledger: ClockLedger): Promise<DeadlineComputation>;
}) {
  return {
    /** null: the calendar does not cover the term yet; the workflow falls back to computeDeadline. */
    async recordCaseEventWithDeadline(req: RecordWithDeadlineRequest): Promise<DeadlineComputation | null> {
      await deps.recordCaseEvent(req.record);
      const computed = await deadlineOrDefer(deps.computeDeadline, req.ledger);
      // Idempotent like every record (keyed by application and seq): a retried attempt writes it once.
      if (req.deadlineEvent) await deps.recordCaseEvent(deadlineEventRecord(req.record, req.deadlineEvent, computed));
      return computed;
    },
  };
}
