// Fault matrix: drives batches of full application lifecycles through a real stack (Temporal, PostgreSQL, the
// ЕЛК emulator, workers as separate processes) while one fault at a time is injected, then checks what each
// applicant's cabinet received. Every row declares the faults it must inject (kills, restarts, outage seconds,
// drops, duplicates); each is triggered on progress (after the k-th delivered status, so work is in flight) and
// counted; a row fails when fewer were injected than required, when its fault driver failed, when a process
// exited on its own, or when a status is lost, doubled or out of order. Every client call carries a deadline
// and a stuck case is reported with its pending activity and workflow task.
//   node -r ts-node/register/transpile-only scripts/faultMatrix.ts   (or bash scripts/test-faults.sh)
// Env: FAULT_APPS (per fault, default 20), FAULT_SEED, FAULT_ONLY (comma-separated rows),
//      FAULT_TOPOLOGY=dev (CLI dev server on SQLite, one worker; default) | production (scripts/topology: Temporal
//      server on PostgreSQL with 4 history shards, two workers), FAULT_ROW_LIMIT_S (per-row bound, default 150).
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client as PgClient, Pool } from 'pg';
import { CaseClient } from '../client';
import { generateKeySpec, parseCodecKeys } from '../codec';
import { migrate } from '../db';
import { ElkEmulator, startElkEmulator } from '../epgu';
import { ServiceRegistry } from '../services';
import { type CaseSnapshot, ClerkActionName, ClerkActionSchemas, type Stage } from '../shared';
import { CaseLifecyclePlugin, WORKFLOWS_PATH } from '../worker';
import { clerkActionUpdates } from '../workflows';
import { FaultCounts, injectedVsRequired, judgeRow, RowOutcome } from './faults/verdict';
import { LocalPostgres, ROOT, startLocalPostgres, startLocalTemporal } from './localStack';
import { startProductionTemporal, TemporalCluster } from './topology/productionTemporal';
import { runWithHardLimit } from './runWithHardLimit';

const FAULT_DIR = path.join(ROOT, '.data/faults');
const APPS_PER_FAULT = Math.min(Math.max(Number(process.env.FAULT_APPS ?? 20) || 20, 1), 100);
const SEED = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000_007);
const TOPOLOGY = process.env.FAULT_TOPOLOGY === 'production' ? 'production' : 'dev';
// The whole run stops by itself; the production topology's 10-minute adapter outage needs the longer default.
const HARD_LIMIT_MS = Number(process.env.FAULT_HARD_LIMIT_MS ?? (process.env.FAULT_TOPOLOGY === 'production' ? 45 : 12) * 60_000);
// 240 s: a row takes 15–100 s, up to 150 s when the two cores are shared with other builds.
const ROW_LIMIT_MS = Math.min(Math.max(Number(process.env.FAULT_ROW_LIMIT_S ?? 240) || 240, 20), 3600) * 1000;
/** One client call (an Update, a result) may wait this long before it is retried or reported. */
const CALL_LIMIT_MS = 20_000;
const CONCURRENCY = 10;
/** A worker loads ts-node and the bundle: about 5 s idle, minutes on a machine shared by many builds. */
const WORKER_READY_MS = Number(process.env.FAULT_WORKER_READY_S ?? 240) * 1000;
const TASK_QUEUE = `faults-${process.pid}`;
export const KEY_SPEC = generateKeySpec('faults');

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
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const log = (msg: string) => process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

export class Deadline {
  constructor(readonly at: number) {}
  get passed(): boolean {
    return Date.now() >= this.at;
  }
}

/** Runs one client call under a gRPC deadline: a call that hangs (a stuck Update, a result) fails instead. */
function bounded<T>(env: Env, deadline: Deadline, fn: () => Promise<T>): Promise<T> {
  return env.connection.withDeadline(Math.min(deadline.at, Date.now() + CALL_LIMIT_MS), fn);
}

/**
 * Retries a client call across server, database and worker faults. Business rejections (a refused Update)
 * are final; everything else (UNAVAILABLE, deadline exceeded, connection resets) is retried until the deadline.
 */
