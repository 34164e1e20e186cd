// How this run reaches its case record and its deadline computations: task-queue or local activities, one
// at a time or not. Decided once, before the first command, by patches, so every later call of the run takes
// the same kind and old histories replay with the activities they recorded.
import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ActivityInterfaceFor, LocalActivityInterfaceFor } from '@temporalio/workflow';
import type { LifecycleActivities } from '../../activities';
import { COMPACT_HISTORY, type LifecycleRunOptions } from '../../shared/lifecycle';

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
export const LOCAL_ACTIVITIES_PATCH = 'local-record-and-deadline-activities';
/**
 * Patch id: new cases are admitted by one local activity (input check, service profile, "receive" record,
 * registration term) instead of zod in the workflow and three local activities, and skip search attributes the
 * start already set. Implies LOCAL_ACTIVITIES_PATCH, so a new case records one patch marker, not two.
 */
export const ADMISSION_PATCH = 'admission-activity';
/**
 * Patch id: local activities run one at a time. Two local activities in flight at once (a record and a deadline
 * computation, a record and a clerk-task write) let the order of the commands that follow them (an Update's
 * completion, a search-attribute upsert, an activity) depend on how their results were batched into
 * activations, which replay after a cache eviction does not reproduce: a nondeterminism error. One at a time,
 * results arrive in the order the calls were made, on every run and every replay.
 */
export const ONE_LOCAL_ACTIVITY_AT_A_TIME_PATCH = 'one-local-activity-at-a-time';
/**
 * Umbrella patch id, checked once before the first command: a new case records this one marker (each marker
 * also costs a TemporalChangeVersion upsert, two events) and takes every patched path of the lifecycle without
 * recording their markers (CaseState.patched); cases started before it find no such marker and ask each older
 * patch as before. It also means the deadline is computed inside a local activity that already runs (admission
 * when the term runs from receipt, the record of the registration otherwise) instead of a task-queue activity
 * of its own.
 */
export const LEAN_HISTORY_PATCH = 'lean-history-2026-12';

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

/** The lifecycle activities as this run calls them (task-queue or local; a one-at-a-time queue is the run's own). */
export type LifecycleProxy = ActivityInterfaceFor<LifecycleActivities> | LocalActivityInterfaceFor<LifecycleActivities>;

export interface ActivityKinds {
  /**
   * Started compact (COMPACT_HISTORY, the run's second argument): no patch marker at all, every patched path
   * taken, and the compact paths of caseState.ts. Implies lean.
   */
  compact: boolean;
  /** LEAN_HISTORY_PATCH: every later patch is taken without its own marker. */
  lean: boolean;
  /** New cases: the admission activity checks the input and loads the profile (see admission.ts). */
  admitted: boolean;
  records: LifecycleProxy;
  deadlines: LifecycleProxy;
  /** The admission activity always runs local, outside the one-at-a-time queue (it is the first call). */
  admission: LifecycleProxy;
}

/** Call before the first command of the run: the patch markers are the run's first events. */
export function chooseActivityKinds(run: LifecycleRunOptions | undefined): ActivityKinds {
  // Read from the start event's arguments, so the same on every replay; an older case has no second argument.
  const compact = run?.historyShape === COMPACT_HISTORY;
  const lean = compact || patched(LEAN_HISTORY_PATCH);
  const admitted = lean || patched(ADMISSION_PATCH);
  const local = admitted || patched(LOCAL_ACTIVITIES_PATCH);
  const oneLocalAtATime = local && (lean || patched(ONE_LOCAL_ACTIVITY_AT_A_TIME_PATCH));
  return {
    compact,
    lean,
    admitted,
    records: !local ? records : oneLocalAtATime ? oneAtATime(localRecords) : localRecords,
    // Deadline computations went back to the task queue with ONE_LOCAL_ACTIVITY_AT_A_TIME_PATCH: they may retry
    // for hours (a calendar year missing) and must not hold the one-at-a-time queue of records; their results
    // arrive as history events.
    deadlines: local && !oneLocalAtATime ? localDeadlines : deadlines,
    admission: localRecords,
  };
}
