// Hands a stored rating to its application's feedback workflow with signal-with-start: the workflow is
// started when it is not running (the case closed before this release, or its feedback run already ended).
import type { Client } from '@temporalio/client';
import { feedbackWorkflowId, type RoutedRating } from './ratingSchemas';

export function createRatingRouter(client: Client, taskQueue: string) {
  return async (rating: RoutedRating & { applicationNumber: string; serviceCode: string }): Promise<void> => {
    const { applicationNumber, serviceCode, ...routed } = rating;
    await client.workflow.signalWithStart('applicantFeedback', {
      workflowId: feedbackWorkflowId(applicationNumber),
      taskQueue,
      args: [{ applicationNumber, serviceCode }],
      signal: 'feedbackRating',
      signalArgs: [routed],
    });
  };
}
