// What the inbox pages read from PostgreSQL: the projection of cases, tasks, fired escalation rungs and the
// ЕЛК outbox. Reads only; every change goes through the HTTP API's idempotent path. A case belongs to the
// department recorded when it was started over the API, else to the deployment's department.
import type { Pool } from 'pg';
import type { CaseDeadlineRecord } from '../escalation';
import type { Caller } from '../http';
import type { WorkItem } from './workItems';

/** Upper bound of rows on one page: a clerk's list is tens of items; a department's a few hundred. */
export const PAGE_ROWS = 500;

interface TaskRow {
  id: string;
  application_number: string;
  kind: string;
  assignee: string | null;
  title: string;
  due_at: Date | null;
}

const DEPARTMENT_OF = `COALESCE((SELECT c.department FROM api_cases c WHERE c.application_number = %s), $1)`;
const inDepartment = (column: string) => `${DEPARTMENT_OF.replace('%s', column)} = $2`;

export function createInboxQueries(pool: Pool, defaultDepartment: string) {
  const caseItem = (r: CaseDeadlineRecord): WorkItem => ({
    kind: 'case',
    applicationNumber: r.application_number,
    title: `Заявление ${r.application_number}`,
    detail: r.stage,
    dueAt: r.deadline,
    overdue: r.overdue,
    assignee: r.assigned_clerk,
  });
  const taskItem = (r: TaskRow): WorkItem => ({
    kind: 'task',
    applicationNumber: r.application_number,
    title: r.title,
    detail: r.kind,
    dueAt: r.due_at,
    overdue: false,
    taskId: Number(r.id),
    assignee: r.assignee,
  });

  return {
    /** A clerk's own open tasks and cases; a head's or manager's tasks addressed to their role. */
    async myWork(caller: Caller): Promise<WorkItem[]> {
      const dep = [defaultDepartment, caller.department];
      if (caller.role === 'clerk') {
        const [cases, tasks] = await Promise.all([
          pool.query<CaseDeadlineRecord>(
            `SELECT application_number, service_code, stage, assigned_clerk, deadline, overdue FROM applications a
              WHERE completed_at IS NULL AND assigned_clerk = $3 AND ${inDepartment('a.application_number')} LIMIT ${PAGE_ROWS}`,
            [...dep, caller.subject],
          ),
          pool.query<TaskRow>(
            `SELECT id, application_number, kind, assignee, title, due_at FROM clerk_tasks t
              WHERE resolved_at IS NULL AND assignee = $3 AND ${inDepartment('t.application_number')} LIMIT ${PAGE_ROWS}`,
            [...dep, caller.subject],
          ),
        ]);
        return [...tasks.rows.map(taskItem), ...cases.rows.map(caseItem)];
      }
      const { rows } = await pool.query<TaskRow>(
        `SELECT id, application_number, kind, assignee, title, due_at FROM clerk_tasks t
          WHERE resolved_at IS NULL AND assignee_role = $3 AND (assignee IS NULL OR assignee = $4) AND ${inDepartment('t.application_number')}
          LIMIT ${PAGE_ROWS}`,
        [...dep, caller.role === 'head' ? 'head' : 'management', caller.subject],
      );
      return rows.map(taskItem);
    },

    /** Every open case of the department, and per clerk: open cases, overdue, open tasks. */
    async department(department: string): Promise<{ cases: WorkItem[]; clerks: { clerk: string; open: number; overdue: number; tasks: number }[] }> {
      const dep = [defaultDepartment, department];
      const [cases, clerks] = await Promise.all([
        pool.query<CaseDeadlineRecord>(
          `SELECT application_number, service_code, stage, assigned_clerk, deadline, overdue FROM applications a
            WHERE completed_at IS NULL AND ${inDepartment('a.application_number')} ORDER BY overdue DESC, deadline NULLS LAST LIMIT ${PAGE_ROWS}`,
          dep,
        ),
        pool.query<{ clerk: string; open: number; overdue: number; tasks: number }>(
          `WITH c AS (SELECT COALESCE(assigned_clerk, '—') AS clerk, count(*)::int AS open, count(*) FILTER (WHERE overdue OR deadline < now())::int AS overdue
                        FROM applications a WHERE completed_at IS NULL AND ${inDepartment('a.application_number')} GROUP BY 1),
                t AS (SELECT assignee AS clerk, count(*)::int AS tasks FROM clerk_tasks t
                       WHERE resolved_at IS NULL AND assignee_role = 'clerk' AND assignee IS NOT NULL AND ${inDepartment('t.application_number')} GROUP BY 1)
           SELECT COALESCE(c.clerk, t.clerk) AS clerk, COALESCE(c.open, 0) AS open, COALESCE(c.overdue, 0) AS overdue, COALESCE(t.tasks, 0) AS tasks
             FROM c FULL JOIN t ON c.clerk = t.clerk ORDER BY 3 DESC, 2 DESC, 1 LIMIT ${PAGE_ROWS}`,
          dep,
        ),
      ]);
      return { cases: cases.rows.map(caseItem), clerks: clerks.rows };
    },

    /** What the case card shows beside the workflow's own state. */
    async caseDetails(applicationNumber: string) {
      const [escalations, elk, tasks] = await Promise.all([
        pool.query<{ rung: string; fire_at: Date; fired_at: Date; notify: string[]; deadline: Date }>(
          'SELECT rung, fire_at, fired_at, notify, deadline FROM escalations WHERE application_number = $1 ORDER BY fired_at, id',
          [applicationNumber],
        ),
        pool.query<{ seq: number; stage: string; elk_status: number; state: string; status_date: Date; delivered_at: Date | null; reply_code: number | null; attempts: number }>(
          'SELECT seq, stage, elk_status, state, status_date, delivered_at, reply_code, attempts FROM elk_outbox WHERE application_number = $1 ORDER BY seq',
          [applicationNumber],
        ),
        pool.query<TaskRow & { assignee_role: string; body: string }>(
          'SELECT id, application_number, kind, assignee, assignee_role, title, body, due_at FROM clerk_tasks WHERE application_number = $1 AND resolved_at IS NULL ORDER BY created_at, id',
          [applicationNumber],
        ),
      ]);
      return { escalations: escalations.rows, elk: elk.rows, tasks: tasks.rows };
    },
  };
}

export type InboxQueries = ReturnType<typeof createInboxQueries>;
