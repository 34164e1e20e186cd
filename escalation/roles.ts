// The escalation roles, defined once: the ladder names them, the directory resolves them to people, tasks
// are assigned to them. 'operator' is not a ladder role: it receives tasks about the plugin itself.
import { z } from 'zod';

export const ROLES = ['clerk', 'head', 'deputy', 'management'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

/** Who a clerk task may be assigned to: an escalation role or the operator. */
export type TaskAssigneeRole = Role | 'operator';
export const taskAssigneeRoleSchema = roleSchema.or(z.literal('operator'));

/** Russian role names for texts shown to people. */
export const ROLE_LABELS_RU: Record<Role, string> = {
  clerk: 'исполнитель',
  head: 'руководитель',
  deputy: 'заместитель руководителя',
  management: 'руководство ведомства',
};
