// How an activity's failure reaches the workflow, and how the workflow fails an Update or the run for good.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** The activity's own ApplicationFailure when it failed with that type, else null (a timeout, a cancellation...). */
export function activityFailureOfType(err: unknown, type: string): ApplicationFailure | null {
  const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : null;
  return cause?.type === type ? cause : null;
}

/** A non-retryable failure of the same type, its message prefixed with what it means for the case. */
export function failedBecause(type: string, prefix: string, cause: ApplicationFailure): ApplicationFailure {
  return ApplicationFailure.create({ type, message: `${prefix}: ${cause.message}`, nonRetryable: true });
}
