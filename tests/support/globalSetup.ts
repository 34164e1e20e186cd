// Starts the real parts once for the whole suite: a Temporal dev server (CLI v1.5.1, SQLite WAL) and a
// throwaway PostgreSQL 15 cluster, migrates a fresh database and prebundles the workflows. Test files read
// the addresses from .data/test/stack.json (or the environment) and start their own workers and emulators.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client as PgClient, Pool } from 'pg';
import { migrate } from '../../db/migrate';
import { ROOT, startLocalPostgres, startLocalTemporal } from '../../scripts/localStack';
import { bundleWorkflows } from '../../worker/workflowBundle';

// CASE_TEST_STACK_DIR: a second stack beside the first (two test runs in one checkout must not share one).
export const STACK_DIR = path.resolve(ROOT, process.env.CASE_TEST_STACK_DIR || '.data/test');
export const STACK_FILE = path.join(STACK_DIR, 'stack.json');

// Folders whose tests need no server: running only them skips the stack.
const PURE_TEST_DIRS = /tests\/(calendar|refusal|epgu|unit|reports|escalation|cases)(\/|$)/;

export default async function globalSetup(): Promise<void> {
  const selected = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  if (process.env.CASE_STACK === 'off' || (selected.length > 0 && selected.every((a) => PURE_TEST_DIRS.test(a)))) return;
  fs.mkdirSync(STACK_DIR, { recursive: true });
  const temporalDir = path.join(STACK_DIR, 'temporal');
  fs.rmSync(temporalDir, { recursive: true, force: true });

  const [temporal, pg, bundle] = await Promise.all([
    startLocalTemporal({ dataDir: temporalDir }),
    process.env.DATABASE_URL ? Promise.resolve(null) : startLocalPostgres({ dataDir: path.join(STACK_DIR, 'pg') }),
    // The production bundle (stack traces off), so the suite runs what departments run.
    bundleWorkflows({ stackTraces: 'off' }).then((code) => ({ code })),
  ]);

  // A fresh database per run: the suite asserts exact rows.
  const adminUrl = process.env.DATABASE_URL ?? pg!.url;
  const dbName = `case_test_${process.pid}`;
  const admin = new PgClient({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const pool = new Pool({ connectionString: url.toString() });
  await migrate(pool);
  await pool.end();

  const bundlePath = path.join(STACK_DIR, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  const stack = { temporalAddress: temporal.address, databaseUrl: url.toString(), adminDatabaseUrl: adminUrl, dbName, bundlePath, temporalDbFile: temporal.dbFile };
  fs.writeFileSync(STACK_FILE, JSON.stringify(stack, null, 2));
  (globalThis as Record<string, unknown>).__caseStack = { temporal, pg, stack };
}
