// fireEscalationRung against a real PostgreSQL, a real SMTP server and a real HTTP server.
import { ApplicationFailure } from '@temporalio/common';
import { markCaseOverdue } from '../../activities';
import {
  createEscalationActivities,
  parseDirectory,
  SmtpNotifier,
  WebhookNotifier,
  type Directory,
  type FireEscalationRungInput,
} from '../../escalation';
import { parseMail, startHttpSink, startSmtpSink, startTestDatabase, type HttpSink, type SmtpSink, type TestDatabase } from './support';

let db: TestDatabase;
let smtp: SmtpSink;
let web: HttpSink;
let smtpNotifier: SmtpNotifier;
let directory: Directory;
let activities: ReturnType<typeof createEscalationActivities>;

const LINK_BASE = 'https://vis.dept.example.ru/cases/';

beforeAll(async () => {
  [db, smtp, web] = await Promise.all([startTestDatabase('activities'), startSmtpSink(), startHttpSink()]);
  directory = parseDirectory({
    clerks: {
      'clerk-1': { name: 'Иванова Анна Сергеевна', email: 'ivanova@dept.example.ru', webhookUrl: `${web.base}/clerk-1` },
      'clerk-2': { name: 'Петров Игорь Викторович', email: 'petrov@dept.example.ru' },
    },
    head: { name: 'Кузнецов Олег Петрович', email: 'head@dept.example.ru' },
    deputy: { name: 'Смирнова Елена Андреевна' },
    management: [
      { name: 'Волков Сергей Николаевич', email: 'volkov@dept.example.ru' },
      { name: 'Орлова Ирина Павловна', email: 'orlova@dept.example.ru' },
    ],
    webhookUrl: `${web.base}/department`,
  });
  smtpNotifier = new SmtpNotifier({ host: '127.0.0.1', port: smtp.port, secure: false, from: '"Контроль сроков" <noreply@dept.example.ru>' });
  activities = createEscalationActivities({
    pool: db.pool,
    directory,
    notifiers: [smtpNotifier, new WebhookNotifier({ timeoutMs: 5000 })],
    caseLinkBase: LINK_BASE,
    markCaseOverdue,
  });
  for (const app of ['APP-1', 'APP-2', 'APP-3', 'APP-4']) {
    await db.pool.query(
      `INSERT INTO applications (application_number, service_code, channel, received_at, stage, assigned_clerk, deadline)
       VALUES ($1, 'SVC-1', 'EPGU', '2026-02-20T09:00:00+03:00', 'underReview', 'clerk-1', '2026-03-05T18:00:00+03:00')`,
      [app],
    );
  }
});

afterAll(async () => {
  smtpNotifier?.close();
  await Promise.all([smtp?.close(), web?.close()]);
  await db?.stop();
});

const rung = (over: Partial<FireEscalationRungInput>): FireEscalationRungInput => ({
  applicationNumber: 'APP-1',
  serviceCode: 'SVC-1',
  serviceTitle: 'Выдача разрешения на строительство',
  rung: 'headWarning',
  notify: ['clerk', 'head'],
  deadline: '2026-03-05T18:00:00.000+03:00',
  fireAt: '2026-03-04T16:00:00.000+03:00',
  firedAt: '2026-03-04T16:00:00.000+03:00',
  assignedClerk: 'clerk-1',
  flagsOverdue: false,
  ...over,
});

async function count(sql: string, params: unknown[]): Promise<number> {
  return Number((await db.pool.query<{ n: string }>(sql, params)).rows[0]?.n);
}

const mailsTo = (address: string) => smtp.messages.filter((m) => m.envelopeTo.includes(address));
const hooksFor = (app: string) => web.requests.filter((r) => (r.json as { taskKey?: string } | null)?.taskKey?.startsWith(`esc:${app}:`));

