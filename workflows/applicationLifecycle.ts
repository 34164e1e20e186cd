// One durable workflow per application (workflow id = the department's application number), from intake
// to result. Clerk actions arrive as Updates (validated synchronously: an illegal action is rejected and
// leaves no trace in history), ЕПГУ callbacks as Signals, and the case system reads state through Queries.
// Statuses for the applicant's cabinet (ЕЛК) are queued here and delivered strictly in order by a
// separate loop, so a slow or dead portal never blocks the clerk.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { FeedbackInput } from '../feedback';
import { feedbackWorkflowId } from '../shared/feedback';
import type { LifecycleActivities } from '../activities';
import type { Admission, DeadlineComputation, RefusalDraft } from '../activities';
import type { ApplicationInput } from '../shared/application';
// Zod-free: the sandbox loads none of zod (shared/clerkActionRules.ts guards mirror the zod schemas).
import { receivedAtProblem } from '../shared/lawfulDates';
import {
  ApplicantCancelledGuard,
  ApplicantRespondedGuard,
  CANCELLABLE_STAGES,
  CLERK_ACTION_TITLES_RU,
  ClerkActionArgs,
  ClerkActionName,
  checkClerkAction,
  TRANSITIONS,
} from '../shared/clerkActionRules';
import { check } from '../shared/guards';
import {
  CaseEvent,
  CaseSnapshot,
  ELK_BUSINESS_REJECTION,
  ElkDeliveryProblem,
  ElkStatusItem,
  INPUT_VALIDATION_ERROR,
  LifecycleResult,
  REFUSAL_VALIDATION_ERROR,
  RESULT_DOCUMENT_MISSING,
} from '../shared/lifecycle';
import { SA } from '../shared/names';
import { DEFAULT_ELK_STATUS_ON_APPLICANT_RESPONSE } from '../shared/elkStatusMapping';
import type { RegulatoryLedger } from '../calendar';
import type { ServiceProfile } from '../shared/serviceProfile';
import { isTerminal, Stage, STAGE_TITLES_RU } from '../shared/stages';

// ---- Message definitions (the case system's client uses the same objects) ----
export const clerkActionUpdates = {
  register: defineUpdate<CaseSnapshot, [ClerkActionArgs<'register'>]>('register'),
  startReview: defineUpdate<CaseSnapshot, [ClerkActionArgs<'startReview'>]>('startReview'),
  requestInteragency: defineUpdate<CaseSnapshot, [ClerkActionArgs<'requestInteragency'>]>('requestInteragency'),
  recordInteragencyAnswer: defineUpdate<CaseSnapshot, [ClerkActionArgs<'recordInteragencyAnswer'>]>('recordInteragencyAnswer'),
  requestFromApplicant: defineUpdate<CaseSnapshot, [ClerkActionArgs<'requestFromApplicant'>]>('requestFromApplicant'),
  draftDecision: defineUpdate<CaseSnapshot, [ClerkActionArgs<'draftDecision'>]>('draftDecision'),
  approve: defineUpdate<CaseSnapshot, [ClerkActionArgs<'approve'>]>('approve'),
  refuse: defineUpdate<CaseSnapshot, [ClerkActionArgs<'refuse'>]>('refuse'),
  issueResult: defineUpdate<CaseSnapshot, [ClerkActionArgs<'issueResult'>]>('issueResult'),
  reassign: defineUpdate<CaseSnapshot, [ClerkActionArgs<'reassign'>]>('reassign'),
  resolveDeliveryProblem: defineUpdate<CaseSnapshot, [ClerkActionArgs<'resolveDeliveryProblem'>]>('resolveDeliveryProblem'),
  amendRefusal: defineUpdate<CaseSnapshot, [ClerkActionArgs<'amendRefusal'>]>('amendRefusal'),
  extendDeadline: defineUpdate<CaseSnapshot, [ClerkActionArgs<'extendDeadline'>]>('extendDeadline'),
} satisfies { [A in ClerkActionName]: unknown };

/** ЕПГУ callback: the applicant supplied corrections or documents. */
export const applicantRespondedSignal = defineSignal<[{ note?: string; documents?: string[] }]>('applicantResponded');
/** ЕПГУ callback: the applicant withdrew the application. */
export const applicantCancelledSignal = defineSignal<[{ reason?: string }]>('applicantCancelled');

export const stateQuery = defineQuery<CaseSnapshot>('state');
export const historyQuery = defineQuery<CaseEvent[]>('history');
export const deadlineQuery = defineQuery<string | null>('deadline');
/** The refusal letter draft the clerk is about to issue (plain text), or null. */
export const refusalDraftQuery = defineQuery<RefusalDraft | null>('refusalDraft');

// ---- Activities ----
const RECORD_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  // PostgreSQL may be restarting: keep trying, never give up on a record.
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' },
} as const;
const DEADLINE_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  // A year missing from the production calendar fails loudly and is retried until the operator updates it.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 hour' },
} as const;
const records = proxyActivities<LifecycleActivities>(RECORD_OPTIONS);
const deadlines = proxyActivities<LifecycleActivities>(DEADLINE_OPTIONS);

