// `npm run bench`: how many applications one worker carries. Starts its own Temporal dev server, PostgreSQL
// and the ЕЛК emulator, then measures a baseline (no-op activities: the engine's own limit on this machine)
// and full application lifecycles, and optionally 10,000 open cases waiting on their deadline timers.
// Everything (worker, bench client, emulator) runs in this one process, so CPU and RSS figures include the
// client and the emulator; the Temporal server and PostgreSQL are measured separately from /proc.
// See bench/README.md for the options and how to read the output.
import { xmllintHostPid } from '../epgu/xsdValidator';
import { snilsWithChecksum as snils } from '../shared/identifiers';
import { DEMO_PATHS, driveDemoPath } from '../scripts/demoRoutes';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, LogLevel, LogMetadata, makeTelemetryFilterString, NativeConnection, Runtime, Worker, WorkerOptions } from '@temporalio/worker';
import { Client as PgClient, Pool } from 'pg';
import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { CaseClient, ClerkActionRejectedError } from '../client/caseClient';
import { generateKeySpec, parseCodecKeys } from '../codec/payloadCodec';
import { migrate } from '../db/migrate';
import { startElkEmulator } from '../epgu/emulator/elkEmulator';
import { freePort, ROOT, startLocalPostgres, startLocalTemporal } from '../scripts/localStack';
import { startProductionTemporal } from '../scripts/topology/productionTemporal';
import { ServiceRegistry } from '../services/registry';
import { ApplicationInput } from '../shared/application';
import { createWorkerRuntime, WorkerRuntime } from '../worker/runtime';

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
  demo: boolean;
  prebundled: boolean;
  skipBaseline: boolean;
  label: string;
  historySample: number;
  probeMs: number;
}