describe('fireEscalationRung', () => {
  test('fires once: a second call creates no tasks, notifications or e-mails', async () => {
    const first = await activities.fireEscalationRung(rung({}));
    expect(first).toEqual({
      fired: true,
      taskKeys: ['esc:APP-1:2026-03-05T15:00:00.000Z:headWarning:clerk', 'esc:APP-1:2026-03-05T15:00:00.000Z:headWarning:head'],
    });
    const mailsAfterFirst = smtp.messages.length;
    const hooksAfterFirst = web.requests.length;

    // The same rung with the deadline written in UTC: the same firing.
    const second = await activities.fireEscalationRung(rung({ deadline: '2026-03-05T15:00:00Z' }));
    expect(second).toEqual({ fired: false, taskKeys: first.taskKeys });

    expect(await count(`SELECT count(*) AS n FROM escalations WHERE application_number = 'APP-1'`, [])).toBe(1);
    const tasks = await db.pool.query(`SELECT task_key, kind, assignee_role, assignee, due_at FROM clerk_tasks WHERE application_number = 'APP-1' ORDER BY id`);
    expect(tasks.rows).toEqual([
      { task_key: first.taskKeys[0], kind: 'escalation:headWarning', assignee_role: 'clerk', assignee: 'clerk-1', due_at: new Date('2026-03-05T15:00:00Z') },
      { task_key: first.taskKeys[1], kind: 'escalation:headWarning', assignee_role: 'head', assignee: 'Кузнецов Олег Петрович', due_at: new Date('2026-03-05T15:00:00Z') },
    ]);
    const notes = await db.pool.query(
      `SELECT t.assignee_role, n.channel, n.recipient, n.state, n.attempts FROM notifications n JOIN clerk_tasks t ON t.id = n.task_id
        WHERE t.application_number = 'APP-1' ORDER BY n.id`,
    );
    expect(notes.rows).toEqual([
      { assignee_role: 'clerk', channel: 'email', recipient: 'ivanova@dept.example.ru', state: 'sent', attempts: 1 },
      { assignee_role: 'clerk', channel: 'webhook', recipient: `${web.base}/clerk-1`, state: 'sent', attempts: 1 },
      { assignee_role: 'head', channel: 'email', recipient: 'head@dept.example.ru', state: 'sent', attempts: 1 },
      // The head has no webhook of his own: the department's receives it.
      { assignee_role: 'head', channel: 'webhook', recipient: `${web.base}/department`, state: 'sent', attempts: 1 },
    ]);
    expect(mailsTo('ivanova@dept.example.ru')).toHaveLength(1);
    expect(mailsTo('head@dept.example.ru')).toHaveLength(1);
    expect(hooksFor('APP-1')).toHaveLength(2);
    expect(smtp.messages.length).toBe(mailsAfterFirst);
    expect(web.requests.length).toBe(hooksAfterFirst);

    const audit = await db.pool.query(
      `SELECT t.assignee_role, a.actor, a.action, a.detail FROM task_audit a JOIN clerk_tasks t ON t.id = a.task_id
        WHERE t.application_number = 'APP-1' ORDER BY a.id`,
    );
    expect(audit.rows.map((r) => `${r.assignee_role}:${r.actor}:${r.action}`)).toEqual([
      'clerk:system:created',
      'head:system:created',
      'clerk:system:notified',
      'clerk:system:notified',
      'head:system:notified',
      'head:system:notified',
    ]);
    expect(audit.rows[2].detail).toBe('email: ivanova@dept.example.ru');
  });

  test('the e-mail arrives in Russian with the deadline, the time left and the case link', async () => {
    const [raw] = mailsTo('ivanova@dept.example.ru');
    const mail = parseMail(raw!.raw);
    expect(mail.subject).toBe('Предупреждение: истекает срок рассмотрения заявления № APP-1');
    expect(mail.to).toBe('Иванова Анна Сергеевна <ivanova@dept.example.ru>');
    expect(mail.headers.get('content-type')).toMatch(/^multipart\/alternative/);
    expect(mail.text).toContain('Услуга: «Выдача разрешения на строительство» (код SVC-1)');
    expect(mail.text).toContain('Срок рассмотрения: до 5 марта 2026 г., 18:00');
    expect(mail.text).toContain('До истечения срока осталось 1 день 2 часа.');
    expect(mail.text).toContain('Исполнитель: Иванова Анна Сергеевна (clerk-1).');
    expect(mail.text).toContain('Карточка дела: https://vis.dept.example.ru/cases/APP-1');
    expect(mail.html).toContain('<a href="https://vis.dept.example.ru/cases/APP-1">');
    expect(mail.headers.get('x-case-task-key')).toBe('esc:APP-1:2026-03-05T15:00:00.000Z:headWarning:clerk');
  });

  test('the webhook receives the task as JSON', async () => {
    const hook = web.requests.find((r) => r.path === '/clerk-1')!;
    expect(hook.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(hook.headers['idempotency-key']).toBe('esc:APP-1:2026-03-05T15:00:00.000Z:headWarning:clerk');
    expect(hook.json).toEqual({
      taskKey: 'esc:APP-1:2026-03-05T15:00:00.000Z:headWarning:clerk',
      recipient: { role: 'clerk', id: 'clerk-1', name: 'Иванова Анна Сергеевна' },
      subject: 'Предупреждение: истекает срок рассмотрения заявления № APP-1',
      text: expect.stringContaining('Карточка дела: https://vis.dept.example.ru/cases/APP-1'),
      link: 'https://vis.dept.example.ru/cases/APP-1',
    });
    const dept = web.requests.find((r) => r.path === '/department')!;
    expect(dept.json).toMatchObject({ recipient: { role: 'head', id: 'head', name: 'Кузнецов Олег Петрович' } });
  });

  test('a webhook answering 500 makes the call throw; the retry sends only the failed notification', async () => {
    web.statusFor.set('/clerk-1', 500);
    const input = rung({ applicationNumber: 'APP-2', rung: 'clerkReminder', notify: ['clerk', 'head'] });
    await expect(activities.fireEscalationRung(input)).rejects.toThrow(/HTTP 500/);
    const failed = await db.pool.query(
      `SELECT n.channel, n.recipient, n.state, n.attempts, n.last_error FROM notifications n JOIN clerk_tasks t ON t.id = n.task_id
        WHERE t.application_number = 'APP-2' AND n.state <> 'sent'`,
    );
    expect(failed.rows).toEqual([
      { channel: 'webhook', recipient: `${web.base}/clerk-1`, state: 'failed', attempts: 1, last_error: expect.stringContaining('HTTP 500') },
    ]);
    expect(mailsTo('ivanova@dept.example.ru')).toHaveLength(2);
    expect(hooksFor('APP-2').map((r) => `${r.path} ${r.status}`)).toEqual(['/clerk-1 500', '/department 200']);

    web.statusFor.delete('/clerk-1');
    const retry = await activities.fireEscalationRung(input);
    expect(retry.fired).toBe(false);
    expect(retry.taskKeys).toHaveLength(2);
    expect(hooksFor('APP-2').map((r) => `${r.path} ${r.status}`)).toEqual(['/clerk-1 500', '/department 200', '/clerk-1 200']);
    expect(mailsTo('ivanova@dept.example.ru')).toHaveLength(2);
    expect(mailsTo('head@dept.example.ru')).toHaveLength(2);
    const all = await db.pool.query(
      `SELECT n.channel, n.state, n.attempts, n.last_error FROM notifications n JOIN clerk_tasks t ON t.id = n.task_id
        WHERE t.application_number = 'APP-2' ORDER BY n.id`,
    );
    expect(all.rows.map((r) => `${r.channel}:${r.state}:${r.attempts}:${r.last_error}`)).toEqual([
      'email:sent:1:null',
      'webhook:sent:2:null',
      'email:sent:1:null',
      'webhook:sent:1:null',
    ]);
  });

  test('breach: flags the case overdue, tells every manager, says how late it is', async () => {
    const res = await activities.fireEscalationRung(
      rung({ applicationNumber: 'APP-3', rung: 'breach', notify: ['management'], flagsOverdue: true, firedAt: '2026-03-06T20:30:00.000+03:00' }),
    );
    expect(res).toEqual({ fired: true, taskKeys: ['esc:APP-3:2026-03-05T15:00:00.000Z:breach:management'] });
    expect((await db.pool.query(`SELECT overdue FROM applications WHERE application_number = 'APP-3'`)).rows[0].overdue).toBe(true);
    expect((await db.pool.query(`SELECT overdue FROM applications WHERE application_number = 'APP-4'`)).rows[0].overdue).toBe(false);
    const task = (await db.pool.query(`SELECT assignee, title, body FROM clerk_tasks WHERE application_number = 'APP-3'`)).rows[0];
    // Several managers: the task stays with the role, not one person.
    expect(task.assignee).toBeNull();
    expect(task.title).toBe('Нарушен срок рассмотрения заявления № APP-3');
    expect(task.body).toContain('Срок истёк 5 марта 2026 г., 18:00, просрочка 1 день 2 часа.');
    expect(mailsTo('volkov@dept.example.ru')).toHaveLength(1);
    expect(mailsTo('orlova@dept.example.ru')).toHaveLength(1);
    // Both managers reach the department webhook: one message, not two.
    expect(hooksFor('APP-3').map((r) => r.path)).toEqual(['/department']);
  });

  test('an unassigned clerk still gets a task on the board, reached only through the department webhook', async () => {
    const res = await activities.fireEscalationRung(rung({ applicationNumber: 'APP-4', rung: 'clerkReminder', notify: ['clerk'], assignedClerk: null }));
    expect(res.fired).toBe(true);
    const task = (await db.pool.query(`SELECT assignee, body FROM clerk_tasks WHERE application_number = 'APP-4'`)).rows[0];
    expect(task.assignee).toBeNull();
    expect(task.body).toContain('Исполнитель не назначен.');
    expect(hooksFor('APP-4').map((r) => r.path)).toEqual(['/department']);
  });

  test('cancelOpenEscalationTasks resolves the open escalation tasks of a finished case once', async () => {
    expect(await activities.cancelOpenEscalationTasks({ applicationNumber: 'APP-1', reason: 'Результат выдан' })).toEqual({ resolved: 2 });
    expect(await activities.cancelOpenEscalationTasks({ applicationNumber: 'APP-1', reason: 'Результат выдан' })).toEqual({ resolved: 0 });
    const rows = await db.pool.query(
      `SELECT t.resolution, a.action, a.actor FROM clerk_tasks t JOIN task_audit a ON a.task_id = t.id
        WHERE t.application_number = 'APP-1' AND a.action = 'resolved'`,
    );
    expect(rows.rows).toEqual([
      { resolution: 'Результат выдан', action: 'resolved', actor: 'system' },
      { resolution: 'Результат выдан', action: 'resolved', actor: 'system' },
    ]);
    expect(await count(`SELECT count(*) AS n FROM clerk_tasks WHERE application_number = 'APP-1' AND resolved_at IS NULL`, [])).toBe(0);
  });

  test('malformed input fails without retry and names the field', async () => {
    const err = await activities.fireEscalationRung(rung({ notify: ['operator' as never] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as Error).message).toMatch(/notify\.0/);
    const err2 = await activities.fireEscalationRung(rung({ firedAt: 'вчера' })).catch((e: unknown) => e);
    expect((err2 as Error).message).toMatch(/firedAt: must be an ISO 8601 instant/);
  });
});
