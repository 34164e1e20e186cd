// The regulatory clock and its escalation ladder. Each change of the clock's ledger (start, suspension,
// extension) has the deadline computed again by an activity — never in workflow code, the production calendar
// may change between deployments — and the ladder's rungs are waited for on durable timers. When the case
// closes, what the ladder left open is closed.
import { condition, proxyActivities } from '@temporalio/workflow';
import type { DeadlineComputation, LifecycleActivities } from '../../activities';
import { SA } from '../../shared/names';
import { deadlineEventNote } from '../../shared/lifecycle';
import type { LifecycleProxy } from './activityKinds';
import { escalationClosingReason, type CaseState } from './caseState';

// Escalation tasks are written at once; their notifications retry for about a day, then give up loudly.
const escalations = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 150 },
});

function applyDeadline(state: CaseState, computed: DeadlineComputation): void {
  state.deadline = computed.deadline;
  state.dueDate = computed.dueDate;
  state.upsertCaseAttributes([{ key: SA.deadline, value: computed.deadline ? new Date(computed.deadline) : null }]);
}

/** Runs until the case is closed: keeps the deadline current and fires each rung of the ladder once. */
export async function watchRegulatoryClock(state: CaseState, deadlines: LifecycleProxy): Promise<void> {
  const { input, clock } = state;
  const firedRungs = new Set<string>();
  await condition(() => clock.startedAt !== null || state.closed);
  while (!state.closed) {
    const version = state.clockVersion;
    const alongside = state.deadlineAlongside?.version === version ? state.deadlineAlongside : null;
    state.deadlineAlongside = null;
    const computedAlongside = alongside && (await alongside.result);
    const computed = computedAlongside ?? await state.unlessFinished(() =>
      deadlines.computeDeadline({
        serviceCode: input.serviceCode,
        startedAt: clock.startedAt!,
        suspensions: clock.suspensions.map((x) => ({ ...x })),
        extensions: clock.extensions.map((x) => ({ ...x })),
      }),
    );
    if (!computed) break;
    if (version !== state.clockVersion) continue; // the clock moved while we computed
    applyDeadline(state, computed);
    // Compact cases: the local activity that computed it also wrote the "deadline" event (caseState.record).
    if (!(computedAlongside && alongside.recorded)) void state.record('deadline', 'system', deadlineEventNote(computed));
    let moved = false;
    // A rung fires once per case: one that fired before the clock moved is not repeated.
    for (const rung of computed.rungs.filter((r) => !firedRungs.has(r.rung))) {
      const wait = Math.max(0, Date.parse(rung.fireAt) - Date.now());
      const interrupted = await state.waitUnless(() => state.clockVersion !== version || state.closed, wait);
      if (interrupted) {
        moved = true;
        break;
      }
      firedRungs.add(rung.rung);
      if (rung.flagsOverdue) {
        state.overdue = true;
        state.upsertCaseAttributes([{ key: SA.overdue, value: true }]);
      }
      // A task written after the closing record must be closed by the clock, not by that record.
      state.escalationTasksClosedByRecord = false;
      state.escalationsPending++;
      // Not awaited: a notification channel that is down must not hold back the next rung.
      const firing = escalations.fireEscalationRung({
        applicationNumber: input.applicationNumber,
        serviceCode: input.serviceCode,
        serviceTitle: state.service.title,
        rung: rung.rung,
        notify: rung.notify,
        deadline: computed.deadline!,
        fireAt: rung.fireAt,
        firedAt: new Date().toISOString(),
        assignedClerk: state.assignedClerk,
        flagsOverdue: rung.flagsOverdue,
      });
      void firing.then(
        () => state.escalationsPending--,
        () => state.escalationsPending--,
      );
      void state.record(`escalation:${rung.rung}`, 'system', rung.notify.join(', '));
    }
    if (!moved) await condition(() => state.clockVersion !== version || state.closed);
  }
  await condition(() => state.escalationsPending === 0);
  if (clock.startedAt && !state.escalationTasksClosedByRecord) {
    await state.records.cancelOpenEscalationTasks({ applicationNumber: input.applicationNumber, reason: escalationClosingReason(state.stage) });
  }
}
