// Preloaded into the workflow sandbox once per worker thread when workflow stack traces are off
// (CASE_WORKFLOW_STACK_TRACES=off, the production default; worker/workflowBundle.ts). The SDK's promise hook
// captures and source-maps a stack for every promise workflow code creates, only to answer the stack-trace query;
// that was a fifth of the workflow thread's CPU. With no frames to capture the hook returns early. It runs before
// the SDK freezes the sandbox's globals, so no workflow can change it back.
Error.stackTraceLimit = 0;

export {};
