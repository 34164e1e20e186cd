// One feedback workflow per application, id `feedback:<application number>`, next to the lifecycle rather than
// inside it: the lifecycle ends when the case is closed and its statuses are delivered, while ratings arrive days
// or weeks later. The lifecycle starts this workflow at closure (abandoned child: it outlives its parent) with
// the served event to register; a rating that finds no running workflow starts one with signal-with-start. It
// holds the reactions to critical reviews — term in working days, escalation, the head's measure, the answer —
// and completes after a quiet period with no open reaction. A run started at closure ends as soon as the served
// event is registered, unless a rating came with it. A later rating starts a fresh run under the same id.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import { COMPACT_HISTORY } from '../shared/lifecycle';
import type { LifecycleActivities } from '../activities';
import type { FeedbackActivities, ReactionPlan, RoutedRating } from '../feedback';
// Zod-free: the sandbox loads none of zod (shared/feedbackRules.ts guards mirror feedback/ratingSchemas.ts).
import {
  checkFeedback,
  FeedbackInput,
  FeedbackInputGuard,
  FlagCommentGuard,
  ReactionActorGuard,
  RecordMeasureGuard,
} from '../shared/feedbackRules';
import type { Guard } from '../shared/guards';

export interface ReactionView {
  reactionId: string;
  ratingId: number;
  trigger: 'lowRating' | 'flaggedComment';
  deadline: string | null;
  measureRecorded: boolean;
  answerSha256: string | null;
  overdue: boolean;
  closed: boolean;
}

export interface FeedbackView {
  applicationNumber: string;
  servedEventPackage: string | null;
  ratings: number;
  reactions: ReactionView[];
}

export const feedbackSignals = {
  rating: defineSignal<[RoutedRating]>('feedbackRating'),
  flagComment: defineSignal<[{ ratingId: number; clerk: string }]>('flagComment'),
};
export const feedbackUpdates = {
  recordMeasure: defineUpdate<ReactionView, [{ reactionId: string; head: string; measure: string }]>('recordMeasure'),
  sendAnswer: defineUpdate<ReactionView, [{ reactionId: string; head: string }]>('sendAnswer'),
  closeReaction: defineUpdate<ReactionView, [{ reactionId: string; head: string }]>('closeReaction'),
};
export const feedbackQueries = { state: defineQuery<FeedbackView>('feedbackState') };

const fb = proxyActivities<FeedbackActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// The answer heartbeats while it sends (SMS, then e-mail): a worker that dies mid-send is replaced after the
// heartbeat timeout, not the start-to-close. Only the timeouts differ from fb: the command replays unchanged.
const answering = proxyActivities<FeedbackActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// Compact runs register the served event as a local activity first: one marker instead of three events and the
// workflow task its completion wakes. Three quick attempts (about 3 s, inside the first workflow task); an ИАС МКГУ
// that stays down is then retried by the task-queue activity, whose backoff costs no history per attempt.
const fbLocal = proxyLocalActivities<FeedbackActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '2 seconds', maximumAttempts: 3 },
});
const lc = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * A run started at closure ends once the served event is registered, unless a rating came in meanwhile. A later
 * rating starts a run of its own (signal-with-start), so waiting for one here kept an idle workflow open for
 * `quietDays` after every closed case: ~6 M open workflows in a region of 1 M applications a month. Only for runs the
 * client starter marks (`closureRun`): a child started by a worker embedded without a client keeps the old path.
 * And behind a patch as well, so a fleet of old and new workers in a rolling upgrade replays each run the way it ran.
 */
export const FEEDBACK_ENDS_WHEN_REGISTERED_PATCH = 'feedback-ends-when-registered';

interface Reaction extends ReactionView {
  busy: boolean;
}

