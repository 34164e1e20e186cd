// Department directory: who the escalation roles are and how to reach them. Department config, not code,
// so a department edits one JSON file (CASE_DIRECTORY_FILE) instead of redeploying.
import * as fs from 'node:fs';
import { z } from 'zod';
import demoDirectory from './directory.demo.json';
import type { Role } from './roles';


export const personSchema = z
  .object({
    name: z.string().trim().min(1),
    email: z.email().optional(),
    webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  })
  .strict();
export type DirectoryPerson = z.output<typeof personSchema>;

export const directorySchema = z
  .object({
    clerks: z.record(z.string().trim().min(1), personSchema),
    head: personSchema,
    deputy: personSchema,
    management: z.array(personSchema).min(1),
    /** Department-wide webhook (e.g. the case system's inbox): used for people without their own. */
    webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  })
  .strict();
export type Directory = z.output<typeof directorySchema>;
export type DirectoryInput = z.input<typeof directorySchema>;

/** A person the directory names for a role; `id` is the clerk id for clerks, the role otherwise. */
export interface RolePerson extends DirectoryPerson {
  role: Role;
  id: string | null;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(корень)'}: ${i.message}`).join('; ');
}

export function parseDirectory(raw: unknown, source = 'directory'): Directory {
  const parsed = directorySchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`Справочник сотрудников ${source} некорректен / invalid department directory: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}

export function loadDirectoryFile(file: string): Directory {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Справочник сотрудников ${file} не прочитан / cannot read CASE_DIRECTORY_FILE: ${(err as Error).message}`);
  }
  return parseDirectory(raw, file);
}

/** The file named by CASE_DIRECTORY_FILE, else the bundled demo directory. */
export function loadDirectory(env: NodeJS.ProcessEnv = process.env): Directory {
  const file = env.CASE_DIRECTORY_FILE?.trim();
  return file ? loadDirectoryFile(file) : parseDirectory(demoDirectory, 'directory.demo.json');
}

export function demoDirectoryConfig(): Directory {
  return parseDirectory(demoDirectory, 'directory.demo.json');
}

/**
 * The people behind a role for one case. An unassigned or unknown clerk yields a person without
 * addresses: the task still exists (it shows on the board), only nobody can be messaged personally.
 */
export function peopleForRole(directory: Directory, role: Role, assignedClerk: string | null): RolePerson[] {
  switch (role) {
    case 'clerk': {
      if (assignedClerk === null) return [{ role, id: null, name: 'исполнитель не назначен' }];
      const clerk = directory.clerks[assignedClerk];
      return [clerk ? { ...clerk, role, id: assignedClerk } : { role, id: assignedClerk, name: assignedClerk }];
    }
    case 'head':
      return [{ ...directory.head, role, id: 'head' }];
    case 'deputy':
      return [{ ...directory.deputy, role, id: 'deputy' }];
    case 'management':
      return directory.management.map((p, i) => ({ ...p, role, id: `management:${i}` }));
  }
}
