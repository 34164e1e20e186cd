// Fault matrix: drives batches of full application lifecycles through a real stack (Temporal dev server on
// SQLite, PostgreSQL, the ЕЛК emulator, workers as separate processes) while one fault at a time is injected,
// then checks what each applicant's cabinet received. One line per fault:
//   fault | applications started / finished | statuses expected / delivered | duplicates
// Exits non-zero if an application is lost, a status is missing, or a status is doubled or out of order.
// Everything runs on 127.0.0.1, every loop is bounded and the run stops by itself (FAULT_HARD_LIMIT_MS).
//   node -r ts-node/register/transpile-only scripts/faultMatrix.ts   (or bash scripts/test-faults.sh)
// Env: FAULT_APPS (per fault, default 20), FAULT_SEED, FAULT_ONLY (comma-separated fault names).
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client as PgClient, Pool } from 'pg';
import { CaseClient } from '../client/caseClient';
import { generateKeySpec, parseCodecKeys } from '../codec';
import { migrate } from '../db';
import { ElkEmulator, startElkEmulator } from '../epgu';
import { ServiceRegistry } from '../services';
import { ClerkActionName, ClerkActionSchemas } from '../shared/clerkActions';
import type { CaseSnapshot } from '../shared/lifecycle';
import type { Stage } from '../shared/stages';
import { CaseLifecyclePlugin, WORKFLOWS_PATH } from '../worker';
import { clerkActionUpdates } from '../workflows';
import { LocalPostgres, LocalTemporal, ROOT, startLocalPostgres, startLocalTemporal } from './localStack';

const FAULT_DIR = path.join(ROOT, '.data/faults');
const APPS_PER_FAULT = Math.min(Math.max(Number(process.env.FAULT_APPS ?? 20) || 20, 1), 100);
const SEED = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000_007);
const HARD_LIMIT_MS = Number(process.env.FAULT_HARD_LIMIT_MS ?? 9 * 60_000);
const SCENARIO_LIMIT_MS = 150_000;
const CONCURRENCY = 10;
const TASK_QUEUE = `faults-${process.pid}`;
const KEY_SPEC = generateKeySpec('faults');

// ---- small helpers ----

/** mulberry32: a seeded generator, so a failing run can be repeated with FAULT_SEED. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
const between = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

class Deadline {
  constructor(readonly at: number) {}
  get passed(): boolean {
    return Date.now() >= this.at;
  }
}

/**
 * Retries a client call across server, database and worker faults. Business rejections (a refused Update)
 * are final; everything else (UNAVAILABLE, timeouts, connection resets) is retried until the deadline.
 */
async function retrying<T>(what: string, deadline: Deadline, fn: () => Promise<T>): Promise<T> {
  for (let wait = 200; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw err;
      if (deadline.passed) throw new Error(`${what}: gave up at the scenario deadline: ${(err as Error).message}`);
      await sleep(wait);
    }
  }
}

// ---- lifecycles ----

