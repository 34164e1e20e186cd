// Activities that turn a fired escalation rung into tasks for people and deliver them. The database
// transaction makes the firing idempotent; notification rows make delivery resumable, so a retry sends
// only what has not been sent yet.
import { inTransaction, type Queryable } from '../db';
import { ApplicationFailure } from '@temporalio/activity';
import type { Pool } from 'pg';
import { z } from 'zod';
import { isoInstantSchema as isoInstant } from '../shared';
import { peopleForRole, type Directory, type RolePerson } from './directory';
import { roleSchema, ROLE_LABELS_RU, type Role } from './roles';
import type { Notifier, Recipient } from './notifier';
import { auditTask, closeOpenEscalationTasks, insertClerkTask } from './taskBoard';
import { escalationTaskText } from './texts';

export const INVALID_ESCALATION_INPUT = 'InvalidEscalationInput';


export const fireEscalationRungInputSchema = z.object({
  applicationNumber: z.string().trim().min(1).max(200),
  serviceCode: z.string().trim().min(1),
  serviceTitle: z.string().trim().min(1),
  rung: z.string().trim().min(1).max(100),
  notify: z.array(roleSchema).min(1),
  deadline: isoInstant,
  fireAt: isoInstant,
  /** Workflow time of the firing: texts and the escalations row depend on it, never on the worker's clock. */
  firedAt: isoInstant,
  assignedClerk: z.string().trim().min(1).nullable(),
  flagsOverdue: z.boolean(),
});
export type FireEscalationRungInput = z.input<typeof fireEscalationRungInputSchema>;
export interface FireEscalationRungResult {
  /** false when this rung had already fired for this case and deadline. */
  fired: boolean;
  taskKeys: string[];
}

export const cancelOpenEscalationTasksInputSchema = z.object({
  applicationNumber: z.string().trim().min(1),
  reason: z.string().trim().min(1),
});
export type CancelOpenEscalationTasksInput = z.input<typeof cancelOpenEscalationTasksInputSchema>;
export interface CancelOpenEscalationTasksResult {
  resolved: number;
}

export interface EscalationDependencies {
  pool: Pool;
  directory: Directory;
  notifiers: Notifier[];
  /** The case system's card URL prefix; the case link is `${caseLinkBase}/${applicationNumber}`. */
  caseLinkBase: string;
  /** Zone of the dates in texts; default Europe/Moscow. */
  timeZone?: string;
  /** Flags the case overdue in the case record (the breach rung); the case record's owner supplies it. */
  markCaseOverdue: (db: Queryable, applicationNumber: string) => Promise<void>;
}

function parseInput<T extends z.ZodType>(schema: T, raw: unknown, activity: string): z.output<T> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  // A malformed input stays malformed on every retry.
  throw ApplicationFailure.create({
    type: INVALID_ESCALATION_INPUT,
    nonRetryable: true,
    message: `${activity}: некорректные данные / invalid input: ${r.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')}`,
  });
}

export function escalationTaskKey(applicationNumber: string, deadline: string, rung: string, role: Role): string {
  // Normalised instant: the same deadline written with another offset must give the same key.
  return `esc:${applicationNumber}:${new Date(deadline).toISOString()}:${rung}:${role}`;
}


interface PendingNotification {
  id: string;
  channel: string;
  recipient: string;
  task_id: string;
  task_key: string;
  application_number: string;
  assignee_role: string;
  assignee: string | null;
  title: string;
  body: string;
}

