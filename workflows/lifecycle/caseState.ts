// The case as the workflow holds it: one object that every concern (clerk actions, ЕЛК delivery, the regulatory
// clock, stage terms) reads and changes, and that queries answer from. Changes that belong together — a stage
// change suspends the clock, queues its ЕЛК status, updates the search attribute and writes the case record —
// are its methods, so they happen in one order everywhere.
import { CancellationScope, condition, isCancellation, patched, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { DeadlineComputation, RefusalDraft } from '../../activities';
import type { RegulatoryLedger } from '../../calendar';
import type { ApplicationInput } from '../../shared/application';
import type { ClerkActionName } from '../../shared/clerkActionRules';
import { deadlineEventNote, type CaseEvent, type CaseSnapshot, type ElkDeliveryProblem, type ElkStatusItem, type LifecycleResult } from '../../shared/lifecycle';
import { SA } from '../../shared/names';
import type { ServiceProfile } from '../../services';
import { isTerminal, Stage, STAGE_TITLES_RU } from '../../shared/stages';
import type { LifecycleProxy } from './activityKinds';
import { deadlineQuery, historyQuery, refusalDraftQuery, stateQuery } from './messages';

/** Inputs of the regulatory clock; startedAt is the start of the term — receipt or registration, as the service's regulation says. */
export type ClockLedger = Omit<RegulatoryLedger, 'startedAt'> & { startedAt: string | null };

export class CaseState {
  input: ApplicationInput;
  /** Loaded by the first activity; handlers that arrive earlier wait for it. */
  profile: ServiceProfile | null = null;
  stage: Stage = 'received';
  assignedClerk: string | null;
  deadline: string | null = null;
  dueDate: string | null = null;
  overdue = false;
  decisionOutcome: 'approve' | 'refuse' | null = null;
  readonly history: CaseEvent[] = [];
  /** The ЕЛК queue: statuses in the order the applicant must see them; delivered ones are a prefix. */
  readonly elkItems: ElkStatusItem[] = [];
  elkDelivered = 0;
  deliveryProblem: ElkDeliveryProblem | null = null;
  problemResolution: 'retry' | 'skip' | null = null;
  private lastStatusDateMs = 0;
  // PostgreSQL writes of the case record are chained so they land in event order.
  private recordChain: Promise<void> = Promise.resolve();
  // An action that awaits an activity (a refusal letter) holds the case until it is done.
  busyWith: ClerkActionName | null = null;
  refusalDraft: RefusalDraft | null = null;
  // Stage changes are counted so a stage-term watcher knows when the stage it watches is over.
  stageVersion = 0;
  stageEnteredAt: string;
  /** The registration term that came with the admission; undefined: stage terms compute it (cases from before the admission activity). */
  receivedStageDeadline: string | null | undefined;
  // The instant the clerk registered the case (case record and reports); the term may start before it.
  registeredAt: string | null = null;
  // Inputs of the regulatory clock: a budget plus a ledger of suspensions and extensions. The deadline is
  // computed from them by an activity each time they change (clockVersion), never in workflow code.
  readonly clock: ClockLedger = { startedAt: null, suspensions: [], extensions: [] };
  clockVersion = 0;
  // LEAN_HISTORY_PATCH: the first deadline of a clock version comes with a local activity that runs anyway
  // (admission, or the record of the action that started the clock); null inside: the calendar had a gap.
  // Compact cases: `recorded` when the local activity also wrote the "deadline" event (the workflow skips its own).
  deadlineAlongside: { version: number; result: Promise<DeadlineComputation | null>; recorded?: boolean } | null = null;
  computeDeadlineWithNextRecord = false;
  // Escalation rungs whose task-queue activity has not settled; the closing record closes escalation tasks
  // itself only when there are none (compact cases), and a rung fired after it undoes that.
  escalationsPending = 0;
  escalationTasksClosedByRecord = false;
  // Compact cases: the delivery of the closing status started the feedback workflow (closure.ts, elkDelivery.ts).
  feedbackStartedWithDelivery = false;

  constructor(
    input: ApplicationInput,
    /** The run's case-record activities (see activityKinds.ts). */
    readonly records: LifecycleProxy,
    /** LEAN_HISTORY_PATCH (see activityKinds.ts). */
    readonly lean: boolean,
    /** COMPACT_HISTORY (see activityKinds.ts). */
    readonly compact: boolean,
  ) {
    this.input = input;
    this.assignedClerk = input.assignedClerk ?? null;
    this.stageEnteredAt = input.receivedAt;
  }

  /** A patched path of the lifecycle: taken without a marker of its own under LEAN_HISTORY_PATCH. */
  patched(patchId: string): boolean {
    return this.lean || patched(patchId);
  }

  get closed(): boolean {
    return isTerminal(this.stage);
  }

  /** The profile, once loaded: handlers and loops use it only after the first activity. */
  get service(): ServiceProfile {
    return this.profile!;
  }

  // Clusters without the case search attributes registered (and the time-skipping test server) turn them off.
  upsertCaseAttributes(updates: SearchAttributeUpdatePair[]): void {
    if (this.profile?.searchAttributes && updates.length > 0) upsertSearchAttributes(updates);
  }

  snapshot(): CaseSnapshot {
    return {
      applicationNumber: this.input.applicationNumber,
      serviceCode: this.input.serviceCode,
      stage: this.stage,
      assignedClerk: this.assignedClerk,
      deadline: this.deadline,
      overdue: this.overdue,
      suspended: this.clock.suspensions.some((x) => !x.to),
      history: this.history.slice(),
      elk: { items: this.elkItems.map((i) => ({ ...i })), delivered: this.elkDelivered, problem: this.deliveryProblem },
    };
  }

  enqueueElkStatus(forStage: Stage, elkStatus: number | null, attachment?: ElkStatusItem['attachment']): void {
    if (elkStatus === null) return;
    // statusDate must be unique and increasing per order (ЕЛК rejects a status not later than the last one).
    const nowMs = Math.max(Date.now(), this.lastStatusDateMs + 1);
    this.lastStatusDateMs = nowMs;
    this.elkItems.push({
      seq: this.elkItems.length + 1,
      stage: forStage,
      elkStatus,
      statusDate: new Date(nowMs).toISOString(),
      requestType: this.elkItems.length === 0 ? 'CreateOrdersRequest' : 'UpdateOrdersRequest',
      state: 'pending',
      generation: 0,
      ...(attachment ? { attachment } : {}),
    });
  }

  /**
   * Appends an event to the case history and writes the case record after the writes before it. `closing`: the
   * reason to close the case's open escalation tasks with this record (compact cases, see moveTo).
   */
  record(action: string, actor: string, note?: string, closing?: string): Promise<void> {
    const { input } = this;
    const event: CaseEvent = { seq: this.history.length + 1, stage: this.stage, action, actor, at: new Date().toISOString(), ...(note ? { note } : {}) };
    this.history.push(event);
    const entry = {
      applicationNumber: input.applicationNumber,
      serviceCode: input.serviceCode,
      channel: input.channel,
      receivedAt: input.receivedAt,
      event,
      assignedClerk: this.assignedClerk,
      deadline: this.deadline,
      dueDate: this.dueDate,
      registeredAt: this.registeredAt,
      overdue: this.overdue,
      outcome: isTerminal(this.stage) ? this.stage : null,
    };
    if (this.computeDeadlineWithNextRecord) {
      const { clock } = this;
      this.computeDeadlineWithNextRecord = false;
      const ledger = { serviceCode: input.serviceCode, startedAt: clock.startedAt!, suspensions: clock.suspensions.map((x) => ({ ...x })), extensions: clock.extensions.map((x) => ({ ...x })) };
      // Compact cases: the "deadline" event's seq is reserved now (later records must not take it) and the local
      // activity writes it; its note comes with the result.
      const deadlineEvent: CaseEvent | null = this.compact ? { seq: this.history.length + 1, stage: this.stage, action: 'deadline', actor: 'system', at: event.at } : null;
      if (deadlineEvent) this.history.push(deadlineEvent);
      const slot = deadlineEvent ? { deadlineEvent: { seq: deadlineEvent.seq, at: deadlineEvent.at } } : {};
      const result = this.recordChain
        .then(() => this.records.recordCaseEventWithDeadline({ record: entry, ledger, ...slot }))
        .then((computed) => {
          if (deadlineEvent) deadlineEvent.note = deadlineEventNote(computed);
          return computed;
        });
      this.deadlineAlongside = { version: this.clockVersion, result, recorded: deadlineEvent !== null };
      this.recordChain = result.then(() => undefined);
      return this.recordChain;
    }
    this.recordChain = this.recordChain.then(() =>
      closing === undefined ? this.records.recordCaseEvent(entry) : this.records.recordClosingCaseEvent({ record: entry, escalationTasksReason: closing }),
    );
    return this.recordChain;
  }

  /** Settles when every case record written so far has landed. */
  allRecorded(): Promise<void> {
    return this.recordChain;
  }

  /**
   * Moves the case to the next stage: the clock stops or runs again as the service's suspending stages say,
   * the stage's ЕЛК status (or the one given, null for none) is queued, the record is written.
   */
  moveTo(next: Stage, action: string, actor: string, note?: string, elkStatus?: number | null, attachment?: ElkStatusItem['attachment']): Promise<void> {
    const profile = this.service;
    const { clock } = this;
    const wasSuspending = profile.suspendingStages.includes(this.stage);
    const suspends = profile.suspendingStages.includes(next);
    this.stage = next;
    this.stageVersion++;
    this.stageEnteredAt = new Date().toISOString();
    if (clock.startedAt && suspends && !wasSuspending) {
      clock.suspensions.push({ from: new Date().toISOString(), reason: `stage:${next}` });
      this.clockVersion++;
    } else if (clock.startedAt && wasSuspending && !suspends) {
      const open = clock.suspensions.find((x) => !x.to);
      if (open) open.to = new Date().toISOString();
      this.clockVersion++;
    }
    this.enqueueElkStatus(next, elkStatus === undefined ? profile.elkStatusByStage[next] : elkStatus, attachment);
    // Compact cases keep the stage in the applications projection only (the case list reads it there).
    if (!this.compact) this.upsertCaseAttributes([{ key: SA.stage, value: next }]);
    // Compact cases close their escalation tasks with the closing record when no rung's task is still being
    // written; otherwise the regulatory clock closes them once those have settled (regulatoryClock.ts).
    if (this.compact && isTerminal(next) && clock.startedAt && this.escalationsPending === 0) {
      this.escalationTasksClosedByRecord = true;
      return this.record(action, actor, note, escalationClosingReason(next));
    }
    return this.record(action, actor, note);
  }

  /**
   * Waits until `interrupted()` holds or `ms` pass; true when interrupted. The timer is cancelled only if the
   * case is still open: a timer left behind by a closing case is dropped with the run, which costs no event,
   * where cancelling it is one (compact cases; older ones cancel, as their histories say).
   */
  async waitUnless(interrupted: () => boolean, ms: number): Promise<boolean> {
    if (!this.compact) return condition(interrupted, ms);
    if (interrupted()) return true; // no timer at all
    const timerScope = new CancellationScope();
    const conditionScope = new CancellationScope();
    const timer = timerScope.run(() => sleep(ms)).then(() => false);
    const met = conditionScope.run(() => condition(interrupted)).then(() => true);
    // The loser is cancelled by us (or left pending): its rejection is expected, not an unhandled one. A
    // cancellation of the run itself still rejects the race and reaches the caller, as condition()'s would.
    timer.catch(() => undefined);
    met.catch(() => undefined);
    const wasInterrupted = await Promise.race([met, timer]);
    if (!wasInterrupted) conditionScope.cancel();
    else if (!this.closed) timerScope.cancel();
    return wasInterrupted;
  }

  /** Starts the regulatory term (at receipt or at registration); a term already running is not restarted. */
  startClock(at: string): void {
    this.clock.startedAt = at;
    this.clockVersion++;
  }

  /**
   * Runs a calendar activity, abandoning it when the case finishes: a computation retried for hours (a year
   * missing from the production calendar) must not keep a finished case open.
   */
  async unlessFinished<T>(fn: () => Promise<T>): Promise<T | null> {
    const scope = new CancellationScope();
    const work = scope.run(fn);
    const finished = condition(() => this.closed).then(() => scope.cancel());
    try {
      return await work;
    } catch (err) {
      if (isCancellation(err) && this.closed) return null;
      throw err;
    } finally {
      void finished;
    }
  }

  result(): LifecycleResult {
    return {
      applicationNumber: this.input.applicationNumber,
      outcome: this.stage,
      elkStatusesDelivered: this.elkItems.filter((i) => i.state === 'delivered').length,
      elkStatusesSkipped: this.elkItems.filter((i) => i.state === 'skipped').length,
    };
  }
}

/** Why a closing case's escalation tasks are closed (the task board shows it as the resolution). */
export function escalationClosingReason(stage: Stage): string {
  return `Заявление завершено: «${STAGE_TITLES_RU[stage]}»`;
}

/** The case system reads the case through these queries. */
export function answerQueries(state: CaseState): void {
  setHandler(stateQuery, () => state.snapshot());
  setHandler(historyQuery, () => state.history.slice());
  setHandler(deadlineQuery, () => state.deadline);
  setHandler(refusalDraftQuery, () => state.refusalDraft);
}
