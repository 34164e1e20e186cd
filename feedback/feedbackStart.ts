// Starts the feedback workflow of a closed case from the lifecycle's closing local activity: one marker in the
// lifecycle's history instead of a child workflow (initiated and started events, plus the workflow task the
// start wakes). The feedback workflow was an abandoned child already, so nothing depends on the parent link.
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { feedbackWorkflowId, type FeedbackInput } from './ratingSchemas';

export type FeedbackStarter = (args: FeedbackInput, taskQueue: string) => Promise<void>;

export function createFeedbackStarter(client: Client): FeedbackStarter {
  return async (args, taskQueue) => {
    try {
      await client.workflow.start('applicantFeedback', {
        workflowId: feedbackWorkflowId(args.applicationNumber),
        taskQueue,
        // A run started at closure ends once it has registered the served event (workflows/applicantFeedback.ts).
        args: [args.served ? { ...args, closureRun: 'endsWhenRegistered' } : args],
        // A retried attempt finds the run its first attempt started, even one already closed: never a second run.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      // A rating that came first already started it (signal-with-start): that run registers nothing, which is
      // acceptable — the rating system knew the case, or the rating could not have been given.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  };
}
