// Activities of the weekly compliance report: produce (load → compute → render → store → write files) and
// the two calendar questions the scheduling workflow asks. Idempotent: a retry or a second run for the same
// period replaces the row (one per department and period) and rewrites the files atomically.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Pool } from 'pg';
import { formatOffsetDateTime, instantOf, isValidTimeZone, localDateOf, type ProductionCalendar } from '../calendar';
import { ServiceRegistry } from '../services';
import { computeComplianceFigures, previousWeek, type ComplianceFigures, type Figures } from './complianceFigures';
import { loadReportData } from './loadReportData';
import { contentSha256, renderComplianceReport } from './renderComplianceReport';
import { loadSatisfactionFigures } from './loadSatisfactionData';
import { renderSatisfactionHtml, satisfactionCsvColumns } from './renderSatisfaction';
import type { SatisfactionFigures } from './satisfactionFigures';

export interface ComplianceReportActivitiesOptions {
  pool: Pool;
  calendar: ProductionCalendar;
  /** The department's IANA zone: weeks, days off and "09:00" are all local to it. */
  timeZone: string;
  /** Department id used as the compliance_reports key and in file names: letters, digits, '.', '_', '-'. */
  department: string;
  outputDir: string;
  /** Shown in the report heading; defaults to `department`. */
  departmentName?: string;
  /** service code → title; defaults to the bundled service definitions. */
  serviceTitles?: Readonly<Record<string, string>>;
  weeksOfHistory?: number;
  /** Clock for generatedAt; tests pin it. */
  now?: () => Date;
}

export interface ProduceReportInput {
  /** Any instant in the week after the reported one (ISO 8601); defaults to now. */
  runAt?: string;
}

export interface ReportFigureSummary {
  received: number;
  completed: number;
  completedOnTime: number;
  onTimePercent: number | null;
  openAtPeriodEnd: number;
  overdueOpenAtPeriodEnd: number;
}

export interface ProduceReportResult {
  periodStart: string;
  periodEnd: string;
  /** The HTML file; the CSV is next to it with the same name and `.csv`. */
  path: string;
  csvPath: string;
  contentSha256: string;
  total: ReportFigureSummary;
  services: (ReportFigureSummary & { serviceCode: string })[];
}

/** What the figures column holds: the computed figures plus what a reader needs without the worker's config. */
export interface StoredComplianceFigures extends ComplianceFigures {
  department: string;
  departmentName: string;
  serviceTitles: Record<string, string>;
  files: { html: string; csv: string };
  /** Ratings, response rate, the 4.51 floor and the 57 % plan (reports/satisfactionFigures.ts). */
  satisfaction?: SatisfactionFigures;
}

const DEPARTMENT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function summary(f: Figures): ReportFigureSummary {
  return {
    received: f.received,
    completed: f.completed,
    completedOnTime: f.completedOnTime,
    onTimePercent: f.onTimePercent,
    openAtPeriodEnd: f.openAtPeriodEnd,
    overdueOpenAtPeriodEnd: f.overdueOpenAtPeriodEnd,
  };
}

function writeAtomically(file: string, content: string): void {
  // Write-then-rename: a reader (mail job, file share) never sees a half-written report.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, 'utf8');
  fs.renameSync(tmp, file);
}

function parseInstant(value: string, field: string): Date {
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || !Number.isFinite(d.getTime())) throw new RangeError(`${field} must be an ISO 8601 instant, got "${value}"`);
  return d;
}

