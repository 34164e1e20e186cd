import { Client as PgClient } from 'pg';
import type { LocalPostgres, LocalTemporal } from '../../scripts/localStack';

export default async function globalTeardown(): Promise<void> {
  const s = (globalThis as Record<string, unknown>).__caseStack as
    | { temporal: LocalTemporal; pg: LocalPostgres | null; stack: { adminDatabaseUrl: string; dbName: string } }
    | undefined;
  if (!s) return;
  await s.temporal.stop();
  if (s.pg) {
    await s.pg.stop();
  } else {
    const admin = new PgClient({ connectionString: s.stack.adminDatabaseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${s.stack.dbName} WITH (FORCE)`);
    await admin.end();
  }
}
