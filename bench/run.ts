// `npm run bench`: how much engine work one application costs, and how many applications one worker carries.
// Starts its own Temporal dev server, PostgreSQL and the ЕЛК emulator (a child process), then runs three
// workloads side by side at each n: the engine floor (a minimal no-op workflow), the same-shape baseline (the
// lifecycle workflow with no-op activities: same events, Updates, timers, upserts) and the real lifecycle;
// optionally 10,000 open cases waiting on their deadline timers. Every worker runs in a child process of its
// own (bench/workerProcess.ts), so worker, bench client, emulator, XSD validator, Temporal and PostgreSQL are
// each measured from /proc. See bench/README.md for the options and how to read the output.
import { feedbackWorkflowId, snilsWithChecksum as snils } from '../shared';
import { ChildProcess, fork, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime, WorkerOptions } from '@temporalio/worker';
import { Client as PgClient, Pool } from 'pg';
import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { CaseClient, ClerkActionRejectedError } from '../client';
import { generateKeySpec, parseCodecKeys } from '../codec';
import { migrate } from '../db';
import { freePort, ROOT, startLocalPostgres, startLocalTemporal } from '../scripts/localStack';
import { startProductionTemporal } from '../scripts/topology/productionTemporal';
import { ServiceRegistry } from '../services';
import type { ApplicationInput } from '../shared';
import type { BenchWorkerKind, BenchWorkerSpec } from './workerProcess';
import { workflowBundlerOptions, type WorkflowStackTraces } from '../worker';

const DATA = path.join(ROOT, '.data/bench');
const RESULTS = path.join(ROOT, 'bench/results');
const say = (s: string) => process.stdout.write(`${s}\n`);

// ---------------------------------------------------------------- options
interface Options {
  ns: number[];
  scale: number | null;
  concurrency: number;
  workerOptions: Partial<WorkerOptions>;
  scaleWorkerOptions: Partial<WorkerOptions>;
  skipBaseline: boolean;
  label: string;
  historySample: number;
  probeMs: number;
  /** After the saturated real run, offer half its throughput at a fixed arrival rate (open loop). */
  halfLoad: boolean;
  /** Arrival rate of that open-loop run, apps/s (default: half the saturated throughput just measured). */
  rate: number | null;
  /** Stack capture in the workflow sandbox (worker/workflowBundle.ts): off as in production, on to compare. */
  workflowStackTraces: WorkflowStackTraces;
  /** Run the typical-path probe only and print its history event by event (what each event is for). */
  probeOnly: boolean;
}

function parseOptions(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const has = (name: string) => argv.includes(`--${name}`);
  const ns = (get('n') ?? (has('scale') ? '' : '100,1000')).split(',').filter(Boolean).map(Number);
  if (ns.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--n expects a comma-separated list of positive integers');
  if (has('rate') && !(Number(get('rate')) > 0)) throw new Error('--rate expects a positive number of applications per second');
  const workerOptions = JSON.parse(get('worker-options') ?? '{}');
  return {
    ns,
    scale: has('scale') ? Number(get('scale') ?? 10_000) : null,
    concurrency: Number(get('concurrency') ?? 100),
    workerOptions,
    // A bounded cache keeps RSS flat however many cases are open; evicted cases replay on their next task.
    scaleWorkerOptions: { maxCachedWorkflows: 1000, ...workerOptions },
    skipBaseline: has('skip-baseline'),
    label: get('label') ?? '',
    historySample: Number(get('history-sample') ?? 200),
    probeMs: Number(get('probe-ms') ?? 30_000),
    halfLoad: has('half-load') || has('rate'),
    rate: has('rate') ? Number(get('rate')) : null,
    workflowStackTraces: get('workflow-stack-traces') === 'on' ? 'on' : 'off',
    probeOnly: has('probe-only'),
  };
}

// ---------------------------------------------------------------- measurement helpers
const load = () => os.loadavg().map((x) => Number(x.toFixed(2)));
const round = (x: number, d = 1) => Number(x.toFixed(d));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function percentiles(values: number[]): { n: number; p50: number; p95: number; p99: number; max: number; mean: number } | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
  return { n: s.length, p50: at(50), p95: at(95), p99: at(99), max: s[s.length - 1], mean: round(s.reduce((a, b) => a + b, 0) / s.length) };
}

/** utime+stime (+ reaped children) of a process from /proc, in seconds. */
function procCpu(pid: number, withChildren = true): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after ")": state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    const ticks = Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
    return ticks / 100;
  } catch {
    return 0;
  }
}

function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(d));
    } catch {
      /* exited */
    }
  }
  return out;
}

/** CPU of the PostgreSQL cluster: postmaster (with reaped backends) plus live backends. */
function pgCpu(dataDir: string): number {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return procCpu(pid) + childrenOf(pid).reduce((a, c) => a + procCpu(c, false), 0);
  } catch {
    return 0;
  }
}

/** Every live descendant of a process (the worker's XSD validator host and what it started). */
function descendantsOf(pid: number): number[] {
  const kids = childrenOf(pid);
  return kids.concat(...kids.map(descendantsOf));
}

/** Resident memory of a process from /proc (0 once it has exited). */
function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