async function retrying<T>(env: Env, what: string, deadline: Deadline, fn: () => Promise<T>): Promise<T> {
  for (let wait = 200; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await bounded(env, deadline, fn);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw err;
      if (deadline.passed) throw new Error(`${what}: gave up at the row deadline: ${(err as Error).message}`);
      await sleep(wait);
    }
  }
}

/** What a stuck case waits for: its pending activities and workflow task, for the row's report. */
export async function diagnose(env: Env, no: string): Promise<string> {
  try {
    const d = await env.connection.withDeadline(Date.now() + 5000, () => env.client.workflow.getHandle(no).describe());
    const acts = (d.raw.pendingActivities ?? []).map((a) =>
      `${a.activityType?.name} (state ${a.state}, attempt ${a.attempt}${a.lastFailure?.message ? `, last failure: ${a.lastFailure.message.slice(0, 120)}` : ''})`);
    const wft = d.raw.pendingWorkflowTask;
    const task = wft ? `; pending workflow task: state ${wft.state}, attempt ${wft.attempt}` : '';
    return `workflow ${no} ${d.status.name}; pending activities: ${acts.length ? acts.join(', ') : 'none'}${task}`;
  } catch (err) {
    return `workflow ${no}: describe failed: ${(err as Error).message.slice(0, 120)}`;
  }
}

// ---- lifecycles ----

type Step = { act: ClerkActionName; args: Record<string, unknown>; expect: Stage } | { signal: 'responded' | 'cancelled'; expect: Stage };
export interface LifecyclePath {
  name: string;
  steps: Step[];
  outcome: Stage;
  elk: number[];
}
const C = { clerk: 'ivanova' };
const act = (a: ClerkActionName, expect: Stage, args: Record<string, unknown> = {}): Step => ({ act: a, args: { ...C, ...args }, expect });
export const PATHS: LifecyclePath[] = [
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

export interface AppRun {
  no: string;
  path: LifecyclePath;
  started: boolean;
  finished: boolean;
  error?: string;
}

export interface Env {
  cases: CaseClient;
  client: Client;
  connection: Connection;
  emulator: ElkEmulator;
  pool: Pool;
  /** Clerk actions and applicant signals sent again on purpose (duplicate-delivery row). */
  duplicatesSent: number;
  /** Stages reached by the batch's cases (the adapter-outage row proves cases still move). */
  stageChanges: number;
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
    const s: CaseSnapshot = await retrying(env, `state ${no}`, deadline, () => env.cases.state(no));
    if (s.stage === stage) return;
    if (deadline.passed) throw new Error(`${no}: stage ${s.stage}, expected ${stage}`);
    await sleep(wait);
  }
}

/** One lifecycle; `dup` sends every Update twice with the same id (and once more without) and every Signal thrice. */
/** `pause` runs between clerk steps (the soak's think time). */
export async function runLifecycle(env: Env, run: AppRun, dup: boolean, deadline: Deadline, pause?: () => Promise<void>): Promise<void> {
  const app = newApplication(run.no);
  app.applicationNumber = run.no;
  await retrying(env, `start ${run.no}`, deadline, () => env.cases.startApplication(app));
  run.started = true;
  for (const [i, step] of run.path.steps.entries()) {
    if ('act' in step) {
      const args = ClerkActionSchemas[step.act].parse(step.args);
      const updateId = `${run.no}:${i}:${step.act}`;
      // Same update id on every retry: a retry after a lost reply is deduplicated by the server.
      const once = () => retrying(env, `${step.act} ${run.no}`, deadline, () =>
        env.client.workflow.getHandle(run.no).executeUpdate(clerkActionUpdates[step.act] as never, { args: [args] as never, updateId }));
      await Promise.all(dup ? [once(), once()] : [once()]);
      if (dup) env.duplicatesSent++;
      if (dup) {
        // A resend without the id is a new request: the stage has moved on, so it must be refused.
        const resent = await bounded(env, deadline, () =>
          env.client.workflow.getHandle(run.no).executeUpdate(clerkActionUpdates[step.act] as never, { args: [args] as never })).then(() => 'accepted', (e) => e);
        env.duplicatesSent++;
        if (resent === 'accepted' && step.act !== 'register') throw new Error(`${run.no}: a resent ${step.act} without update id was applied again`);
      }
    } else {
      const send = () => retrying(env, `${step.signal} ${run.no}`, deadline, () =>
        step.signal === 'responded' ? env.cases.applicantResponded(run.no, { note: 'исправлено' }) : env.cases.applicantCancelled(run.no, { reason: 'передумал' }));
      await Promise.all(dup ? [send(), send(), send()] : [send()]);
      if (dup) env.duplicatesSent += 2;
    }
    await waitForStage(env, run.no, step.expect, deadline);
    env.stageChanges++;
    await pause?.();
  }
  const result = await retrying(env, `result ${run.no}`, deadline, () => env.cases.result(run.no));
  run.finished = result.outcome === run.path.outcome && result.elkStatusesDelivered === run.path.elk.length;
  if (!run.finished) run.error = `outcome ${result.outcome}, ${result.elkStatusesDelivered} delivered, ${result.elkStatusesSkipped} skipped`;
}

