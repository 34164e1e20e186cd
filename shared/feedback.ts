// The address of what arrives after a case closes: one feedback workflow per application, found by a derived id
// (signal-with-start from the ratings intake, a child started by the lifecycle at closure). Zod-free: the
// workflow sandbox imports it.
export const feedbackWorkflowId = (applicationNumber: string): string => `feedback:${applicationNumber}`;