// Short PostgreSQL writes and pure calendar computations run as local activities: one marker event instead of
// three, and no round trip through the task queue (the benchmark's main cost). Same retry rules as above; a
// retry past a minute becomes a durable timer, so a long PostgreSQL outage does not hold a workflow task.
const localRecords = proxyLocalActivities<LifecycleActivities>(RECORD_OPTIONS);
const localDeadlines = proxyLocalActivities<LifecycleActivities>(DEADLINE_OPTIONS);
/** Patch id: cases started before local activities replay with the task-queue activities they recorded. */
/**
 * Patch id: local activities run one at a time. Two local activities in flight at once (a record and a deadline
 * computation, a record and a clerk-task write) let the order of the commands that follow them (an Update's
 * completion, a search-attribute upsert, an activity) depend on how their results were batched into
 * activations, which replay after a cache eviction does not reproduce: a nondeterminism error. One at a time,
 * results arrive in the order the calls were made, on every run and every replay.
 */
export const ONE_LOCAL_ACTIVITY_AT_A_TIME_PATCH = 'one-local-activity-at-a-time';

/** The same local activities, queued: each call starts when the one before it has settled. */
function oneAtATime<T extends object>(acts: T): T {
  let queue: Promise<unknown> = Promise.resolve();
  return new Proxy(acts, {
    get(target, name) {
      return (...args: unknown[]) => {
        const run = queue.then(() => (target as Record<string | symbol, (...a: unknown[]) => Promise<unknown>>)[name](...args));
        queue = run.catch(() => undefined);
        return run;
      };
    },
  });
}

export const LOCAL_ACTIVITIES_PATCH = 'local-record-and-deadline-activities';
/**
 * Patch id: new cases are admitted by one local activity (input check, service profile, "receive" record,
 * registration term) instead of zod in the workflow and three local activities, and skip search attributes the
 * start already set. Implies LOCAL_ACTIVITIES_PATCH, so a new case records one patch marker, not two.
 */
export const ADMISSION_PATCH = 'admission-activity';
/**
 * Patch id: the applicant's answer to a request queues a status (review resumed), so the cabinet stops showing
 * «требует исправления». Cases that received the answer before this change replay without that status.
 */
export const STATUS_ON_APPLICANT_RESPONSE_PATCH = 'elk-status-on-applicant-response';

// Escalation tasks are written at once; their notifications retry for about a day, then give up loudly.
const escalations = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 150 },
});

// Nested time-outs (README "Recovery bounds"): the adapter's HTTP timeout (8 s) < heartbeat timeout (10 s) <
// start-to-close; long activities heartbeat every 2 s during each call, so a dead worker's attempt is retried
// after at most the heartbeat timeout and a slow but live one is never overlapped by a retry.
export const HEARTBEAT_TIMEOUT = '10 seconds';
const letters = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: [REFUSAL_VALIDATION_ERROR, RESULT_DOCUMENT_MISSING] },
});
/** Patch id: issueResult with a result document runs attachResultDocument before the status is queued. */
export const RESULT_DOCUMENT_PATCH = 'result-document-attachment';
/** Patch id: the applicant's rating is collected by a feedback workflow started when the case closes. */
export const FEEDBACK_AT_CLOSURE_PATCH = 'feedback-at-closure';
/**
 * Umbrella patch id, checked once before the first command: a new case records this one marker (each marker
 * also costs a TemporalChangeVersion upsert, two events) and takes every patched path above without recording
 * their markers; cases started before it find no such marker and ask each older patch as before. It also
 * means the deadline is computed inside a local activity that already runs (admission when the term runs
 * from receipt, the record of the registration otherwise) instead of a task-queue activity of its own.
 */
export const LEAN_HISTORY_PATCH = 'lean-history-2026-12';

function elkActivities(profile: ServiceProfile) {
  return proxyActivities<LifecycleActivities>({
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    // Infrastructure faults retry without limit (SMEV rules); content and business errors do not.
    retry: {
      initialInterval: '500 ms',
      backoffCoefficient: 2,
      maximumInterval: profile.elkRetryMaxIntervalMs,
      nonRetryableErrorTypes: [ELK_BUSINESS_REJECTION],
    },
  });
}

function rejectInput(message: string): never {
  throw ApplicationFailure.create({ type: INPUT_VALIDATION_ERROR, message, nonRetryable: true });
}

