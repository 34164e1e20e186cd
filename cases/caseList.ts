// The case list, read from the `applications` projection in PostgreSQL: the one source for lists by stage,
// clerk, service and deadline now that new cases no longer keep their stage in Temporal visibility.
// Filters combine with AND; pages are keyset pages over a total order (no row lost or doubled between pages
// while rows keep their sort key) behind an opaque cursor; countCases counts what a filter lists. The projection
// holds no personal data, and the list selects none.
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { InputValidationError, parseOrThrow, STAGE_TITLES_RU, type Stage } from '../shared';
import {
  CASE_LIST_DEFAULT_LIMIT,
  CaseListFilterSchema,
  CaseListPageSchema,
  openStateOf,
  type CaseListFilter,
  type CaseListOrder,
  type CaseListPage,
} from './caseListFilter';

export interface CaseListRow {
  applicationNumber: string;
  serviceCode: string;
  channel: string;
  stage: Stage;
  /** The stage as clerks and applicants read it (STAGE_TITLES_RU). */
  stageTitle: string;
  assignedClerk: string | null;
  /** ISO instant of the regulatory deadline; null before the term starts. */
  deadline: string | null;
  /** The deadline's local date in the department's zone (YYYY-MM-DD). */
  dueDate: string | null;
  /** Flagged by the breach rung, or the deadline passed (before completion, for a closed case). */
  overdue: boolean;
  receivedAt: string;
  registeredAt: string | null;
  completedAt: string | null;
  outcome: string | null;
}

