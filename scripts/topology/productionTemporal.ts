// A production-shaped Temporal for fault tests, the soak and the benchmark: the server built from its Go module
// (go.temporal.io/server, the version the CLI v1.5.1 bundles; scripts/ensure-tools.sh --cluster), PostgreSQL
// persistence and visibility whose schema is set up by the server's own temporal-sql-tool, 4 history shards, all
// four services (frontend, history, matching, worker) in one process, as a small on-premises install runs them.
// Its PostgreSQL is separate from the case database, so each can be restarted alone.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { Client as PgClient } from 'pg';
import * as net from 'node:net';
import { LocalPostgres, ROOT, SEARCH_ATTRIBUTES, startLocalPostgres, stopProcess } from '../localStack';

/** A free port below 32768: the server stores its ports in cluster_membership as smallint. */
async function lowFreePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** What fault drivers need of a Temporal deployment (the dev server satisfies it too, without persistence). */
export interface TemporalCluster {
  address: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
  /** SIGKILL and start again on the same ports and data. */
  restart(): Promise<void>;
  /** Crash-restarts Temporal's own PostgreSQL (pg_ctl -m immediate) while the server keeps running. */
  restartPersistence?(): Promise<void>;
}

export const HISTORY_SHARDS = 4;
const TOOLS = path.join(ROOT, '.tools/bin');
// temporal.api.enums.v1.IndexedValueType
const SEARCH_ATTRIBUTE_TYPES: Record<string, number> = { Keyword: 2, Bool: 5, Datetime: 6 };

function tool(name: 'temporal-server' | 'temporal-sql-tool'): string {
  const p = path.join(TOOLS, name);
  if (!fs.existsSync(p)) throw new Error(`${name} not found: run bash scripts/ensure-tools.sh --cluster`);
  return p;
}

function config(ports: Record<'frontend' | 'frontendHttp' | 'history' | 'matching' | 'worker', number>, pgPort: number, m: number[], dynamicConfigFile: string): string {
  const store = (db: string, conns: number) => `
      sql:
        pluginName: "postgres12"
        databaseName: "${db}"
        connectAddr: "127.0.0.1:${pgPort}"
        connectProtocol: "tcp"
        user: "postgres"
        password: ""
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: "1h"`;
  const svc = (name: string, grpc: number, membership: number, extra = '') => `
  ${name}:
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${extra}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${HISTORY_SHARDS}
  datastores:
    postgres-default:${store('temporal', 20)}
    postgres-visibility:${store('temporal_visibility', 5)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:${svc('frontend', ports.frontend, m[0]!, `\n      httpPort: ${ports.frontendHttp}`)}${svc('history', ports.history, m[1]!)}${svc('matching', ports.matching, m[2]!)}${svc('worker', ports.worker, m[3]!)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${ports.frontend}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${dynamicConfigFile}"
  pollInterval: "10s"
`;
}

const DYNAMIC_CONFIG = `frontend.enableUpdateWorkflowExecution:
  - value: true
frontend.enableUpdateWorkflowExecutionAsyncAccepted:
  - value: true
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
`;

async function ready(address: string, child: ChildProcess, logFile: string, namespace?: string): Promise<void> {
  const until = Date.now() + 120_000;
  let lastErr: unknown;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`temporal-server exited with ${child.exitCode}; see ${logFile}`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.workflowService.getSystemInfo({});
        if (namespace) await conn.workflowService.describeNamespace({ namespace });
      } finally {
        await conn.close();
      }
      return;
    } catch (err) {
      lastErr = err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  throw new Error(`temporal-server at ${address} not ready in 120 s: ${String(lastErr)}; see ${logFile}`);
}

/** Creates the two databases and their schemas with the server's own tool (as the install guide does). */
async function setupSchema(pgPort: number, log: string): Promise<void> {
  // A fresh cluster per run: the PostgreSQL data folder may survive a previous run (see startLocalPostgres).
  const admin = new PgClient({ connectionString: `postgres://postgres@127.0.0.1:${pgPort}/postgres` });
  await admin.connect();
  try {
    for (const db of ['temporal', 'temporal_visibility']) await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  const sql = tool('temporal-sql-tool');
  const base = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(pgPort), '-u', 'postgres'];
  for (const [db, schema] of [['temporal', 'postgresql/v12/temporal'], ['temporal_visibility', 'postgresql/v12/visibility']] as const) {
    for (const args of [['create-database'], ['setup-schema', '-v', '0.0'], ['update-schema', '--schema-name', schema]]) {
      const out = execFileSync(sql, [...base, '--db', db, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      fs.appendFileSync(log, out);
    }
  }
}

export async function startProductionTemporal(opts: { dataDir: string; namespace?: string }): Promise<TemporalCluster & { persistence: LocalPostgres }> {
  const namespace = opts.namespace ?? 'default';
  fs.rmSync(opts.dataDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(opts.dataDir, 'config'), { recursive: true });
  const logFile = path.join(opts.dataDir, 'temporal-server.log');
  const persistence = await startLocalPostgres({ dataDir: path.join(opts.dataDir, 'pg'), durable: true });
  const pgPort = Number(new URL(persistence.url).port);
  await setupSchema(pgPort, logFile);

  const ports = { frontend: await lowFreePort(), frontendHttp: await lowFreePort(), history: await lowFreePort(), matching: await lowFreePort(), worker: await lowFreePort() };
  const membership = [await lowFreePort(), await lowFreePort(), await lowFreePort(), await lowFreePort()];
  fs.writeFileSync(path.join(opts.dataDir, 'config', 'production.yaml'), config(ports, pgPort, membership, path.resolve(opts.dataDir, 'config', 'dynamicconfig.yaml')));
  fs.writeFileSync(path.join(opts.dataDir, 'config', 'dynamicconfig.yaml'), DYNAMIC_CONFIG);
  const address = `127.0.0.1:${ports.frontend}`;
  const spawnServer = () => {
    const out = fs.openSync(logFile, 'a');
    return spawn(tool('temporal-server'), ['--root', opts.dataDir, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'], {
      stdio: ['ignore', out, out],
    });
  };
  const state = { child: spawnServer() };
  await ready(address, state.child, logFile);

  // First start: the namespace and the plugin's search attributes (SQL visibility maps them to its columns).
  const conn = await Connection.connect({ address });
  try {
    await conn.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') }).catch((e: Error) => {
      if (!/already exists/i.test(e.message)) throw e;
    });
    await ready(address, state.child, logFile, namespace);
    await conn.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).map(([k, t]) => [k, SEARCH_ATTRIBUTE_TYPES[t]!])),
    });
  } finally {
    await conn.close();
  }

  const stopChild = (signal: NodeJS.Signals) => stopProcess(state.child, signal);
  return {
    address,
    persistence,
    get process() {
      return state.child;
    },
    async stop() {
      await stopChild('SIGTERM');
      await persistence.stop();
    },
    async restart() {
      await stopChild('SIGKILL');
      state.child = spawnServer();
      await ready(address, state.child, logFile, namespace);
    },
    restartPersistence: () => persistence.restart(),
  };
}
