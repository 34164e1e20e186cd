// worker/main.ts's wiring with a refusal renderer that announces the render on stdout and never finishes: the
// test SIGKILLs this process while prepareRefusalLetter is inside the render, as a crash mid-PDF would.
import { getDefaultRefusalRenderer, RefusalRenderer } from '../../../refusal';
import { loadWorkerConfig } from '../../../worker/config';
import { deployedRuntimeOptions } from '../../../worker/deployedRuntimeOptions';
import { createWorkerRuntime } from '../../../worker/runtime';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const base = getDefaultRefusalRenderer();
  const stalling: RefusalRenderer = {
    catalog: base.catalog,
    templateVersion: base.templateVersion,
    validate: (input) => base.validate(input),
    renderDocument: (input) => base.renderDocument(input),
    render: () => {
      process.stdout.write('refusal render started\n');
      return new Promise(() => undefined);
    },
  };
  const runtime = await createWorkerRuntime({
    ...deployedRuntimeOptions(config),
    workflowBundlePath: process.env.CASE_WORKFLOW_BUNDLE || undefined,
    refusalRenderer: stalling,
    migrate: false,
  });
  process.stdout.write(`worker ready: task queue ${config.CASE_TASK_QUEUE}\n`);
  await runtime.run();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