type Step = { act: ClerkActionName; args: Record<string, unknown>; expect: Stage } | { signal: 'responded' | 'cancelled'; expect: Stage };
interface LifecyclePath {
  name: string;
  steps: Step[];
  outcome: Stage;
  elk: number[];
}
const C = { clerk: 'ivanova' };
const act = (a: ClerkActionName, expect: Stage, args: Record<string, unknown> = {}): Step => ({ act: a, args: { ...C, ...args }, expect });
const PATHS: LifecyclePath[] = [
  {
    name: 'positive',
    steps: [act('register', 'registered'), act('startReview', 'underReview'), act('requestInteragency', 'interagencyRequested', { agencies: ['ФНС'] }),
      act('recordInteragencyAnswer', 'underReview', { agency: 'ФНС' }), act('draftDecision', 'decisionDrafted', { outcome: 'approve' }),
      act('approve', 'approved', { clerk: 'head' }), act('issueResult', 'resultIssued')],
    outcome: 'resultIssued',
    elk: [6, 7, 3],
  },
  {
    name: 'corrections',
    steps: [act('register', 'registered'), act('startReview', 'underReview'), act('requestFromApplicant', 'awaitingApplicant', { kind: 'correction' }),
      { signal: 'responded', expect: 'underReview' }, act('draftDecision', 'decisionDrafted', { outcome: 'approve' }), act('approve', 'approved', { clerk: 'head' }),
      act('issueResult', 'resultIssued')],
    outcome: 'resultIssued',
    elk: [6, 15, 6, 3],
  },
  {
    name: 'withdrawn',
    steps: [act('register', 'registered'), act('startReview', 'underReview'), act('requestFromApplicant', 'awaitingApplicant', { kind: 'documents' }),
      { signal: 'cancelled', expect: 'cancelled' }],
    outcome: 'cancelled',
    elk: [6, 14, 10],
  },
  { name: 'cancelled', steps: [act('register', 'registered'), { signal: 'cancelled', expect: 'cancelled' }], outcome: 'cancelled', elk: [6, 10] },
  {
    name: 'refused',
    steps: [act('register', 'registered'), act('startReview', 'underReview'),
      act('draftDecision', 'decisionDrafted', { outcome: 'refuse', grounds: [{ code: 'restricted-access', facts: { requestedDocuments: 'личное дело Сидорова П. П.', createdYear: 1985 } }] }),
      act('refuse', 'refused', { clerk: 'head' })],
    outcome: 'refused',
    elk: [6, 4],
  },
];

interface AppRun {
  no: string;
  path: LifecyclePath;
  started: boolean;
  finished: boolean;
  error?: string;
}

interface Env {
  cases: CaseClient;
  client: Client;
  emulator: ElkEmulator;
  pool: Pool;
}

let appCounter = 0;
function newApplication(fault: string) {
  const no = `F-${fault.slice(0, 8)}-${process.pid % 10000}-${++appCounter}`;
  return {
    applicationNumber: no,
    serviceCode: 'archive-certificate',
    channel: 'inPerson' as const,
    receivedAt: new Date().toISOString(),
    applicant: { kind: 'person' as const, lastName: 'Петров', firstName: 'Иван', middleName: 'Сергеевич', snils: '112-233-445 95', postalAddress: 'г. Москва, ул. Тверская, д. 7' },
    assignedClerk: 'ivanova',
  };
}

async function waitForStage(env: Env, no: string, stage: Stage, deadline: Deadline): Promise<void> {
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    const s: CaseSnapshot = await retrying(`state ${no}`, deadline, () => env.cases.state(no));
    if (s.stage === stage) return;
    if (deadline.passed) throw new Error(`${no}: stage ${s.stage}, expected ${stage}`);
    await sleep(wait);
  }
}

/** One lifecycle; `dup` sends every Update twice with the same id (and once more without) and every Signal thrice. */
async function runLifecycle(env: Env, run: AppRun, dup: boolean, deadline: Deadline): Promise<void> {
  const app = newApplication(run.no);
  app.applicationNumber = run.no;
  await retrying(`start ${run.no}`, deadline, () => env.cases.startApplication(app));
  run.started = true;
  for (const [i, step] of run.path.steps.entries()) {
    if ('act' in step) {
      const args = ClerkActionSchemas[step.act].parse(step.args);
      const updateId = `${run.no}:${i}:${step.act}`;
      // Same update id on every retry: a retry after a lost reply is deduplicated by the server.
      const once = () => retrying(`${step.act} ${run.no}`, deadline, () =>
        env.client.workflow.getHandle(run.no).executeUpdate(clerkActionUpdates[step.act] as never, { args: [args] as never, updateId }));
      await Promise.all(dup ? [once(), once()] : [once()]);
      if (dup) {
        // A resend without the id is a new request: the stage has moved on, so it must be refused.
        const resent = await env.client.workflow.getHandle(run.no).executeUpdate(clerkActionUpdates[step.act] as never, { args: [args] as never }).then(() => 'accepted', (e) => e);
        if (resent === 'accepted' && step.act !== 'register') throw new Error(`${run.no}: a resent ${step.act} without update id was applied again`);
      }
    } else {
      const send = () => retrying(`${step.signal} ${run.no}`, deadline, () =>
        step.signal === 'responded' ? env.cases.applicantResponded(run.no, { note: 'исправлено' }) : env.cases.applicantCancelled(run.no, { reason: 'передумал' }));
      await Promise.all(dup ? [send(), send(), send()] : [send()]);
    }
    await waitForStage(env, run.no, step.expect, deadline);
  }
  const result = await retrying(`result ${run.no}`, deadline, () => env.cases.result(run.no));
  run.finished = result.outcome === run.path.outcome && result.elkStatusesDelivered === run.path.elk.length;
  if (!run.finished) run.error = `outcome ${result.outcome}, ${result.elkStatusesDelivered} delivered, ${result.elkStatusesSkipped} skipped`;
}

