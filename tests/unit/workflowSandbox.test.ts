// What the workflow sandbox loads for every new or evicted case: zod stays out (it was 6.6 % of the worker's
// CPU, re-evaluated per workflow, and about half of each cached case's memory). A workflow file importing a
// module that imports zod (shared/clerkActions.ts, shared/application.ts, shared/validation.ts) fails here;
// the zod-free rules are in shared/clerkActionRules.ts and shared/guards.ts.
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../worker/plugin';

const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } as never;

// The SDK and what it depends on; nothing of the product's own dependencies.
const SDK = /^(@temporalio\/|nexus-rpc$|long$|ms$)/;

it('bundles the workflows without zod and with only the SDK from node_modules', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
  const packages = new Set([...code.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((m) => m[1]));
  expect([...packages].filter((p) => !SDK.test(p!))).toEqual([]);
  expect(code).not.toMatch(/ZodError|zod\/v4/);
}, 120_000);

// Every function the entry exports is a workflow type a client can start: helpers of the lifecycle's modules
// (workflows/lifecycle/) must stay out of it.
it('exports only the workflows as functions from the workflow entry', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const entry = require(WORKFLOWS_PATH) as Record<string, unknown>;
  const functions = Object.keys(entry).filter((name) => typeof entry[name] === 'function').sort();
  expect(functions).toEqual(['applicantFeedback', 'applicationLifecycle', 'ratingsPull', 'weeklyComplianceReport']);
});
