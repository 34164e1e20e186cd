// TaskBoard against a real PostgreSQL: tasks come from fireEscalationRung (no notifiers: board only).
import { createEscalationActivities, demoDirectoryConfig, TaskBoard, TaskBoardError } from '../../escalation';
import { markCaseOverdue } from '../../activities';
import { startTestDatabase, type TestDatabase } from './support';

let db: TestDatabase;
let board: TaskBoard;
let clerkTaskId: number;
let headTaskId: number;

beforeAll(async () => {
  db = await startTestDatabase('taskboard');
  board = new TaskBoard(db.pool);
  const activities = createEscalationActivities({ pool: db.pool, directory: demoDirectoryConfig(), notifiers: [], caseLinkBase: 'https://vis.example.ru/cases', markCaseOverdue });
  const base = {
    serviceCode: 'SVC-1',
    serviceTitle: 'Выдача справки',
    deadline: '2026-03-05T18:00:00+03:00',
    fireAt: '2026-03-04T12:00:00+03:00',
    firedAt: '2026-03-04T12:00:00+03:00',
    flagsOverdue: false,
  };
  await activities.fireEscalationRung({ ...base, applicationNumber: 'B-1', rung: 'headWarning', notify: ['clerk', 'head'], assignedClerk: 'clerk-ivanova' });
  await activities.fireEscalationRung({ ...base, applicationNumber: 'B-2', rung: 'clerkReminder', notify: ['clerk'], assignedClerk: 'clerk-petrov' });
  const ids = await db.pool.query<{ id: string; task_key: string }>(`SELECT id, task_key FROM clerk_tasks WHERE application_number = 'B-1' ORDER BY id`);
  clerkTaskId = Number(ids.rows[0]!.id);
  headTaskId = Number(ids.rows[1]!.id);
});

afterAll(async () => {
  await db?.stop();
});

test('openTasks filters by assignee, role and case', async () => {
  expect((await board.openTasks()).map((t) => t.applicationNumber)).toEqual(['B-1', 'B-1', 'B-2']);
  expect((await board.openTasks({ assignee: 'clerk-ivanova' })).map((t) => t.id)).toEqual([clerkTaskId]);
  expect((await board.openTasks({ role: 'head' })).map((t) => t.assignee)).toEqual(['Кузнецов Олег Петрович']);
  expect((await board.openTasks({ role: 'clerk', applicationNumber: 'B-2' })).map((t) => t.assignee)).toEqual(['clerk-petrov']);
  const [task] = await board.openTasks({ assignee: 'clerk-ivanova' });
  expect(task).toMatchObject({ kind: 'escalation:headWarning', assigneeRole: 'clerk', acknowledgedAt: null, resolvedAt: null });
  expect(task!.dueAt).toEqual(new Date('2026-03-05T15:00:00Z'));
});

test('acknowledge, reassign and resolve write the audit trail in order', async () => {
  expect(await board.acknowledge(clerkTaskId, 'clerk-ivanova')).toEqual({ acknowledged: true });
  // A second look changes nothing: the first acknowledgement stands.
  expect(await board.acknowledge(clerkTaskId, 'clerk-petrov')).toEqual({ acknowledged: false });
  expect(await board.reassign(clerkTaskId, 'clerk-sidorova', 'head', 'Иванова в отпуске')).toEqual({ from: 'clerk-ivanova', to: 'clerk-sidorova' });
  await board.resolve(clerkTaskId, 'clerk-sidorova', 'Результат подготовлен');

  const task = await board.task(clerkTaskId);
  expect(task).toMatchObject({ assignee: 'clerk-sidorova', acknowledgedBy: 'clerk-ivanova', resolution: 'Результат подготовлен' });
  expect(task!.acknowledgedAt).toBeInstanceOf(Date);
  expect(task!.resolvedAt).toBeInstanceOf(Date);

  const trail = await board.auditTrail(clerkTaskId);
  expect(trail.map((a) => [a.actor, a.action, a.detail])).toEqual([
    ['system', 'created', 'ступень headWarning, срок 2026-03-05T15:00:00.000Z'],
    ['clerk-ivanova', 'acknowledged', null],
    ['head', 'reassigned', 'clerk-ivanova → clerk-sidorova: Иванова в отпуске'],
    ['clerk-sidorova', 'resolved', 'Результат подготовлен'],
  ]);
  for (let i = 1; i < trail.length; i++) expect(trail[i]!.at.getTime()).toBeGreaterThanOrEqual(trail[i - 1]!.at.getTime());
  expect((await board.openTasks({ applicationNumber: 'B-1' })).map((t) => t.id)).toEqual([headTaskId]);
});

test('a closed task cannot be changed again', async () => {
  await expect(board.resolve(clerkTaskId, 'head', 'ещё раз')).rejects.toThrow(/уже закрыта/);
  await expect(board.reassign(clerkTaskId, 'clerk-petrov', 'head', 'причина')).rejects.toThrow(/уже закрыта/);
  expect((await board.auditTrail(clerkTaskId)).map((a) => a.action)).toEqual(['created', 'acknowledged', 'reassigned', 'resolved']);
});

test('reassigning to the current assignee is refused', async () => {
  await expect(board.reassign(headTaskId, 'Кузнецов Олег Петрович', 'deputy', 'причина')).rejects.toThrow(/уже назначена/);
});

test('arguments are validated, errors name the field', async () => {
  await expect(board.acknowledge(0, 'x')).rejects.toThrow(TaskBoardError);
  await expect(board.acknowledge(0, 'x')).rejects.toThrow(/«taskId»/);
  await expect(board.reassign(headTaskId, '  ', 'head', 'причина')).rejects.toThrow(/«to»/);
  await expect(board.reassign(headTaskId, 'clerk-petrov', 'head', '')).rejects.toThrow(/«reason»/);
  await expect(board.resolve(headTaskId, '', 'готово')).rejects.toThrow(/«actor»/);
  await expect(board.openTasks({ role: 'boss' as never })).rejects.toThrow(/«role»/);
  await expect(board.acknowledge(999_999, 'head')).rejects.toThrow(/задача 999999 не найдена/);
  expect((await board.auditTrail(headTaskId)).map((a) => a.action)).toEqual(['created']);
});
