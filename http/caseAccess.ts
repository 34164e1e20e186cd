// Who may touch which case: a clerk only the cases assigned to them, a head only their department's, the
// other roles their department's. The case's department is recorded when it is started over the API
// (cases started otherwise belong to the deployment's department).
import type { Pool } from 'pg';
import type { CaseListScope } from '../cases';
import type { CaseClient } from '../client';
import type { Caller } from './auth';
import { HttpProblem } from './problem';

export class CaseAccess {
  constructor(
    private readonly client: CaseClient,
    private readonly pool: Pool,
    private readonly defaultDepartment: string,
  ) {}

  async departmentOf(applicationNumber: string): Promise<string> {
    const { rows } = await this.pool.query<{ department: string }>('SELECT department FROM api_cases WHERE application_number = $1', [applicationNumber]);
    return rows[0]?.department ?? this.defaultDepartment;
  }

  /** Departments of several cases at once (task lists). */
  async departmentsOf(applicationNumbers: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>(applicationNumbers.map((n) => [n, this.defaultDepartment]));
    if (applicationNumbers.length === 0) return out;
    const { rows } = await this.pool.query<{ application_number: string; department: string }>(
      'SELECT application_number, department FROM api_cases WHERE application_number = ANY($1::text[])',
      [applicationNumbers],
    );
    for (const r of rows) out.set(r.application_number, r.department);
    return out;
  }

  async recordStart(applicationNumber: string, department: string, startedBy: string): Promise<void> {
    await this.pool.query('INSERT INTO api_cases (application_number, department, started_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [applicationNumber, department, startedBy]);
  }

  /** Passes if the caller may see (or act on) the case; 403 otherwise, 404 for no such case. */
  async authorize(caller: Caller, applicationNumber: string): Promise<void> {
    const [assignedClerk, department] = await Promise.all([this.client.assignedClerk(applicationNumber), this.departmentOf(applicationNumber)]);
    if (department !== caller.department) {
      throw new HttpProblem(403, 'forbidden', 'Заявление другого подразделения (case of another department)', 'доступ только к заявлениям своего подразделения (own department only)');
    }
    if (caller.role === 'clerk' && assignedClerk !== caller.subject) {
      throw new HttpProblem(403, 'forbidden', 'Заявление назначено не вам (case not assigned to you)', 'исполнитель работает только со своими заявлениями (a clerk acts on own cases only)');
    }
  }

  /**
   * The rows of the case list the caller may see: their department's; a clerk only their own cases, so a clerk
   * asking for another clerk's or the unassigned cases is refused, naming the field.
   */
  caseListScope(caller: Caller, asked: { clerk?: string; unassigned?: boolean }): CaseListScope {
    const scope: CaseListScope = { department: caller.department, deploymentDepartment: this.defaultDepartment };
    if (caller.role !== 'clerk') return scope;
    if (asked.clerk !== undefined && asked.clerk !== caller.subject) {
      throw new HttpProblem(403, 'forbidden', 'Заявления другого исполнителя (another clerk\'s cases)', 'исполнитель видит только свои заявления (a clerk lists own cases only)', [
        { field: 'querystring.clerk', rule: 'ваш идентификатор из токена или ничего (your id from the token, or none)' },
      ]);
    }
    if (asked.unassigned === true) {
      throw new HttpProblem(403, 'forbidden', 'Нераспределённые заявления недоступны исполнителю (unassigned cases are not a clerk\'s)', 'исполнитель видит только свои заявления (a clerk lists own cases only)', [
        { field: 'querystring.unassigned', rule: 'только руководителю и ВИС (head and case system only)' },
      ]);
    }
    return { ...scope, clerk: caller.subject };
  }

  /** Whether the caller may see or change a task about `applicationNumber` assigned to `assignee`. */
  mayTouchTask(caller: Caller, task: { assignee: string | null }, department: string): boolean {
    if (department !== caller.department) return false;
    if (caller.role === 'clerk') return task.assignee === caller.subject;
    return true;
  }
}