async function pooled<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

// ---- workers as separate processes ----

class Workers {
  private child: ChildProcess | null = null;
  private expectedExit = new Set<ChildProcess>();
  restarts = 0;
  /** Why unexpected exits happened (first error line of the dying process). */
  readonly crashes: string[] = [];
  private readonly logFd: number;
  constructor(private readonly env: NodeJS.ProcessEnv) {
    this.logFd = fs.openSync(path.join(FAULT_DIR, 'worker.log'), 'a');
  }
  start(): Promise<void> {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'worker/main.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: this.env });
    this.child = child;
    return new Promise((resolve, reject) => {
      let out = '';
      const keepTail = () => (out = out.slice(-20_000));
      const timer = setTimeout(() => reject(new Error(`worker not ready in 90 s: ${out.slice(-500)}`)), 90_000);
      const onData = (d: Buffer) => {
        fs.writeSync(this.logFd, d);
        out += d.toString();
        keepTail();
        if (out.includes('worker ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.expectedExit.delete(child)) return;
        // Supervisor behaviour (systemd would do the same): an unexpected exit is logged and restarted.
        const cause = out.split('\n').find((l) => /^\w*Error: /.test(l)) ?? `exit ${code ?? signal}`;
        log(`worker exited unexpectedly (${code ?? signal}: ${cause}); restarting`);
        this.restarts++;
        this.crashes.push(cause);
        if (this.child === child) void sleep(500).then(() => this.start()).catch((e) => log(String(e)));
        reject(new Error(`worker exited (${code ?? signal}): ${out.slice(-500)}`));
      });
    });
  }
  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.expectedExit.add(child);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }
  killNow(): void {
    if (this.child && this.child.exitCode === null) {
      this.expectedExit.add(this.child);
      this.child.kill('SIGKILL');
    }
  }
}

// ---- faults ----

interface Fault {
  name: string;
  dup?: boolean;
  /** Runs beside the batch until `done` is set; bounded by the scenario deadline. */
  chaos(s: { workers: Workers; temporal: LocalTemporal; pg: LocalPostgres; emulator: ElkEmulator; done: () => boolean }): Promise<string>;
  after?(emulator: ElkEmulator): void;
}

