// Prints the latest weekly compliance report from PostgreSQL: a text summary, or the stored HTML with --html.
//   DATABASE_URL=postgres://… node -r ts-node/register/transpile-only reports/printLatest.ts [--html] [--department ID]
import { Pool } from 'pg';
import type { Figures } from './complianceFigures';
import type { StoredComplianceFigures } from './complianceReportActivities';
import { formatDecimalRu, formatPeriodRu, REPORT_TITLE_RU, TOTAL_TITLE_RU } from './renderComplianceReport';

export interface LatestReportRow {
  department: string;
  periodStart: string;
  periodEnd: string;
  generatedAt: Date;
  figures: StoredComplianceFigures;
  html: string;
  contentSha256: string;
}

export async function loadLatestReport(pool: Pool, department?: string): Promise<LatestReportRow | undefined> {
  const { rows } = await pool.query(
    `SELECT department, period_start::text AS period_start, period_end::text AS period_end, generated_at, figures, html, content_sha256
       FROM compliance_reports
      WHERE ($1::text IS NULL OR department = $1)
      ORDER BY period_start DESC, generated_at DESC
      LIMIT 1`,
    [department ?? null],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    department: r.department,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    generatedAt: r.generated_at,
    figures: r.figures,
    html: r.html,
    contentSha256: r.content_sha256,
  };
}

function line(title: string, f: Figures): string {
  const p = (n: number | null) => (n === null ? '—' : `${formatDecimalRu(n)} %`);
  const d = (n: number | null) => (n === null ? '—' : formatDecimalRu(n));
  return (
    `${title}\n` +
    `  поступило ${f.received}; завершено ${f.completed} (результат ${f.resultIssued}, отказ ${f.refused}, отозвано ${f.cancelled})\n` +
    `  в срок ${f.completedOnTime} из ${f.onTimeEligible} (${p(f.onTimePercent)}); в работе на конец периода ${f.openAtPeriodEnd}, из них просрочено ${f.overdueOpenAtPeriodEnd}\n` +
    `  срок рассмотрения, раб. дн.: средний ${d(f.processing.meanWorkingDays)}, 90-й процентиль ${d(f.processing.p90WorkingDays)}; доля отказов ${p(f.refusalPercent)}`
  );
}

export function formatReportText(r: LatestReportRow): string {
  const f = r.figures;
  const out = [
    `${REPORT_TITLE_RU}`,
    `${f.departmentName ?? r.department}`,
    `Период: ${formatPeriodRu(r.periodStart, r.periodEnd)} (${r.periodStart} … ${r.periodEnd})`,
    `Сформирован: ${r.generatedAt.toISOString()}`,
    '',
    ...f.services.map((s) => line(`${f.serviceTitles?.[s.serviceCode] ?? s.serviceCode} (${s.serviceCode})`, s)),
    line(TOTAL_TITLE_RU, f.total),
    '',
    `HTML: ${f.files?.html ?? '—'}`,
    `CSV:  ${f.files?.csv ?? '—'}`,
    `SHA-256: ${r.contentSha256}`,
  ];
  return out.join('\n') + '\n';
}

async function main(argv: string[]): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('DATABASE_URL is not set\n');
    return 2;
  }
  const depIdx = argv.indexOf('--department');
  const department = depIdx >= 0 ? argv[depIdx + 1] : undefined;
  if (depIdx >= 0 && !department) {
    process.stderr.write('--department needs a value\n');
    return 2;
  }
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const latest = await loadLatestReport(pool, department);
    if (!latest) {
      process.stderr.write('Отчётов пока нет / no compliance reports yet\n');
      return 1;
    }
    process.stdout.write(argv.includes('--html') ? latest.html : formatReportText(latest));
    return 0;
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
