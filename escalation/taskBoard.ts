// Tasks for people (clerk_tasks) and their audit trail (task_audit): this module is the only writer of both
// tables (tests/architecture checks it). The lifecycle's tasks and the escalation rungs' tasks are created
// here; the case system lists, acknowledges, reassigns and resolves them through TaskBoard. Every change and
// its audit row are written in one transaction.
import { inTransaction, type Queryable } from '../db';
import type { Pool, PoolClient } from 'pg';
import { z } from 'zod';
import { taskAssigneeRoleSchema, type TaskAssigneeRole } from './roles';

/** A task for a person, as the lifecycle and the escalation ladder open it (one row per task key). */
export interface ClerkTaskRequest {
  taskKey: string;
  applicationNumber: string;
  kind: string;
  assigneeRole: TaskAssigneeRole;
  assignee: string | null;
  title: string;
  body: string;
  dueAt: string | null;
}

export interface TaskRow {
  id: number;
  taskKey: string;
  applicationNumber: string;
  kind: string;
  assigneeRole: string;
  assignee: string | null;
  title: string;
  body: string;
  dueAt: Date | null;
  createdAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  resolution: string | null;
}

export interface AuditRow {
  id: number;
  taskId: number;
  at: Date;
  actor: string;
  action: string;
  detail: string | null;
}

export class TaskBoardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskBoardError';
  }
}

const taskId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const text = z.string().trim().min(1).max(2000);
const schemas = {
  openTasks: z
    .object({ assignee: text.optional(), role: taskAssigneeRoleSchema.optional(), applicationNumber: text.optional() })
    .strict(),
  acknowledge: z.object({ taskId, actor: text }),
  reassign: z.object({ taskId, to: text, actor: text, reason: text }),
  resolve: z.object({ taskId, actor: text, resolution: text }),
  auditTrail: z.object({ taskId }),
};

function validate<K extends keyof typeof schemas>(method: K, args: unknown): z.output<(typeof schemas)[K]> {
  const r = schemas[method].safeParse(args);
  if (r.success) return r.data as z.output<(typeof schemas)[K]>;
  const issues = r.error.issues.map((i) => `«${i.path.join('.') || 'аргументы'}»: ${i.message}`).join('; ');
  throw new TaskBoardError(`${method}: некорректный аргумент ${issues} / invalid argument`);
}

interface DbTask {
  id: string;
  task_key: string;
  application_number: string;
  kind: string;
  assignee_role: string;
  assignee: string | null;
  title: string;
  body: string;
  due_at: Date | null;
  created_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  resolved_at: Date | null;
  resolution: string | null;
}

const toTask = (r: DbTask): TaskRow => ({
  id: Number(r.id),
  taskKey: r.task_key,
  applicationNumber: r.application_number,
  kind: r.kind,
  assigneeRole: r.assignee_role,
  assignee: r.assignee,
  title: r.title,
  body: r.body,
  dueAt: r.due_at,
  createdAt: r.created_at,
  acknowledgedAt: r.acknowledged_at,
  acknowledgedBy: r.acknowledged_by,
  resolvedAt: r.resolved_at,
  resolution: r.resolution,
});

