// What the case list costs on a region's projection: a throwaway PostgreSQL cluster (.data/bench/case-list-pg,
// a fresh database every run) filled with --open open and --closed completed cases (300 clerks, 20 services,
// a tenth started over the API with a department), then each typical list timed --reps times (first page, and
// the page after --walk pages for the cursor) and its count (countCases, what the inbox's department page shows
// beside a page). Prints the median and max per query.
// It lives beside the tests because, like them, it writes the projection directly (product code writes it only
// through activities/caseRecords.ts); jest does not run it (not *.test.ts).
// Run: node -r ts-node/register/transpile-only tests/cases/caseList.bench.ts [--open 300000] [--closed 300000] [--reps 7] [--walk 20] [--explain]
import * as path from 'node:path';
import { Client as PgClient, Pool } from 'pg';
import { caseCountQuery, caseListQuery, countCases, listCases, type CaseListFilter, type CaseListPage, type CaseListScope } from '../../cases';
import { migrate } from '../../db';
import { ROOT, startLocalPostgres } from '../../scripts/localStack';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

async function main(): Promise<void> {
  const open = arg('open', 300_000);
  const closed = arg('closed', 300_000);
  const reps = arg('reps', 7);
  const walk = arg('walk', 20);
  const pg = await startLocalPostgres({ dataDir: path.join(ROOT, '.data/bench/case-list-pg') });
  const dbName = `case_list_bench_${Date.now()}`;
  const admin = new PgClient({ connectionString: pg.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(pg.url);
  url.pathname = `/${dbName}`;
  const pool = new Pool({ connectionString: url.toString(), max: 2 });
  try {
    await migrate(pool);
    const t0 = Date.now();
    await pool.query(
      `INSERT INTO applications (application_number, service_code, channel, received_at, stage, assigned_clerk, deadline, overdue, completed_at, outcome)
       SELECT 'B-' || lpad(i::text, 8, '0'), 'svc-' || (i % 20), 'epgu',
              now() - (i % 60) * interval '1 day' - (i % 997) * interval '1 minute',
              CASE WHEN i <= $1::int THEN (ARRAY['received','registered','underReview','interagencyRequested','awaitingApplicant','decisionDrafted','approved'])[1 + i % 7]
                   ELSE (ARRAY['resultIssued','refused','cancelled'])[1 + i % 3] END,
              CASE WHEN i % 50 = 0 THEN NULL ELSE 'clerk-' || (i % 300) END,
              CASE WHEN i % 7 = 0 THEN NULL ELSE now() + ((i % 45) - 5) * interval '1 day' + (i % 1000) * interval '1 second' END,
              i % 97 = 0,
              CASE WHEN i <= $1::int THEN NULL ELSE now() - (i % 30) * interval '1 day' END,
              CASE WHEN i <= $1::int THEN NULL ELSE (ARRAY['resultIssued','refused','cancelled'])[1 + i % 3] END
         FROM generate_series(1, $1::int + $2::int) AS i`,
      [open, closed],
    );
    await pool.query(`INSERT INTO api_cases (application_number, department, started_by)
                      SELECT application_number, CASE WHEN random() < 0.5 THEN 'department' ELSE 'other' END, 'caseSystem:bench' FROM applications WHERE random() < 0.1`);
    await pool.query('ANALYZE');
    console.log(`filled ${open} open + ${closed} completed cases in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const department: CaseListScope = { department: 'department', deploymentDepartment: 'department' };
    const queries: { name: string; filter: CaseListFilter; page?: CaseListPage; scope?: CaseListScope }[] = [
      { name: 'operator: open cases, nearest deadline', filter: {} },
      { name: 'head: department, open', filter: {}, scope: department },
      { name: 'head: another department, open', filter: {}, scope: { department: 'other', deploymentDepartment: 'department' } },
      { name: 'clerk: own open cases', filter: {}, scope: { ...department, clerk: 'clerk-7' } },
      { name: 'head: stage underReview', filter: { stage: 'underReview' }, scope: department },
      { name: 'head: overdue', filter: { overdue: true }, scope: department },
      { name: 'head: unassigned', filter: { unassigned: true }, scope: department },
      { name: 'head: service svc-3, due within 3 days', filter: { serviceCode: 'svc-3', dueBefore: new Date(Date.now() + 3 * 86_400_000).toISOString() }, scope: department },
      { name: 'head: completed, newest first', filter: { open: false }, page: { order: 'receivedDesc' }, scope: department },
      { name: 'operator: received last week, by receipt', filter: { open: 'any', receivedFrom: new Date(Date.now() - 7 * 86_400_000).toISOString() }, page: { order: 'received' } },
    ];
    for (const q of queries) {
      // The cursor after `walk` pages: later pages cost what the first one does when the order is served by an index.
      let cursor: string | undefined;
      for (let i = 0; i < walk; i++) {
        const page = await listCases(pool, q.filter, { ...q.page, ...(cursor ? { cursor } : {}) }, q.scope);
        cursor = page.nextCursor ?? undefined;
        if (!cursor) break;
      }
      const time = async (c?: string) => {
        const ms: number[] = [];
        let rows = 0;
        for (let r = 0; r < reps; r++) {
          const start = process.hrtime.bigint();
          rows = (await listCases(pool, q.filter, { ...q.page, ...(c ? { cursor: c } : {}) }, q.scope)).items.length;
          ms.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
        ms.sort((a, b) => a - b);
        return `${ms[Math.floor(ms.length / 2)].toFixed(1)} ms median, ${ms[ms.length - 1].toFixed(1)} max (${rows} rows)`;
      };
      if (process.argv.includes('--explain')) {
        const sql = caseListQuery(q.filter, q.page, q.scope);
        const { rows: plan } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${sql.text}`, sql.values);
        console.log(plan.map((r) => `    ${r['QUERY PLAN']}`).join('\n'));
      }
      console.log(`${q.name.padEnd(48)} first page: ${await time()}; page ${walk + 1}: ${cursor ? await time(cursor) : '—'}`);
      const counted: number[] = [];
      let total = 0;
      for (let r = 0; r < reps; r++) {
        const start = process.hrtime.bigint();
        total = (await countCases(pool, q.filter, q.scope)).total;
        counted.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      counted.sort((a, b) => a - b);
      if (process.argv.includes('--explain')) {
        const sql = caseCountQuery(q.filter, q.scope);
        const { rows: plan } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${sql.text}`, sql.values);
        console.log(plan.map((r) => `    ${r['QUERY PLAN']}`).join('\n'));
      }
      console.log(`${''.padEnd(48)} count: ${counted[Math.floor(counted.length / 2)]!.toFixed(1)} ms median, ${counted[counted.length - 1]!.toFixed(1)} max (${total} cases)`);
    }
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await pg.stop();
  }
  const os = await import('node:os');
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
