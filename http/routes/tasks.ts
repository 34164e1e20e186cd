// The task board over HTTP: open tasks (a clerk sees their own, others their department's), acknowledge,
// reassign. The board writes its own audit trail (task_audit) beside the API's.
import { z } from 'zod';
import type { TaskRow } from '../../escalation';
import type { HttpApiDeps } from '../deps';
import type { Caller } from '../auth';
import { HttpProblem } from '../problem';
import type { RouteSpec } from '../routeSpec';
import { TaskSchema } from '../schemas';

const TaskParams = z.object({ taskId: z.coerce.number({ message: 'taskId: ожидается число (number expected)' }).int().positive().max(Number.MAX_SAFE_INTEGER) });
const text = (field: string, max: number) => z.string({ message: `${field}: обязательное поле (required)` }).trim().min(1, `${field} не может быть пустым (must not be empty)`).max(max, `${field}: не более ${max} символов (at most ${max})`);

const toJson = (t: TaskRow) =>
  TaskSchema.parse({
    id: t.id,
    taskKey: t.taskKey,
    applicationNumber: t.applicationNumber,
    kind: t.kind,
    assigneeRole: t.assigneeRole,
    assignee: t.assignee,
    title: t.title,
    body: t.body,
    dueAt: t.dueAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
    acknowledgedAt: t.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: t.acknowledgedBy,
  });

export function taskRoutes(deps: HttpApiDeps): RouteSpec[] {
  const { taskBoard, access } = deps;
  const loadOwnTask = async (caller: Caller, taskId: number): Promise<TaskRow> => {
    const task = await taskBoard.task(taskId);
    if (!task) throw new HttpProblem(404, 'notFound', 'Задача не найдена (task not found)', `нет задачи ${taskId} (no such task)`);
    if (!access.mayTouchTask(caller, task, await access.departmentOf(task.applicationNumber))) {
      throw new HttpProblem(403, 'forbidden', 'Задача не ваша (task not yours)', 'исполнитель — только свои задачи, руководитель — своего подразделения (own tasks / own department)');
    }
    return task;
  };
  const taskTarget = (p: Record<string, string>) => `task:${p.taskId}`;
  return [
    {
      method: 'GET',
      path: '/tasks',
      operationId: 'listTasks',
      summary: 'Открытые задачи (open tasks)',
      description: 'A clerk gets their own tasks; other roles their department’s, optionally filtered.',
      tag: 'tasks',
      roles: ['caseSystem', 'clerk', 'head', 'management', 'operator'],
      write: false,
      query: z.object({ assignee: text('assignee', 100).optional(), applicationNumber: text('applicationNumber', 36).optional() }).strict(),
      responses: { 200: { description: 'Открытые задачи, старые первыми (open tasks, oldest first)', schema: z.array(TaskSchema) } },
      async handler({ caller, query }) {
        const q = query as { assignee?: string; applicationNumber?: string };
        const assignee = caller.role === 'clerk' ? caller.subject : q.assignee;
        const tasks = await taskBoard.openTasks({ ...(assignee ? { assignee } : {}), ...(q.applicationNumber ? { applicationNumber: q.applicationNumber } : {}) });
        const departments = await access.departmentsOf([...new Set(tasks.map((t) => t.applicationNumber))]);
        return { status: 200, body: tasks.filter((t) => access.mayTouchTask(caller, t, departments.get(t.applicationNumber)!)).map(toJson) };
      },
    },
    {
      method: 'POST',
      path: '/tasks/{taskId}/acknowledge',
      operationId: 'acknowledgeTask',
      summary: 'Отметить задачу просмотренной (acknowledge a task)',
      tag: 'tasks',
      roles: ['caseSystem', 'clerk', 'head', 'operator'],
      write: true,
      params: TaskParams,
      target: taskTarget,
      responses: {
        200: { description: 'acknowledged: false — уже была отмечена (already acknowledged)', schema: z.object({ acknowledged: z.boolean() }) },
        404: { description: 'Нет такой задачи (no such task)' },
        409: { description: 'Задача уже закрыта (task already resolved)' },
      },
      async handler({ caller, params }) {
        const task = await loadOwnTask(caller, params.taskId);
        return { status: 200, body: await taskBoard.acknowledge(task.id, caller.subject) };
      },
    },
    {
      method: 'POST',
      path: '/tasks/{taskId}/reassign',
      operationId: 'reassignTask',
      summary: 'Передать задачу другому сотруднику (reassign a task)',
      tag: 'tasks',
      roles: ['caseSystem', 'clerk', 'head', 'operator'],
      write: true,
      params: TaskParams,
      body: z.object({ to: text('to', 100), reason: text('reason', 500) }).strict(),
      target: taskTarget,
      responses: {
        200: { description: 'Передана (reassigned)', schema: z.object({ from: z.string().nullable(), to: z.string() }) },
        404: { description: 'Нет такой задачи (no such task)' },
        409: { description: 'Уже назначена этому сотруднику или закрыта (already assigned or resolved)' },
      },
      async handler({ caller, params, body }) {
        const task = await loadOwnTask(caller, params.taskId);
        const b = body as { to: string; reason: string };
        return { status: 200, body: await taskBoard.reassign(task.id, b.to, caller.subject, b.reason) };
      },
    },
  ];
}