// Core's Prometheus histograms; a delta between two scrapes gives the distribution of one phase.
type Histo = Map<string, number>; // le → cumulative count
async function scrapeHisto(metricsUrl: string, metric: string, taskQueue: string): Promise<Histo> {
  const text = await (await fetch(metricsUrl)).text();
  const out: Histo = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}_bucket{`) || !line.includes(`task_queue="${taskQueue}"`)) continue;
    const le = /le="([^"]+)"/.exec(line)![1];
    out.set(le, (out.get(le) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

function histoSummary(after: Histo, before: Histo): Record<string, number | string> | null {
  const rows = [...after.entries()]
    .map(([le, c]) => ({ le: le === '+Inf' ? Infinity : Number(le), c: c - (before.get(le) ?? 0) }))
    .sort((a, b) => a.le - b.le);
  const total = rows.at(-1)?.c ?? 0;
  if (!total) return null;
  const q = (p: number) => {
    const r = rows.find((x) => x.c >= p * total)!;
    return r.le === Infinity ? `>${rows.at(-2)?.le}` : r.le;
  };
  const over5s = total - (rows.find((r) => r.le >= 5000)?.c ?? total);
  return { count: total, p50_le_ms: q(0.5), p95_le_ms: q(0.95), p99_le_ms: q(0.99), over_5s: over5s };
}

/** RSS of one process (the worker) sampled from /proc; peak and, for the scale run, a series. */
class RssSampler {
  private timer: NodeJS.Timeout;
  peak = 0;
  series: { t: number; rssMiB: number }[] = [];
  constructor(private readonly pid: number, private readonly t0 = Date.now(), everyMs = 500, private readonly keepSeries = false) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.sample();
  }
  sample(): number {
    const rss = rssBytes(this.pid);
    this.peak = Math.max(this.peak, rss);
    if (this.keepSeries) this.series.push({ t: round((Date.now() - this.t0) / 1000), rssMiB: round(rss / 2 ** 20) });
    return rss;
  }
  stop(): number {
    clearInterval(this.timer);
    return round(this.peak / 2 ** 20);
  }
}

async function pgWrites(pool: Pool): Promise<{ total: number; byTable: Record<string, number> }> {
  const { rows } = await pool.query(`SELECT relname, (n_tup_ins + n_tup_upd)::bigint AS w FROM pg_stat_user_tables`);
  const byTable: Record<string, number> = {};
  for (const r of rows) byTable[r.relname] = Number(r.w);
  return { total: Object.values(byTable).reduce((a, b) => a + b, 0), byTable };
}

/** Runs fn over items with at most `limit` in flight. */
async function bounded<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/**
 * Open loop: item i starts at t0 + i / rate whatever the others are doing (arrivals do not wait for
 * completions, as applications arriving at a department do not), all in flight at once if need be.
 */
async function atFixedRate<T>(items: T[], rate: number, fn: (item: T, i: number) => Promise<void>): Promise<{ offeredSeconds: number; maxInFlight: number }> {
  const t0 = Date.now();
  let inFlight = 0;
  let maxInFlight = 0;
  const running: Promise<void>[] = [];
  for (let i = 0; i < items.length; i++) {
    const due = t0 + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    running.push(fn(items[i]!, i).finally(() => inFlight--));
  }
  const offeredSeconds = (Date.now() - t0) / 1000;
  await Promise.all(running);
  return { offeredSeconds, maxInFlight };
}

function application(no: string, i: number, serviceCode = 'archive-certificate'): ApplicationInput {
  return {
    applicationNumber: no,
    serviceCode,
    // ЕЛК-path channels only: an ЕПГУ-origin case answers ЕПГУ's request instead (a different message flow).
    channel: (['departmentSite', 'mfc', 'inPerson'] as const)[i % 3],
    receivedAt: new Date().toISOString(),
    applicant: { kind: 'person', lastName: 'Иванов', firstName: 'Пётр', middleName: 'Алексеевич', snils: snils(200000000 + ((i * 7919) % 700000000)) },
    assignedClerk: ['ivanova', 'petrov', 'sidorova'][i % 3],
  };
}

/** Update calls that hit the client's RPC deadline under saturation, and were retried. */
export const updateTimeouts = { count: 0 };

/**
 * A clerk action that survives the Update RPC deadline (the server still runs the update): retried, and an
 * "illegal in this stage" answer after a timeout means the first attempt got through.
 */
async function act(cases: CaseClient, no: string, action: Parameters<CaseClient['act']>[1], args: never): Promise<void> {
  for (let timedOut = false; ; ) {
    try {
      await cases.act(no, action, args);
      return;
    } catch (err) {
      if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
        updateTimeouts.count++;
        timedOut = true;
        continue;
      }
      if (timedOut && err instanceof ClerkActionRejectedError) return;
      throw err;
    }
  }
}

/** The typical path the issue names: register → startReview → draftDecision(approve) → approve → issueResult. */
async function typicalPath(cases: CaseClient, app: ApplicationInput): Promise<void> {
  const no = app.applicationNumber;
  const clerk = app.assignedClerk!;
  await cases.startApplication(app);
  await act(cases, no, 'register', { clerk } as never);
  await act(cases, no, 'startReview', { clerk } as never);
  await act(cases, no, 'draftDecision', { clerk, outcome: 'approve' } as never);
  await act(cases, no, 'approve', { clerk: 'head-smirnov' } as never);
  await act(cases, no, 'issueResult', { clerk } as never);
  await cases.result(no);
}

interface HistoryFigures {
  sampled: number;
  eventsPerApp: number;
  bytesPerApp: number;
  workflowTasksPerApp: number;
  activitiesPerApp: number;
  localActivitiesPerApp: number;
  activityTypes: Record<string, number>;
}

/** The activity type of a local-activity marker (core stores it as JSON in the marker's "data" detail). */
function localActivityType(m: temporal.api.history.v1.IMarkerRecordedEventAttributes): string {
  try {
    const data = m.details?.data?.payloads?.[0]?.data;
    return data ? String(JSON.parse(Buffer.from(data).toString('utf8')).activity_type ?? '?') : '?';
  } catch {
    return '?';
  }
}

/** One line per event: its number, type and what it names (activity, marker, update, attribute keys). */
function describeEvents(h: temporal.api.history.v1.IHistory): string[] {
  const E = temporal.api.enums.v1.EventType;
  return (h.events ?? []).map((e) => {
    const type = (E[e.eventType ?? 0] ?? '?').replace(/^EVENT_TYPE_/, '');
    const detail =
      e.activityTaskScheduledEventAttributes?.activityType?.name ??
      (e.markerRecordedEventAttributes ? `${e.markerRecordedEventAttributes.markerName} ${e.markerRecordedEventAttributes.markerName === 'core_local_activity' ? localActivityType(e.markerRecordedEventAttributes) : ''}` : undefined) ??
      (e.upsertWorkflowSearchAttributesEventAttributes ? Object.keys(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {}).join(',') : undefined) ??
      e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ??
      '';
    return `${String(e.eventId)} ${type} ${detail}`.trimEnd();
  });
}

async function historyFigures(client: Client, ids: string[]): Promise<HistoryFigures> {
  const E = temporal.api.enums.v1.EventType;
  let events = 0;
  let bytes = 0;
  let wfts = 0;
  let activities = 0;
  let locals = 0;
  const types: Record<string, number> = {};
  for (const id of ids) {
    const h = await client.workflow.getHandle(id).fetchHistory();
    events += h.events?.length ?? 0;
    bytes += temporal.api.history.v1.History.encode(h).finish().length;
    for (const e of h.events ?? []) {
      if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) wfts++;
      if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        activities++;
        const t = e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        types[t] = (types[t] ?? 0) + 1;
      }
      if (e.eventType === E.EVENT_TYPE_MARKER_RECORDED && e.markerRecordedEventAttributes?.markerName === 'core_local_activity') {
        locals++;
        const t = `local:${localActivityType(e.markerRecordedEventAttributes)}`;
        types[t] = (types[t] ?? 0) + 1;
      }
    }
  }
  const k = ids.length;
  return {
    sampled: k,
    eventsPerApp: round(events / k),
    bytesPerApp: Math.round(bytes / k),
    workflowTasksPerApp: round(wfts / k),
    activitiesPerApp: round(activities / k),
    localActivitiesPerApp: round(locals / k),
    activityTypes: Object.fromEntries(Object.entries(types).map(([t, c]) => [t, round(c / k, 2)])),
  };
}

// ---------------------------------------------------------------- processes
interface BenchWorker {
  kind: BenchWorkerKind;
  pid: number;
  metricsUrl: string;
  /** Shuts the worker down (in-flight tasks finish) and waits for its process to exit. */
  stop(): Promise<{ slowWorkflowTaskWarnings: number }>;
}

async function startWorker(spec: Omit<BenchWorkerSpec, 'metricsPort'>): Promise<BenchWorker> {
  const metricsPort = await freePort();
  const child: ChildProcess = fork(path.join(__dirname, 'workerProcess.ts'), [JSON.stringify({ ...spec, metricsPort })], {
    cwd: ROOT,
    // BENCH_WORKER_CPU_PROF=<dir>: V8 CPU profiles of the worker (main thread and workflow thread) into <dir>.
    execArgv: ['-r', 'ts-node/register/transpile-only', ...(process.env.BENCH_WORKER_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WORKER_CPU_PROF}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stopped: { slowWorkflowTaskWarnings: number } | undefined;
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean; stopped?: boolean; slowWorkflowTaskWarnings?: number }) => {
      if (m.ready) resolve();
      if (m.stopped) stopped = { slowWorkflowTaskWarnings: m.slowWorkflowTaskWarnings ?? 0 };
    });
    void exited.then((code) => reject(new Error(`bench worker ${spec.kind} exited with ${code} before it was ready`)));
  });
  return {
    kind: spec.kind,
    pid: child.pid!,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    async stop() {
      child.send({ cmd: 'stop' });
      const code = await exited;
      if (code !== 0) throw new Error(`bench worker ${spec.kind} exited with ${code}`);
      return stopped ?? { slowWorkflowTaskWarnings: 0 };
    },
  };
}

/** The ЕЛК emulator in a process of its own (its CPU is measured apart from the worker's). */
async function startEmulatorProcess(): Promise<{ pid: number; url: string; exchangeDir: string; stop(): Promise<void> }> {
  const port = await freePort();
  // The SMEV exchange folder the adapter and the worker share (result documents travel through it).
  const exchangeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smev-exchange-'));
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'epgu/emulator/main.ts', '--port', String(port), '--host', '127.0.0.1', '--exchange-dir', exchangeDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => {
      const m = /listening on (\S+)/.exec(l);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return {
    pid: child.pid!,
    url,
    exchangeDir,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  // The replay measurement runs a replay worker in this process: its logs stay quiet.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const started = new Date();
  const runTag = started.toISOString().replace(/\D/g, '').slice(2, 14);
  say(`bench ${runTag}: n=${opts.ns.join(',') || '-'} scale=${opts.scale ?? '-'} concurrency=${opts.concurrency}${opts.halfLoad ? ` half-load${opts.rate ? ` rate=${opts.rate}` : ''}` : ''} workflow stack traces ${opts.workflowStackTraces} workerOptions=${JSON.stringify(opts.workerOptions)} load=${load().join(' ')}`);

  // Fresh Temporal (its SQLite file grows with every run) and a fresh database in the bench cluster.
  fs.rmSync(path.join(DATA, 'temporal'), { recursive: true, force: true });
  fs.mkdirSync(DATA, { recursive: true });
  const silent = { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never;
  const t0 = Date.now();
  const [temporalServer, pg, baselineBundle, lifecycleBundle, emulator] = await Promise.all([
    // BENCH_TOPOLOGY=production: the Temporal server on PostgreSQL with 4 history shards (scripts/topology).
    process.env.BENCH_TOPOLOGY === 'production'
      ? startProductionTemporal({ dataDir: path.join(DATA, 'cluster') })
      : startLocalTemporal({ dataDir: path.join(DATA, 'temporal') }),
    startLocalPostgres({ dataDir: path.join(DATA, 'pg') }),
    bundleWorkflowCode({ workflowsPath: require.resolve('./baselineWorkflow'), ...workflowBundlerOptions(opts.workflowStackTraces), logger: silent }),
    bundleWorkflowCode({ workflowsPath: require.resolve('./lifecycleWorkflows'), ...workflowBundlerOptions(opts.workflowStackTraces), logger: silent }),
    startEmulatorProcess(),
  ]);
  const baselineBundlePath = path.join(DATA, 'baseline-bundle.js');
  const lifecycleBundlePath = path.join(DATA, 'lifecycle-bundle.js');
  fs.writeFileSync(baselineBundlePath, baselineBundle.code);
  fs.writeFileSync(lifecycleBundlePath, lifecycleBundle.code);
  const dbName = `bench_${runTag}`;
  const admin = new PgClient({ connectionString: pg.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const dbUrl = pg.url.replace(/\/postgres$/, `/${dbName}`);
  const statsPool = new Pool({ connectionString: dbUrl, max: 2 });
  await migrate(statsPool);
  // A failed run must not leave its Temporal server, PostgreSQL cluster and emulator behind.
  cleanup = async () => {
    temporalServer.process.kill('SIGTERM');
    await emulator.stop().catch(() => undefined);
    await pg.stop().catch(() => undefined);
  };
  say(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s (Temporal ${temporalServer.address}, PostgreSQL ${dbName}, emulator ${emulator.url})`);

  const codecKeySpec = generateKeySpec('bench-1');
  const codecKeys = parseCodecKeys(codecKeySpec, 'bench-1');
  const services = ServiceRegistry.load();
  const connection = await Connection.connect({ address: temporalServer.address });
  const cases = await CaseClient.connect({ address: temporalServer.address, codecKeys, services });
  // No payload codec: the floor and the same-shape workers have none either.
  const rawClient = new Client({ connection });

  const worker = (kind: BenchWorkerKind, taskQueue: string, workerOptions: Partial<WorkerOptions>) =>
    startWorker({
      kind,
      taskQueue,
      temporalAddress: temporalServer.address,
      bundlePath: kind === 'floor' ? baselineBundlePath : lifecycleBundlePath,
      workerOptions,
      ...(kind === 'real' ? { databaseUrl: dbUrl, smevAdapterUrl: emulator.url, smevExchangeDir: emulator.exchangeDir, codecKeySpec } : {}),
    });
  const casesOn = (taskQueue: string, codec = true) => new CaseClient({ client: codec ? cases.client : rawClient, services, taskQueue });

  async function statusLatencies(ids: string[]): Promise<number[]> {
    const lat: number[] = [];
    for (const id of ids) {
      const res = await fetch(`${emulator.url}/__emulator/orders/${encodeURIComponent(id)}`);
      if (!res.ok) continue;
      const order = (await res.json()) as { history: { statusDate: string; receivedAt: string }[] };
      for (const e of order.history) lat.push(Date.parse(e.receivedAt) - Date.parse(e.statusDate));
    }
    return lat;
  }

  /** Starts measuring a phase on a running worker; end() stops the worker and gives the figures. */
  async function phase(w: BenchWorker, taskQueue: string, rssEveryMs = 500, keepSeries = false) {
    const validatorCpu = () => procCpu(w.pid) - procCpu(w.pid, false) + descendantsOf(w.pid).reduce((a, d) => a + procCpu(d), 0);
    const before = {
      t: Date.now(),
      worker: procCpu(w.pid, false),
      validator: validatorCpu(),
      client: process.cpuUsage(),
      emulator: procCpu(emulator.pid),
      temporal: procCpu(temporalServer.process.pid!),
      pg: pgCpu(pg.dataDir),
      rss: rssBytes(w.pid),
      writes: await pgWrites(statsPool),
      wft: await scrapeHisto(w.metricsUrl, 'temporal_workflow_task_execution_latency', taskQueue),
      wftS2S: await scrapeHisto(w.metricsUrl, 'temporal_workflow_task_schedule_to_start_latency', taskQueue),
      actS2S: await scrapeHisto(w.metricsUrl, 'temporal_activity_schedule_to_start_latency', taskQueue),
      updateTimeouts: updateTimeouts.count,
      load: load(),
    };
    const sampler = new RssSampler(w.pid, before.t, rssEveryMs, keepSeries);
    return {
      sampler,
      rssStart: before.rss,
      /** Throughput window ends here; figures that need the worker closed (PostgreSQL stats) come after. */
      mark() {
        return (Date.now() - before.t) / 1000;
      },
      async end(apps: number) {
        const seconds = (Date.now() - before.t) / 1000;
        const wft = histoSummary(await scrapeHisto(w.metricsUrl, 'temporal_workflow_task_execution_latency', taskQueue), before.wft);
        const wftS2S = histoSummary(await scrapeHisto(w.metricsUrl, 'temporal_workflow_task_schedule_to_start_latency', taskQueue), before.wftS2S);
        const actS2S = histoSummary(await scrapeHisto(w.metricsUrl, 'temporal_activity_schedule_to_start_latency', taskQueue), before.actS2S);
        const rssEnd = sampler.sample();
        const rssPeakMiB = sampler.stop();
        const cpu = {
          worker: procCpu(w.pid, false) - before.worker,
          validator: validatorCpu() - before.validator,
          client: (() => {
            const c = process.cpuUsage(before.client);
            return (c.user + c.system) / 1e6;
          })(),
          emulator: procCpu(emulator.pid) - before.emulator,
          temporal: procCpu(temporalServer.process.pid!) - before.temporal,
        };
        const loadAfter = load();
        // Backends flush their table statistics when they exit: the worker (and its pool) goes first.
        const { slowWorkflowTaskWarnings } = await w.stop();
        await sleep(700);
        const pgCpuS = pgCpu(pg.dataDir) - before.pg;
        const writes = await pgWrites(statsPool);
        const perApp = (x: number) => round((x * 1000) / apps, 1);
        return {
          seconds: round(seconds, 2),
          loadavgBefore: before.load,
          loadavgAfter: loadAfter,
          cpuMsPerApp: {
            worker: perApp(cpu.worker),
            temporal: perApp(cpu.temporal),
            postgres: perApp(pgCpuS),
            validator: perApp(cpu.validator),
            client: perApp(cpu.client),
            emulator: perApp(cpu.emulator),
          },
          workerRss: { startMiB: round(before.rss / 2 ** 20), peakMiB: rssPeakMiB, endMiB: round(rssEnd / 2 ** 20) },
          pgRowsWrittenPerApp: round((writes.total - before.writes.total) / apps, 2),
          pgRowsWrittenPerAppByTable: Object.fromEntries(
            Object.entries(writes.byTable)
              .map(([t, wr]) => [t, round((wr - (before.writes.byTable[t] ?? 0)) / apps, 2)] as const)
              .filter(([, wr]) => wr > 0),
          ),
          workflowTaskLatency: wft,
          workflowTaskScheduleToStart: wftS2S,
          activityScheduleToStart: actS2S,
          slowWorkflowTaskWarnings,
          updateRpcTimeoutsRetried: updateTimeouts.count - before.updateTimeouts,
        };
      },
    };
  }

  const report: Record<string, unknown> = {
    startedAt: started.toISOString(),
    label: opts.label,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: round(os.totalmem() / 2 ** 30), node: process.version, loadavgAtStart: load() },
    options: { ...opts, workerOptions: opts.workerOptions },
  };

  // 1. How many activity calls a typical lifecycle makes: from a real history, not from reading the code.
  let activityCalls = 15;
  let localActivityCalls = 0;
  if (opts.ns.length || opts.scale || opts.probeOnly) {
    const tq = `bench-probe-${runTag}`;
    const w = await worker('real', tq, opts.workerOptions);
    const no = `PROBE-${runTag}`;
    await typicalPath(casesOn(tq), application(no, 0));
    const h = await historyFigures(cases.client, [no]);
    activityCalls = Math.round(h.activitiesPerApp);
    localActivityCalls = Math.round(h.localActivitiesPerApp);
    report.typicalLifecycle = h;
    if (opts.probeOnly) {
      const full = await cases.client.workflow.getHandle(no).fetchHistory();
      for (const line of describeEvents(full)) say(`  ${line}`);
      // The feedback workflow the closing starts is engine work of the same application.
      const feedback = await cases.client.workflow.getHandle(feedbackWorkflowId(no)).fetchHistory().catch(() => null);
      if (feedback) {
        say(`${feedbackWorkflowId(no)}, so far (it waits for ratings):`);
        for (const line of describeEvents(feedback)) say(`  ${line}`);
      }
    }
    say(`typical lifecycle: ${h.activitiesPerApp} activity + ${h.localActivitiesPerApp} local activity calls ${JSON.stringify(h.activityTypes)}, ${h.workflowTasksPerApp} workflow tasks, ${h.eventsPerApp} events, ${h.bytesPerApp} bytes`);
    await w.stop();
  }

  if (opts.probeOnly) opts.ns = [];
  // 2. The three workloads at each n, one after another in the same run.
  const rows: Record<string, unknown>[] = [];
  for (const n of opts.ns) {
    const row: Record<string, any> = { n };
    if (!opts.skipBaseline) {
      const tq = `bench-floor-${runTag}-${n}`;
      const w = await worker('floor', tq, opts.workerOptions);
      const ph = await phase(w, tq);
      const ids = Array.from({ length: n }, (_, i) => `B-${runTag}-${n}-${i}`);
      await bounded(ids, opts.concurrency, async (id) => {
        const h = await rawClient.workflow.start('baselineWorkflow', { workflowId: id, taskQueue: tq, args: [activityCalls, localActivityCalls] });
        await h.result();
      });
      const wall = ph.mark();
      const figures = await ph.end(n);
      row.floor = { appsPerSecond: round(n / wall, 2), ...figures, history: await historyFigures(rawClient, ids.slice(0, Math.min(20, n))) };
      say(`  floor      n=${n}: ${row.floor.appsPerSecond} apps/s in ${round(wall)} s, CPU ms/app ${JSON.stringify(figures.cpuMsPerApp)}, load ${figures.loadavgAfter.join(' ')}`);

      const tq2 = `bench-sameshape-${runTag}-${n}`;
      const w2 = await worker('sameShape', tq2, opts.workerOptions);
      const ph2 = await phase(w2, tq2);
      const ids2 = Array.from({ length: n }, (_, i) => `SS-${runTag}-${n}-${i}`);
      const c2 = casesOn(tq2, false);
      await bounded(ids2, opts.concurrency, (id, i) => typicalPath(c2, application(id, i)));
      const wall2 = ph2.mark();
      const figures2 = await ph2.end(n);
      row.sameShape = { appsPerSecond: round(n / wall2, 2), ...figures2, history: await historyFigures(rawClient, ids2.slice(0, Math.min(20, n))) };
      say(`  sameShape  n=${n}: ${row.sameShape.appsPerSecond} apps/s in ${round(wall2)} s, CPU ms/app ${JSON.stringify(figures2.cpuMsPerApp)}, load ${figures2.loadavgAfter.join(' ')}`);
    }
    {
      const tq = `bench-lifecycle-${runTag}-${n}`;
      const w = await worker('real', tq, opts.workerOptions);
      const ph = await phase(w, tq);
      const ids = Array.from({ length: n }, (_, i) => `L-${runTag}-${n}-${i}`);
      const c = casesOn(tq);
      await bounded(ids, opts.concurrency, (id, i) => typicalPath(c, application(id, i)));
      const wall = ph.mark();
      const figures = await ph.end(n);
      // Stage change (statusDate the workflow stamped) → the emulator received the message.
      const lat = await statusLatencies(ids);
      const sample = ids.filter((_, i) => i % Math.max(1, Math.floor(n / opts.historySample)) === 0).slice(0, opts.historySample);
      row.real = {
        appsPerSecond: round(n / wall, 2),
        ...figures,
        statusDeliveryLatencyMs: percentiles(lat),
        statusesPerApp: round(lat.length / n, 2),
        history: await historyFigures(cases.client, sample),
        replay: await replayCost(sample.slice(0, 50)),
      };
      say(`  real       n=${n}: ${row.real.appsPerSecond} apps/s in ${round(wall)} s, CPU ms/app ${JSON.stringify(figures.cpuMsPerApp)}, status latency ${JSON.stringify(percentiles(lat))}, load ${figures.loadavgAfter.join(' ')}`);
    }
    if (opts.halfLoad) {
      // The saturated run above is closed-loop (a fixed number in flight), so its latency is mostly queueing
      // behind our own load. Here the same lifecycles arrive at a fixed rate, half of what saturated the stack:
      // the latency an applicant sees on a department running at half its capacity.
      const saturated = row.real.appsPerSecond as number;
      const rate = opts.rate ?? saturated / 2;
      const tq = `bench-halfload-${runTag}-${n}`;
      const w = await worker('real', tq, opts.workerOptions);
      const ph = await phase(w, tq);
      const ids = Array.from({ length: n }, (_, i) => `H-${runTag}-${n}-${i}`);
      const c = casesOn(tq);
      const lifecycleMs: number[] = [];
      const offered = await atFixedRate(ids, rate, async (id, i) => {
        const t = Date.now();
        await typicalPath(c, application(id, i));
        lifecycleMs.push(Date.now() - t);
      });
      const wall = ph.mark();
      const figures = await ph.end(n);
      const lat = await statusLatencies(ids);
      row.halfLoad = {
        saturatedAppsPerSecond: saturated,
        offeredAppsPerSecond: round(rate, 2),
        achievedArrivalsPerSecond: round(n / offered.offeredSeconds, 2),
        completedAppsPerSecond: round(n / wall, 2),
        maxInFlight: offered.maxInFlight,
        ...figures,
        statusDeliveryLatencyMs: percentiles(lat),
        statusesPerApp: round(lat.length / n, 2),
        clientLifecycleMs: percentiles(lifecycleMs),
      };
      say(`  halfLoad   n=${n}: ${row.halfLoad.offeredAppsPerSecond} apps/s offered (saturated ${saturated}), status latency ${JSON.stringify(row.halfLoad.statusDeliveryLatencyMs)}, CPU ms/app ${JSON.stringify(figures.cpuMsPerApp)}, max in flight ${offered.maxInFlight}, load ${figures.loadavgAfter.join(' ')}`);
    }
    if (row.sameShape) {
      row.ratios = {
        realToSameShapeThroughput: round(row.real.appsPerSecond / row.sameShape.appsPerSecond, 3),
        sameShapeToFloorThroughput: round(row.sameShape.appsPerSecond / row.floor.appsPerSecond, 3),
        workerCpuRealToSameShape: round(row.real.cpuMsPerApp.worker / row.sameShape.cpuMsPerApp.worker, 2),
        workerCpuSameShapeToFloor: round(row.sameShape.cpuMsPerApp.worker / row.floor.cpuMsPerApp.worker, 2),
        temporalCpuRealToSameShape: round(row.real.cpuMsPerApp.temporal / row.sameShape.cpuMsPerApp.temporal, 2),
        temporalCpuSameShapeToFloor: round(row.sameShape.cpuMsPerApp.temporal / row.floor.cpuMsPerApp.temporal, 2),
        loadavg: { floor: row.floor.loadavgAfter, sameShape: row.sameShape.loadavgAfter, real: row.real.loadavgAfter },
      };
    }
    rows.push(row);
  }
  report.runs = rows;

  /**
   * CPU of replaying whole histories in this process, as a worker does for a case evicted from its cache:
   * the first replay (bundle load) is left out.
   */
  async function replayCost(ids: string[]) {
    if (ids.length < 2) return null;
    const histories = [];
    for (const id of ids) histories.push({ workflowId: id, history: await cases.client.workflow.getHandle(id).fetchHistory() });
    const { Worker } = await import('@temporalio/worker');
    const { AesGcmPayloadCodec } = await import('../codec');
    const replayOptions = { workflowBundle: { codePath: lifecycleBundlePath }, dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(codecKeys)] } };
    await Worker.runReplayHistory(replayOptions, histories[0]!.history, histories[0]!.workflowId);
    const c0 = process.cpuUsage();
    const t = Date.now();
    // One replay worker for all: each history is a fresh workflow (new sandbox context), as after an eviction.
    for await (const r of Worker.runReplayHistories(replayOptions, histories.slice(1))) {
      if (r.error) throw r.error;
    }
    const c = process.cpuUsage(c0);
    const k = histories.length - 1;
    return { histories: k, cpuMsPerReplay: round((c.user + c.system) / 1000 / k, 2), wallMsPerReplay: round((Date.now() - t) / k, 1) };
  }

  // 3. Scale: many open cases on long timers; worker RSS over time (MiB per cached case) and timer lateness.
  if (opts.scale) report.scale = await scaleRun(opts.scale);

  async function scaleRun(count: number) {
    const tq = `bench-scale-${runTag}`;
    const w = await worker('real', tq, opts.scaleWorkerOptions);
    const ph = await phase(w, tq, 2000, true);
    const t0 = Date.now();
    const c = casesOn(tq);
    const probes: string[] = [];
    let registering = true;
    // A probe every 10 s while cases are registered and during the quiet tail.
    const probeLoop = (async () => {
      const startProbe = async () => {
        const id = `PROBE-${runTag}-${probes.length}`;
        await cases.client.workflow.start('timerProbe', { workflowId: id, taskQueue: tq, args: [opts.probeMs] });
        probes.push(id);
      };
      while (registering) {
        await startProbe();
        await sleep(10_000);
      }
      for (let k = 0; k < 3; k++) {
        await startProbe();
        await sleep(10_000);
      }
    })();
    const ids = Array.from({ length: count }, (_, i) => `S-${runTag}-${i}`);
    let done = 0;
    await bounded(ids, opts.concurrency, async (id, i) => {
      const app = application(id, i);
      await c.startApplication(app);
      await act(c, id, 'register', { clerk: app.assignedClerk! } as never);
      if (++done % 1000 === 0) say(`  scale: ${done} registered, worker rss ${round(rssBytes(w.pid) / 2 ** 20)} MiB, load ${load().join(' ')}`);
    });
    const registerSeconds = (Date.now() - t0) / 1000;
    const rssRegistered = rssBytes(w.pid);
    registering = false;
    await probeLoop;
    // Every probe must have fired before we look.
    for (const id of probes) await cases.client.workflow.getHandle(id).result();
    await sleep(2000);
    const E = temporal.api.enums.v1.EventType;
    const ms = (t: temporal.api.history.v1.IHistoryEvent) => Number(t.eventTime!.seconds) * 1000 + Math.floor((t.eventTime!.nanos ?? 0) / 1e6);
    const lateness = [];
    for (const id of probes) {
      const ev = (await cases.client.workflow.getHandle(id).fetchHistory()).events ?? [];
      const startedT = ev.find((e) => e.eventType === E.EVENT_TYPE_TIMER_STARTED)!;
      const firedI = ev.findIndex((e) => e.eventType === E.EVENT_TYPE_TIMER_FIRED);
      const handled = ev.slice(firedI).find((e) => e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)!;
      const due = ms(startedT) + opts.probeMs;
      lateness.push({ probe: id, startedAtS: round((ms(startedT) - t0) / 1000), serverFiredLateMs: ms(ev[firedI]!) - due, workerHandledLateMs: ms(handled) - due });
    }
    const openCount = (await cases.client.workflow.count(`TaskQueue = "${tq}" AND ExecutionStatus = "Running"`)).count;
    const series = ph.sampler.series;
    const figures = await ph.end(count);
    const cached = Math.min(count, Number(opts.scaleWorkerOptions.maxCachedWorkflows ?? 1000));
    const out = {
      openApplications: count,
      stillRunningAtEnd: openCount,
      maxCachedWorkflows: opts.scaleWorkerOptions.maxCachedWorkflows,
      registerSeconds: round(registerSeconds),
      registeredPerSecond: round(count / registerSeconds, 2),
      // Growth of the worker's RSS from ready to all registered, over the cases the cache can hold.
      workerMiBPerCachedCase: round((rssRegistered - ph.rssStart) / 2 ** 20 / cached, 3),
      rssSeriesMiB: series,
      timerProbes: lateness,
      timerLatenessMs: {
        serverFired: percentiles(lateness.map((l) => l.serverFiredLateMs)),
        workerHandled: percentiles(lateness.map((l) => l.workerHandledLateMs)),
      },
      ...figures,
    };
    say(`  scale ${count}: registered in ${round(registerSeconds)} s; worker ${out.workerMiBPerCachedCase} MiB per cached case, RSS peak ${figures.workerRss.peakMiB} MiB; probe lateness worker max ${out.timerLatenessMs.workerHandled?.max} ms`);
    return out;
  }

  report.finishedAt = new Date().toISOString();
  report.loadavgAtEnd = load();
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${runTag}${opts.label ? `-${opts.label}` : ''}.json`);
  fs.writeFileSync(file, JSON.stringify(report, null, 2));
  printSummary(report);
  say(`\nwritten ${path.relative(ROOT, file)}`);

  await cases.client.connection.close();
  await connection.close();
  await statsPool.end();
  await emulator.stop();
  await temporalServer.stop();
  await pg.stop();
}

function printSummary(report: Record<string, any>): void {
  say('\n== summary (CPU ms per application, by process) ==');
  const table: Record<string, unknown>[] = [];
  for (const r of report.runs ?? []) {
    for (const kind of ['floor', 'sameShape', 'real'] as const) {
      const x = r[kind];
      if (!x) continue;
      table.push({
        n: r.n,
        workload: kind,
        'apps/s': x.appsPerSecond,
        events: x.history.eventsPerApp,
        'history B': x.history.bytesPerApp,
        worker: x.cpuMsPerApp.worker,
        temporal: x.cpuMsPerApp.temporal,
        postgres: x.cpuMsPerApp.postgres,
        validator: x.cpuMsPerApp.validator,
        client: x.cpuMsPerApp.client,
        emulator: x.cpuMsPerApp.emulator,
        'rss peak MiB': x.workerRss.peakMiB,
        'status p99 ms': x.statusDeliveryLatencyMs?.p99 ?? '',
        load1: x.loadavgAfter[0],
      });
    }
  }
  if (table.length) console.table(table);
  for (const r of report.runs ?? []) {
    const h = r.halfLoad;
    if (h) say(`n=${r.n}: at half load (${h.offeredAppsPerSecond} of ${h.saturatedAppsPerSecond} apps/s, fixed arrival rate) status delivery p50 ${h.statusDeliveryLatencyMs?.p50} ms, p99 ${h.statusDeliveryLatencyMs?.p99} ms; worker ${h.cpuMsPerApp.worker}, Temporal ${h.cpuMsPerApp.temporal} ms CPU/app; load ${h.loadavgAfter.join(' ')}`);
  }
  for (const r of report.runs ?? []) {
    if (r.ratios) say(`n=${r.n}: throughput real/sameShape ${r.ratios.realToSameShapeThroughput}, sameShape/floor ${r.ratios.sameShapeToFloorThroughput}; worker CPU real/sameShape ${r.ratios.workerCpuRealToSameShape}, sameShape/floor ${r.ratios.workerCpuSameShapeToFloor}; Temporal CPU real/sameShape ${r.ratios.temporalCpuRealToSameShape}, sameShape/floor ${r.ratios.temporalCpuSameShapeToFloor}; load ${JSON.stringify(r.ratios.loadavg)}`);
    if (r.real?.replay) say(`n=${r.n}: replay after eviction ${r.real.replay.cpuMsPerReplay} ms CPU per case (${r.real.replay.histories} histories)`);
  }
  if (report.scale) {
    const s = report.scale;
    say(`scale ${s.openApplications}: ${s.registeredPerSecond}/s registered, ${s.workerMiBPerCachedCase} MiB per cached case, worker RSS peak ${s.workerRss.peakMiB} MiB (cache ${s.maxCachedWorkflows}), timer lateness server ${JSON.stringify(s.timerLatenessMs.serverFired)} worker ${JSON.stringify(s.timerLatenessMs.workerHandled)}`);
  }
}

let cleanup: () => Promise<void> = async () => undefined;

main().catch(async (err) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  await cleanup();
  process.exit(1);
});
