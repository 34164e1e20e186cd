// Admission of a new application: the first step of every lifecycle, run as a local activity so the workflow
// sandbox never loads zod (it was 6.6 % of the worker's CPU and about half of each cached case's memory).
// One call checks the input against the same schema as the client (and receipt not in the future of workflow time), loads the service profile, records the
// "receive" event and computes the registration term (and the regulatory deadline when the term runs from
// receipt): one marker in history instead of three plus a task-queue activity.
import { ApplicationFailure } from '@temporalio/activity';
import { ApplicationInput, ApplicationInputSchema, CaseEvent, CaseEventRecord, INPUT_VALIDATION_ERROR, problemsOf, receivedAtProblem } from '../shared';
import type { ServiceProfile } from '../services';
import { deadlineOrDefer, type ClockLedger, type DeadlineComputation } from './deadlines';
import { deadlineEventRecord } from './recordWithDeadline';

export interface AdmissionRequest {
  /** The workflow id: it must equal the application number. */
  workflowId: string;
  /** The workflow input as received, unchecked. */
  application: unknown;
  /** Workflow time of admission (the "receive" event). */
  at: string;
  /** Compact cases: a deadline computed here is recorded here too, as event 2 (one marker fewer). */
  recordDeadlineEvent?: boolean;
}

export interface Admission {
  input: ApplicationInput;
  profile: ServiceProfile;
  /** When the application must be registered, if the service sets a term for it. */
  receivedStageDeadline: string | null;
  /**
   * The regulatory deadline, when the service's term runs from receipt (the clock starts with admission);
   * null when it starts at registration or the calendar does not cover it yet (the workflow asks again).
   */
  deadline?: DeadlineComputation | null;
  /** The "deadline" event written as event 2 (recordDeadlineEvent and a deadline computed). */
  deadlineEvent?: CaseEvent;
}

export function createAdmissionActivities(deps: {
  loadServiceProfile(serviceCode: string): Promise<ServiceProfile>;
  computeStageDeadline(input: { serviceCode: string; stage: string; enteredAt: string }): Promise<{ deadline: string } | null>;
  recordCaseEvent(r: CaseEventRecord): Promise<void>;
  computeDeadline?(ledger: ClockLedger): Promise<DeadlineComputation>;
}) {
  const reject = (message: string): never => {
    throw ApplicationFailure.create({ type: INPUT_VALIDATION_ERROR, message, nonRetryable: true });
  };
  return {
    async admitApplication(req: AdmissionRequest): Promise<Admission> {
      const parsed = ApplicationInputSchema.safeParse(req.application);
      if (!parsed.success) {
        reject(`Заявление отклонено (application rejected): ${problemsOf(parsed.error).map((p) => `${p.field || '(root)'}: ${p.rule}`).join('; ')}`);
      }
      const input = parsed.data!;
      // Against the workflow time of admission (req.at), not this process's clock: the verdict is recorded with
      // the activity's result, so the case replays identically.
      const future = receivedAtProblem(input.receivedAt, Date.parse(req.at));
      if (future) reject(`Заявление отклонено (application rejected): ${future.field}: ${future.rule}`);
      if (req.workflowId !== input.applicationNumber) {
        reject('workflowId must equal applicationNumber (идентификатор процесса должен совпадать с номером заявления)');
      }
      const profile = await deps.loadServiceProfile(input.serviceCode);
      const term = profile.stagesWithTerms.includes('received')
        ? await deps.computeStageDeadline({ serviceCode: input.serviceCode, stage: 'received', enteredAt: input.receivedAt })
        : null;
      // Idempotent (the record is keyed by application and event seq): a retried admission writes it once.
      const received: CaseEventRecord = {
        applicationNumber: input.applicationNumber,
        serviceCode: input.serviceCode,
        channel: input.channel,
        receivedAt: input.receivedAt,
        event: { seq: 1, stage: 'received', action: 'receive', actor: `channel:${input.channel}`, at: req.at },
        assignedClerk: input.assignedClerk ?? null,
        deadline: null,
        dueDate: null,
        registeredAt: null,
        overdue: false,
        outcome: null,
      };
      await deps.recordCaseEvent(received);
      // After the record: a calendar gap defers the deadline to the task-queue computation, never the admission.
      const deadline =
        deps.computeDeadline && profile.termStartsAt === 'receipt'
          ? await deadlineOrDefer(deps.computeDeadline, { serviceCode: input.serviceCode, startedAt: input.receivedAt, suspensions: [], extensions: [] })
          : null;
      if (req.recordDeadlineEvent && deadline) {
        const record = deadlineEventRecord(received, { seq: 2, at: req.at }, deadline);
        await deps.recordCaseEvent(record);
        return { input, profile, receivedStageDeadline: term?.deadline ?? null, deadline, deadlineEvent: record.event };
      }
      return { input, profile, receivedStageDeadline: term?.deadline ?? null, deadline };
    },
  };
}
