// Builds a ready-to-run worker from configuration: PostgreSQL pool (migrated), services, the ЕЛК channel
// over the SMEV adapter, the activities and the CaseLifecyclePlugin. Used by worker/main.ts, the demo,
// the tests and the benchmark, so all of them run the same wiring.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { Pool } from 'pg';
import { createLifecycleActivities } from '../activities';
import { createElkChannel, DepartmentIdentity } from '../activities';
import type { ElkChannel } from '../activities';
import { CodecKeys } from '../codec';
import { migrate } from '../db';
import type { EpguStatusReplyBuilder } from '../epgu';
import { SmevAdapterClient } from '../epgu';
import { ServiceRegistry } from '../services';
import { ProductionCalendar } from '../calendar';
import { Directory, loadDirectory } from '../escalation';
import { Notifier, SmtpNotifier, WebhookNotifier } from '../escalation';
import { createRefusalRenderer, createThreadedRefusalRenderer, RefusalRenderer, ThreadedRefusalRenderer } from '../refusal';
import type { ComplianceReportActivities } from '../reports';
import { ensureWeeklyReportSchedule } from '../reports';
import { Client, Connection } from '@temporalio/client';
import type { WorkerConfig } from './config';
import { eventDispatcherConfigFromEnv } from '../events';
import { createEventDispatcher, type EventDispatcherConfig } from '../events';
import { CaseLifecyclePlugin } from './plugin';
import type { WorkflowStackTraces } from './workflowBundle';
import type { FeedbackActivities } from '../feedback';
import { MkguClient } from '../feedback';
import { createFeedbackStarter, createRatingRouter } from '../feedback';
import { ensureRatingsPullSchedule } from '../feedback';
import { NO_SMSC, SmppSmsGateway, type SmsGateway } from '../feedback';
import { SmtpEmailGateway } from '../feedback';

export interface WorkerRuntimeOptions {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  databaseUrl: string;
  smevAdapterUrl: string;
  /** The SMEV adapter's exchange folder: attachment files are placed here for the adapter to pick up. */
  smevExchangeDir: string;
  /** Payload builders for statuses answered to ЕПГУ, per service code (default: epgu/epguStatusReply.ts). */
  epguReplyBuilders?: Record<string, EpguStatusReplyBuilder>;
  /** Wraps the status channel (fault-injection tests: an attempt that dies between placing a file and sending). */
  wrapStatusChannel?: (channel: ElkChannel) => ElkChannel;
  itSystem: string;
  department: DepartmentIdentity;
  codecKeys: CodecKeys;
  services?: ServiceRegistry;
  elkRetryMaxIntervalMs?: number;
  /** Path of a prebuilt workflow bundle; otherwise workflows are bundled at start-up. */
  workflowBundlePath?: string;
  /** Bundled at start-up only: stack capture in the sandbox (default off; see worker/workflowBundle.ts). */
  workflowStackTraces?: WorkflowStackTraces;
  /** Extra worker options (tuning). */
  workerOptions?: Partial<WorkerOptions>;
  calendar?: ProductionCalendar;
  directory?: Directory;
  notifiers?: Notifier[];
  caseLinkBase?: string;
  refusalRenderer?: RefusalRenderer;
  /** Default renderer only: false renders refusal PDFs on the main thread (CASE_REFUSAL_RENDER_THREAD=off). */
  refusalRenderThread?: boolean;
  /** Weekly compliance report: department id (file names), its display name and the output folder. */
  reports?: { department: string; departmentName: string; outputDir: string };
  /** Skip migrations (the worker role has no DDL rights in production; migrate with npm run migrate). */
  migrate?: boolean;
  /** Outbound events to the case system's webhook (CASE_EVENTS_URL, CASE_EVENTS_SECRET); off when absent. */
  events?: EventDispatcherConfig | null;
  /** Satisfaction loop: the rating system (ИАС МКГУ) and the SMSC; either may be absent (then nothing is sent there). */
  feedback?: FeedbackRuntimeOptions;
}

export interface FeedbackRuntimeOptions {
  mkguUrl?: string;
  smpp?: { url: string; systemId: string; password: string; sourceAddr: string };
  /** The relay and sender of answers to applicants by e-mail. */
  email?: { url: string; from: string };
  criticalThreshold?: number;
}



export interface WorkerRuntime {
  worker: Worker;
  pool: Pool;
  connection: NativeConnection;
  services: ServiceRegistry;
  reportActivities: ComplianceReportActivities;
  feedbackActivities: FeedbackActivities;
  /** Runs until shutdown() and then closes the pool and connection. */
  run(): Promise<void>;
  shutdown(): Promise<void>;
}

