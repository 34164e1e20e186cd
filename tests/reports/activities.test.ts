// produceWeeklyComplianceReport against a real PostgreSQL (own throwaway cluster, fresh database).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client as PgClient, Pool } from 'pg';
import { defaultProductionCalendar } from '../../calendar';
import { migrate } from '../../db/migrate';
import { computeComplianceFigures } from '../../reports/complianceFigures';
import { createComplianceReportActivities } from '../../reports/complianceReportActivities';
import { formatReportText, loadLatestReport } from '../../reports/printLatest';
import { ROOT, startLocalPostgres, type LocalPostgres } from '../../scripts/localStack';
import { A, APPLICATIONS, C, ESCALATIONS, EXPECTED, NOW, PERIOD, RUN_AT, TZ } from './fixtures';

const calendar = defaultProductionCalendar();
const OUT_DIR = path.join(ROOT, '.data/reports-test-out');
const DEPARTMENT = 'uprava-test';

let pg: LocalPostgres;
let pool: Pool;
let dbUrl: string;

beforeAll(async () => {
  pg = await startLocalPostgres({ dataDir: path.join(ROOT, '.data/reports-test-pg') });
  const dbName = `reports_test_${process.pid}`;
  const admin = new PgClient({ connectionString: pg.url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = new URL(pg.url);
  url.pathname = `/${dbName}`;
  dbUrl = url.toString();
  pool = new Pool({ connectionString: dbUrl, max: 4 });
  await migrate(pool);
  fs.rmSync(OUT_DIR, { recursive: true, force: true });

  for (const r of APPLICATIONS) {
    await pool.query(
      `INSERT INTO applications (application_number, service_code, channel, received_at, stage, assigned_clerk, deadline, outcome, completed_at, suspended_working_days)
       VALUES ($1, $2, 'epgu', $3, $4, $5, $6, $7, $8, $9)`,
      [r.applicationNumber, r.serviceCode, r.receivedAt, r.outcome ?? 'underReview', r.assignedClerk, r.deadline, r.outcome, r.completedAt, r.suspendedWorkingDays],
    );
  }
  for (const e of ESCALATIONS) {
    const deadline = APPLICATIONS.find((a) => a.applicationNumber === e.applicationNumber)!.deadline;
    await pool.query(
      `INSERT INTO escalations (application_number, service_code, rung, deadline, fire_at, fired_at, notify)
       VALUES ($1, $2, $3, $4, $5, $5, ARRAY['clerk'])`,
      [e.applicationNumber, e.serviceCode, e.rung, deadline, e.firedAt],
    );
  }
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await pg?.stop();
});

function activities(now: string) {
  return createComplianceReportActivities({
    pool,
    calendar,
    timeZone: TZ,
    department: DEPARTMENT,
    departmentName: 'Управа района Тестовый',
    outputDir: OUT_DIR,
    now: () => new Date(now),
  });
}

describe('produceWeeklyComplianceReport', () => {
  it('reports the previous week, stores one row and writes both files', async () => {
    const result = await activities(NOW).produceWeeklyComplianceReport({ runAt: RUN_AT });
    expect(result.periodStart).toBe(PERIOD.periodStart);
    expect(result.periodEnd).toBe(PERIOD.periodEnd);
    expect(result.path).toBe(path.join(OUT_DIR, `${DEPARTMENT}-2026-11-02.html`));
    expect(result.csvPath).toBe(path.join(OUT_DIR, `${DEPARTMENT}-2026-11-02.csv`));
    expect(result.total).toEqual({
      received: EXPECTED.total.received,
      completed: EXPECTED.total.completed,
      completedOnTime: EXPECTED.total.completedOnTime,
      onTimePercent: EXPECTED.total.onTimePercent,
      openAtPeriodEnd: EXPECTED.total.openAtPeriodEnd,
      overdueOpenAtPeriodEnd: EXPECTED.total.overdueOpenAtPeriodEnd,
    });
    expect(result.services.map((s) => [s.serviceCode, s.onTimePercent])).toEqual([
      [A, EXPECTED[A].onTimePercent],
      [C, EXPECTED[C].onTimePercent],
    ]);

    const { rows } = await pool.query(
      `SELECT period_start::text, period_end::text, generated_at, figures, html, csv, content_sha256 FROM compliance_reports WHERE department = $1`,
      [DEPARTMENT],
    );
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect([row.period_start, row.period_end]).toEqual(['2026-11-02', '2026-11-08']);
    expect(new Date(row.generated_at).toISOString()).toBe(new Date(NOW).toISOString());
    expect(row.content_sha256).toBe(result.contentSha256);
    // What PostgreSQL returns gives the same figures as the pure computation over the fixture rows.
    const pure = computeComplianceFigures(APPLICATIONS, ESCALATIONS, { ...PERIOD, timeZone: TZ, calendar, now: NOW });
    expect(row.figures.total).toEqual(JSON.parse(JSON.stringify(pure.total)));
    expect(row.figures.services).toEqual(JSON.parse(JSON.stringify(pure.services)));
    expect(row.figures.files).toEqual({ html: result.path, csv: result.csvPath });

    expect(fs.readFileSync(result.path, 'utf8')).toBe(row.html);
    expect(fs.readFileSync(result.csvPath, 'utf8')).toBe(row.csv);
    expect(row.html).toContain('Еженедельный отчёт о соблюдении регламентных сроков');
    expect(row.html).toContain('Управа района Тестовый');
    expect(row.html).toContain('Выдача разрешения на строительство'); // title from the bundled service definitions
    expect(fs.readFileSync(result.csvPath).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(fs.readdirSync(OUT_DIR).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('running again for the same week replaces the row instead of adding one', async () => {
    const later = '2026-11-10T12:00:00+03:00';
    // Tuesday run still reports the week of 2–8 November.
    const result = await activities(later).produceWeeklyComplianceReport({ runAt: '2026-11-10T11:00:00+03:00' });
    expect(result.periodStart).toBe('2026-11-02');
    const { rows } = await pool.query(`SELECT generated_at, html FROM compliance_reports WHERE department = $1`, [DEPARTMENT]);
    expect(rows).toHaveLength(1);
    expect(new Date(rows[0].generated_at).toISOString()).toBe(new Date(later).toISOString());
    expect(rows[0].html).toContain('Сформирован 10.11.2026 12:00');
    expect(fs.readFileSync(result.path, 'utf8')).toBe(rows[0].html);
    expect(fs.readdirSync(OUT_DIR).sort()).toEqual([`${DEPARTMENT}-2026-11-02.csv`, `${DEPARTMENT}-2026-11-02.html`]);
  });

  it('a run in the following week adds the next period', async () => {
    const result = await activities('2026-11-16T09:00:00+03:00').produceWeeklyComplianceReport({ runAt: '2026-11-16T09:00:00+03:00' });
    expect([result.periodStart, result.periodEnd]).toEqual(['2026-11-09', '2026-11-15']);
    // A8 was completed on 9 November (late), A10 received on 9 November.
    expect(result.services.find((s) => s.serviceCode === A)).toMatchObject({ received: 1, completed: 1, completedOnTime: 0, onTimePercent: 0 });
    const { rows } = await pool.query(`SELECT period_start::text AS p FROM compliance_reports WHERE department = $1 ORDER BY p`, [DEPARTMENT]);
    expect(rows.map((r) => r.p)).toEqual(['2026-11-02', '2026-11-09']);
  });

  it('rejects a malformed runAt and a department id unfit for a file name', async () => {
    await expect(activities(NOW).produceWeeklyComplianceReport({ runAt: 'next monday' })).rejects.toThrow(RangeError);
    expect(() =>
      createComplianceReportActivities({ pool, calendar, timeZone: TZ, department: '../etc', outputDir: OUT_DIR }),
    ).toThrow(RangeError);
    expect(() => createComplianceReportActivities({ pool, calendar, timeZone: 'Mars/Olympus', department: 'x', outputDir: OUT_DIR })).toThrow(
      RangeError,
    );
  });
});

describe('calendar activities', () => {
  const acts = () => activities(NOW);
  it('isWorkingDayToday reads the local date in the department zone', async () => {
    expect(await acts().isWorkingDayToday({ at: '2026-01-05T09:00:00+03:00' })).toBe(false); // New Year holidays
    expect(await acts().isWorkingDayToday({ at: '2026-05-11T09:00:00+03:00' })).toBe(false); // transferred day off
    expect(await acts().isWorkingDayToday({ at: '2026-05-10T21:30:00Z' })).toBe(false); // 00:30 on 11 May in Moscow
    expect(await acts().isWorkingDayToday({ at: '2026-05-11T21:30:00Z' })).toBe(true); // 00:30 on 12 May in Moscow
    expect(await acts().isWorkingDayToday({ at: '2026-11-16T06:00:00Z' })).toBe(true);
  });

  it('nextWorkingMorning is 09:00 local on the next working day', async () => {
    expect(await acts().nextWorkingMorning({ at: '2026-01-05T09:00:00+03:00', hour: 9 })).toBe('2026-01-12T09:00:00.000+03:00');
    expect(await acts().nextWorkingMorning({ at: '2026-05-11T09:00:00+03:00', hour: 9 })).toBe('2026-05-12T09:00:00.000+03:00');
    expect(await acts().nextWorkingMorning({ at: '2026-02-23T09:00:00+03:00', hour: 9 })).toBe('2026-02-24T09:00:00.000+03:00');
    await expect(acts().nextWorkingMorning({ at: '2026-02-23T09:00:00+03:00', hour: 24 })).rejects.toThrow(RangeError);
  });
});

describe('printLatest', () => {
  it('prints the latest report as text and, with --html, the stored HTML', async () => {
    const latest = (await loadLatestReport(pool, DEPARTMENT))!;
    expect(latest.periodStart).toBe('2026-11-09');
    const text = formatReportText(latest);
    expect(text).toContain('Период: с 9 ноября по 15 ноября 2026 г.');
    expect(text).toContain(`HTML: ${path.join(OUT_DIR, `${DEPARTMENT}-2026-11-09.html`)}`);

    const env = { ...process.env, DATABASE_URL: dbUrl };
    const run = (args: string[]) =>
      execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'reports/printLatest.ts', ...args], { cwd: ROOT, env, encoding: 'utf8' });
    const cli = run([]);
    expect(cli).toBe(text);
    expect(cli).toContain('Выдача архивных справок, архивных выписок и архивных копий (archive-certificate)');
    expect(cli).toContain('Итого по ведомству');
    expect(run(['--html'])).toBe(latest.html);
  });
});
