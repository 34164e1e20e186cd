// How the workflow bundle is made, in one place for the worker, `npm run build`, the tests and the bench:
// with workflow stack traces off (production default) a tiny module is preloaded into the sandbox that turns
// off stack capture there (workflows/withoutStackTraces.ts, docs/performance.md).
import * as path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/** `on`: the stack-trace query shows where each case waits, at ~20 % more workflow-thread CPU; `off`: it shows no frames. */
export type WorkflowStackTraces = 'on' | 'off';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** The preload module beside a workflows entry (sources or the compiled lib/). */
export function withoutStackTracesModule(workflowsDir = path.dirname(WORKFLOWS_PATH)): string {
  return require.resolve(path.join(workflowsDir, 'withoutStackTraces'));
}

/** Bundler options for the chosen stack-trace mode: merged into bundleWorkflowCode's options. */
export function workflowBundlerOptions(stackTraces: WorkflowStackTraces, workflowsDir?: string): { preloadModules?: string[] } {
  return stackTraces === 'off' ? { preloadModules: [withoutStackTracesModule(workflowsDir)] } : {};
}

const quiet = { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never;

/** Bundles the workflows (default: the product's) for a worker; `code` is what `workflowBundle: { code }` takes. */
export async function bundleWorkflows(opts: { stackTraces: WorkflowStackTraces; workflowsPath?: string; workflowsDir?: string }): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: opts.workflowsPath ?? WORKFLOWS_PATH,
    ...workflowBundlerOptions(opts.stackTraces, opts.workflowsDir),
    logger: quiet,
  });
  return code;
}