export function runtimeOptionsFromConfig(config: WorkerConfig, codecKeys: CodecKeys): Omit<WorkerRuntimeOptions, 'temporalAddress' | 'databaseUrl' | 'smevAdapterUrl' | 'smevExchangeDir'> {
  const notifiers: Notifier[] = [];
  if (config.CASE_WEBHOOK_ENABLED === 'true') notifiers.push(new WebhookNotifier());
  if (config.SMTP_HOST) {
    notifiers.push(
      new SmtpNotifier({
        host: config.SMTP_HOST,
        port: config.SMTP_PORT,
        secure: config.SMTP_SECURE === 'true',
        from: config.SMTP_FROM,
        ...(config.SMTP_USER ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? '' } } : {}),
      }),
    );
  }
  const regionalHolidays = (config.CASE_REGIONAL_HOLIDAYS ?? '')
    .split(',')
    .filter(Boolean)
    .map((item) => ({ date: item.slice(0, 10), name: item.slice(11) || 'Региональный праздник' }));
  return {
    calendar: new ProductionCalendar({ regionalHolidays }),
    directory: loadDirectory(config.CASE_DIRECTORY_FILE ? { CASE_DIRECTORY_FILE: config.CASE_DIRECTORY_FILE } : {}),
    notifiers,
    caseLinkBase: config.CASE_LINK_BASE,
    reports: { department: config.CASE_DEPARTMENT_ID, departmentName: config.CASE_DEPARTMENT_NAME, outputDir: path.resolve(config.CASE_REPORTS_DIR) },
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.CASE_TASK_QUEUE,
    itSystem: config.SMEV_IT_SYSTEM,
    codecKeys,
    elkRetryMaxIntervalMs: config.ELK_RETRY_MAX_INTERVAL_MS,
    refusalRenderThread: config.CASE_REFUSAL_RENDER_THREAD === 'on',
    workflowStackTraces: config.CASE_WORKFLOW_STACK_TRACES,
    events: eventDispatcherConfigFromEnv(process.env),
    feedback: {
      ...(config.MKGU_URL ? { mkguUrl: config.MKGU_URL } : {}),
      ...(config.SMPP_URL ? { smpp: { url: config.SMPP_URL, systemId: config.SMPP_SYSTEM_ID, password: config.SMPP_PASSWORD ?? '', sourceAddr: config.SMPP_SOURCE_ADDR } } : {}),
      ...(config.FEEDBACK_SMTP_URL ? { email: { url: config.FEEDBACK_SMTP_URL, from: config.FEEDBACK_EMAIL_FROM } } : {}),
      criticalThreshold: config.FEEDBACK_CRITICAL_THRESHOLD,
    },
    services: ServiceRegistry.load(config.CASE_SERVICES_DIR ? [config.CASE_SERVICES_DIR] : []),
    department: {
      senderInn: config.DEPARTMENT_INN,
      ...(config.DEPARTMENT_KPP ? { senderKpp: config.DEPARTMENT_KPP } : {}),
      timeZone: config.DEPARTMENT_TIME_ZONE,
      elkEnv: config.ELK_ENV,
      oktmo: config.DEPARTMENT_OKTMO,
      ...(config.DEPARTMENT_OFFICE_NAME ? { officeName: config.DEPARTMENT_OFFICE_NAME } : {}),
      ...(config.ELK_APPLICATION_ACCEPTANCE ? { applicationAcceptance: config.ELK_APPLICATION_ACCEPTANCE } : {}),
    },
  };
}