export async function applicationLifecycle(rawInput: ApplicationInput): Promise<LifecycleResult> {
  // Decided once, before the first command, so every later call of this run takes the same kind.
  const lean = patched(LEAN_HISTORY_PATCH);
  const admitted = lean || patched(ADMISSION_PATCH);
  const local = admitted || patched(LOCAL_ACTIVITIES_PATCH);
  const oneLocalAtATime = local && (lean || patched(ONE_LOCAL_ACTIVITY_AT_A_TIME_PATCH));
  // Second line of defence: the client validates too, but a workflow may be started by any tool. New cases are
  // checked by the admission activity (below, with the same zod schema as the client); until then the input is
  // only read where a malformed one cannot throw. Cases from before the patch were checked when they started.
  let input = (typeof rawInput === 'object' && rawInput !== null ? rawInput : {}) as ApplicationInput;
  if (!admitted) {
    // Workflow time: the same answer on replay. New cases get this check inside the admission activity, against
    // the workflow time of admission passed to it (and recorded with its result).
    const future = receivedAtProblem(input.receivedAt, Date.now());
    if (future) rejectInput(`Заявление отклонено (application rejected): ${future.field}: ${future.rule}`);
  }
  if (!admitted && workflowInfo().workflowId !== input.applicationNumber) {
    rejectInput(`workflowId must equal applicationNumber (идентификатор процесса должен совпадать с номером заявления)`);
  }

  // Handlers are registered before the first await (an Update arriving earlier would find no handler);
  // they wait for the service profile, which the first activity loads.
  let profile: ServiceProfile | null = null;
  const rec = !local ? records : oneLocalAtATime ? oneAtATime(localRecords) : localRecords;
  // Deadline computations went back to the task queue with that patch: they may retry for hours (a calendar
  // year missing) and must not hold the one-at-a-time queue of records; their results arrive as history events.
  const dl = local && !oneLocalAtATime ? localDeadlines : deadlines;

  let stage: Stage = 'received';
  let assignedClerk: string | null = input.assignedClerk ?? null;
  let deadline: string | null = null;
  let decisionOutcome: 'approve' | 'refuse' | null = null;
  const history: CaseEvent[] = [];
  const elkItems: ElkStatusItem[] = [];
  let elkDelivered = 0;
  let deliveryProblem: ElkDeliveryProblem | null = null;
  let problemResolution: 'retry' | 'skip' | null = null;
  let lastStatusDateMs = 0;
  // PostgreSQL writes of the case record are chained so they land in event order.
  let recordChain: Promise<void> = Promise.resolve();
  let overdue = false;
  let dueDate: string | null = null;
  // An action that awaits an activity (a refusal letter) holds the case until it is done.
  let busyWith: ClerkActionName | null = null;
  let refusalDraft: RefusalDraft | null = null;
  // Inputs of the regulatory clock: a budget plus a ledger of suspensions and extensions. The deadline is
  // computed from them by an activity each time they change (clockVersion), never in workflow code.
  // Stage changes are counted so a stage-term watcher knows when the stage it watches is over.
  let stageVersion = 0;
  let stageEnteredAt = input.receivedAt;
  // The instant the clerk registered the case (case record and reports); the term may start before it.
  let registeredAt: string | null = null;
  /** startedAt: start of the regulatory term — receipt or registration, as the service's regulation says. */
  const clock: Omit<RegulatoryLedger, 'startedAt'> & { startedAt: string | null } = { startedAt: null, suspensions: [], extensions: [] };
  let clockVersion = 0;
  const firedRungs = new Set<string>();
  // LEAN_HISTORY_PATCH: the first deadline of a clock version comes with a local activity that runs anyway
  // (admission, or the record of the action that started the clock); null inside: the calendar had a gap.
  let deadlineAlongside: { version: number; result: Promise<DeadlineComputation | null> } | null = null;
  let computeDeadlineWithNextRecord = false;

  // Clusters without the case search attributes registered (and the time-skipping test server) turn them off.
  function upsertCaseAttributes(updates: SearchAttributeUpdatePair[]): void {
    if (profile?.searchAttributes && updates.length > 0) upsertSearchAttributes(updates);
  }

  const snapshot = (): CaseSnapshot => ({
    applicationNumber: input.applicationNumber,
    serviceCode: input.serviceCode,
    stage,
    assignedClerk,
    deadline,
    overdue,
    suspended: clock.suspensions.some((x) => !x.to),
    history: history.slice(),
    elk: { items: elkItems.map((i) => ({ ...i })), delivered: elkDelivered, problem: deliveryProblem },
  });

  function enqueueElkStatus(forStage: Stage, elkStatus: number | null, attachment?: ElkStatusItem['attachment']): void {
    if (elkStatus === null) return;
    // statusDate must be unique and increasing per order (ЕЛК rejects a status not later than the last one).
    const nowMs = Math.max(Date.now(), lastStatusDateMs + 1);
    lastStatusDateMs = nowMs;
    elkItems.push({
      seq: elkItems.length + 1,
      stage: forStage,
      elkStatus,
      statusDate: new Date(nowMs).toISOString(),
      requestType: elkItems.length === 0 ? 'CreateOrdersRequest' : 'UpdateOrdersRequest',
      state: 'pending',
      generation: 0,
      ...(attachment ? { attachment } : {}),
    });
  }

  function record(action: string, actor: string, note?: string): Promise<void> {
    const event: CaseEvent = { seq: history.length + 1, stage, action, actor, at: new Date().toISOString(), ...(note ? { note } : {}) };
    history.push(event);
    const entry = {
      applicationNumber: input.applicationNumber,
      serviceCode: input.serviceCode,
      channel: input.channel,
      receivedAt: input.receivedAt,
      event,
      assignedClerk,
      deadline,
      dueDate,
      registeredAt,
      overdue,
      outcome: isTerminal(stage) ? stage : null,
    };
    if (computeDeadlineWithNextRecord) {
      computeDeadlineWithNextRecord = false;
      const ledger = { serviceCode: input.serviceCode, startedAt: clock.startedAt!, suspensions: clock.suspensions.map((x) => ({ ...x })), extensions: clock.extensions.map((x) => ({ ...x })) };
      const result = recordChain.then(() => rec.recordCaseEventWithDeadline({ record: entry, ledger }));
      deadlineAlongside = { version: clockVersion, result };
      recordChain = result.then(() => undefined);
      return recordChain;
    }
    recordChain = recordChain.then(() => rec.recordCaseEvent(entry));
    return recordChain;
  }

  function moveTo(
    next: Stage,
    action: string,
    actor: string,
    note?: string,
    elkStatus?: number | null,
    attachment?: ElkStatusItem['attachment'],
  ): Promise<void> {
    const wasSuspending = profile!.suspendingStages.includes(stage);
    const suspends = profile!.suspendingStages.includes(next);
    stage = next;
    stageVersion++;
    stageEnteredAt = new Date().toISOString();
    if (clock.startedAt && suspends && !wasSuspending) {
      clock.suspensions.push({ from: new Date().toISOString(), reason: `stage:${next}` });
      clockVersion++;
    } else if (clock.startedAt && wasSuspending && !suspends) {
      const open = clock.suspensions.find((x) => !x.to);
      if (open) open.to = new Date().toISOString();
      clockVersion++;
    }
    enqueueElkStatus(next, elkStatus === undefined ? profile!.elkStatusByStage[next] : elkStatus, attachment);
    upsertCaseAttributes([{ key: SA.stage, value: next }]);
    return record(action, actor, note);
  }

  function assertActionAllowed(action: ClerkActionName): void {
    const transition = TRANSITIONS[action];
    if (transition && !transition.from.includes(stage)) {
      throw new Error(
        `Действие «${CLERK_ACTION_TITLES_RU[action]}» недопустимо на этапе «${STAGE_TITLES_RU[stage]}» ` +
          `(action ${action} is not allowed in stage ${stage}; allowed in: ${transition.from.join(', ')})`,
      );
    }
    // A delivery problem can still be sorted out after the case closed: its statuses are still owed.
    if (isTerminal(stage) && action !== 'resolveDeliveryProblem') {
      throw new Error(`Заявление уже завершено: «${STAGE_TITLES_RU[stage]}» (case is closed: ${stage})`);
    }
    if (busyWith) {
      throw new Error(`Идёт обработка действия «${CLERK_ACTION_TITLES_RU[busyWith]}», повторите позже (another action is in progress: ${busyWith})`);
    }
    if (action === 'amendRefusal' && !(stage === 'decisionDrafted' && decisionOutcome === 'refuse')) {
      throw new Error('Исправлять можно только проект отказа (only a drafted refusal can be amended)');
    }
    if (action === 'extendDeadline' && !clock.startedAt) {
      throw new Error('Срок ещё не начал течь: заявление не зарегистрировано (the term of this service starts at registration)');
    }
  }

  /** The arguments as the guards normalise them (trimmed, unknown keys dropped), or an error naming field and rule. */
  function validArgs<A extends ClerkActionName>(action: A, args: unknown): ClerkActionArgs<A> {
    const result = checkClerkAction(action, args);
    if (!result.ok) throw new Error(`Действие «${CLERK_ACTION_TITLES_RU[action]}» отклонено (${action} rejected): ${result.message}`);
    return result.value;
  }

  function setClerkAction<A extends ClerkActionName>(
    action: A,
    extraCheck: ((args: ClerkActionArgs<A>) => void) | null,
    apply: (args: ClerkActionArgs<A>) => Promise<void>,
  ): void {
    setHandler(
      clerkActionUpdates[action] as ReturnType<typeof defineUpdate<CaseSnapshot, [ClerkActionArgs<A>]>>,
      async (args: ClerkActionArgs<A>) => {
        if (!profile) {
          await condition(() => profile !== null);
          // Validated before the profile arrived: check again against the stage as it is now.
          assertActionAllowed(action);
          extraCheck?.(args);
        }
        await apply(validArgs(action, args));
        return snapshot();
      },
      {
        validator: (args: ClerkActionArgs<A>) => {
          validArgs(action, args);
          assertActionAllowed(action);
          extraCheck?.(args);
        },
        description: CLERK_ACTION_TITLES_RU[action],
      },
    );
  }

  const simpleTransition = <A extends ClerkActionName>(action: A) =>
    setClerkAction(action, null, (a) => {
      const args = a as { clerk: string; note?: string };
      return moveTo(TRANSITIONS[action]!.to, action, args.clerk, args.note);
    });

  setClerkAction('register', null, async (a) => {
    if (!assignedClerk) {
      assignedClerk = a.clerk;
      upsertCaseAttributes([{ key: SA.assignedClerk, value: a.clerk }]);
    }
    registeredAt = new Date().toISOString();
    // A term that runs from receipt is already running: a late registration eats its budget, it does not restart it.
    if (!clock.startedAt) {
      clock.startedAt = registeredAt;
      clockVersion++;
      // The registration's record computes the first deadline too (see LEAN_HISTORY_PATCH).
      computeDeadlineWithNextRecord = lean;
    }
    await moveTo('registered', 'register', a.clerk, a.note);
  });
  simpleTransition('startReview');
  setClerkAction('requestInteragency', null, (a) => moveTo('interagencyRequested', 'requestInteragency', a.clerk, [a.agencies.join(', '), a.note].filter(Boolean).join(' — ')));
  setClerkAction('recordInteragencyAnswer', null, (a) => moveTo('underReview', 'recordInteragencyAnswer', a.clerk, [a.agency, a.note].filter(Boolean).join(' — ')));
  setClerkAction('requestFromApplicant', null, (a) =>
    moveTo('awaitingApplicant', `requestFromApplicant:${a.kind}`, a.clerk, a.note, profile!.awaitingApplicantStatus[a.kind]),
  );
  /** Renders and stores the refusal letter; a rejected ground fails the action and leaves the stage as it was. */
  async function draftRefusalLetter(action: ClerkActionName, clerk: string, grounds: { code: string; facts: Record<string, unknown> }[]): Promise<void> {
    busyWith = action;
    try {
      refusalDraft = await letters.prepareRefusalLetter({
        applicationNumber: input.applicationNumber,
        serviceCode: input.serviceCode,
        version: (refusalDraft?.version ?? 0) + 1,
        applicant: input.applicant,
        clerk,
        decidedAt: new Date().toISOString(),
        grounds,
      });
    } catch (err) {
      const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : null;
      if (cause?.type === REFUSAL_VALIDATION_ERROR) {
        throw ApplicationFailure.create({ type: REFUSAL_VALIDATION_ERROR, message: `Отказ не оформлен (refusal rejected): ${cause.message}`, nonRetryable: true });
      }
      throw err;
    } finally {
      busyWith = null;
    }
  }

  setClerkAction('draftDecision', null, async (a) => {
    if (a.outcome === 'refuse') await draftRefusalLetter('draftDecision', a.clerk, a.grounds!);
    decisionOutcome = a.outcome;
    await moveTo('decisionDrafted', `draftDecision:${a.outcome}`, a.clerk, a.note);
  });
  setClerkAction('amendRefusal', null, async (a) => {
    await draftRefusalLetter('amendRefusal', a.clerk, a.grounds);
    await record('amendRefusal', a.clerk, a.note ?? `версия ${refusalDraft!.version}`);
  });
  setClerkAction('extendDeadline', null, async (a) => {
    clock.extensions.push({ amount: a.amount, unit: a.unit, reason: a.reason });
    clockVersion++;
    await record('extendDeadline', a.clerk, `+${a.amount} ${a.unit}: ${a.reason}`);
  });
  setClerkAction(
    'approve',
    () => {
      if (decisionOutcome !== 'approve') throw new Error('Проект решения — отказ; утвердить предоставление нельзя (draft decision is a refusal)');
    },
    (a) => moveTo('approved', 'approve', a.clerk, a.note),
  );
  setClerkAction(
    'refuse',
    () => {
      if (decisionOutcome !== 'refuse') throw new Error('Проект решения — предоставление; утвердить отказ нельзя (draft decision is an approval)');
    },
    async (a) => {
      // The letter is stored (draftDecision) and marked issued before the refusal status is queued for ЕЛК.
      busyWith = 'refuse';
      let attachment: ElkStatusItem['attachment'];
      try {
        attachment = await letters.issueRefusalLetter({ applicationNumber: input.applicationNumber, letterId: refusalDraft!.letterId, clerk: a.clerk });
      } finally {
        busyWith = null;
      }
      await moveTo('refused', 'refuse', a.clerk, a.note, undefined, attachment);
    },
  );
  setClerkAction('issueResult', null, async (a) => {
    let attachment: ElkStatusItem['attachment'];
    // Marker for histories with a result document; cases issued without one replay unchanged.
    if (a.document && (lean || patched(RESULT_DOCUMENT_PATCH))) {
      busyWith = 'issueResult';
      try {
        attachment = await letters.attachResultDocument({ applicationNumber: input.applicationNumber, ...a.document, clerk: a.clerk });
      } catch (err) {
        const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : null;
        if (cause?.type === RESULT_DOCUMENT_MISSING) {
          throw ApplicationFailure.create({ type: RESULT_DOCUMENT_MISSING, message: `Результат не выдан (result not issued): ${cause.message}`, nonRetryable: true });
        }
        throw err;
      } finally {
        busyWith = null;
      }
    }
    await moveTo('resultIssued', 'issueResult', a.clerk, a.note, undefined, attachment);
  });
  setClerkAction(
    'reassign',
    (a) => {
      if (a.to.trim() === assignedClerk) throw new Error(`Заявление уже назначено исполнителю ${a.to.trim()} (already assigned)`);
    },
    async (a) => {
      assignedClerk = a.to;
      upsertCaseAttributes([{ key: SA.assignedClerk, value: a.to }]);
      await record('reassign', a.clerk, `→ ${a.to}: ${a.reason}`);
    },
  );
  setClerkAction(
    'resolveDeliveryProblem',
    () => {
      if (!deliveryProblem) throw new Error('Нет ошибки передачи статуса для разбора (no delivery problem is open)');
    },
    async (a) => {
      problemResolution = a.action;
      await record(`resolveDeliveryProblem:${a.action}`, a.clerk, a.note);
    },
  );

  // Applied synchronously once the profile is known, so a clerk's Update that follows the portal's callback
  // in the same activation already sees the new stage.
  setHandler(applicantRespondedSignal, async (raw) => {
    if (!profile) await condition(() => profile !== null);
    const args = check(ApplicantRespondedGuard, raw ?? {});
    if (!args.ok || stage !== 'awaitingApplicant') {
      // Duplicate or late callbacks from the portal are expected; they change nothing.
      log.info('applicantResponded ignored', { stage, valid: args.ok });
      return;
    }
    // Review resumes: the cabinet must stop showing «требует исправления» (see shared/elkStatusMapping.ts).
    const resumed = lean || patched(STATUS_ON_APPLICANT_RESPONSE_PATCH)
      ? (profile!.elkStatusOnApplicantResponse !== undefined ? profile!.elkStatusOnApplicantResponse : DEFAULT_ELK_STATUS_ON_APPLICANT_RESPONSE)
      : undefined;
    void moveTo('underReview', 'applicantResponded', 'applicant', args.value.note, resumed);
  });
  setHandler(applicantCancelledSignal, async (raw) => {
    if (!profile) await condition(() => profile !== null);
    const args = check(ApplicantCancelledGuard, raw ?? {});
    if (!args.ok || !CANCELLABLE_STAGES.includes(stage)) {
      log.info('applicantCancelled ignored', { stage, valid: args.ok });
      return;
    }
    void moveTo('cancelled', 'applicantCancelled', 'applicant', args.value.reason);
  });
  setHandler(stateQuery, snapshot);
  setHandler(historyQuery, () => history.slice());
  setHandler(deadlineQuery, () => deadline);
  setHandler(refusalDraftQuery, () => refusalDraft);

  // ---- ЕЛК delivery: one status at a time, in order, without blocking the handlers above ----
  async function deliverAll(loaded: ServiceProfile): Promise<void> {
    const elk = elkActivities(loaded);
    for (;;) {
      await condition(() => elkDelivered < elkItems.length || (isTerminal(stage) && elkDelivered === elkItems.length));
      if (elkDelivered === elkItems.length) return; // terminal and drained
      const item = elkItems[elkDelivered];
      try {
        await elk.pushStatusToElk({
          applicationNumber: input.applicationNumber,
          seq: item.seq,
          stage: item.stage,
          elkStatus: item.elkStatus,
          statusDate: item.statusDate,
          requestType: item.requestType,
          serviceTargetCode: loaded.serviceTargetCode,
          channel: input.channel,
          receivedAt: input.receivedAt,
          applicant: input.applicant,
          ...(input.officeName ? { officeName: input.officeName } : {}),
          ...(item.attachment ? { attachment: item.attachment } : {}),
          generation: item.generation,
          serviceCode: input.serviceCode,
          ...(input.epgu ? { epgu: input.epgu } : {}),
        });
        item.state = 'delivered';
        elkDelivered++;
      } catch (err) {
        const failure = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : null;
        if (!failure || failure.type !== ELK_BUSINESS_REJECTION) throw err;
        const [detail] = (failure.details ?? []) as [{ code: number | string; message: string } | undefined];
        const taskKey = `elk-delivery:${input.applicationNumber}:${item.seq}:${history.length}`;
        deliveryProblem = { seq: item.seq, code: detail?.code ?? 'unknown', message: detail?.message ?? failure.message, taskKey };
        problemResolution = null;
        await rec.openClerkTask({
          taskKey,
          applicationNumber: input.applicationNumber,
          kind: 'elkDeliveryProblem',
          assigneeRole: 'clerk',
          assignee: assignedClerk,
          title: `ЕЛК отклонил статус ${item.elkStatus} по заявлению ${input.applicationNumber}`,
          body:
            `Статус «${STAGE_TITLES_RU[item.stage]}» (код ЕЛК ${item.elkStatus}) не принят личным кабинетом ЕПГУ: ` +
            `код ответа ${deliveryProblem.code}, «${deliveryProblem.message}». Исправьте данные и повторите передачу ` +
            `или пропустите этот статус. Следующие статусы ждут разбора, работа с делом не блокируется.`,
          dueAt: null,
        });
        await condition(() => problemResolution !== null);
        await rec.closeClerkTask({ taskKey, resolution: problemResolution! });
        if (problemResolution === 'retry') item.generation++;
        if (problemResolution === 'skip') {
          await rec.markElkStatusSkipped({ applicationNumber: input.applicationNumber, seq: item.seq });
          item.state = 'skipped';
          elkDelivered++;
        }
        deliveryProblem = null;
        problemResolution = null;
      }
    }
  }

  // ---- Regulatory deadline and escalation ladder ----
  function applyDeadline(computed: DeadlineComputation): void {
    deadline = computed.deadline;
    dueDate = computed.dueDate;
    upsertCaseAttributes([{ key: SA.deadline, value: computed.deadline ? new Date(computed.deadline) : null }]);
  }

  const escalationsInFlight: Promise<unknown>[] = [];
  /**
   * Runs a calendar activity, abandoning it when the case finishes: a computation retried for hours (a year
   * missing from the production calendar) must not keep a finished case open.
   */
  async function unlessFinished<T>(fn: () => Promise<T>): Promise<T | null> {
    const scope = new CancellationScope();
    const work = scope.run(fn);
    const finished = condition(() => isTerminal(stage)).then(() => scope.cancel());
    try {
      return await work;
    } catch (err) {
      if (isCancellation(err) && isTerminal(stage)) return null;
      throw err;
    } finally {
      void finished;
    }
  }

  async function watchDeadline(): Promise<void> {
    await condition(() => clock.startedAt !== null || isTerminal(stage));
    while (!isTerminal(stage)) {
      const version = clockVersion;
      const alongside = deadlineAlongside?.version === version ? deadlineAlongside.result : null;
      deadlineAlongside = null;
      const computed = (alongside && (await alongside)) ?? await unlessFinished(() =>
        dl.computeDeadline({
          serviceCode: input.serviceCode,
          startedAt: clock.startedAt!,
          suspensions: clock.suspensions.map((x) => ({ ...x })),
          extensions: clock.extensions.map((x) => ({ ...x })),
        }),
      );
      if (!computed) break;
      if (version !== clockVersion) continue; // the clock moved while we computed
      applyDeadline(computed);
      void record('deadline', 'system', computed.deadline ? `срок: ${computed.dueDate}` : 'срок приостановлен');
      let moved = false;
      // A rung fires once per case: one that fired before the clock moved is not repeated.
      for (const rung of computed.rungs.filter((r) => !firedRungs.has(r.rung))) {
        const wait = Math.max(0, Date.parse(rung.fireAt) - Date.now());
        const interrupted = await condition(() => clockVersion !== version || isTerminal(stage), wait);
        if (interrupted) {
          moved = true;
          break;
        }
        firedRungs.add(rung.rung);
        if (rung.flagsOverdue) {
          overdue = true;
          upsertCaseAttributes([{ key: SA.overdue, value: true }]);
        }
        // Not awaited: a notification channel that is down must not hold back the next rung.
        escalationsInFlight.push(escalations.fireEscalationRung({
          applicationNumber: input.applicationNumber,
          serviceCode: input.serviceCode,
          serviceTitle: profile!.title,
          rung: rung.rung,
          notify: rung.notify,
          deadline: computed.deadline!,
          fireAt: rung.fireAt,
          firedAt: new Date().toISOString(),
          assignedClerk,
          flagsOverdue: rung.flagsOverdue,
        }));
        void record(`escalation:${rung.rung}`, 'system', rung.notify.join(', '));
      }
      if (!moved) await condition(() => clockVersion !== version || isTerminal(stage));
    }
    await Promise.allSettled(escalationsInFlight);
    if (clock.startedAt) {
      await rec.cancelOpenEscalationTasks({ applicationNumber: input.applicationNumber, reason: `Заявление завершено: «${STAGE_TITLES_RU[stage]}»` });
    }
  }

  /** A stage with a term of its own: when it is not left in time, the clerk gets a task (once per stage visit). */
  async function watchStageTerms(): Promise<void> {
    while (!isTerminal(stage)) {
      const version = stageVersion;
      const watched = stage;
      if (profile!.stagesWithTerms.includes(watched)) {
        // The registration term came with the admission (one local activity instead of two).
        const term =
          version === 0 && receivedStageDeadline !== undefined
            ? receivedStageDeadline && { deadline: receivedStageDeadline }
            : await unlessFinished(() => dl.computeStageDeadline({ serviceCode: input.serviceCode, stage: watched, enteredAt: stageEnteredAt }));
        if (term && version === stageVersion) {
          const left = await condition(() => stageVersion !== version || isTerminal(stage), Math.max(0, Date.parse(term.deadline) - Date.now()));
          if (!left) {
            await rec.openClerkTask({
              taskKey: `stage-term:${input.applicationNumber}:${watched}:${version}`,
              applicationNumber: input.applicationNumber,
              kind: `stageTerm:${watched}`,
              assigneeRole: 'clerk',
              assignee: assignedClerk,
              title: `Истёк срок этапа «${STAGE_TITLES_RU[watched]}» по заявлению ${input.applicationNumber}`,
              body: `Этап «${STAGE_TITLES_RU[watched]}» должен был завершиться к ${term.deadline} по регламенту услуги «${profile!.title}». Завершите этап или зафиксируйте причину задержки.`,
              dueAt: term.deadline,
            });
            void record(`stageTermExceeded:${watched}`, 'system');
          }
        }
      }
      await condition(() => stageVersion !== version || isTerminal(stage));
    }
  }

  /**
   * The applicant's rating arrives after this workflow has ended: a feedback workflow next to it (abandoned
   * child, id feedback:<number>) registers the served event with ИАС МКГУ and receives the ratings.
   */
  async function startFeedbackAtClosure(): Promise<void> {
    const applicant = input.applicant;
    const phone = applicant.kind === 'person' && applicant.phone && /^\+7\d{10}$/.test(applicant.phone) ? applicant.phone : undefined;
    const email = applicant.kind === 'person' ? applicant.email : undefined;
    const args: FeedbackInput = {
      applicationNumber: input.applicationNumber,
      serviceCode: input.serviceCode,
      served: { outcome: stage as 'resultIssued' | 'refused' | 'cancelled', servedAt: new Date().toISOString(), contact: { ...(phone ? { phone } : {}), ...(email ? { email } : {}) } },
    };
    // LEAN_HISTORY_PATCH: started by a local activity (one marker) where the worker has a client for it.
    if (lean && (await rec.startApplicantFeedback(args))) return;
    try {
      await startChild('applicantFeedback', { workflowId: feedbackWorkflowId(input.applicationNumber), args: [args], parentClosePolicy: ParentClosePolicy.ABANDON });
    } catch (err) {
      // A rating that came first already started it (signal-with-start): that run registers nothing, which is
      // acceptable — the rating system knew the case, or the rating could not have been given.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  /** Checks the input (same zod schema as the client), loads the profile, records "receive": one marker. */
  async function admit(at: string): Promise<Admission> {
    try {
      return await localRecords.admitApplication({ workflowId: workflowInfo().workflowId, application: rawInput, at });
    } catch (err) {
      const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : null;
      if (cause?.type === INPUT_VALIDATION_ERROR) rejectInput(cause.message);
      throw err;
    }
  }

  // undefined: watchStageTerms computes the registration term itself (cases from before ADMISSION_PATCH).
  let receivedStageDeadline: string | null | undefined;
  let initialAttributes: SearchAttributeUpdatePair[];
  if (admitted) {
    const admittedAt = new Date().toISOString();
    const admission = await admit(admittedAt);
    input = admission.input;
    assignedClerk = input.assignedClerk ?? null;
    stageEnteredAt = input.receivedAt;
    receivedStageDeadline = admission.receivedStageDeadline;
    history.push({ seq: 1, stage: 'received', action: 'receive', actor: `channel:${input.channel}`, at: admittedAt });
    profile = admission.profile;
    if (lean && admission.deadline) deadlineAlongside = { version: 1, result: Promise.resolve(admission.deadline) };
  } else {
    profile = await rec.loadServiceProfile(input.serviceCode);
  }
  // Profiles recorded before termStartsAt existed replay as before: the term starts at registration.
  if (profile.termStartsAt === 'receipt') {
    clock.startedAt = input.receivedAt;
    clockVersion++;
  }
  initialAttributes = [
    { key: SA.stage, value: stage },
    { key: SA.serviceCode, value: input.serviceCode },
    ...(assignedClerk ? [{ key: SA.assignedClerk, value: assignedClerk }] : []),
  ];
  // CaseClient sets these when it starts the case: upserting them again is an event that changes nothing.
  if (admitted) initialAttributes = initialAttributes.filter((u) => workflowInfo().typedSearchAttributes.get(u.key as never) !== u.value);
  upsertCaseAttributes(initialAttributes);
  const delivery = deliverAll(profile);
  const watching = watchDeadline();
  const watchingStages = watchStageTerms();
  if (!admitted) void record('receive', `channel:${input.channel}`);
  enqueueElkStatus('received', profile.elkStatusByStage.received);

  await condition(() => isTerminal(stage));
  await watching;
  await watchingStages;
  await delivery;
  await recordChain;
  await condition(allHandlersFinished);
  if (lean || patched(FEEDBACK_AT_CLOSURE_PATCH)) await startFeedbackAtClosure();
  return {
    applicationNumber: input.applicationNumber,
    outcome: stage,
    elkStatusesDelivered: elkItems.filter((i) => i.state === 'delivered').length,
    elkStatusesSkipped: elkItems.filter((i) => i.state === 'skipped').length,
  };
}