export function createEscalationActivities(deps: EscalationDependencies) {
  const { pool, directory, notifiers } = deps;
  const timeZone = deps.timeZone ?? 'Europe/Moscow';
  const linkBase = deps.caseLinkBase.replace(/\/+$/, '');
  const byChannel = new Map<string, Notifier>();
  for (const n of notifiers) {
    if (byChannel.has(n.name)) throw new Error(`Два канала уведомлений с именем «${n.name}» / duplicate notifier name`);
    byChannel.set(n.name, n);
  }
  const caseLink = (app: string) => `${linkBase}/${encodeURIComponent(app)}`;

  function recipientFor(row: PendingNotification, notifier: Notifier): Recipient {
    const role = row.assignee_role as Role;
    const people: RolePerson[] = (roleSchema.safeParse(role).success ? peopleForRole(directory, role, role === 'clerk' ? row.assignee : null) : []);
    const match = people.find((p) => notifier.addressOf(p, directory) === row.recipient);
    // The directory may have changed since the row was written: the address stored then still wins.
    if (match) return { role, id: match.id, name: match.name, address: row.recipient };
    return { role, id: row.assignee, name: row.assignee ?? ROLE_LABELS_RU[role] ?? row.assignee_role, address: row.recipient };
  }

  /** Sends every unsent notification of the given (open) tasks; throws after trying them all if any failed. */
  async function deliverPending(taskKeys: string[]): Promise<void> {
    if (taskKeys.length === 0) return;
    const { rows } = await pool.query<PendingNotification>(
      `SELECT n.id, n.channel, n.recipient, t.id AS task_id, t.task_key, t.application_number, t.assignee_role, t.assignee, t.title, t.body
         FROM notifications n JOIN clerk_tasks t ON t.id = n.task_id
        WHERE t.task_key = ANY($1) AND n.state <> 'sent' AND t.resolved_at IS NULL
        ORDER BY n.id`,
      [taskKeys],
    );
    const failures: string[] = [];
    for (const row of rows) {
      await inTransaction(pool, async (c) => {
        // The row lock keeps a concurrent attempt of the same activity from sending it a second time.
        const locked = await c.query<{ state: string }>('SELECT state FROM notifications WHERE id = $1 FOR UPDATE', [row.id]);
        if (locked.rows[0]?.state === 'sent') return;
        const notifier = byChannel.get(row.channel);
        try {
          if (!notifier) throw new Error(`канал «${row.channel}» не настроен в этом обработчике / notifier not configured`);
          const link = caseLink(row.application_number);
          await notifier.send({ to: recipientFor(row, notifier), subject: row.title, text: row.body, taskKey: row.task_key, link });
          await c.query(`UPDATE notifications SET state = 'sent', attempts = attempts + 1, sent_at = now(), last_error = NULL WHERE id = $1`, [row.id]);
          await auditTask(c, row.task_id, 'system', 'notified', `${row.channel}: ${row.recipient}`);
        } catch (err) {
          const message = (err as Error).message ?? String(err);
          await c.query(`UPDATE notifications SET state = 'failed', attempts = attempts + 1, last_error = $2 WHERE id = $1`, [row.id, message.slice(0, 2000)]);
          failures.push(`${row.channel} → ${row.recipient} (${row.task_key}): ${message}`);
        }
      });
    }
    if (failures.length > 0) {
      throw new Error(`Не доставлено уведомлений: ${failures.length} из ${rows.length} / notifications failed: ${failures.join('; ')}`);
    }
  }

  return {
    async fireEscalationRung(raw: FireEscalationRungInput): Promise<FireEscalationRungResult> {
      const input = parseInput(fireEscalationRungInputSchema, raw, 'fireEscalationRung');
      const app = input.applicationNumber;
      const link = caseLink(app);
      const { fired, taskKeys } = await inTransaction(pool, async (c) => {
        const inserted = await c.query(
          `INSERT INTO escalations (application_number, service_code, rung, deadline, fire_at, fired_at, notify, assigned_clerk)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (application_number, deadline, rung) DO NOTHING`,
          [app, input.serviceCode, input.rung, input.deadline, input.fireAt, input.firedAt, input.notify, input.assignedClerk],
        );
        const fired = inserted.rowCount === 1;
        let roles: Role[];
        if (fired) {
          roles = [...new Set(input.notify)];
          const clerkPerson = input.assignedClerk ? peopleForRole(directory, 'clerk', input.assignedClerk)[0] : undefined;
          for (const role of roles) {
            const people = peopleForRole(directory, role, input.assignedClerk);
            const assignee = role === 'clerk' ? input.assignedClerk : people.length === 1 ? (people[0] as RolePerson).name : null;
            const { title, body } = escalationTaskText({
              applicationNumber: app,
              serviceCode: input.serviceCode,
              serviceTitle: input.serviceTitle,
              rung: input.rung,
              role,
              deadline: input.deadline,
              firedAt: input.firedAt,
              clerk: clerkPerson && input.assignedClerk ? { id: input.assignedClerk, name: clerkPerson.name } : null,
              link,
              timeZone,
            });
            const taskId = await insertClerkTask(c, {
              taskKey: escalationTaskKey(app, input.deadline, input.rung, role),
              applicationNumber: app,
              kind: `escalation:${input.rung}`,
              assigneeRole: role,
              assignee,
              title,
              body,
              dueAt: input.deadline,
            });
            if (taskId === null) continue;
            await auditTask(c, taskId, 'system', 'created', `ступень ${input.rung}, срок ${new Date(input.deadline).toISOString()}`);
            for (const notifier of notifiers) {
              for (const person of people) {
                const address = notifier.addressOf(person, directory);
                if (!address) continue;
                // Unique (task, channel, address): people sharing one address (a department webhook) get one message.
                await c.query(
                  `INSERT INTO notifications (task_id, channel, recipient) VALUES ($1, $2, $3) ON CONFLICT (task_id, channel, recipient) DO NOTHING`,
                  [taskId, notifier.name, address],
                );
              }
            }
          }
        } else {
          // The first firing decided which roles were notified; a replay with another ladder does not add any.
          const prev = await c.query<{ notify: string[] }>(
            'SELECT notify FROM escalations WHERE application_number = $1 AND deadline = $2 AND rung = $3',
            [app, input.deadline, input.rung],
          );
          roles = (prev.rows[0]?.notify ?? input.notify) as Role[];
        }
        if (input.flagsOverdue) {
          await deps.markCaseOverdue(c, app);
        }
        const keys = roles.map((r) => escalationTaskKey(app, input.deadline, input.rung, r));
        const existing = await c.query<{ task_key: string }>('SELECT task_key FROM clerk_tasks WHERE task_key = ANY($1)', [keys]);
        const have = new Set(existing.rows.map((r) => r.task_key));
        return { fired, taskKeys: keys.filter((k) => have.has(k)) };
      });
      await deliverPending(taskKeys);
      return { fired, taskKeys };
    },

    async cancelOpenEscalationTasks(raw: CancelOpenEscalationTasksInput): Promise<CancelOpenEscalationTasksResult> {
      const input = parseInput(cancelOpenEscalationTasksInputSchema, raw, 'cancelOpenEscalationTasks');
      return { resolved: await closeOpenEscalationTasks(pool, input.applicationNumber, input.reason) };
    },
  };
}

export type EscalationActivities = ReturnType<typeof createEscalationActivities>;