export async function pooled<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

// ---- workers as separate processes ----

/** One or more worker processes on the same task queue, restarted like a supervisor would after a crash. */
export class Workers {
  private readonly children: (ChildProcess | null)[];
  private readonly expectedExit = new Set<ChildProcess>();
  /** Unexpected exits with their cause (first error line of the dying process), for the current row. */
  readonly crashes: string[] = [];
  private readonly logFd: number;
  constructor(private env: NodeJS.ProcessEnv, readonly count: number, readonly logFile: string, private readonly nodeArgs: string[] = []) {
    this.children = Array.from({ length: count }, () => null);
    this.logFd = fs.openSync(logFile, 'a');
  }
  /** Environment for the next start (a rolling restart with a changed build swaps the bundle). */
  setEnv(patch: NodeJS.ProcessEnv): void {
    this.env = { ...this.env, ...patch };
  }
  get pids(): number[] {
    return this.children.map((c) => c?.pid ?? 0);
  }
  async startAll(): Promise<void> {
    await Promise.all(this.children.map((_, i) => this.start(i)));
  }
  start(slot: number): Promise<void> {
    const child = spawn(process.execPath, [...this.nodeArgs, '-r', 'ts-node/register/transpile-only', 'worker/main.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: this.env });
    this.children[slot] = child;
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`worker ${slot} not ready in ${WORKER_READY_MS / 1000} s: ${out.slice(-500)}`)), WORKER_READY_MS);
      const onData = (d: Buffer) => {
        fs.writeSync(this.logFd, `[w${slot} ${child.pid}] ${d.toString()}`);
        out = (out + d.toString()).slice(-20_000);
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
        const cause = out.split('\n').find((l) => /^\w*Error: /.test(l)) ?? `exit ${code ?? signal}`;
        log(`worker ${slot} exited unexpectedly (${code ?? signal}: ${cause}); restarting`);
        this.crashes.push(`worker ${slot}: ${cause}`);
        if (this.children[slot] === child) void sleep(500).then(() => this.start(slot)).catch((e) => log(String(e)));
        reject(new Error(`worker ${slot} exited (${code ?? signal}): ${out.slice(-500)}`));
      });
    });
  }
  async kill(slot: number, signal: NodeJS.Signals): Promise<boolean> {
    const child = this.children[slot];
    if (!child || child.exitCode !== null || child.signalCode !== null) return false;
    this.expectedExit.add(child);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
    return true;
  }
  killAll(): void {
    for (const child of this.children) {
      if (child && child.exitCode === null) {
        this.expectedExit.add(child);
        child.kill('SIGKILL');
      }
    }
  }
}

// ---- faults ----

interface ChaosContext {
  workers: Workers;
  temporal: TemporalCluster;
  pg: LocalPostgres;
  emulator: ElkEmulator;
  pool: Pool;
  env: Env;
  /** Statuses the row's applications will receive in all. */
  expected: number;
  /** ЕЛК statuses delivered so far to the row's applications (the progress triggers count these). */
  delivered(): number;
  /** Waits until at least k statuses are delivered; false if the batch finished (or the row ran out) first. */
  until(k: number): Promise<boolean>;
  /** Counts one injection of `kind`; only injections while the batch still runs count. */
  inject(kind: string, n?: number): void;
  done(): boolean;
}

