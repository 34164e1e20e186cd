// Operator views of deadlines: PostgreSQL projections (applications table) and Temporal visibility
// queries over the workflow's search attributes, for when the database is not at hand.
import type { Pool } from 'pg';
import { z } from 'zod';
import { addDays, instantOf, localDateOf, type ProductionCalendar } from '../calendar';

export interface CaseFilter {
  serviceCode?: string;
  clerk?: string;
  /** "Now" for the query; default the current time. Tests and reports pass a fixed instant. */
  now?: Date;
}

export interface CaseDeadlineRow {
  applicationNumber: string;
  serviceCode: string;
  stage: string;
  assignedClerk: string | null;
  deadline: string | null;
  overdue: boolean;
}

const filterSchema = z
  .object({
    serviceCode: z.string().trim().min(1).optional(),
    clerk: z.string().trim().min(1).optional(),
    now: z.date().refine((d) => Number.isFinite(d.getTime()), 'invalid date').optional(),
  })
  .strict();

function parseFilter(fn: string, filter: CaseFilter): z.output<typeof filterSchema> {
  const r = filterSchema.safeParse(filter);
  if (!r.success) throw new Error(`${fn}: некорректный фильтр / invalid filter: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** The columns of `applications` that deadline views read (the inbox reads the same projection). */
export interface CaseDeadlineRecord {
  application_number: string;
  service_code: string;
  stage: string;
  assigned_clerk: string | null;
  deadline: Date | null;
  overdue: boolean;
}

const toRow = (r: CaseDeadlineRecord): CaseDeadlineRow => ({
  applicationNumber: r.application_number,
  serviceCode: r.service_code,
  stage: r.stage,
  assignedClerk: r.assigned_clerk,
  deadline: r.deadline ? r.deadline.toISOString() : null,
  overdue: r.overdue,
});

/**
 * The end of the window "next n working days": today's local date plus n working days (n = 0: today),
 * up to the end of that local day. Exclusive bound.
 */
export function endOfWorkingDaysWindow(calendar: ProductionCalendar, timeZone: string, n: number, now: Date = new Date()): Date {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`dueWithinWorkingDays: n must be a non-negative integer, got ${n}`);
  const lastDay = calendar.addWorkingDays(localDateOf(now, timeZone), n);
  return instantOf(addDays(lastDay, 1), 0, timeZone);
}

/** Open cases whose deadline (not yet passed) falls before the end of the n-th working day from today. */
export async function dueWithinWorkingDays(
  pool: Pool,
  calendar: ProductionCalendar,
  timeZone: string,
  n: number,
  filter: CaseFilter = {},
): Promise<CaseDeadlineRow[]> {
  const f = parseFilter('dueWithinWorkingDays', filter);
  const now = f.now ?? new Date();
  const until = endOfWorkingDaysWindow(calendar, timeZone, n, now);
  const { rows } = await pool.query<CaseDeadlineRecord>(
    `SELECT application_number, service_code, stage, assigned_clerk, deadline, overdue FROM applications
      WHERE completed_at IS NULL AND deadline >= $1 AND deadline < $2
        AND ($3::text IS NULL OR service_code = $3) AND ($4::text IS NULL OR assigned_clerk = $4)
      ORDER BY deadline, application_number`,
    [now, until, f.serviceCode ?? null, f.clerk ?? null],
  );
  return rows.map(toRow);
}

/** Open cases past their deadline or flagged overdue by the breach rung, most overdue first. */
export async function overdueCases(pool: Pool, filter: CaseFilter = {}): Promise<CaseDeadlineRow[]> {
  const f = parseFilter('overdueCases', filter);
  const { rows } = await pool.query<CaseDeadlineRecord>(
    `SELECT application_number, service_code, stage, assigned_clerk, deadline, overdue FROM applications
      WHERE completed_at IS NULL AND (overdue OR deadline < $1)
        AND ($2::text IS NULL OR service_code = $2) AND ($3::text IS NULL OR assigned_clerk = $3)
      ORDER BY deadline NULLS LAST, application_number`,
    [f.now ?? new Date(), f.serviceCode ?? null, f.clerk ?? null],
  );
  return rows.map(toRow);
}

export interface ServiceClerkCounts {
  serviceCode: string;
  assignedClerk: string | null;
  open: number;
  overdue: number;
}

/** Open and overdue case counts per service and clerk (null clerk: unassigned). */
export async function countsByServiceAndClerk(pool: Pool, opts: { now?: Date } = {}): Promise<ServiceClerkCounts[]> {
  const { rows } = await pool.query<{ service_code: string; assigned_clerk: string | null; open: string; overdue: string }>(
    `SELECT service_code, assigned_clerk, count(*) AS open,
            count(*) FILTER (WHERE overdue OR deadline < $1) AS overdue
       FROM applications WHERE completed_at IS NULL
      GROUP BY service_code, assigned_clerk
      ORDER BY service_code, assigned_clerk NULLS FIRST`,
    [opts.now ?? new Date()],
  );
  return rows.map((r) => ({ serviceCode: r.service_code, assignedClerk: r.assigned_clerk, open: Number(r.open), overdue: Number(r.overdue) }));
}

// Temporal list filters have no escape syntax we can rely on across versions: refuse quotes instead.
const keywordValue = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .refine((s) => !/["'`\\\u0000-\u001f]/.test(s), 'must not contain quotes, backslashes or control characters');
const temporalFilterSchema = z.object({ serviceCode: keywordValue.optional(), clerk: keywordValue.optional() }).strict();

function temporalFilterClauses(fn: string, filter: { serviceCode?: string; clerk?: string }): string[] {
  const r = temporalFilterSchema.safeParse(filter);
  if (!r.success) throw new Error(`${fn}: некорректный фильтр / invalid filter: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const clauses = ['ExecutionStatus = "Running"'];
  if (r.data.serviceCode) clauses.push(`ServiceCode = "${r.data.serviceCode}"`);
  if (r.data.clerk) clauses.push(`AssignedClerk = "${r.data.clerk}"`);
  return clauses;
}

/** Running cases whose deadline is before the instant, for `temporal workflow list --query` or client.workflow.list. */
export function temporalQueryDueBefore(isoInstant: string, filter: { serviceCode?: string; clerk?: string } = {}): string {
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(isoInstant) ? Date.parse(isoInstant) : NaN;
  if (!Number.isFinite(ms)) throw new Error(`temporalQueryDueBefore: isoInstant: not an ISO 8601 instant: ${JSON.stringify(isoInstant)}`);
  return [`CaseDeadline < "${new Date(ms).toISOString()}"`, ...temporalFilterClauses('temporalQueryDueBefore', filter)].join(' AND ');
}

/** Running cases the breach rung has flagged overdue. */
export function temporalQueryOverdue(filter: { serviceCode?: string; clerk?: string } = {}): string {
  return ['CaseOverdue = true', ...temporalFilterClauses('temporalQueryOverdue', filter)].join(' AND ');
}