export function createComplianceReportActivities(options: ComplianceReportActivitiesOptions) {
  const { pool, calendar, timeZone, department, outputDir } = options;
  if (!isValidTimeZone(timeZone)) throw new RangeError(`unknown time zone "${timeZone}"`);
  // The id becomes part of a file name: no separators or dot-dot tricks.
  if (!DEPARTMENT_RE.test(department) || department.includes('..')) throw new RangeError(`department id "${department}" must match ${DEPARTMENT_RE}`);
  const departmentName = options.departmentName ?? department;
  const now = options.now ?? (() => new Date());
  let titles = options.serviceTitles;
  const serviceTitles = (): Readonly<Record<string, string>> => {
    if (!titles) {
      const registry = ServiceRegistry.load();
      titles = Object.fromEntries(registry.codes().map((c) => [c, registry.get(c)?.title ?? c]));
    }
    return titles;
  };

  return {
    async produceWeeklyComplianceReport(input: ProduceReportInput = {}): Promise<ProduceReportResult> {
      const runAt = input.runAt === undefined ? now() : parseInstant(input.runAt, 'runAt');
      const { periodStart, periodEnd } = previousWeek(runAt, timeZone);
      const weeksOfHistory = options.weeksOfHistory ?? 8;
      const data = await loadReportData(pool, { periodStart, periodEnd, timeZone, weeksOfHistory });
      const generatedAt = now();
      const figures = computeComplianceFigures(data.applications, data.escalations, {
        periodStart,
        periodEnd,
        timeZone,
        calendar,
        now: generatedAt,
        weeksOfHistory,
        serviceCodes: Object.keys(serviceTitles()),
      });
      // Satisfaction in the same report: management reads terms and ratings side by side (seed 001 3.2),
      // in the HTML as its own section and in the CSV as columns of the same service rows.
      const satisfaction = await loadSatisfactionFigures(pool, { periodStart, periodEnd, timeZone, weeksOfHistory });
      const compliance = renderComplianceReport(figures, { departmentName, serviceTitles: serviceTitles(), extraCsvColumns: satisfactionCsvColumns(satisfaction) });
      const section = renderSatisfactionHtml(satisfaction, serviceTitles());
      const html = compliance.html.includes('</body>') ? compliance.html.replace('</body>', `${section}\n</body>`) : `${compliance.html}\n${section}`;
      const rendered = { ...compliance, html, contentSha256: contentSha256(html, compliance.csv) };

      const base = path.join(outputDir, `${department}-${periodStart}`);
      const files = { html: path.resolve(`${base}.html`), csv: path.resolve(`${base}.csv`) };
      const stored: StoredComplianceFigures = {
        ...figures,
        department,
        departmentName,
        serviceTitles: Object.fromEntries(figures.services.map((s) => [s.serviceCode, serviceTitles()[s.serviceCode] ?? s.serviceCode])),
        files,
        satisfaction,
      };
      fs.mkdirSync(outputDir, { recursive: true });
      writeAtomically(files.html, rendered.html);
      writeAtomically(files.csv, rendered.csv);
      await pool.query(
        `INSERT INTO compliance_reports (department, period_start, period_end, generated_at, figures, html, csv, content_sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (department, period_start) DO UPDATE
           SET period_end = EXCLUDED.period_end, generated_at = EXCLUDED.generated_at, figures = EXCLUDED.figures,
               html = EXCLUDED.html, csv = EXCLUDED.csv, content_sha256 = EXCLUDED.content_sha256`,
        [department, periodStart, periodEnd, generatedAt, JSON.stringify(stored), rendered.html, rendered.csv, rendered.contentSha256],
      );
      return {
        periodStart,
        periodEnd,
        path: files.html,
        csvPath: files.csv,
        contentSha256: rendered.contentSha256,
        total: summary(figures.total),
        services: figures.services.map((s) => ({ serviceCode: s.serviceCode, ...summary(s) })),
      };
    },

    /** Whether the local date of `at` in the department's zone is a working day (shortened days are). */
    async isWorkingDayToday(input: { at: string }): Promise<boolean> {
      return calendar.isWorkingDay(localDateOf(parseInstant(input.at, 'at'), timeZone));
    },

    /** `hour`:00 local time on the first working day after the local date of `at`, as ISO 8601 with offset. */
    async nextWorkingMorning(input: { at: string; hour: number }): Promise<string> {
      if (!Number.isInteger(input.hour) || input.hour < 0 || input.hour > 23) throw new RangeError(`hour must be 0..23, got ${input.hour}`);
      const next = calendar.nextWorkingDay(localDateOf(parseInstant(input.at, 'at'), timeZone));
      return formatOffsetDateTime(instantOf(next, input.hour * 60, timeZone), timeZone);
    },
  };
}

export type ComplianceReportActivities = ReturnType<typeof createComplianceReportActivities>;
