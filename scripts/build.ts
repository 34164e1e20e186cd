// `npm run build`: the production worker as plain JavaScript in lib/, runnable with `node lib/worker/main.js`
// (no TypeScript loader: ts-node cost 3–4 CPU-s and ~120 MiB at every start). Three steps:
//   1. tsc with tsconfig.build.json (production folders only; tests and bench stay out);
//   2. the assets the code reads from disk next to itself (service definitions, grounds catalog, calendar,
//      XSDs, migrations, the demo directory, templates);
//   3. the workflow bundle, prebuilt (lib/workflow-bundle.js): worker/main.ts uses it when it runs compiled, so
//      start-up does not run webpack (CASE_WORKFLOW_BUNDLE overrides the path).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundlerOptions } from '../worker';

const ROOT = path.resolve(__dirname, '..');
// `--out dir` builds elsewhere (the compiled-worker test builds into a temporary folder).
const outArg = process.argv.indexOf('--out');
const LIB = outArg > 0 ? path.resolve(process.argv[outArg + 1]!) : path.join(ROOT, 'lib');
const ASSET_DIRS = ['calendar', 'db', 'epgu', 'escalation', 'refusal', 'services', 'templates', 'http', 'inbox'];
const ASSET = /\.(json|sql|xsd|hbs|css)$/;
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

function copyAssets(rel: string): number {
  let copied = 0;
  for (const entry of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
    const from = path.join(rel, entry.name);
    if (entry.isDirectory()) copied += copyAssets(from);
    else if (ASSET.test(entry.name)) {
      fs.mkdirSync(path.join(LIB, rel), { recursive: true });
      fs.copyFileSync(path.join(ROOT, from), path.join(LIB, from));
      copied++;
    }
  }
  return copied;
}

async function main(): Promise<void> {
  fs.rmSync(LIB, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', LIB], { stdio: 'inherit' });
  const assets = ASSET_DIRS.reduce((n, d) => n + copyAssets(d), 0);
  const quiet = { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never;
  // Stack traces off, as in production (CASE_WORKFLOW_STACK_TRACES=on bundles at start-up instead).
  const workflowsDir = path.join(LIB, 'workflows');
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(workflowsDir, 'index.js'), ...workflowBundlerOptions('off', workflowsDir), logger: quiet });
  fs.writeFileSync(path.join(LIB, WORKFLOW_BUNDLE_FILE), code);
  process.stdout.write(`build: ${path.relative(ROOT, LIB) || LIB}/ with ${assets} assets and ${WORKFLOW_BUNDLE_FILE} (${Math.round(code.length / 1024)} KiB); run with node ${path.relative(ROOT, LIB)}/worker/main.js\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