interface Fault {
  name: string;
  dup?: boolean;
  /** Rows that need the production-shaped topology (two workers, Temporal on PostgreSQL). */
  topology?: 'production';
  /** Hidden rows run only when named in FAULT_ONLY (the matrix's own test). */
  hidden?: boolean;
  /** Row bound in seconds when it must be longer than the default (the 10-minute adapter outage). */
  limitS?: number;
  /** Clerk pause between steps, for rows whose fault takes longer than a batch would (worker restarts). */
  pauseMs?: number;
  /** Faults the row must inject, given how many statuses the batch will deliver. */
  requires(expected: number): FaultCounts;
  chaos(s: ChaosContext): Promise<string>;
  after?(emulator: ElkEmulator): void;
}

/** Progress points (fractions of the row's statuses) at which repeated faults are injected. */
const at = (expected: number, fraction: number) => Math.max(1, Math.floor(expected * fraction));

export const FAULTS: Fault[] = [
  { name: 'none', requires: () => ({}), chaos: async () => 'baseline' },
  {
    name: 'worker-sigkill',
    requires: () => ({ 'worker SIGKILL': 2 }),
    async chaos(s) {
      for (const f of [0.15, 0.5]) {
        if (!(await s.until(at(s.expected, f + random() * 0.1)))) break;
        if (await s.workers.kill(0, 'SIGKILL')) s.inject('worker SIGKILL');
        await s.workers.start(0);
      }
      return `SIGKILL after ${s.delivered()} statuses`;
    },
  },
  {
    name: 'temporal-restart',
    requires: () => ({ 'server SIGKILL+restart': 2 }),
    async chaos(s) {
      for (const f of [0.1, 0.5]) {
        if (!(await s.until(at(s.expected, f + random() * 0.1)))) break;
        await s.temporal.restart();
        s.inject('server SIGKILL+restart');
      }
      return 'server killed and restarted on progress';
    },
  },
  {
    name: 'postgres-restart',
    requires: () => ({ 'PostgreSQL immediate restart': 2 }),
    async chaos(s) {
      for (const f of [0.1, 0.5]) {
        if (!(await s.until(at(s.expected, f + random() * 0.1)))) break;
        await s.pg.restart();
        s.inject('PostgreSQL immediate restart');
      }
      return 'case database crash-restarted on progress';
    },
  },
  {
    name: 'portal-outage',
    requires: () => ({ 'outage s': 5, 'adapter calls refused': 1 }),
    async chaos(s) {
      if (!(await s.until(at(s.expected, 0.15)))) return 'batch finished before the outage';
      const refusedBefore = await transportErrors(s.pool);
      const from = Date.now();
      s.emulator.faults.set({ outage: true, outageMode: '503' });
      await sleep(4000);
      s.emulator.faults.set({ outageMode: 'reset' });
      await sleep(2000);
      s.emulator.faults.set({ outage: false, outageMode: '503' });
      s.inject('outage s', Math.floor((Date.now() - from) / 1000));
      s.inject('adapter calls refused', (await transportErrors(s.pool)) - refusedBefore);
      return 'outage 503 4 s, then connection resets 2 s';
    },
  },
  {
    name: 'portal-slow',
    requires: (expected) => ({ 'statuses through a slow portal': Math.ceil(expected / 2) }),
    async chaos(s) {
      s.emulator.faults.set({ latencyMs: 1200 });
      // Counted as they arrive: only statuses delivered while the batch runs prove the slow portal.
      for (let counted = s.delivered(); !s.done(); await sleep(100)) {
        const now = s.delivered();
        s.inject('statuses through a slow portal', now - counted);
        counted = now;
      }
      return 'every adapter call +1200 ms';
    },
    after: (emulator) => emulator.faults.set({ latencyMs: 0 }),
  },
  {
    name: 'duplicate-delivery',
    dup: true,
    requires: (expected) => ({ 'sends dropped after accept': Math.min(10, Math.ceil(expected / 3)), 'duplicate Updates/Signals': 10 }),
    async chaos(s) {
      const drops = Math.min(10, Math.ceil(s.expected / 3));
      s.emulator.faults.set({ duplicateReplies: true, dropConnectionAfterAccept: drops });
      let dropped = 0;
      for (let dups = s.env.duplicatesSent; !s.done(); await sleep(100)) {
        const left = drops - s.emulator.faults.get().dropConnectionAfterAccept;
        s.inject('sends dropped after accept', left - dropped);
        dropped = left;
        s.inject('duplicate Updates/Signals', s.env.duplicatesSent - dups);
        dups = s.env.duplicatesSent;
      }
      return 'Updates ×2 same id (+1 resend without id), Signals ×3, /find replies ×2';
    },
    after: (emulator) => emulator.faults.set({ duplicateReplies: false, dropConnectionAfterAccept: 0 }),
  },
  // ---- production-shaped topology only ----
  {
    name: 'kill-one-of-two-workers',
    topology: 'production',
    requires: () => ({ 'worker SIGKILL (one of two, not restarted)': 1 }),
    async chaos(s) {
      if (!(await s.until(at(s.expected, 0.2)))) return 'batch finished before the kill';
      if (await s.workers.kill(1, 'SIGKILL')) s.inject('worker SIGKILL (one of two, not restarted)');
      // The survivor carries the rest; the dead one comes back only after the batch.
      while (!s.done()) await sleep(100);
      await s.workers.start(1);
      return 'worker 1 killed, worker 0 carried on alone';
    },
  },
  {
    name: 'rolling-restart',
    topology: 'production',
    requires: () => ({ 'workers restarted with a changed build': 2 }),
    // Clerks pause 8 s between steps: two graceful restarts take longer than a batch of quick clerks.
    pauseMs: 8000,
    async chaos(s) {
      if (!(await s.until(at(s.expected, 0.1)))) return 'batch finished before the restart';
      s.workers.setEnv({ CASE_WORKFLOW_BUNDLE: changedBundlePath });
      for (const slot of [0, 1]) {
        if (s.done()) break;
        // Graceful, as a deployment does it: SIGTERM, wait for the drain, start the new build. Counted when the
        // worker goes down with cases open; a start that fails fails the row (chaos error).
        if (await s.workers.kill(slot, 'SIGTERM')) s.inject('workers restarted with a changed build');
        await s.workers.start(slot);
      }
      return 'SIGTERM + start with a rebuilt workflow bundle, one worker at a time';
    },
  },
  {
    name: 'temporal-postgres-restart',
    topology: 'production',
    requires: () => ({ "Temporal's PostgreSQL immediate restart": 2 }),
    async chaos(s) {
      for (const f of [0.15, 0.5]) {
        if (!(await s.until(at(s.expected, f)))) break;
        await s.temporal.restartPersistence!();
        s.inject("Temporal's PostgreSQL immediate restart");
      }
      return 'the PostgreSQL under Temporal crash-restarted on progress';
    },
  },
  {
    name: 'adapter-down-10min',
    topology: 'production',
    limitS: 900,
    pauseMs: 8000,
    requires: () => ({ 'outage s': 600, 'stage changes during the outage': 5 }),
    async chaos(s) {
      if (!(await s.until(at(s.expected, 0.1)))) return 'batch finished before the outage';
      const from = Date.now();
      const movesBefore = s.env.stageChanges;
      s.emulator.faults.set({ outage: true, outageMode: '503' });
      while (Date.now() - from < 600_000) await sleep(1000);
      s.emulator.faults.set({ outage: false });
      s.inject('outage s', Math.floor((Date.now() - from) / 1000));
      s.inject('stage changes during the outage', s.env.stageChanges - movesBefore);
      return 'adapter 503 for 10 minutes while clerks keep working';
    },
    after: (emulator) => emulator.faults.set({ outage: false }),
  },
  // ---- the matrix's own test: a fault that cannot be injected must fail its row ----
  {
    name: 'unreachable-kill',
    hidden: true,
    requires: () => ({ 'worker SIGKILL': 1 }),
    async chaos(s) {
      // Triggers after more statuses than the batch can deliver: the kill never happens.
      if (await s.until(s.expected + 1)) {
        if (await s.workers.kill(0, 'SIGKILL')) s.inject('worker SIGKILL');
        await s.workers.start(0);
      }
      return 'trigger point beyond the batch';
    },
  },
];