export interface CaseListResult {
  items: CaseListRow[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Which rows a caller may see: their department's (a case belongs to the department recorded when it was
 * started over the HTTP API, else to the deployment's), and for a clerk only the cases assigned to them.
 */
export interface CaseListScope {
  department: string;
  deploymentDepartment: string;
  clerk?: string;
}

interface Record_ {
  application_number: string;
  service_code: string;
  channel: string;
  stage: string;
  assigned_clerk: string | null;
  deadline: Date | null;
  deadline_key: string | null;
  due_date: string | null;
  overdue: boolean;
  received_at: Date;
  received_key: string;
  registered_at: Date | null;
  completed_at: Date | null;
  outcome: string | null;
}

interface Cursor {
  v: 1;
  /** order */
  o: CaseListOrder;
  /** the last row's sort key in UTC, exact to the microsecond as PostgreSQL keeps it (a JS Date would round it) */
  k: string | null;
  /** the last row's application number */
  n: string;
  /** fingerprint of the filter the cursor was made for */
  f: string;
}

const SORT_KEY = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
/** A real instant (no 30 February, no hour 25): PostgreSQL would refuse the cast with an error of its own. */
const isSortKey = (k: string): boolean => {
  if (!SORT_KEY.test(k)) return false;
  const ms = Date.parse(`${k.slice(0, 23)}Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 23) === k.slice(0, 23);
};
const sortKey = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const cursorProblem = (rule: string) => new InputValidationError('listCases: некорректный курсор (invalid cursor)', [{ field: 'cursor', rule }]);

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeCursor(text: string, order: CaseListOrder, fingerprint: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw cursorProblem('cursor: значение nextCursor из предыдущей страницы (nextCursor of the previous page)');
  }
  // A cursor comes back from the caller: anything JSON may decode to (null, a number, an array) is possible.
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw cursorProblem('cursor: значение nextCursor из предыдущей страницы (nextCursor of the previous page)');
  const c = parsed as Partial<Cursor>;
  const keyOk = c.k === null || (typeof c.k === 'string' && isSortKey(c.k));
  if (c.v !== 1 || typeof c.n !== 'string' || c.n.length > 36 || !keyOk || typeof c.f !== 'string' || (order !== 'deadline' && c.k === null)) {
    throw cursorProblem('cursor: значение nextCursor из предыдущей страницы (nextCursor of the previous page)');
  }
  if (c.o !== order || c.f !== fingerprint) {
    throw cursorProblem('cursor: выдан для других фильтров или порядка; начните список заново (made for other filters or order; start the list again)');
  }
  return c as Cursor;
}

/** Builds parameterised SQL: values go to $n placeholders, never into the text. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const ORDER_BY: Record<CaseListOrder, string> = {
  deadline: 'a.deadline ASC NULLS LAST, a.application_number ASC',
  received: 'a.received_at ASC, a.application_number ASC',
  receivedDesc: 'a.received_at DESC, a.application_number DESC',
};

function afterCursor(p: Params, c: Cursor): string {
  const n = p.add(c.n);
  if (c.o === 'received') return `(a.received_at, a.application_number) > (${p.add(c.k)}::timestamptz, ${n})`;
  if (c.o === 'receivedDesc') return `(a.received_at, a.application_number) < (${p.add(c.k)}::timestamptz, ${n})`;
  // Deadline order puts cases without a deadline last.
  if (c.k === null) return `(a.deadline IS NULL AND a.application_number > ${n})`;
  const k = p.add(c.k);
  return `(a.deadline > ${k}::timestamptz OR (a.deadline = ${k}::timestamptz AND a.application_number > ${n}) OR a.deadline IS NULL)`;
}

/**
 * One page of cases matching `filter` (all conditions together), in `page.order` (default: the nearest
 * deadline first, cases without a deadline last), `page.limit` rows (default 50, at most 500). `scope`
 * restricts the rows to what a caller may see (the HTTP API passes it; operator tools see everything).
 * A bad filter, page or cursor throws InputValidationError naming the field and the rule.
 */
export async function listCases(pool: Pool, filter: CaseListFilter = {}, page: CaseListPage = {}, scope?: CaseListScope): Promise<CaseListResult> {
  const q = caseListQuery(filter, page, scope);
  const { rows } = await pool.query<Record_>(q.text, q.values);
  const more = rows.length > q.limit;
  const pageRows = more ? rows.slice(0, q.limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(toRow),
    nextCursor: more && last ? encodeCursor({ v: 1, o: q.order, k: q.order === 'deadline' ? last.deadline_key : last.received_key, n: last.application_number, f: q.fingerprint }) : null,
  };
}

/** The SQL of one page (text and values, never a value in the text); listCases runs it, the bench EXPLAINs it. */
export function caseListQuery(
  filter: CaseListFilter = {},
  page: CaseListPage = {},
  scope?: CaseListScope,
): { text: string; values: unknown[]; order: CaseListOrder; limit: number; fingerprint: string } {
  const p = new Params();
  const c = criteriaOf(p, filter, scope);
  const pg = parseOrThrow(CaseListPageSchema, page, 'listCases: некорректная страница (invalid page)');
  const order = pg.order ?? 'deadline';
  const limit = pg.limit ?? CASE_LIST_DEFAULT_LIMIT;
  const where = [...c.where];
  if (pg.cursor !== undefined) where.push(afterCursor(p, decodeCursor(pg.cursor, order, c.fingerprint)));

  const text =
    `SELECT a.application_number, a.service_code, a.channel, a.stage, a.assigned_clerk, a.deadline, ${sortKey('a.deadline')} AS deadline_key,
            to_char(a.due_date, 'YYYY-MM-DD') AS due_date, ${c.overdueExpr} AS overdue, a.received_at, ${sortKey('a.received_at')} AS received_key,
            a.registered_at, a.completed_at, a.outcome
       FROM applications a
      ${where.length ? `WHERE ${where.join('\n        AND ')}` : ''}
      ORDER BY ${ORDER_BY[order]}
      LIMIT ${p.add(limit + 1)}`;
  return { text, values: p.values, order, limit, fingerprint: c.fingerprint };
}

export interface CaseCount {
  /** Cases matching the filter. */
  total: number;
  /** Of them, flagged by the breach rung or past the deadline (the `overdue` of their rows). */
  overdue: number;
}

/**
 * How many cases match `filter` within `scope`, and how many of them are overdue: the same filter rules (and
 * the same refusals) as listCases, without a page. For "page 1 of how many" beside a list: one pass over the
 * matching rows (the open-case indexes of migration 032 serve the usual filters), no sort.
 */
export async function countCases(pool: Pool, filter: CaseListFilter = {}, scope?: CaseListScope): Promise<CaseCount> {
  const q = caseCountQuery(filter, scope);
  const { rows } = await pool.query<{ total: number; overdue: number }>(q.text, q.values);
  return { total: rows[0]?.total ?? 0, overdue: rows[0]?.overdue ?? 0 };
}

/** The SQL of countCases; the bench EXPLAINs it. */
export function caseCountQuery(filter: CaseListFilter = {}, scope?: CaseListScope): { text: string; values: unknown[] } {
  const p = new Params();
  const c = criteriaOf(p, filter, scope);
  const text = `SELECT count(*)::int AS total, count(*) FILTER (WHERE ${c.overdueExpr})::int AS overdue
       FROM applications a
      ${c.where.length ? `WHERE ${c.where.join('\n        AND ')}` : ''}`;
  return { text, values: p.values };
}

/**
 * The condition "the case in `column` belongs to the scope's department", with the department as a parameter:
 * a case without an api_cases row belongs to the deployment's department. Written as (anti-)semi-joins, not a
 * subquery per row: on 600 k rows the per-row form cost a second a page. Also used by the inbox's per-clerk
 * summary, so its counts and the list's rows agree on what a department holds.
 */
export function departmentCondition(scope: Pick<CaseListScope, 'department' | 'deploymentDepartment'>, department: string, column = 'a.application_number'): string {
  return scope.department === scope.deploymentDepartment
    ? `NOT EXISTS (SELECT 1 FROM api_cases c WHERE c.application_number = ${column} AND c.department <> ${department})`
    : `EXISTS (SELECT 1 FROM api_cases c WHERE c.application_number = ${column} AND c.department = ${department})`;
}

/** The filter and scope as WHERE conditions (shared by the page and the count), and the cursor's fingerprint. */
function criteriaOf(p: Params, filter: CaseListFilter, scope: CaseListScope | undefined): { where: string[]; overdueExpr: string; fingerprint: string } {
  const f = parseOrThrow(CaseListFilterSchema, filter, 'listCases: некорректный фильтр (invalid filter)');
  const stages = f.stage === undefined ? undefined : [...new Set(Array.isArray(f.stage) ? f.stage : [f.stage])].sort();
  const open = openStateOf(f.open, stages);
  const { now, ...criteria } = f;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(Object.entries({ ...criteria, stage: stages, open }).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b))))
    .digest('base64url')
    .slice(0, 16);

  const overdueExpr = `(a.overdue OR COALESCE(a.deadline < COALESCE(a.completed_at, ${p.add(now ?? new Date())}::timestamptz), false))`;
  const where: string[] = [];
  if (scope) {
    where.push(departmentCondition(scope, p.add(scope.department)));
    if (scope.clerk !== undefined) where.push(`a.assigned_clerk = ${p.add(scope.clerk)}`);
  }
  // One stage as an equality, so the (stage, deadline) index serves the order; several as ANY.
  if (stages) where.push(stages.length === 1 ? `a.stage = ${p.add(stages[0])}` : `a.stage = ANY(${p.add(stages)}::text[])`);
  if (f.serviceCode !== undefined) where.push(`a.service_code = ${p.add(f.serviceCode)}`);
  if (f.clerk !== undefined) where.push(`a.assigned_clerk = ${p.add(f.clerk)}`);
  if (f.unassigned !== undefined) where.push(f.unassigned ? 'a.assigned_clerk IS NULL' : 'a.assigned_clerk IS NOT NULL');
  if (open !== 'any') where.push(open ? 'a.completed_at IS NULL' : 'a.completed_at IS NOT NULL');
  if (f.overdue !== undefined) where.push(f.overdue ? overdueExpr : `NOT ${overdueExpr}`);
  if (f.dueBefore !== undefined) where.push(`a.deadline < ${p.add(f.dueBefore)}::timestamptz`);
  if (f.receivedFrom !== undefined) where.push(`a.received_at >= ${p.add(f.receivedFrom)}::timestamptz`);
  if (f.receivedTo !== undefined) where.push(`a.received_at < ${p.add(f.receivedTo)}::timestamptz`);
  return { where, overdueExpr, fingerprint };
}

function toRow(r: Record_): CaseListRow {
  const stage = r.stage as Stage;
  return {
    applicationNumber: r.application_number,
    serviceCode: r.service_code,
    channel: r.channel,
    stage,
    stageTitle: STAGE_TITLES_RU[stage] ?? r.stage,
    assignedClerk: r.assigned_clerk,
    deadline: r.deadline?.toISOString() ?? null,
    dueDate: r.due_date,
    overdue: r.overdue,
    receivedAt: r.received_at.toISOString(),
    registeredAt: r.registered_at?.toISOString() ?? null,
    completedAt: r.completed_at?.toISOString() ?? null,
    outcome: r.outcome,
  };
}