const FAULTS: Fault[] = [
  { name: 'none', chaos: async () => 'baseline' },
  {
    name: 'worker-sigkill',
    async chaos({ workers, done }) {
      const points: number[] = [];
      for (let i = 0; i < 3 && !done(); i++) {
        const wait = between(1000, 5000);
        await sleep(wait);
        if (done()) break;
        await workers.kill('SIGKILL');
        points.push(wait);
        await workers.start();
      }
      return `SIGKILL ×${points.length} after ${points.join('/')} ms`;
    },
  },
  {
    name: 'temporal-restart',
    async chaos({ temporal, done }) {
      const points: number[] = [];
      for (let i = 0; i < 2 && !done(); i++) {
        // The first restart comes early, so even a small batch meets it.
        const wait = i === 0 ? between(600, 1200) : between(2000, 5000);
        await sleep(wait);
        if (done()) break;
        await temporal.restart();
        points.push(wait);
      }
      return `server SIGKILL+restart ×${points.length}`;
    },
  },
  {
    name: 'postgres-restart',
    async chaos({ pg, done }) {
      const points: number[] = [];
      for (let i = 0; i < 2 && !done(); i++) {
        const wait = i === 0 ? between(500, 1000) : between(1500, 4000);
        await sleep(wait);
        if (done()) break;
        await pg.restart();
        points.push(wait);
      }
      return `immediate restart ×${points.length}`;
    },
  },
  {
    name: 'portal-outage',
    async chaos({ emulator, done }) {
      await sleep(between(500, 1500));
      emulator.faults.set({ outage: true, outageMode: '503' });
      for (let i = 0; i < 50 && !done(); i++) await sleep(100);
      emulator.faults.set({ outageMode: 'reset' });
      for (let i = 0; i < 30 && !done(); i++) await sleep(100);
      emulator.faults.set({ outage: false, outageMode: '503' });
      return 'outage 503 ≤5 s, then connection resets ≤3 s';
    },
  },
  {
    name: 'portal-slow',
    async chaos({ emulator }) {
      emulator.faults.set({ latencyMs: 1200 });
      return 'every adapter call +1200 ms';
    },
    after: (emulator) => emulator.faults.set({ latencyMs: 0 }),
  },
  {
    name: 'duplicate-delivery',
    dup: true,
    async chaos({ emulator }) {
      emulator.faults.set({ duplicateReplies: true, dropConnectionAfterAccept: 10 });
      return 'Updates ×2 same id (+1 resend without id), Signals ×3, /find replies ×2, 10 sends dropped after accept';
    },
    after: (emulator) => emulator.faults.set({ duplicateReplies: false, dropConnectionAfterAccept: 0 }),
  },
];

interface Row {
  fault: string;
  started: number;
  finished: number;
  expected: number;
  delivered: number;
  duplicates: number;
  note: string;
  problems: string[];
  seconds: number;
}

async function check(env: Env, runs: AppRun[]): Promise<Pick<Row, 'expected' | 'delivered' | 'duplicates' | 'problems'>> {
  let expected = 0;
  let delivered = 0;
  let duplicates = 0;
  const problems: string[] = [];
  for (const run of runs) {
    expected += run.path.elk.length;
    const history = env.emulator.order(run.no)?.history ?? [];
    const got = history.map((h) => h.status);
    // Delivered: expected statuses present (as a multiset), whatever else arrived.
    const pool = [...got];
    for (const s of run.path.elk) {
      const i = pool.indexOf(s);
      if (i >= 0) {
        delivered++;
        pool.splice(i, 1);
      }
    }
    const doubled = got.length - new Set(got).size;
    const dates = history.map((h) => Date.parse(h.statusDate));
    const outOfOrder = got.join(',') !== run.path.elk.join(',') && doubled === 0 && got.length === run.path.elk.length ? 1 : 0;
    const datesBroken = dates.some((d, i) => i > 0 && d <= dates[i - 1]!) ? 1 : 0;
    duplicates += doubled + Math.max(outOfOrder, datesBroken);
    if (got.join(',') !== run.path.elk.join(',')) problems.push(`${run.no} (${run.path.name}): ЕЛК history [${got.join(', ')}], expected [${run.path.elk.join(', ')}]`);
    if (!run.finished) problems.push(`${run.no} (${run.path.name}): not finished: ${run.error ?? 'unknown'}`);
  }
  // The outbox agrees with the portal: every expected status delivered once, nothing left pending or rejected.
  const { rows } = await env.pool.query<{ application_number: string; n: number; bad: number }>(
    `SELECT application_number, count(*)::int AS n, count(*) FILTER (WHERE state <> 'delivered')::int AS bad
       FROM elk_outbox WHERE application_number = ANY($1) GROUP BY application_number`,
    [runs.map((r) => r.no)],
  ).catch((e) => ({ rows: [] as never[], error: e }));
  const byNo = new Map(rows.map((r) => [r.application_number, r]));
  for (const run of runs) {
    const r = byNo.get(run.no);
    if (!r || r.n !== run.path.elk.length || r.bad !== 0) problems.push(`${run.no}: outbox ${r ? `${r.n} rows, ${r.bad} not delivered` : 'missing'}`);
  }
  return { expected, delivered, duplicates, problems };
}