export async function applicantFeedback(raw: FeedbackInput): Promise<FeedbackView> {
  const parsed = checkFeedback(FeedbackInputGuard, raw);
  // A bad input stays bad on every replay: fail the run, not the workflow task.
  if (!parsed.ok) throw ApplicationFailure.nonRetryable(`applicantFeedback: ${parsed.message}`, 'InvalidFeedbackInput');
  const input = parsed.value;
  const app = input.applicationNumber;
  const seen = new Set<number>();
  const inbox: { rating?: RoutedRating; flag?: { ratingId: number; clerk: string } }[] = [];
  const reactions = new Map<string, Reaction>();
  const running: Promise<void>[] = [];
  let servedEventPackage: string | null = null;

  const view = (r: Reaction): ReactionView => {
    const { busy: _busy, ...v } = r;
    return { ...v };
  };
  const reactionFor = (id: string): Reaction => {
    const r = reactions.get(id);
    if (!r) throw new Error(`Реакция ${id} не найдена (unknown reactionId)`);
    if (r.closed) throw new Error(`Реакция ${id} уже закрыта (reaction already closed)`);
    return r;
  };
  const parse = <T>(guard: Guard<T>, x: unknown): T => {
    const r = checkFeedback(guard, x);
    if (!r.ok) throw new Error(r.message);
    return r.value;
  };

  setHandler(feedbackSignals.rating, (rating) => void inbox.push({ rating }));
  setHandler(feedbackSignals.flagComment, (flag) => {
    const r = checkFeedback(FlagCommentGuard, flag);
    if (r.ok) inbox.push({ flag: r.value });
    else log.warn('flagComment ignored: invalid', { issues: r.message.split('; ').length });
  });
  setHandler(feedbackQueries.state, () => ({ applicationNumber: app, servedEventPackage, ratings: seen.size, reactions: [...reactions.values()].map(view) }));

  /** One action at a time per reaction: while it runs, the validators below refuse the next one. */
  async function holding(r: Reaction, work: () => Promise<void>): Promise<ReactionView> {
    r.busy = true;
    try {
      await work();
    } finally {
      r.busy = false;
    }
    return view(r);
  }
  /** What every reaction Update checks first: valid arguments, a known reaction, no other action in flight. */
  function idleReaction<T extends { reactionId: string }>(guard: Guard<T>, args: unknown): Reaction {
    const r = reactionFor(parse(guard, args).reactionId);
    if (r.busy || !r.deadline) throw new Error('Реакция занята другим действием (another action is in progress)');
    return r;
  }

  setHandler(
    feedbackUpdates.recordMeasure,
    (args) => {
      const a = parse(RecordMeasureGuard, args);
      const r = reactions.get(a.reactionId)!;
      return holding(r, async () => {
        await fb.recordReactionMeasure({ reactionId: r.reactionId, head: a.head, measure: a.measure, at: new Date().toISOString() });
        r.measureRecorded = true;
      });
    },
    {
      validator: (args) => {
        const r = idleReaction(RecordMeasureGuard, args);
        if (r.answerSha256) throw new Error('Ответ заявителю уже отправлен: меры изменить нельзя (answer already sent)');
      },
    },
  );

  setHandler(
    feedbackUpdates.sendAnswer,
    (args) => {
      const r = reactions.get(args.reactionId)!;
      return holding(r, async () => {
        const sent = await answering.sendReactionAnswer({ reactionId: r.reactionId, applicationNumber: app, serviceCode: input.serviceCode, at: new Date().toISOString() });
        r.answerSha256 = sent.contentSha256;
      });
    },
    {
      validator: (args) => {
        const r = idleReaction(ReactionActorGuard, args);
        if (!r.measureRecorded) throw new Error('Сначала зафиксируйте принятые меры (recordMeasure before sendAnswer)');
        if (r.answerSha256) throw new Error('Ответ заявителю уже отправлен (answer already sent)');
      },
    },
  );

  setHandler(
    feedbackUpdates.closeReaction,
    (args) => {
      const r = reactions.get(args.reactionId)!;
      return holding(r, async () => {
        await fb.closeReaction({ reactionId: r.reactionId, head: args.head, at: new Date().toISOString(), deadline: r.deadline!, applicationNumber: app });
        r.closed = true;
      });
    },
    {
      validator: (args) => {
        const r = idleReaction(ReactionActorGuard, args);
        if (!r.measureRecorded) throw new Error('Закрыть нельзя: не зафиксированы принятые меры (no measure recorded)');
        if (!r.answerSha256) throw new Error('Закрыть нельзя: ответ заявителю не отправлен (no answer sent)');
      },
    },
  );

  async function runReaction(r: Reaction): Promise<void> {
    r.busy = true;
    const plan: ReactionPlan = await fb.openReaction({
      reactionId: r.reactionId,
      applicationNumber: app,
      serviceCode: input.serviceCode,
      ratingId: r.ratingId,
      trigger: r.trigger,
      openedAt: new Date().toISOString(),
      termWorkingDays: input.reactionTermWorkingDays,
    });
    r.deadline = plan.deadline;
    r.busy = false;
    // The survey must not hold the reaction up: a dead SMSC is retried in the background of the term.
    const survey = fb.sendFollowUpSurvey({ reactionId: r.reactionId, applicationNumber: app, serviceCode: input.serviceCode, dueAt: plan.deadline }).then(
      () => undefined,
      (err) => log.warn('follow-up survey failed', { reactionId: r.reactionId, error: String(err) }),
    );
    for (const rung of plan.rungs) {
      const wait = Date.parse(rung.fireAt) - Date.now();
      if (wait > 0) await condition(() => r.closed, wait);
      if (r.closed) break;
      await lc.fireEscalationRung({
        applicationNumber: app,
        serviceCode: input.serviceCode,
        serviceTitle: plan.serviceTitle,
        rung: rung.rung,
        notify: rung.notify as ('clerk' | 'head' | 'deputy' | 'management')[],
        deadline: plan.deadline,
        fireAt: rung.fireAt,
        firedAt: new Date().toISOString(),
        assignedClerk: null,
        flagsOverdue: false,
      });
      if (rung.flagsOverdue || rung.rung === 'reaction:breach') {
        r.overdue = true;
        await fb.markReactionOverdue({ reactionId: r.reactionId });
      }
    }
    await condition(() => r.closed);
    await survey;
  }

  function open(ratingId: number, trigger: Reaction['trigger']): void {
    const reactionId = `${app}:rating-${ratingId}`;
    if (reactions.has(reactionId)) return;
    const r: Reaction = { reactionId, ratingId, trigger, deadline: null, measureRecorded: false, answerSha256: null, overdue: false, closed: false, busy: false };
    reactions.set(reactionId, r);
    running.push(runReaction(r));
  }

  const registerServedEvent = (served: NonNullable<typeof input.served>) => {
    const args = { applicationNumber: app, serviceCode: input.serviceCode, ...served };
    // Decided by the start's input and by the local attempt's recorded outcome: the same on every replay.
    if (input.historyShape !== COMPACT_HISTORY) return fb.registerServedEvent(args);
    return fbLocal.registerServedEvent(args).catch(() => fb.registerServedEvent(args));
  };
  const registering = input.served
    ? registerServedEvent(input.served).then(
        (r) => void (servedEventPackage = r.packageId),
        (err) => log.error('served event not registered', { error: String(err) }),
      )
    : Promise.resolve();

  const openCount = () => [...reactions.values()].filter((r) => !r.closed).length;
  const result = (): FeedbackView => ({ applicationNumber: app, servedEventPackage, ratings: seen.size, reactions: [...reactions.values()].map(view) });
  if (input.served && input.closureRun === 'endsWhenRegistered' && patched(FEEDBACK_ENDS_WHEN_REGISTERED_PATCH)) {
    await registering;
    if (inbox.length === 0) return result();
  }
  for (;;) {
    const active = await condition(() => inbox.length > 0, `${input.quietDays} days`);
    while (inbox.length > 0) {
      const item = inbox.shift()!;
      if (item.rating) {
        if (seen.has(item.rating.ratingId)) continue; // a duplicate delivery counts once
        seen.add(item.rating.ratingId);
        if (item.rating.critical) open(item.rating.ratingId, 'lowRating');
      } else if (item.flag) {
        open(item.flag.ratingId, 'flaggedComment');
      }
    }
    if (!active && openCount() === 0) break;
    if (!active) await condition(() => inbox.length > 0 || openCount() === 0);
  }
  await registering;
  await Promise.all(running);
  await condition(allHandlersFinished);
  return result();
}

/** Run by the ratings-pull Schedule: one pull of the rating system's pages, then routing of what is new. */
export async function ratingsPull(): Promise<{ pages: number; accepted: number; duplicates: number; quarantined: number; rejectedPages: number; routed: number }> {
  return proxyActivities<FeedbackActivities>({ startToCloseTimeout: '10 minutes', retry: { maximumAttempts: 5 } }).pullRatingsFromMkgu({});
}
