// The clerk's work list: open tasks and open cases in one list, overdue first, then by the nearest due date,
// with the working days left counted on the production calendar in the department's zone.
import type { ProductionCalendar } from '../calendar';
import { localDateOf } from '../calendar';

export interface WorkItem {
  kind: 'task' | 'case';
  applicationNumber: string;
  title: string;
  /** Task kind or case stage, for the reader. */
  detail: string;
  dueAt: Date | null;
  /** Set by the lifecycle (breach rung) for cases; for tasks, a due time in the past. */
  overdue: boolean;
  taskId?: number;
  assignee: string | null;
}

export interface RankedWorkItem extends WorkItem {
  /** Working days from today to the due date (negative: how many are overdue); null without a due date. */
  workingDaysLeft: number | null;
}

/** Each item with its working days left and its overdue mark, in the order given (a page of a list sorted elsewhere). */
export function withWorkingDaysLeft(items: readonly WorkItem[], now: Date, calendar: ProductionCalendar, timeZone: string): RankedWorkItem[] {
  const today = localDateOf(now, timeZone);
  return items.map((i) => {
    const overdue = i.overdue || (i.dueAt !== null && i.dueAt.getTime() < now.getTime());
    const workingDaysLeft = i.dueAt === null ? null : calendar.workingDaysBetween(today, localDateOf(i.dueAt, timeZone));
    return { ...i, overdue, workingDaysLeft };
  });
}

export function rankWorkItems(items: readonly WorkItem[], now: Date, calendar: ProductionCalendar, timeZone: string): RankedWorkItem[] {
  return withWorkingDaysLeft(items, now, calendar, timeZone).sort((a, b) => {
    if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
    if (a.dueAt === null || b.dueAt === null) return a.dueAt === b.dueAt ? a.applicationNumber.localeCompare(b.applicationNumber) : a.dueAt === null ? 1 : -1;
    return a.dueAt.getTime() - b.dueAt.getTime() || a.applicationNumber.localeCompare(b.applicationNumber);
  });
}

/** "осталось 3 рабочих дня" / "просрочено на 2 рабочих дня" / "срок сегодня". */
export function workingDaysLeftRu(n: number | null, overdue: boolean): string {
  if (n === null) return 'срок не установлен';
  if (n === 0) return overdue ? 'срок истёк сегодня' : 'срок сегодня';
  const abs = Math.abs(n);
  const word = plural(abs, 'рабочий день', 'рабочих дня', 'рабочих дней');
  if (n < 0) return `просрочено на ${abs} ${word}`;
  return `${plural(abs, 'остался', 'осталось', 'осталось')} ${abs} ${word}`;
}

function plural(n: number, one: string, few: string, many: string): string {
  const m10 = n % 10;
  const m100 = n % 100;
  if (m10 === 1 && m100 !== 11) return one;
  if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)) return few;
  return many;
}
