// Production runs compiled JavaScript: `npm run build` must give a worker that starts with plain `node`, finds
// its assets (service definitions, grounds catalog, templates, XSD, migrations) and uses the prebuilt workflow
// bundle, and carries an application through to the applicant's cabinet.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTestContext, killProcess, sampleApplication, TestContext, waitFor, workerProcessEnv } from '../support/harness';

const ROOT = path.resolve(__dirname, '../..');
let ctx: TestContext;
let out: string;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  // Inside the checkout, so the compiled code resolves node_modules as lib/ would.
  fs.mkdirSync(path.join(ROOT, '.data/test'), { recursive: true });
  out = fs.mkdtempSync(path.join(ROOT, '.data/test/build-'));
  execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/build.ts', '--out', out], { cwd: ROOT, stdio: 'pipe' });
  ctx = await createTestContext('compiled');
}, 600_000);
afterAll(async () => {
  if (worker) await killProcess(worker, 'SIGTERM');
  await ctx?.close();
  fs.rmSync(out, { recursive: true, force: true });
});

it('builds lib/ with the prebuilt workflow bundle and the assets the code reads from disk', () => {
  for (const f of ['worker/main.js', 'workflow-bundle.js', 'services', 'refusal/catalog', 'epgu/schemas/elk-status-1.0.2.xsd', 'db/migrations', 'templates/refusal']) {
    expect(fs.existsSync(path.join(out, f))).toBe(true);
  }
  expect(fs.readdirSync(path.join(out, 'db/migrations'))).toEqual(fs.readdirSync(path.join(ROOT, 'db/migrations')).filter((f) => f.endsWith('.sql')));
});

it('runs with plain node on the prebuilt bundle and delivers the statuses of an application', async () => {
  const child = spawn(process.execPath, [path.join(out, 'worker/main.js')], {
    cwd: out,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Empty CASE_WORKFLOW_BUNDLE: the compiled worker must find its own prebuilt bundle.
    env: { ...workerProcessEnv(ctx), CASE_MIGRATE: 'true', CASE_WORKFLOW_BUNDLE: '' },
  });
  worker = child;
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  await waitFor(() => log.includes('worker ready') || child.exitCode !== null, 120_000);
  expect(log).toContain('worker ready');
  // No TypeScript loader in the compiled worker's process.
  expect(fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8')).not.toContain('ts-node');

  const app = sampleApplication();
  await ctx.cases.startApplication(app);
  await ctx.cases.act(app.applicationNumber, 'register', { clerk: 'ivanova' });
  await ctx.cases.applicantCancelled(app.applicationNumber);
  expect(await ctx.cases.result(app.applicationNumber)).toMatchObject({ outcome: 'cancelled' });
  await waitFor(() => (ctx.emulator.order(app.applicationNumber)?.history.length ?? 0) >= 2);
}, 300_000);
