// One bench worker in a process of its own, so the bench can measure the worker apart from the bench client,
// the ЕЛК emulator, the XSD validator, Temporal and PostgreSQL (each from /proc). Started by bench/run.ts with
// a JSON spec in argv[2]; says {ready} over IPC, runs until it receives {stop}, answers {stopped} and exits.
//   floor      bench/baselineWorkflow.ts: the minimal no-op workflow (the engine's floor)
//   sameShape  the lifecycle workflow with no-op I/O activities and no payload codec: the same events,
//              Updates, timers and search-attribute upserts as a real lifecycle, none of its work
//   real       the production wiring (worker/runtime.ts): codec, PostgreSQL, ЕЛК delivery, XSD check
import * as fs from 'node:fs';
import { DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime, Worker, WorkerOptions } from '@temporalio/worker';
import { createAdmissionActivities, createLifecycleActivities, createRecordWithDeadlineActivities } from '../activities';
import { ProductionCalendar } from '../calendar';
import { generateKeySpec, parseCodecKeys } from '../codec';
import { loadDirectory } from '../escalation';
import { ServiceRegistry } from '../services';
import { createWorkerRuntime } from '../worker';

export type BenchWorkerKind = 'floor' | 'sameShape' | 'real';

export interface BenchWorkerSpec {
  kind: BenchWorkerKind;
  taskQueue: string;
  temporalAddress: string;
  metricsPort: number;
  bundlePath: string;
  workerOptions: Partial<WorkerOptions>;
  /** real only */
  databaseUrl?: string;
  smevAdapterUrl?: string;
  smevExchangeDir?: string;
  codecKeySpec?: string;
}

/**
 * Activities for the same-shape workload: admission, the service profile and the deadline computations are the
 * real (pure, in-memory) ones, so the workflow arms the same timers; every I/O activity returns at once.
 */
export function sameShapeActivities(services: ServiceRegistry) {
  const real = createLifecycleActivities({
    pool: null as never,
    services,
    elk: null as never,
    calendar: new ProductionCalendar(),
    timeZone: 'Europe/Moscow',
    refusalRenderer: null as never,
    letterKeys: parseCodecKeys(generateKeySpec('noop'), 'noop'),
    directory: loadDirectory({}),
    notifiers: [],
    caseLinkBase: 'http://localhost/cases',
    elkRetryMaxIntervalMs: 1000,
    // Registered but never called here: the bench starts no weekly report.
    reports: { department: 'bench', outputDir: require('node:os').tmpdir() },
  });
  const noop = async () => undefined;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(real)) out[name] = noop;
  // Admission: the real input check, profile and registration term; its PostgreSQL record is a no-op.
  const admission = createAdmissionActivities({ loadServiceProfile: real.loadServiceProfile, computeStageDeadline: real.computeStageDeadline, recordCaseEvent: noop, computeDeadline: real.computeDeadline });
  const recordWithDeadline = createRecordWithDeadlineActivities({ recordCaseEvent: noop, computeDeadline: real.computeDeadline });
  return {
    ...out,
    ...admission,
    ...recordWithDeadline,
    // Same shape as the real worker (a client starts the feedback workflow): one marker, no child to run.
    startApplicantFeedback: async () => true,
    // Same shape as the real worker: the closing status's delivery starts the feedback workflow.
    pushStatusToElk: async (req: { askForFeedback?: unknown }) => ({ feedbackStarted: req.askForFeedback !== undefined }),
    loadServiceProfile: real.loadServiceProfile,
    computeDeadline: real.computeDeadline,
    computeStageDeadline: real.computeStageDeadline,
  };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]!) as BenchWorkerSpec;
  const slowTasks: number[] = [];
  Runtime.install({
    logger: new DefaultLogger('WARN', ({ level, message }) => {
      if (message.includes('TMPRL1104')) slowTasks.push(1);
      else if (level === 'ERROR') process.stderr.write(`[worker ${spec.kind}] ${message}\n`);
    }),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      metrics: {
        prometheus: {
          bindAddress: `127.0.0.1:${spec.metricsPort}`,
          histogramBucketOverrides: { latency: [5, 10, 25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 20000, 60000] },
        },
      },
    },
  });
  let run: () => Promise<void>;
  let stop: () => void;
  if (spec.kind === 'real') {
    const services = ServiceRegistry.load();
    const rt = await createWorkerRuntime({
      temporalAddress: spec.temporalAddress,
      namespace: 'default',
      taskQueue: spec.taskQueue,
      databaseUrl: spec.databaseUrl!,
      smevAdapterUrl: spec.smevAdapterUrl!,
      smevExchangeDir: spec.smevExchangeDir!,
      itSystem: 'BENCH',
      department: { senderInn: '7701234564', timeZone: 'Europe/Moscow', elkEnv: 'SVCDEV', oktmo: '45000000', officeName: 'Отдел предоставления услуг', applicationAcceptance: { mfc: 91, departmentSite: 93 } },
      codecKeys: parseCodecKeys(spec.codecKeySpec!, 'bench-1'),
      services,
      elkRetryMaxIntervalMs: 1000,
      workflowBundlePath: spec.bundlePath,
      workerOptions: spec.workerOptions,
      migrate: false,
    });
    run = () => rt.run();
    stop = () => void rt.shutdown();
  } else {
    const connection = await NativeConnection.connect({ address: spec.temporalAddress });
    const worker = await Worker.create({
      connection,
      taskQueue: spec.taskQueue,
      workflowBundle: { code: fs.readFileSync(spec.bundlePath, 'utf8') },
      activities: spec.kind === 'floor' ? { async noop() {} } : sameShapeActivities(ServiceRegistry.load()),
      // The production worker's tuning (worker/runtime.ts), so only the work differs.
      maxConcurrentWorkflowTaskExecutions: 8,
      maxConcurrentActivityTaskExecutions: 16,
      maxCachedWorkflows: 1000,
      ...spec.workerOptions,
    });
    run = async () => {
      try {
        await worker.run();
      } finally {
        await connection.close();
      }
    };
    stop = () => worker.shutdown();
  }
  const running = run();
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'stop') stop();
  });
  process.send!({ ready: true });
  await running;
  process.send!({ stopped: true, slowWorkflowTaskWarnings: slowTasks.length }, () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`bench worker failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