async function runFault(fault: Fault, ctx: { env: Env; workers: Workers; temporal: LocalTemporal; pg: LocalPostgres }): Promise<Row> {
  const startedAt = Date.now();
  const deadline = new Deadline(startedAt + SCENARIO_LIMIT_MS);
  const runs: AppRun[] = Array.from({ length: APPS_PER_FAULT }, (_, i) => ({
    no: `F${fault.name.replace(/[^a-z]/g, '').slice(0, 10)}-${process.pid % 10000}-${SEED % 10000}-${i}`,
    path: PATHS[i % PATHS.length]!,
    started: false,
    finished: false,
  }));
  let finishedBatch = false;
  const chaos = fault.chaos({ workers: ctx.workers, temporal: ctx.temporal, pg: ctx.pg, emulator: ctx.env.emulator, done: () => finishedBatch || deadline.passed });
  await pooled(runs, CONCURRENCY, async (run) => {
    try {
      await runLifecycle(ctx.env, run, !!fault.dup, deadline);
    } catch (err) {
      run.error = (err as Error).message.slice(0, 300);
    }
  });
  finishedBatch = true;
  const note = await chaos.catch((e) => `chaos failed: ${(e as Error).message}`);
  fault.after?.(ctx.env.emulator);
  const checked = await check(ctx.env, runs);
  return {
    fault: fault.name,
    started: runs.filter((r) => r.started).length,
    finished: runs.filter((r) => r.finished).length,
    ...checked,
    note,
    seconds: Math.round((Date.now() - startedAt) / 1000),
  };
}

// ---- stack ----