/** Creates the task unless one with the same key exists; returns its id only when this call created it. */
export async function insertClerkTask(db: Queryable, t: ClerkTaskRequest): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO clerk_tasks (task_key, application_number, kind, assignee_role, assignee, title, body, due_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (task_key) DO NOTHING RETURNING id`,
    [t.taskKey, t.applicationNumber, t.kind, t.assigneeRole, t.assignee, t.title, t.body, t.dueAt],
  );
  return rows[0]?.id ?? null;
}

/** Closes a task by its key; a task closed before keeps its first resolution. */
export async function closeClerkTaskByKey(db: Queryable, taskKey: string, resolution: string): Promise<void> {
  await db.query(
    `UPDATE clerk_tasks SET resolved_at = COALESCE(resolved_at, now()), resolution = COALESCE(resolution, $2) WHERE task_key = $1`,
    [taskKey, resolution],
  );
}

/** Closes every open escalation task of a case (it finished), with an audit row each; returns how many. */
export async function closeOpenEscalationTasks(db: Queryable, applicationNumber: string, reason: string): Promise<number> {
  const { rowCount } = await db.query(
    `WITH closed AS (
       UPDATE clerk_tasks SET resolved_at = now(), resolution = $2
        WHERE application_number = $1 AND kind LIKE 'escalation:%' AND resolved_at IS NULL
       RETURNING id)
     INSERT INTO task_audit (task_id, actor, action, detail) SELECT id, 'system', 'resolved', $2 FROM closed`,
    [applicationNumber, reason],
  );
  return rowCount ?? 0;
}

/** An audit row for the task with this key (none when no such task exists). */
export async function auditTaskByKey(db: Queryable, taskKey: string, actor: string, action: string, detail: string | null): Promise<void> {
  await db.query(
    'INSERT INTO task_audit (task_id, at, actor, action, detail) SELECT id, clock_timestamp(), $2, $3, $4 FROM clerk_tasks WHERE task_key = $1',
    [taskKey, actor, action, detail],
  );
}

/**
 * Resolves the open tasks with this key, or whose key starts with `keyPrefix` (the escalation rungs of one
 * deadline), with an audit row each; returns how many were open.
 */
export async function resolveClerkTasksByKey(db: Queryable, t: { taskKey: string; keyPrefix?: string; actor: string; resolution: string; detail: string }): Promise<number> {
  const { rowCount } = await db.query(
    `WITH closed AS (UPDATE clerk_tasks SET resolved_at = now(), resolution = $3
        WHERE (task_key = $1 OR ($2::text IS NOT NULL AND left(task_key, length($2::text)) = $2::text)) AND resolved_at IS NULL RETURNING id)
     INSERT INTO task_audit (task_id, actor, action, detail) SELECT id, $4, 'resolved', $5 FROM closed`,
    [t.taskKey, t.keyPrefix ?? null, t.resolution, t.actor, t.detail],
  );
  return rowCount ?? 0;
}

export async function auditTask(db: Queryable, taskId: number | string, actor: string, action: string, detail: string | null): Promise<void> {
  // clock_timestamp, not now(): several changes in quick succession must keep distinct, ordered times.
  await db.query('INSERT INTO task_audit (task_id, at, actor, action, detail) VALUES ($1, clock_timestamp(), $2, $3, $4)', [taskId, actor, action, detail]);
}

export class TaskBoard {
  constructor(private readonly pool: Pool) {}

  /** Open tasks, oldest first; filters combine with AND. */
  async openTasks(filter: { assignee?: string; role?: TaskAssigneeRole; applicationNumber?: string } = {}): Promise<TaskRow[]> {
    const f = validate('openTasks', filter);
    const { rows } = await this.pool.query<DbTask>(
      `SELECT * FROM clerk_tasks
        WHERE resolved_at IS NULL
          AND ($1::text IS NULL OR assignee = $1)
          AND ($2::text IS NULL OR assignee_role = $2)
          AND ($3::text IS NULL OR application_number = $3)
        ORDER BY created_at, id`,
      [f.assignee ?? null, f.role ?? null, f.applicationNumber ?? null],
    );
    return rows.map(toTask);
  }

  async task(id: number): Promise<TaskRow | null> {
    const { taskId: tid } = validate('auditTrail', { taskId: id });
    const { rows } = await this.pool.query<DbTask>('SELECT * FROM clerk_tasks WHERE id = $1', [tid]);
    return rows[0] ? toTask(rows[0]) : null;
  }

  /** Records who first saw the task; later acknowledgements change nothing. Returns false for a repeat. */
  async acknowledge(id: number, actor: string): Promise<{ acknowledged: boolean }> {
    const a = validate('acknowledge', { taskId: id, actor });
    return this.tx(async (c) => {
      const t = await this.lockOpen(c, a.taskId, 'acknowledge');
      if (t.acknowledged_at !== null) return { acknowledged: false };
      await c.query('UPDATE clerk_tasks SET acknowledged_at = now(), acknowledged_by = $2 WHERE id = $1', [a.taskId, a.actor]);
      await this.audit(c, a.taskId, a.actor, 'acknowledged', null);
      return { acknowledged: true };
    });
  }

  /** Hands the task to another person; the audit row keeps who had it before. */
  async reassign(id: number, to: string, actor: string, reason: string): Promise<{ from: string | null; to: string }> {
    const a = validate('reassign', { taskId: id, to, actor, reason });
    return this.tx(async (c) => {
      const t = await this.lockOpen(c, a.taskId, 'reassign');
      if (t.assignee === a.to) throw new TaskBoardError(`reassign: задача ${a.taskId} уже назначена на «${a.to}» / already assigned`);
      await c.query('UPDATE clerk_tasks SET assignee = $2 WHERE id = $1', [a.taskId, a.to]);
      await this.audit(c, a.taskId, a.actor, 'reassigned', `${t.assignee ?? '—'} → ${a.to}: ${a.reason}`);
      return { from: t.assignee, to: a.to };
    });
  }

  /** Closes the task; resolving a closed task is refused so the first resolution stands. */
  async resolve(id: number, actor: string, resolution: string): Promise<void> {
    const a = validate('resolve', { taskId: id, actor, resolution });
    await this.tx(async (c) => {
      await this.lockOpen(c, a.taskId, 'resolve');
      await c.query('UPDATE clerk_tasks SET resolved_at = now(), resolution = $2 WHERE id = $1', [a.taskId, a.resolution]);
      await this.audit(c, a.taskId, a.actor, 'resolved', a.resolution);
    });
  }

  /** Every change of the task, oldest first. */
  async auditTrail(id: number): Promise<AuditRow[]> {
    const a = validate('auditTrail', { taskId: id });
    const { rows } = await this.pool.query<{ id: string; task_id: string; at: Date; actor: string; action: string; detail: string | null }>(
      'SELECT * FROM task_audit WHERE task_id = $1 ORDER BY at, id',
      [a.taskId],
    );
    return rows.map((r) => ({ id: Number(r.id), taskId: Number(r.task_id), at: r.at, actor: r.actor, action: r.action, detail: r.detail }));
  }

  private async lockOpen(c: PoolClient, id: number, method: string): Promise<DbTask> {
    const { rows } = await c.query<DbTask>('SELECT * FROM clerk_tasks WHERE id = $1 FOR UPDATE', [id]);
    const t = rows[0];
    if (!t) throw new TaskBoardError(`${method}: задача ${id} не найдена / task not found`);
    if (t.resolved_at !== null) throw new TaskBoardError(`${method}: задача ${id} уже закрыта / task already resolved`);
    return t;
  }

  private audit(c: PoolClient, id: number, actor: string, action: string, detail: string | null): Promise<void> {
    return auditTask(c, id, actor, action, detail);
  }

  private tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }

}
