// Loads the rows the weekly compliance figures need, in one read-only snapshot so that applications and
// escalations agree with each other even while workers keep writing.
import type { Pool } from 'pg';
import { addDays, localDate } from '../calendar';
import { localMidnight, type ApplicationOutcome, type ApplicationReportRow, type EscalationReportRow } from './complianceFigures';

export interface ReportDataQuery {
  periodStart: string;
  periodEnd: string;
  timeZone: string;
  /** Seven-day weeks of history for the chart, ending with the period (default 8). */
  weeksOfHistory?: number;
}

export interface ReportData {
  applications: ApplicationReportRow[];
  escalations: EscalationReportRow[];
}

// Received before the period ended and either still open or completed within the chart's history: this covers
// received/completed in the period, open at its end, and every week of the on-time chart.
export const APPLICATIONS_SQL = `
SELECT application_number, service_code, received_at, deadline, outcome, completed_at, suspended_working_days, assigned_clerk
  FROM applications
 WHERE received_at < $2
   AND (completed_at IS NULL OR completed_at >= $1)
 ORDER BY application_number`;

export const ESCALATIONS_SQL = `
SELECT application_number, service_code, rung, fired_at
  FROM escalations
 WHERE fired_at >= $1 AND fired_at < $2
 ORDER BY fired_at, application_number, rung`;

const OUTCOMES = new Set<string>(['resultIssued', 'refused', 'cancelled']);

export async function loadReportData(pool: Pool, q: ReportDataQuery): Promise<ReportData> {
  const weeks = q.weeksOfHistory ?? 8;
  const periodStart = localDate(q.periodStart);
  const periodEnd = localDate(q.periodEnd);
  const historyStart = addDays(periodEnd, -7 * weeks + 1);
  const from = historyStart < periodStart ? historyStart : periodStart;
  const fromInstant = localMidnight(from, q.timeZone);
  const periodStartInstant = localMidnight(periodStart, q.timeZone);
  const endInstant = localMidnight(addDays(periodEnd, 1), q.timeZone);

  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const apps = await client.query(APPLICATIONS_SQL, [fromInstant, endInstant]);
    const esc = await client.query(ESCALATIONS_SQL, [periodStartInstant, endInstant]);
    await client.query('COMMIT');
    return {
      applications: apps.rows.map((r) => {
        const outcome = r.outcome === null ? null : String(r.outcome);
        // An unknown outcome would silently skew every share: refuse to report rather than guess.
        if (outcome !== null && !OUTCOMES.has(outcome)) throw new Error(`applications.outcome has unknown value "${outcome}" (${r.application_number})`);
        return {
          applicationNumber: r.application_number,
          serviceCode: r.service_code,
          receivedAt: r.received_at as Date,
          deadline: (r.deadline as Date | null) ?? null,
          outcome: outcome as ApplicationOutcome | null,
          completedAt: (r.completed_at as Date | null) ?? null,
          suspendedWorkingDays: Number(r.suspended_working_days),
          assignedClerk: r.assigned_clerk ?? null,
        };
      }),
      escalations: esc.rows.map((r) => ({
        applicationNumber: r.application_number,
        serviceCode: r.service_code,
        rung: r.rung,
        firedAt: r.fired_at as Date,
      })),
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