async function main(): Promise<number> {
  const t0 = Date.now();
  fs.mkdirSync(FAULT_DIR, { recursive: true });
  fs.rmSync(path.join(FAULT_DIR, 'temporal'), { recursive: true, force: true });
  fs.rmSync(path.join(FAULT_DIR, 'worker.log'), { force: true });
  log(`seed ${SEED}, ${APPS_PER_FAULT} applications per fault`);
  const only = process.env.FAULT_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  const faults = only ? FAULTS.filter((f) => only.includes(f.name)) : FAULTS;

  const [temporal, pg, bundle] = await Promise.all([
    startLocalTemporal({ dataDir: path.join(FAULT_DIR, 'temporal') }),
    startLocalPostgres({ dataDir: path.join(FAULT_DIR, 'pg'), durable: true }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never }),
  ]);
  cleanups.push(() => temporal.stop(), () => pg.stop());
  const bundlePath = path.join(FAULT_DIR, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);

  // A fresh database per run: the checks count rows.
  const admin = new PgClient({ connectionString: pg.url });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS case_faults WITH (FORCE)');
  await admin.query('CREATE DATABASE case_faults');
  await admin.end();
  const dbUrl = pg.url.replace(/\/postgres$/, '/case_faults');
  const pool = new Pool({ connectionString: dbUrl, max: 4 });
  pool.on('error', () => undefined); // the database restarts on purpose
  await migrate(pool);
  cleanups.push(() => pool.end());

  const emulator = await startElkEmulator({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => emulator.stop());

  const workers = new Workers({
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    DATABASE_URL: dbUrl,
    SMEV_ADAPTER_URL: emulator.url,
    SMEV_EXCHANGE_DIR: emulator.exchangeDir,
    CASE_PAYLOAD_KEYS: KEY_SPEC,
    CASE_TASK_QUEUE: TASK_QUEUE,
    CASE_WORKFLOW_BUNDLE: bundlePath,
    CASE_WEBHOOK_ENABLED: 'false',
    CASE_WEEKLY_REPORT_SCHEDULE: 'false',
    ELK_RETRY_MAX_INTERVAL_MS: '500',
    CASE_REPORTS_DIR: path.join(FAULT_DIR, 'reports'),
  });
  cleanups.push(async () => workers.killNow());
  await workers.start();

  const connection = await Connection.connect({ address: temporal.address });
  cleanups.push(() => connection.close());
  const client = new Client({ connection, plugins: [new CaseLifecyclePlugin({ codecKeys: parseCodecKeys(KEY_SPEC) })] });
  const cases = new CaseClient({ client, services: ServiceRegistry.load(), taskQueue: TASK_QUEUE });
  const env: Env = { cases, client, emulator, pool };
  log(`stack ready in ${Math.round((Date.now() - t0) / 1000)} s`);

  const rows: Row[] = [];
  const header = 'fault                | applications started / finished | statuses expected / delivered | duplicates';
  process.stdout.write(`${header}\n${'-'.repeat(header.length)}\n`);
  for (const fault of faults) {
    log(`fault ${fault.name}…`);
    const row = await runFault(fault, { env, workers, temporal, pg });
    rows.push(row);
    process.stdout.write(
      `${row.fault.padEnd(20)} | ${`${row.started} / ${row.finished}`.padEnd(31)} | ${`${row.expected} / ${row.delivered}`.padEnd(29)} | ${row.duplicates}` +
        `   (${row.seconds} s; ${row.note})\n`,
    );
    for (const p of row.problems.slice(0, 10)) process.stdout.write(`    ! ${p}\n`);
  }
  const sum = (k: 'started' | 'finished' | 'expected' | 'delivered' | 'duplicates') => rows.reduce((a, r) => a + r[k], 0);
  process.stdout.write(`${'-'.repeat(header.length)}\n`);
  process.stdout.write(`${'total'.padEnd(20)} | ${`${sum('started')} / ${sum('finished')}`.padEnd(31)} | ${`${sum('expected')} / ${sum('delivered')}`.padEnd(29)} | ${sum('duplicates')}\n`);
  process.stdout.write(`wall time ${Math.round((Date.now() - t0) / 1000)} s, seed ${SEED}\n`);
  // A worker that dies on its own is restarted (as a supervisor would) and counted; it fails the run only with
  // FAULT_FAIL_ON_CRASH=1, since the matrix is about lost and doubled statuses.
  const crashes = workers.crashes;
  process.stdout.write(`unexpected worker exits: ${crashes.length}${crashes.length ? ` (${[...new Set(crashes)].join('; ')}; log: .data/faults/worker.log)` : ''}\n`);
  const crashOk = crashes.length === 0 || process.env.FAULT_FAIL_ON_CRASH !== '1';
  const ok = crashOk && rows.every((r) => r.started === APPS_PER_FAULT && r.finished === r.started && r.delivered === r.expected && r.duplicates === 0 && r.problems.length === 0);
  process.stdout.write(ok ? 'fault matrix: OK\n' : 'fault matrix: FAILED (lost, missing or doubled statuses above)\n');
  return ok ? 0 : 1;
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
async function cleanup(): Promise<void> {
  for (const c of cleanups.reverse()) {
    try {
      await Promise.race([c(), sleep(15_000)]);
    } catch {
      /* best effort: the next run starts from scratch anyway */
    }
  }
  cleanups.length = 0;
}

const hardStop = setTimeout(() => {
  process.stdout.write(`fault matrix: ABORTED after ${HARD_LIMIT_MS / 1000} s (hard limit)\n`);
  void cleanup().finally(() => process.exit(3));
}, HARD_LIMIT_MS);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));

main()
  .then(async (code) => {
    clearTimeout(hardStop);
    await cleanup();
    process.exit(code);
  })
  .catch(async (err) => {
    clearTimeout(hardStop);
    process.stdout.write(`fault matrix: ERROR ${(err as Error).stack ?? err}\n`);
    await cleanup();
    process.exit(2);
  });
