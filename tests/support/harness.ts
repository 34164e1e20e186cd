// Shared wiring for integration tests: real Temporal (dev server from globalSetup), real PostgreSQL,
// the project's ЕЛК emulator over HTTP on loopback, and a worker built exactly like production's.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { Pool } from 'pg';
import { CaseClient } from '../../client/caseClient';
import { parseCodecKeys } from '../../codec/payloadCodec';
import { ElkEmulatorOptions, startElkEmulator } from '../../epgu/emulator/elkEmulator';
import { ServiceRegistry } from '../../services/registry';
import { snilsWithChecksum } from '../../shared/identifiers';
import { ApplicationInput } from '../../shared/application';
import { CaseLifecyclePlugin } from '../../worker/plugin';
import { createWorkerRuntime, WorkerRuntime, WorkerRuntimeOptions } from '../../worker/runtime';

export interface Stack {
  temporalAddress: string;
  databaseUrl: string;
  bundlePath: string;
  temporalDbFile: string;
}

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* already installed by another suite in this process */
  }
}

export function readStack(): Stack {
  return JSON.parse(fs.readFileSync(path.resolve(__dirname, '../..', process.env.CASE_TEST_STACK_DIR || '.data/test', 'stack.json'), 'utf8'));
}

/** Fixed test keys: two, so rotation is exercised. Never used outside tests. */
export const TEST_KEY_SPEC = `test-2026:${Buffer.alloc(32, 7).toString('base64')},test-2025:${Buffer.alloc(32, 3).toString('base64')}`;
export const TEST_CODEC_KEYS = parseCodecKeys(TEST_KEY_SPEC, 'test-2026');

export const TEST_DEPARTMENT = {
  senderInn: '7701234564',
  timeZone: 'Europe/Moscow',
  elkEnv: 'SVCDEV' as const,
  oktmo: '45000000',
  officeName: 'Отдел предоставления услуг',
  // Test codes for the channels whose ЕСНСИ 7213 codes are not confirmed (only inPerson = 4 is).
  applicationAcceptance: { mfc: 91, post: 92, departmentSite: 93 },
};

export type Emulator = Awaited<ReturnType<typeof startElkEmulator>>;

export interface TestContext {
  stack: Stack;
  pool: Pool;
  services: ServiceRegistry;
  client: Client;
  cases: CaseClient;
  emulator: Emulator;
  taskQueue: string;
  startWorker(overrides?: Partial<WorkerRuntimeOptions>): Promise<WorkerRuntime & { running: Promise<void> }>;
  close(): Promise<void>;
}

let queueCounter = 0;

export async function createTestContext(name: string, emulatorOptions: ElkEmulatorOptions = {}): Promise<TestContext> {
  quietRuntime();
  const stack = readStack();
  const pool = new Pool({ connectionString: stack.databaseUrl, max: 5 });
  pool.on('error', () => undefined);
  const services = ServiceRegistry.load();
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, plugins: [new CaseLifecyclePlugin({ codecKeys: TEST_CODEC_KEYS })] });
  const taskQueue = `test-${name}-${process.pid}-${++queueCounter}`;
  const cases = new CaseClient({ client, services, taskQueue });
  const emulator = await startElkEmulator({ port: 0, host: '127.0.0.1', ...emulatorOptions });
  const workers: (WorkerRuntime & { running: Promise<void> })[] = [];
  return {
    stack,
    pool,
    services,
    client,
    cases,
    emulator,
    taskQueue,
    async startWorker(overrides = {}) {
      const rt = await createWorkerRuntime({
        temporalAddress: stack.temporalAddress,
        namespace: 'default',
        taskQueue,
        databaseUrl: stack.databaseUrl,
        smevAdapterUrl: emulator.url,
        smevExchangeDir: emulator.exchangeDir,
        itSystem: 'TEST_VIS',
        department: TEST_DEPARTMENT,
        codecKeys: TEST_CODEC_KEYS,
        services,
        elkRetryMaxIntervalMs: 500,
        workflowBundlePath: stack.bundlePath,
        migrate: false,
        ...overrides,
      });
      const running = rt.run();
      const handle = Object.assign(rt, { running });
      workers.push(handle);
      return handle;
    },
    async close() {
      for (const w of workers) {
        await w.shutdown();
        await w.running.catch(() => undefined);
      }
      await emulator.stop();
      await connection.close();
      await pool.end();
    },
  };
}

// ---- Test data ----

/** A valid СНИЛС for a 9-digit body, formatted as ЕЛК expects. */
export const snilsFor = snilsWithChecksum;

let appCounter = 0;
export function uniqueNumber(prefix: string): string {
  return `${prefix}-${process.pid % 100000}-${Date.now() % 1_000_000}-${++appCounter}`;
}

export const SAMPLE_PERSON = {
  lastName: 'Петров',
  firstName: 'Иван',
  middleName: 'Сергеевич',
  snils: snilsFor(112233445),
  postalAddress: 'г. Москва, ул. Тверская, д. 7, кв. 12',
  phone: '+79161234567',
};

export function sampleApplication(overrides: Partial<ApplicationInput> = {}): ApplicationInput {
  return {
    applicationNumber: uniqueNumber('APP'),
    serviceCode: 'archive-certificate',
    channel: 'inPerson',
    receivedAt: new Date().toISOString(),
    applicant: { kind: 'person', ...SAMPLE_PERSON },
    assignedClerk: 'ivanova',
    ...overrides,
  };
}

/** Polls a condition that another process (worker, emulator) makes true; bounded, no fixed sleeps. */
export async function waitFor<T>(probe: () => T | Promise<T>, timeoutMs = 60_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`condition not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** The environment of a worker process wired to this context (worker/main.ts from sources or compiled). */
export function workerProcessEnv(ctx: TestContext): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: ctx.stack.temporalAddress,
    DATABASE_URL: ctx.stack.databaseUrl,
    SMEV_ADAPTER_URL: ctx.emulator.url,
    SMEV_EXCHANGE_DIR: ctx.emulator.exchangeDir,
    CASE_PAYLOAD_KEYS: TEST_KEY_SPEC,
    CASE_PAYLOAD_KEY_ACTIVE: 'test-2026',
    CASE_TASK_QUEUE: ctx.taskQueue,
    CASE_WEBHOOK_ENABLED: 'false',
    CASE_WEEKLY_REPORT_SCHEDULE: 'false',
    DEPARTMENT_INN: TEST_DEPARTMENT.senderInn,
  };
}

/** Runs worker/main.ts as a separate process (so a test can SIGKILL it), wired to this context. */
export function startWorkerProcess(ctx: TestContext, opts: { entry?: string; env?: Record<string, string> } = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', opts.entry ?? 'worker/main.ts'], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...workerProcessEnv(ctx),
      CASE_WORKFLOW_BUNDLE: ctx.stack.bundlePath,
      ELK_RETRY_MAX_INTERVAL_MS: '500',
      ...opts.env,
    },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('worker ready')) resolve(child);
    });
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${out}`)));
  });
}

export async function killProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}
