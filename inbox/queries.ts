// What the inbox pages read from PostgreSQL: the projection of cases, tasks, fired escalation rungs and the
// ЕЛК outbox. Reads only; every change goes through the HTTP API's idempotent path. A case belongs to the
// department recorded when it was started over the API, else to the deployment's department. The department
// page's case list is the case list module's (cases/: listCases, countCases); what is read here is bounded and
// says when it was cut.
import type { Pool } from 'pg';
import { departmentCondition } from '../cases';
import type { CaseDeadlineRecord } from '../escalation';
import type { Caller } from '../http';
import type { WorkItem } from './workItems';

/** Upper bound of rows of one list on a clerk's own page: a clerk's list is tens of items. */
export const PAGE_ROWS = 500;

/**
 * Rows of the department page's per-clerk table. It stays one page, worst first (most overdue, then most open):
 * a head of a department of 2,000 clerks reads this table for who is drowning, and that is its top, not its
 * 20th page; pages of a ranking by live counts would shift under the reader anyway (a clerk closing a case moves
 * up or down between two clicks). Everyone else is one field away: the page's clerk filter shows that clerk's
 * row and their cases, and the table says "показаны первые N из M" when it is cut.
 */
export const CLERK_ROWS = 100;

/** One of a clerk's own lists: what is shown, and how many there are in all. */
export interface Bounded {
  shown: number;
  total: number;
}

export interface ClerkLoad {
  /** The clerk's id, or null for the cases assigned to nobody (no id can be mistaken for them). */
  clerk: string | null;
  open: number;
  overdue: number;
  tasks: number;
}

interface TaskRow {
  id: string;
  application_number: string;
  kind: string;
  assignee: string | null;
  title: string;
  due_at: Date | null;
}

type Counted<T> = T & { total: number };

const DEPARTMENT_OF = `COALESCE((SELECT c.department FROM api_cases c WHERE c.application_number = %s), $1)`;
const inDepartment = (column: string) => `${DEPARTMENT_OF.replace('%s', column)} = $2`;
const bounded = (rows: { total: number }[]): Bounded => ({ shown: rows.length, total: rows[0]?.total ?? 0 });

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
    /**
     * A clerk's own open tasks and cases; a head's or manager's tasks addressed to their role. Each list is cut
     * at PAGE_ROWS, keeping the most urgent (overdue first, then the nearest due date), and comes with its
     * total, so the page can say it was cut instead of dropping rows silently.
     */
    async myWork(caller: Caller, now: Date): Promise<{ items: WorkItem[]; cases: Bounded; tasks: Bounded }> {
      const dep = [defaultDepartment, caller.department];
      // count(*) OVER () counts the rows before the LIMIT: the list's total in the same pass.
      const tasksSql = (who: string) =>
        `SELECT id, application_number, kind, assignee, title, due_at, count(*) OVER ()::int AS total FROM clerk_tasks t
          WHERE resolved_at IS NULL AND ${who} AND ${inDepartment('t.application_number')}
          ORDER BY due_at NULLS LAST, id LIMIT ${PAGE_ROWS}`;
      if (caller.role === 'clerk') {
        const [cases, tasks] = await Promise.all([
          pool.query<Counted<CaseDeadlineRecord>>(
            `SELECT application_number, service_code, stage, assigned_clerk, deadline, overdue, count(*) OVER ()::int AS total FROM applications a
              WHERE completed_at IS NULL AND assigned_clerk = $3 AND ${inDepartment('a.application_number')}
              ORDER BY (overdue OR COALESCE(deadline < $4, false)) DESC, deadline NULLS LAST, application_number LIMIT ${PAGE_ROWS}`,
            [...dep, caller.subject, now],
          ),
          pool.query<Counted<TaskRow>>(tasksSql('assignee = $3'), [...dep, caller.subject]),
        ]);
        return { items: [...tasks.rows.map(taskItem), ...cases.rows.map(caseItem)], cases: bounded(cases.rows), tasks: bounded(tasks.rows) };
      }
      const { rows } = await pool.query<Counted<TaskRow>>(tasksSql('assignee_role = $3 AND (assignee IS NULL OR assignee = $4)'), [
        ...dep,
        caller.role === 'head' ? 'head' : 'management',
        caller.subject,
      ]);
      return { items: rows.map(taskItem), cases: { shown: 0, total: 0 }, tasks: bounded(rows) };
    },

    /**
     * Per clerk of the department: open cases, overdue ones, open tasks; the CLERK_ROWS worst (most overdue,
     * then most open), or only `clerk`'s row when one is named; with the number of clerks in all.
     * "Overdue" is the case list's: flagged by the breach rung or past the deadline at `now`.
     */
    async clerkLoads(department: string, now: Date, clerk?: string): Promise<{ clerks: ClerkLoad[]; total: number }> {
      const scope = { department, deploymentDepartment: defaultDepartment };
      const { rows } = await pool.query<Counted<ClerkLoad>>(
        `WITH c AS (SELECT a.assigned_clerk AS clerk, count(*)::int AS open,
                           count(*) FILTER (WHERE a.overdue OR COALESCE(a.deadline < $2, false))::int AS overdue
                      FROM applications a
                     WHERE a.completed_at IS NULL AND ${departmentCondition(scope, '$1')}${clerk === undefined ? '' : ' AND a.assigned_clerk = $3'}
                     GROUP BY 1),
              t AS (SELECT t.assignee AS clerk, count(*)::int AS tasks FROM clerk_tasks t
                     WHERE t.resolved_at IS NULL AND t.assignee_role = 'clerk' AND t.assignee IS NOT NULL
                       AND ${departmentCondition(scope, '$1', 't.application_number')}${clerk === undefined ? '' : ' AND t.assignee = $3'}
                     GROUP BY 1)
         SELECT COALESCE(c.clerk, t.clerk) AS clerk, COALESCE(c.open, 0) AS open, COALESCE(c.overdue, 0) AS overdue, COALESCE(t.tasks, 0) AS tasks,
                count(*) OVER ()::int AS total
           FROM c FULL JOIN t ON c.clerk = t.clerk ORDER BY 3 DESC, 2 DESC, 1 LIMIT ${CLERK_ROWS}`,
        clerk === undefined ? [department, now] : [department, now, clerk],
      );
      return { clerks: rows.map(({ total: _total, ...r }) => r), total: rows[0]?.total ?? 0 };
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