let changedBundlePath = '';

async function transportErrors(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM elk_delivery_attempts WHERE outcome = 'transport-error'`);
  return rows[0]!.n;
}

export async function check(env: Env, runs: AppRun[]): Promise<Pick<RowOutcome, 'expected' | 'delivered' | 'duplicates' | 'problems'>> {
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
    // A status may lawfully repeat (6 again after the applicant answers): doubled is what arrived beyond the expected multiset.
    const doubled = pool.length;
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

async function runFault(fault: Fault, ctx: { env: Env; workers: Workers; temporal: TemporalCluster; pg: LocalPostgres }): Promise<RowOutcome & { note: string; seconds: number }> {
  const startedAt = Date.now();
  const deadline = new Deadline(startedAt + (fault.limitS ? fault.limitS * 1000 : ROW_LIMIT_MS));
  const runs: AppRun[] = Array.from({ length: APPS_PER_FAULT }, (_, i) => ({
    no: `F${fault.name.replace(/[^a-z]/g, '').slice(0, 10)}-${process.pid % 10000}-${SEED % 10000}-${i}`,
    path: PATHS[i % PATHS.length]!,
    started: false,
    finished: false,
  }));
  const expected = runs.reduce((a, r) => a + r.path.elk.length, 0);
  const required = fault.requires(expected);
  const injected: FaultCounts = {};
  let finishedBatch = false;
  const done = () => finishedBatch || deadline.passed;
  const delivered = () => runs.reduce((a, r) => a + (ctx.env.emulator.order(r.no)?.history.length ?? 0), 0);
  const crashesBefore = ctx.workers.crashes.length;
  const logBefore = fs.statSync(ctx.workers.logFile).size;
  const chaos = fault.chaos({
    workers: ctx.workers,
    temporal: ctx.temporal,
    pg: ctx.pg,
    emulator: ctx.env.emulator,
    pool: ctx.env.pool,
    env: ctx.env,
    expected,
    delivered,
    async until(k) {
      while (!done()) {
        if (delivered() >= k) return true;
        await sleep(50);
      }
      return false;
    },
    inject(kind, n = 1) {
      // An injection after the batch finished proves nothing about recovery: it does not count.
      if (!finishedBatch) injected[kind] = (injected[kind] ?? 0) + n;
    },
    done,
  });
  await pooled(runs, CONCURRENCY, async (run) => {
    try {
      await runLifecycle(ctx.env, run, !!fault.dup, deadline, fault.pauseMs ? () => sleep(fault.pauseMs!) : undefined);
    } catch (err) {
      run.error = (err as Error).message.slice(0, 300);
      // Name what the case is stuck on, not only that it is.
      if (deadline.passed) run.error += ` — ${await diagnose(ctx.env, run.no)}`;
    }
  });
  finishedBatch = true;
  let chaosError: string | undefined;
  // The driver itself is bounded: a fault that cannot be undone within the row's bound fails the row.
  const note = await Promise.race([
    chaos,
    sleep(Math.max(5000, deadline.at + 60_000 - Date.now())).then(() => { throw new Error('fault driver did not finish within its bound'); }),
  ]).catch((e) => {
    chaosError = (e as Error).message;
    return 'chaos failed';
  });
  fault.after?.(ctx.env.emulator);
  const checked = await check(ctx.env, runs);
  const unexpectedExits = ctx.workers.crashes.slice(crashesBefore);
  const rowLog = readFrom(ctx.workers.logFile, logBefore);
  const sdkInvariants = sdkCoreInvariantMessages(rowLog);
  if (ctx.temporal.process.exitCode !== null) unexpectedExits.push(`Temporal server exited (${ctx.temporal.process.exitCode})`);
  return {
    fault: fault.name,
    apps: runs.length,
    started: runs.filter((r) => r.started).length,
    finished: runs.filter((r) => r.finished).length,
    ...checked,
    required,
    injected,
    chaosError,
    unexpectedExits,
    nondeterminism: rowLog.split(NONDETERMINISM_MARK).length - 1,
    note: sdkInvariants ? `${note}; sdk-core invariant messages ×${sdkInvariants}` : note,
    seconds: Math.round((Date.now() - startedAt) / 1000),
  };
}

function readFrom(file: string, offset: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(Math.max(0, size - offset));
    fs.readSync(fd, buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** How sdk-core reports a workflow task whose history the workflow code does not replay. */
export const NONDETERMINISM_MARK = '[TMPRL1100]';

/**
 * sdk-core's internal invariant checks (dbg_panic!, which in release builds logs at error level and carries on):
 * managed_run.rs "Trying to send a new WFT for a run which already has one!" and workflow_machines.rs "There are
 * unprocessed protocol messages while receiving new work". They follow a "Task not found when completing" after a
 * Temporal server restart invalidated the worker's task tokens; no plugin code is involved. Counted per row so a
 * recurrence is visible; the row's verdict rests on what the cabinets received.
 */
export const SDK_CORE_INVARIANTS = ['Trying to send a new WFT for a run which already has one', 'There are unprocessed protocol messages'];
function sdkCoreInvariantMessages(log: string): number {
  return SDK_CORE_INVARIANTS.reduce((n, m) => n + log.split(m).length - 1, 0);
}

// ---- stack ----

export interface Stack {
  env: Env;
  workers: Workers;
  temporal: TemporalCluster;
  pg: LocalPostgres;
}

/**
 * Temporal (dev server, or the production-shaped cluster), the case database, the ЕЛК emulator and worker
 * processes on one task queue; everything it starts is registered in `cleanups`.
 */
export async function startStack(opts: { dir: string; topology: 'dev' | 'production'; workers: number; workerEnv?: NodeJS.ProcessEnv; workerNodeArgs?: string[] }): Promise<Stack> {
  fs.mkdirSync(opts.dir, { recursive: true });
  fs.rmSync(path.join(opts.dir, 'temporal'), { recursive: true, force: true });
  fs.rmSync(path.join(opts.dir, 'worker.log'), { force: true });
  const [temporal, pg, bundle] = await Promise.all([
    opts.topology === 'production'
      ? startProductionTemporal({ dataDir: path.join(opts.dir, 'cluster') })
      : startLocalTemporal({ dataDir: path.join(opts.dir, 'temporal') }),
    startLocalPostgres({ dataDir: path.join(opts.dir, 'pg'), durable: true }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never }),
  ]);
  cleanups.push(() => temporal.stop(), () => pg.stop());
  const bundlePath = path.join(opts.dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  // The "changed build" of a rolling restart: same workflow code, a different bundle (new build id and hash),
  // so the restarted workers must replay every open case from history.
  changedBundlePath = path.join(opts.dir, 'workflow-bundle-next.js');
  // The marker goes before the inline source map: the SDK base64-decodes everything after "base64," to the end,
  // so a line appended after it decodes into the map's JSON whenever the map's base64 has no padding.
  const mapAt = bundle.code.lastIndexOf('//# sourceMappingURL=data:');
  if (mapAt < 0) throw new Error('the workflow bundle has no inline source map');
  fs.writeFileSync(changedBundlePath, `${bundle.code.slice(0, mapAt)}// rebuilt ${new Date().toISOString()}\n${bundle.code.slice(mapAt)}`);

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
    CASE_REPORTS_DIR: path.join(opts.dir, 'reports'),
    ...opts.workerEnv,
  }, opts.workers, path.join(opts.dir, 'worker.log'), opts.workerNodeArgs);
  cleanups.push(async () => workers.killAll());
  await workers.startAll();

  const connection = await Connection.connect({ address: temporal.address });
  cleanups.push(() => connection.close());
  const client = new Client({ connection, plugins: [new CaseLifecyclePlugin({ codecKeys: parseCodecKeys(KEY_SPEC) })] });
  const cases = new CaseClient({ client, services: ServiceRegistry.load(), taskQueue: TASK_QUEUE });
  const env: Env = { cases, client, connection, emulator, pool, duplicatesSent: 0, stageChanges: 0 };
  return { env, workers, temporal, pg };
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const only = process.env.FAULT_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((n) => !FAULTS.some((f) => f.name === n)) ?? [];
  if (unknown.length) throw new Error(`FAULT_ONLY: unknown rows ${unknown.join(', ')} (rows: ${FAULTS.map((f) => f.name).join(', ')})`);
  const faults = FAULTS.filter((f) => (only ? only.includes(f.name) : !f.hidden) && (!f.topology || f.topology === TOPOLOGY));
  const skipped = only?.filter((n) => !faults.some((f) => f.name === n)) ?? [];
  if (skipped.length) throw new Error(`FAULT_ONLY: rows ${skipped.join(', ')} need FAULT_TOPOLOGY=production`);
  const workerCount = TOPOLOGY === 'production' ? 2 : 1;
  log(`seed ${SEED}, ${APPS_PER_FAULT} applications per fault, topology ${TOPOLOGY} (${workerCount} worker${workerCount > 1 ? 's' : ''})`);

  const { env, workers, temporal, pg } = await startStack({ dir: FAULT_DIR, topology: TOPOLOGY, workers: workerCount });
  log(`stack ready in ${Math.round((Date.now() - t0) / 1000)} s`);

  const rows: RowOutcome[] = [];
  const header = 'fault                     | apps started / finished | statuses expected / delivered | dup | faults injected / required';
  process.stdout.write(`${header}\n${'-'.repeat(header.length)}\n`);
  let allOk = true;
  for (const fault of faults) {
    log(`fault ${fault.name}…`);
    const row = await runFault(fault, { env, workers, temporal, pg });
    rows.push(row);
    const verdict = judgeRow(row);
    allOk &&= verdict.ok;
    process.stdout.write(
      `${row.fault.padEnd(25)} | ${`${row.started} / ${row.finished}`.padEnd(23)} | ${`${row.expected} / ${row.delivered}`.padEnd(29)} | ${String(row.duplicates).padEnd(3)} | ` +
        `${injectedVsRequired(row.required, row.injected)}   ${verdict.ok ? 'OK' : 'FAILED'} (${row.seconds} s; ${row.note})\n`,
    );
    for (const r of verdict.reasons) process.stdout.write(`    ✗ ${r}\n`);
    for (const p of row.problems.slice(0, 10)) process.stdout.write(`    ! ${p}\n`);
  }
  const sum = (k: 'started' | 'finished' | 'expected' | 'delivered' | 'duplicates') => rows.reduce((a, r) => a + r[k], 0);
  process.stdout.write(`${'-'.repeat(header.length)}\n`);
  process.stdout.write(`${'total'.padEnd(25)} | ${`${sum('started')} / ${sum('finished')}`.padEnd(23)} | ${`${sum('expected')} / ${sum('delivered')}`.padEnd(29)} | ${sum('duplicates')}\n`);
  process.stdout.write(`wall time ${Math.round((Date.now() - t0) / 1000)} s, seed ${SEED}, topology ${TOPOLOGY}\n`);
  const workerLog = fs.readFileSync(workers.logFile, 'utf8');
  const invariants = SDK_CORE_INVARIANTS.map((m) => `${m}: ${workerLog.split(m).length - 1}`);
  process.stdout.write(`SDK core invariant messages in worker logs: ${invariants.join('; ')}\n`);
  process.stdout.write(allOk ? 'fault matrix: OK\n' : 'fault matrix: FAILED (see ✗ lines; worker log: .data/faults/worker.log)\n');
  return allOk ? 0 : 1;
}

export const cleanups: (() => Promise<unknown> | unknown)[] = [];
export async function cleanup(): Promise<void> {
  for (const c of cleanups.reverse()) {
    try {
      await Promise.race([c(), sleep(15_000)]);
    } catch {
      /* best effort: the next run starts from scratch anyway */
    }
  }
  cleanups.length = 0;
}

if (require.main === module) runWithHardLimit('fault matrix', HARD_LIMIT_MS, main, cleanup);