export async function createWorkerRuntime(opts: WorkerRuntimeOptions): Promise<WorkerRuntime> {
  const pool = new Pool({ connectionString: opts.databaseUrl, max: 20 });
  // A dropped connection (database restart) must not crash the worker: the next activity attempt reconnects.
  pool.on('error', () => undefined);
  // A checked-out client has no pool listener: without one, a dropped connection (database restart) kills the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  if (opts.migrate !== false) await migrate(pool);
  const services = opts.services ?? ServiceRegistry.load();
  const smev = new SmevAdapterClient({ baseUrl: opts.smevAdapterUrl, itSystem: opts.itSystem });
  const calendar = opts.calendar ?? new ProductionCalendar();
  let refusalRenderer = opts.refusalRenderer;
  let ownRenderThread: ThreadedRefusalRenderer | undefined;
  if (!refusalRenderer) {
    // Loaded and checked now: a broken template or catalog stops the worker, not the first refusal.
    const base = createRefusalRenderer({ adjustCourtDeadline: (date) => calendar.workingDayOnOrAfter(date as never) });
    // pdfmake blocks for 0.2–1 s per letter: in a thread it cannot stall workflow activations and ЕЛК delivery.
    refusalRenderer = opts.refusalRenderThread === false ? base : (ownRenderThread = createThreadedRefusalRenderer(base));
  }
  // The feedback path: ratings are routed into per-application feedback workflows with signal-with-start.
  const clientConnection = await Connection.connect({ address: opts.temporalAddress });
  const feedbackClient = new Client({ connection: clientConnection, namespace: opts.namespace, plugins: [new CaseLifecyclePlugin({ codecKeys: opts.codecKeys })] });
  const sms: SmsGateway = opts.feedback?.smpp ? new SmppSmsGateway(opts.feedback.smpp) : NO_SMSC;
  const email = opts.feedback?.email ? new SmtpEmailGateway(opts.feedback.email) : null;
  const activities = createLifecycleActivities({
    feedback: {
      mkgu: opts.feedback?.mkguUrl ? new MkguClient({ baseUrl: opts.feedback.mkguUrl }) : null,
      sms,
      email,
      department: { inn: opts.department.senderInn, ...(opts.department.officeName ? { officeName: opts.department.officeName } : {}) },
      criticalThreshold: opts.feedback?.criticalThreshold,
      routeRating: createRatingRouter(feedbackClient, opts.taskQueue),
      startFeedback: createFeedbackStarter(feedbackClient),
    },
    pool,
    services,
    elk: (opts.wrapStatusChannel ?? ((c: ElkChannel) => c))(
      createElkChannel(smev, opts.department, { exchangeDir: opts.smevExchangeDir, ...(opts.epguReplyBuilders ? { epguReplyBuilders: opts.epguReplyBuilders } : {}) }),
    ),
    calendar,
    timeZone: opts.department.timeZone,
    refusalRenderer,
    letterKeys: opts.codecKeys,
    directory: opts.directory ?? loadDirectory({}),
    notifiers: opts.notifiers ?? [],
    caseLinkBase: opts.caseLinkBase ?? 'http://localhost:8080/cases',
    elkRetryMaxIntervalMs: opts.elkRetryMaxIntervalMs,
    reports: opts.reports ?? { department: 'department', departmentName: 'Администрация муниципального образования (демо)', outputDir: path.resolve('.data/reports') },
  });
  const connection = await NativeConnection.connect({ address: opts.temporalAddress });
  const plugin = new CaseLifecyclePlugin({
    codecKeys: opts.codecKeys,
    activities,
    ...(opts.workflowBundlePath ? { workflowBundle: { code: fs.readFileSync(opts.workflowBundlePath, 'utf8') } } : {}),
    ...(opts.workflowStackTraces ? { workflowStackTraces: opts.workflowStackTraces } : {}),
  });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    plugins: [plugin],
    // Measured on 2 cores shared with Temporal and PostgreSQL (bench/README.md): more task slots than one
    // workflow thread and one event loop can serve only turn queueing into long workflow tasks (TMPRL1104).
    maxConcurrentWorkflowTaskExecutions: 8,
    maxConcurrentActivityTaskExecutions: 16,
    // ~1.5 MiB RSS per cached case: bounded, so memory does not grow with the number of open cases.
    maxCachedWorkflows: 1000,
    ...opts.workerOptions,
  });
  // Drains event_outbox while the worker runs; one dispatcher at a time across processes (advisory lock).
  const events = opts.events ? createEventDispatcher({ pool, config: opts.events }) : null;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await events?.stop();
    await connection.close().catch(() => undefined);
    await sms.close().catch(() => undefined);
    await email?.close().catch(() => undefined);
    await clientConnection.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await ownRenderThread?.close().catch(() => undefined);
  };
  return {
    worker,
    pool,
    connection,
    services,
    reportActivities: activities,
    feedbackActivities: activities,
    async run() {
      try {
        await events?.start();
        await worker.run();
      } finally {
        await close();
      }
    },
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    },
  };
}

/** Creates or updates the weekly compliance report Schedule (Mondays 09:00 in the department's zone). */
export async function ensureSchedules(opts: { temporalAddress: string; namespace: string; taskQueue: string; timeZone: string; codecKeys: CodecKeys; ratingsPull?: boolean }): Promise<void> {
  const connection = await Connection.connect({ address: opts.temporalAddress });
  try {
    const client = new Client({ connection, namespace: opts.namespace, plugins: [new CaseLifecyclePlugin({ codecKeys: opts.codecKeys })] });
    await ensureWeeklyReportSchedule(client, { taskQueue: opts.taskQueue, timeZone: opts.timeZone });
    if (opts.ratingsPull) await ensureRatingsPullSchedule(client, { taskQueue: opts.taskQueue });
  } finally {
    await connection.close();
  }
}
