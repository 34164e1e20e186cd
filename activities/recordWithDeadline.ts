// The record of the clerk action that starts a case's regulatory clock (registration) and the first deadline
// computation, in one local activity: one marker in history instead of a task-queue activity (three events)
// plus the workflow task its completion wakes. The record is written first, so a calendar gap never holds it.
import type { CaseEventRecord } from '../shared';
import { deadlineOrDefer, type ClockLedger, type DeadlineComputation } from './deadlines';

export interface RecordWithDeadlineRequest {
  record: CaseEventRecord;
  /** The clock as it stands after the recorded event. */
  ledger: ClockLedger;
}

export function createRecordWithDeadlineActivities(deps: {
  recordCaseEvent(r: CaseEventRecord): Promise<void>;
  computeDeadline(ledger: ClockLedger): Promise<DeadlineComputation>;
}) {
  return {
    /** null: the calendar does not cover the term yet; the workflow falls back to computeDeadline. */
    async recordCaseEventWithDeadline(req: RecordWithDeadlineRequest): Promise<DeadlineComputation | null> {
      await deps.recordCaseEvent(req.record);
      return deadlineOrDefer(deps.computeDeadline, req.ledger);
    },
  };
}
