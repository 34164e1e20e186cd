// Starts the local parts the worker needs when nothing is configured: a Temporal dev server
// (CLI v1.5.1, SQLite file in WAL mode) and a throwaway PostgreSQL 15 cluster (initdb/pg_ctl).
// Used by the demo (npm start), the test suite (jest globalSetup) and the benchmark.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';

export const ROOT = path.resolve(__dirname, '..');
export const SEARCH_ATTRIBUTES = {
  ServiceCode: 'Keyword',
  CaseStage: 'Keyword',
  AssignedClerk: 'Keyword',
  CaseDeadline: 'Datetime',
  CaseOverdue: 'Bool',
} as const;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function temporalCliPath(): string {
  const candidates = [process.env.TEMPORAL_CLI, path.join(ROOT, '.tools/bin/temporal')].filter(Boolean) as string[];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new Error('Temporal CLI not found: run scripts/ensure-tools.sh (npm start / npm test do it for you)');
}

/** Sends the signal and resolves once the process has exited (at once when it already has). */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export interface LocalTemporal {
  address: string;
  dbFile: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** Kills the server and starts it again on the same port and SQLite file (fault tests). */
  restart(): Promise<void>;
}

async function waitForTemporal(address: string, child: ChildProcess, logFile: string): Promise<void> {
  const until = Date.now() + 60_000;
  let lastErr: unknown;
  while (Date.now() < until) {
    if (child.exitCode !== null) {
      throw new Error(`Temporal dev server exited with ${child.exitCode}; see ${logFile}`);
    }
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      return;
    } catch (err) {
      lastErr = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`Temporal dev server at ${address} did not come up in 60 s: ${String(lastErr)}; see ${logFile}`);
}

/**
 * Extra dynamic config for the local dev server, `key=value` pairs separated by `;` (TEMPORAL_DEV_DYNAMIC_CONFIG):
 * how a measurement tries a server setting without editing this file. Values are JSON, as the CLI takes them.
 */
export function localDynamicConfig(raw = process.env.TEMPORAL_DEV_DYNAMIC_CONFIG ?? ''): string[] {
  const pairs = raw.split(';').map((s) => s.trim()).filter(Boolean);
  for (const kv of pairs) {
    if (!/^[A-Za-z][\w.]*=\S.*$/.test(kv)) throw new Error(`TEMPORAL_DEV_DYNAMIC_CONFIG: "${kv.slice(0, 80)}" is not key=value`);
  }
  return pairs;
}

export async function startLocalTemporal(opts: { dataDir: string; port?: number; namespace?: string }): Promise<LocalTemporal> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const address = `127.0.0.1:${port}`;
  const dbFile = path.join(opts.dataDir, 'temporal.sqlite');
  const logFile = path.join(opts.dataDir, 'temporal.log');
  const args = [
    'server', 'start-dev', '--headless',
    '--ip', '127.0.0.1', '--port', String(port),
    '--db-filename', dbFile,
    '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF',
    '--log-level', 'error',
    '--namespace', opts.namespace ?? 'default',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    ...localDynamicConfig().flatMap((kv) => ['--dynamic-config-value', kv]),
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([k, t]) => ['--search-attribute', `${k}=${t}`]),
  ];
  const spawnServer = () => {
    const out = fs.openSync(logFile, 'a');
    return spawn(temporalCliPath(), args, { stdio: ['ignore', out, out], detached: false });
  };
  const state: { child: ChildProcess } = { child: spawnServer() };
  await waitForTemporal(address, state.child, logFile);
  const stopChild = (signal: NodeJS.Signals) => stopProcess(state.child, signal);
  return {
    address,
    dbFile,
    get process() {
      return state.child;
    },
    stop: () => stopChild('SIGTERM'),
    async restart() {
      await stopChild('SIGKILL');
      state.child = spawnServer();
      await waitForTemporal(address, state.child, logFile);
    },
  };
}

export interface LocalPostgres {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
  /** pg_ctl restart -m immediate: the crash-like restart used by fault tests. */
  restart(): Promise<void>;
}

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

function asPostgresUser(cmd: string, args: string[]): string[] {
  // PostgreSQL refuses to run as root; on a root shell (CI) the cluster runs as the `postgres` system user.
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', cmd, ...args] : [cmd, ...args];
}

function run(argv: string[], opts: { cwd?: string } = {}): string {
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd ?? '/' });
}

/**
 * @param opts.durable keep fsync and synchronous commits (fault tests that crash the server must not lose
 *   acknowledged commits, as a production database would not); off by default for speed.
 */
export async function startLocalPostgres(opts: { dataDir: string; port?: number; durable?: boolean }): Promise<LocalPostgres> {
  const port = opts.port ?? (await freePort());
  let dataDir = opts.dataDir;
  if (process.getuid?.() === 0) {
    // The postgres user may not be able to traverse the project path (e.g. a 0700 temp dir of a CI clone):
    // keep the cluster in a postgres-owned temp folder and leave a pointer in the project folder.
    const key = createHash('sha256').update(path.resolve(opts.dataDir)).digest('hex').slice(0, 16);
    dataDir = path.join(os.tmpdir(), `case-lifecycle-pg-${key}`);
    fs.mkdirSync(opts.dataDir, { recursive: true });
    fs.writeFileSync(path.join(opts.dataDir, 'CLUSTER_LOCATION'), dataDir + '\n');
  }
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (process.getuid?.() === 0) run(['chown', 'postgres:postgres', dataDir]);
    run(asPostgresUser(path.join(PG_BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']));
  } else {
    // A previous run may have left the cluster running: stop it before reuse.
    try {
      run(asPostgresUser(path.join(PG_BIN, 'pg_ctl'), ['-D', dataDir, 'stop', '-m', 'immediate', '-w']));
    } catch {
      /* not running */
    }
  }
  const speed = opts.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  const pgOpts = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c max_connections=200${speed}`;
  const start = () =>
    run(asPostgresUser(path.join(PG_BIN, 'pg_ctl'), ['-D', dataDir, '-l', path.join(dataDir, 'server.log'), '-o', pgOpts, '-w', '-t', '60', 'start']));
  start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    dataDir,
    async stop() {
      run(asPostgresUser(path.join(PG_BIN, 'pg_ctl'), ['-D', dataDir, 'stop', '-m', 'fast', '-w']));
    },
    async restart() {
      run(asPostgresUser(path.join(PG_BIN, 'pg_ctl'), ['-D', dataDir, 'stop', '-m', 'immediate', '-w']));
      start();
    },
  };
}