function parseOptions(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const has = (name: string) => argv.includes(`--${name}`);
  const ns = (get('n') ?? (has('scale') || has('demo') ? '' : '100,1000')).split(',').filter(Boolean).map(Number);
  if (ns.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--n expects a comma-separated list of positive integers');
  const workerOptions = JSON.parse(get('worker-options') ?? '{}');
  return {
    ns,
    scale: has('scale') ? Number(get('scale') ?? 10_000) : null,
    concurrency: Number(get('concurrency') ?? 100),
    workerOptions,
    // A bounded cache keeps RSS flat however many cases are open; evicted cases replay on their next task.
    scaleWorkerOptions: { maxCachedWorkflows: 1000, ...workerOptions },
    demo: has('demo'),
    prebundled: !has('bundle-at-start'),
    skipBaseline: has('skip-baseline'),
    label: get('label') ?? '',
    historySample: Number(get('history-sample') ?? 200),
    probeMs: Number(get('probe-ms') ?? 30_000),
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

/**
 * xmllint CPU: reaped children of this process (/proc/self/stat cutime+cstime) plus the live xmllint host with
 * the xmllint runs it reaped (epgu/xsdValidator.ts starts xmllint from there).
 */
function childCpuSelf(): number {
  const hostPid = xmllintHostPid();
  return procCpu(process.pid) - procCpu(process.pid, false) + (hostPid ? procCpu(hostPid) : 0);
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

// Counts the SDK's "[TMPRL1104] Workflow task duration exceeded 5 seconds" warnings and keeps their durations.
class CountingLogger extends DefaultLogger {
  slowTasks: number[] = [];
  constructor() {
    super('WARN', ({ level, message, meta }) => {
      if (message.includes('TMPRL1104')) {
        // The duration is in the message fields; fall back to parsing the text if the meta layout differs.
        const m = meta as Record<string, unknown> | undefined;
        const fromMeta = Number(m?.workflow_task_duration ?? (m?.fields as Record<string, unknown> | undefined)?.workflow_task_duration);
        const fromText = Number(/workflow_task_duration[=:]\s*"?(\d+)/.exec(`${message} ${JSON.stringify(meta ?? {})}`)?.[1]);
        this.slowTasks.push(Number.isFinite(fromMeta) ? fromMeta : Number.isFinite(fromText) ? fromText : -1);
        return;
      }
      if (level === 'ERROR') process.stderr.write(`[sdk ${level}] ${message} ${meta ? JSON.stringify(meta).slice(0, 300) : ''}\n`);
    });
  }
  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    super.log(level, message, meta);
  }
}

class Sampler {
  private timer: NodeJS.Timeout;
  private readonly loop = monitorEventLoopDelay({ resolution: 10 });
  peakRss = 0;
  series: { t: number; rssMiB: number; heapMiB: number }[] = [];
  constructor(private readonly t0 = Date.now(), everyMs = 500, private readonly keepSeries = false) {
    this.loop.enable();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.sample();
  }
  sample(): void {
    const m = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, m.rss);
    if (this.keepSeries) this.series.push({ t: round((Date.now() - this.t0) / 1000), rssMiB: round(m.rss / 2 ** 20), heapMiB: round(m.heapUsed / 2 ** 20) });
  }
  stop() {
    clearInterval(this.timer);
    this.sample();
    this.loop.disable();
    return {
      peakRssMiB: round(this.peakRss / 2 ** 20),
      eventLoopDelayMs: { p50: round(this.loop.percentile(50) / 1e6), p99: round(this.loop.percentile(99) / 1e6), max: round(this.loop.max / 1e6) },
    };
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


function application(no: string, i: number, serviceCode = 'archive-certificate'): ApplicationInput {
  return {
    applicationNumber: no,
    serviceCode,
    channel: (['epgu', 'mfc', 'inPerson'] as const)[i % 3],
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

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const started = new Date();
  const runTag = started.toISOString().replace(/\D/g, '').slice(2, 14);
  say(`bench ${runTag}: n=${opts.ns.join(',') || '-'} scale=${opts.scale ?? '-'} concurrency=${opts.concurrency} workerOptions=${JSON.stringify(opts.workerOptions)} load=${load().join(' ')}`);

  const logger = new CountingLogger();
  const metricsPort = await freePort();
  Runtime.install({
    logger,
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      metrics: {
        prometheus: {
          bindAddress: `127.0.0.1:${metricsPort}`,
          // Finer than core's defaults, which stop at 1 s for workflow task latency (substring match on the name).
          histogramBucketOverrides: { latency: [5, 10, 25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 20000, 60000] },
        },
      },
    },
  });
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;

  // Fresh Temporal (its SQLite file grows with every run) and a fresh database in the bench cluster.
  fs.rmSync(path.join(DATA, 'temporal'), { recursive: true, force: true });
  fs.mkdirSync(DATA, { recursive: true });
  const silent = { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never;
  const t0 = Date.now();
  const [temporalServer, pg, baselineBundle, lifecycleBundle] = await Promise.all([
    // BENCH_TOPOLOGY=production: the Temporal server on PostgreSQL with 4 history shards (scripts/topology).
    process.env.BENCH_TOPOLOGY === 'production'
      ? startProductionTemporal({ dataDir: path.join(DATA, 'cluster') })
      : startLocalTemporal({ dataDir: path.join(DATA, 'temporal') }),
    startLocalPostgres({ dataDir: path.join(DATA, 'pg') }),
    bundleWorkflowCode({ workflowsPath: require.resolve('./baselineWorkflow'), logger: silent }),
    bundleWorkflowCode({ workflowsPath: require.resolve('./lifecycleWorkflows'), logger: silent }),
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
  // A failed run must not leave its Temporal server and PostgreSQL cluster behind.
  cleanup = async () => {
    temporalServer.process.kill('SIGTERM');
    await pg.stop().catch(() => undefined);
  };
  const emulator = await startElkEmulator({ port: 0, host: '127.0.0.1' });
  say(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s (Temporal ${temporalServer.address}, PostgreSQL ${dbName}, emulator ${emulator.url})`);

  const codecKeys = parseCodecKeys(generateKeySpec('bench-1'), 'bench-1');
  const services = ServiceRegistry.load();
  const connection = await Connection.connect({ address: temporalServer.address });
  const cases = await CaseClient.connect({ address: temporalServer.address, codecKeys, services });
  const rawClient = new Client({ connection });

  async function startLifecycleWorker(taskQueue: string, workerOptions: Partial<WorkerOptions>): Promise<{ rt: WorkerRuntime; running: Promise<void> }> {
    const rt = await createWorkerRuntime({
      temporalAddress: temporalServer.address,
      namespace: 'default',
      taskQueue,
      databaseUrl: dbUrl,
      smevAdapterUrl: emulator.url,
      itSystem: 'BENCH',
      department: { senderInn: '7701234564', timeZone: 'Europe/Moscow', elkEnv: 'SVCDEV', oktmo: '45000000', officeName: 'Отдел предоставления услуг' },
      codecKeys,
      services,
      elkRetryMaxIntervalMs: 1000,
      ...(opts.prebundled ? { workflowBundlePath: lifecycleBundlePath } : {}),
      workerOptions,
      migrate: false,
    });
    return { rt, running: rt.run() };
  }

  const casesOn = (taskQueue: string) => new CaseClient({ client: cases.client, services, taskQueue });

  /** Starts measuring a phase; the returned function ends it and gives the common figures. */
  async function phase(taskQueue: string) {
    const before = {
      t: Date.now(),
      cpu: process.cpuUsage(),
      children: childCpuSelf(),
      temporal: procCpu(temporalServer.process.pid!),
      pg: pgCpu(pg.dataDir),
      rss: process.memoryUsage().rss,
      writes: await pgWrites(statsPool),
      wft: await scrapeHisto(metricsUrl, 'temporal_workflow_task_execution_latency', taskQueue),
      wftS2S: await scrapeHisto(metricsUrl, 'temporal_workflow_task_schedule_to_start_latency', taskQueue),
      actS2S: await scrapeHisto(metricsUrl, 'temporal_activity_schedule_to_start_latency', taskQueue),
      slow: logger.slowTasks.length,
      updateTimeouts: updateTimeouts.count,
      load: load(),
    };
    const sampler = new Sampler();
    return {
      /** Throughput window ends here; figures that need the worker closed (PostgreSQL stats) come after. */
      mark() {
        return (Date.now() - before.t) / 1000;
      },
      async end(apps: number, closeWorker: () => Promise<void>) {
        const seconds = (Date.now() - before.t) / 1000;
        const cpu = process.cpuUsage(before.cpu);
        const wft = histoSummary(await scrapeHisto(metricsUrl, 'temporal_workflow_task_execution_latency', taskQueue), before.wft);
        const wftS2S = histoSummary(await scrapeHisto(metricsUrl, 'temporal_workflow_task_schedule_to_start_latency', taskQueue), before.wftS2S);
        const actS2S = histoSummary(await scrapeHisto(metricsUrl, 'temporal_activity_schedule_to_start_latency', taskQueue), before.actS2S);
        const s = sampler.stop();
        const rssEnd = process.memoryUsage().rss;
        const workerCpu = (cpu.user + cpu.system) / 1e6;
        const children = childCpuSelf() - before.children;
        const temporalCpu = procCpu(temporalServer.process.pid!) - before.temporal;
        // Backends flush their table statistics when they exit: close the worker's pool first.
        await closeWorker();
        await sleep(700);
        const pgCpuS = pgCpu(pg.dataDir) - before.pg;
        const writes = await pgWrites(statsPool);
        const per1000 = (x: number) => round((x * 1000) / apps, 1);
        return {
          seconds: round(seconds, 2),
          loadavgBefore: before.load,
          loadavgAfter: load(),
          process: {
            note: 'worker, bench client and ЕЛК emulator share this process: nothing is subtracted',
            cpuSeconds: round(workerCpu, 2),
            cpuSecondsPer1000Apps: per1000(workerCpu),
            xmllintChildCpuSecondsPer1000Apps: per1000(children),
            rssStartMiB: round(before.rss / 2 ** 20),
            rssPeakMiB: s.peakRssMiB,
            rssEndMiB: round(rssEnd / 2 ** 20),
            rssGrowthPer1000AppsMiB: per1000((rssEnd - before.rss) / 2 ** 20),
            eventLoopDelayMs: s.eventLoopDelayMs,
          },
          temporalServerCpuSecondsPer1000Apps: per1000(temporalCpu),
          postgresCpuSecondsPer1000Apps: per1000(pgCpuS),
          pgRowsWrittenPerApp: round((writes.total - before.writes.total) / apps, 2),
          pgRowsWrittenPerAppByTable: Object.fromEntries(
            Object.entries(writes.byTable)
              .map(([t, w]) => [t, round((w - (before.writes.byTable[t] ?? 0)) / apps, 2)] as const)
              .filter(([, w]) => w > 0),
          ),
          workflowTaskLatency: wft,
          workflowTaskScheduleToStart: wftS2S,
          activityScheduleToStart: actS2S,
          slowWorkflowTaskWarnings: logger.slowTasks.length - before.slow,
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
  if ((opts.ns.length && !opts.skipBaseline) || opts.scale) {
    const tq = `bench-probe-${runTag}`;
    const { rt, running } = await startLifecycleWorker(tq, opts.workerOptions);
    const no = `PROBE-${runTag}`;
    await typicalPath(casesOn(tq), application(no, 0));
    const h = await historyFigures(cases.client, [no]);
    activityCalls = Math.round(h.activitiesPerApp);
    localActivityCalls = Math.round(h.localActivitiesPerApp);
    report.typicalLifecycle = h;
    say(`typical lifecycle: ${h.activitiesPerApp} activity + ${h.localActivitiesPerApp} local activity calls ${JSON.stringify(h.activityTypes)}, ${h.workflowTasksPerApp} workflow tasks, ${h.eventsPerApp} events, ${h.bytesPerApp} bytes`);
    await rt.shutdown();
    await running;
  }

  // 2. Baseline and lifecycle at each N.
  const rows: Record<string, unknown>[] = [];
  for (const n of opts.ns) {
    const row: Record<string, unknown> = { n };
    if (!opts.skipBaseline) {
      const tq = `bench-baseline-${runTag}-${n}`;
      const nc = await NativeConnection.connect({ address: temporalServer.address });
      const worker = await Worker.create({
        connection: nc,
        taskQueue: tq,
        workflowBundle: { codePath: baselineBundlePath },
        activities: { async noop() {} },
        ...opts.workerOptions,
      });
      const running = worker.run();
      const ph = await phase(tq);
      const ids = Array.from({ length: n }, (_, i) => `B-${runTag}-${n}-${i}`);
      await bounded(ids, opts.concurrency, async (id) => {
        const h = await rawClient.workflow.start('baselineWorkflow', { workflowId: id, taskQueue: tq, args: [activityCalls, localActivityCalls] });
        await h.result();
      });
      const wall = ph.mark();
      const figures = await ph.end(n, async () => {
        worker.shutdown();
        await running;
        await nc.close();
      });
      row.baseline = { appsPerSecond: round(n / wall, 2), ...figures, history: await historyFigures(rawClient, ids.slice(0, Math.min(20, n))) };
      say(`  baseline  n=${n}: ${round(n / wall, 2)} apps/s in ${round(wall)} s, load ${figures.loadavgAfter.join(' ')}`);
    }
    {
      const tq = `bench-lifecycle-${runTag}-${n}`;
      const { rt, running } = await startLifecycleWorker(tq, opts.workerOptions);
      const ph = await phase(tq);
      const ids = Array.from({ length: n }, (_, i) => `L-${runTag}-${n}-${i}`);
      const c = casesOn(tq);
      await bounded(ids, opts.concurrency, (id, i) => typicalPath(c, application(id, i)));
      const wall = ph.mark();
      const figures = await ph.end(n, async () => {
        await rt.shutdown();
        await running;
      });
      // Stage change (statusDate the workflow stamped) → the emulator received the message.
      const lat: number[] = [];
      for (const id of ids) for (const e of emulator.order(id)?.history ?? []) lat.push(Date.parse((e as { receivedAt: string }).receivedAt) - Date.parse(e.statusDate));
      const sample = ids.filter((_, i) => i % Math.max(1, Math.floor(n / opts.historySample)) === 0).slice(0, opts.historySample);
      row.lifecycle = {
        appsPerSecond: round(n / wall, 2),
        ...figures,
        statusDeliveryLatencyMs: percentiles(lat),
        statusesPerApp: round(lat.length / n, 2),
        history: await historyFigures(cases.client, sample),
      };
      say(`  lifecycle n=${n}: ${round(n / wall, 2)} apps/s in ${round(wall)} s, status latency ${JSON.stringify(percentiles(lat))}, load ${figures.loadavgAfter.join(' ')}`);
    }
    if (row.baseline) row.lifecycleToBaseline = round((row.lifecycle as { appsPerSecond: number }).appsPerSecond / (row.baseline as { appsPerSecond: number }).appsPerSecond, 3);
    rows.push(row);
  }
  report.runs = rows;
  if (rows.length > 1) report.growth = growth(rows);

  // 2b. The demo's load (npm start): 36 applications on five paths at once while the portal misbehaves.
  if (opts.demo) {
    const tq = `bench-demo-${runTag}`;
    const t = Date.now();
    const { rt, running } = await startLifecycleWorker(tq, opts.workerOptions);
    const createSeconds = (Date.now() - t) / 1000;
    const ph = await phase(tq);
    const count = 36;
    const c = casesOn(tq);
    emulator.faults.set({ dropConnectionAfterAccept: 3 });
    const outage = setTimeout(() => {
      emulator.faults.set({ outage: true });
      setTimeout(() => emulator.faults.set({ outage: false }), 3000);
    }, 1500);
    const ids = Array.from({ length: count }, (_, i) => `D-${runTag}-${i}`);
    await Promise.all(ids.map((id, i) => driveDemoPath(c, application(id, i, DEMO_PATHS[i % 5] === 'refuse' || i % 2 ? 'construction-permit' : 'archive-certificate'), DEMO_PATHS[i % 5])));
    await Promise.all(ids.map((id) => c.result(id)));
    clearTimeout(outage);
    emulator.faults.clear();
    const wall = ph.mark();
    const figures = await ph.end(count, async () => {
      await rt.shutdown();
      await running;
    });
    const slow = logger.slowTasks.slice(-figures.slowWorkflowTaskWarnings);
    report.demo = { workerCreateSeconds: round(createSeconds, 2), wallSeconds: round(wall, 2), slowWorkflowTaskMs: slow.length ? percentiles(slow) : null, ...figures };
    say(`  demo: ${round(wall, 1)} s, worker created in ${round(createSeconds, 1)} s, slow WFT warnings ${figures.slowWorkflowTaskWarnings} ${slow.length ? JSON.stringify(percentiles(slow)) : ''}, WFT ${JSON.stringify(figures.workflowTaskLatency)}, loop ${JSON.stringify(figures.process.eventLoopDelayMs)}, load ${figures.loadavgAfter.join(' ')}`);
  }

  // 3. Scale: many open cases on long timers; RSS over time and lateness of a short timer meanwhile.
  if (opts.scale) report.scale = await scaleRun(opts.scale);

  async function scaleRun(count: number) {
    const tq = `bench-scale-${runTag}`;
    const { rt, running } = await startLifecycleWorker(tq, opts.scaleWorkerOptions);
    const ph = await phase(tq);
    const t0 = Date.now();
    const sampler = new Sampler(t0, 2000, true);
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
      if (++done % 1000 === 0) say(`  scale: ${done} registered, rss ${round(process.memoryUsage().rss / 2 ** 20)} MiB, load ${load().join(' ')}`);
    });
    const registerSeconds = (Date.now() - t0) / 1000;
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
      lateness.push({ probe: id, startedAtS: round((ms(startedT) - t0) / 1000), serverFiredLateMs: ms(ev[firedI]) - due, workerHandledLateMs: ms(handled) - due });
    }
    const openCount = (await cases.client.workflow.count(`TaskQueue = "${tq}" AND ExecutionStatus = "Running"`)).count;
    const series = sampler.series;
    sampler.stop();
    const figures = await ph.end(count, async () => {
      await rt.shutdown();
      await running;
    });
    const out = {
      openApplications: count,
      stillRunningAtEnd: openCount,
      maxCachedWorkflows: opts.scaleWorkerOptions.maxCachedWorkflows,
      registerSeconds: round(registerSeconds),
      registeredPerSecond: round(count / registerSeconds, 2),
      rssSeriesMiB: series,
      timerProbes: lateness,
      timerLatenessMs: {
        serverFired: percentiles(lateness.map((l) => l.serverFiredLateMs)),
        workerHandled: percentiles(lateness.map((l) => l.workerHandledLateMs)),
      },
      ...figures,
    };
    say(`  scale ${count}: registered in ${round(registerSeconds)} s; RSS peak ${figures.process.rssPeakMiB} MiB; probe lateness worker max ${out.timerLatenessMs.workerHandled?.max} ms`);
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

function growth(rows: Record<string, unknown>[]) {
  const pick = (r: Record<string, unknown>) => {
    const l = r.lifecycle as Record<string, any>;
    return {
      n: r.n,
      baselineAppsPerSecond: (r.baseline as any)?.appsPerSecond,
      lifecycleAppsPerSecond: l.appsPerSecond,
      ratio: r.lifecycleToBaseline,
      statusP99Ms: l.statusDeliveryLatencyMs?.p99,
      eventsPerApp: l.history.eventsPerApp,
      historyBytesPerApp: l.history.bytesPerApp,
      cpuSecondsPer1000: l.process.cpuSecondsPer1000Apps,
      rssPeakMiB: l.process.rssPeakMiB,
      pgRowsPerApp: l.pgRowsWrittenPerApp,
      wftP99LeMs: l.workflowTaskLatency?.p99_le_ms,
    };
  };
  return rows.map(pick);
}

function printSummary(report: Record<string, any>): void {
  say('\n== summary ==');
  if (report.growth) console.table(report.growth);
  for (const r of report.runs ?? []) {
    const l = r.lifecycle;
    say(
      `n=${r.n}: baseline ${r.baseline?.appsPerSecond ?? '-'} apps/s, lifecycle ${l.appsPerSecond} apps/s (ratio ${r.lifecycleToBaseline ?? '-'}); ` +
        `status latency p50/p95/p99 ${l.statusDeliveryLatencyMs?.p50}/${l.statusDeliveryLatencyMs?.p95}/${l.statusDeliveryLatencyMs?.p99} ms; ` +
        `history ${l.history.eventsPerApp} events, ${l.history.bytesPerApp} B/app; CPU ${l.process.cpuSecondsPer1000Apps} s/1000 (+xmllint ${l.process.xmllintChildCpuSecondsPer1000Apps}, Temporal ${l.temporalServerCpuSecondsPer1000Apps}, PostgreSQL ${l.postgresCpuSecondsPer1000Apps}); ` +
        `RSS peak ${l.process.rssPeakMiB} MiB; PG rows/app ${l.pgRowsWrittenPerApp}; WFT p99 ≤${l.workflowTaskLatency?.p99_le_ms} ms, >5 s: ${l.workflowTaskLatency?.over_5s}; load ${l.loadavgAfter.join(' ')}`,
    );
  }
  if (report.scale) {
    const s = report.scale;
    say(`scale ${s.openApplications}: ${s.registeredPerSecond}/s registered, RSS peak ${s.process.rssPeakMiB} MiB (cache ${s.maxCachedWorkflows}), timer lateness server ${JSON.stringify(s.timerLatenessMs.serverFired)} worker ${JSON.stringify(s.timerLatenessMs.workerHandled)}`);
  }
}

let cleanup: () => Promise<void> = async () => undefined;

main().catch(async (err) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  await cleanup();
  process.exit(1);
});
