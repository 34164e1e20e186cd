// Names shared by the worker, the client and the workflows.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const DEFAULT_TASK_QUEUE = 'case-lifecycle';
export const WORKFLOW_TYPE = 'applicationLifecycle';

export const SA = {
  serviceCode: defineSearchAttributeKey('ServiceCode', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('CaseStage', SearchAttributeType.KEYWORD),
  assignedClerk: defineSearchAttributeKey('AssignedClerk', SearchAttributeType.KEYWORD),
  deadline: defineSearchAttributeKey('CaseDeadline', SearchAttributeType.DATETIME),
  overdue: defineSearchAttributeKey('CaseOverdue', SearchAttributeType.BOOL),
};
