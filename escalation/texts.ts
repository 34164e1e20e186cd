// Russian texts of escalation tasks. Pure functions of the firing's input (never the wall clock),
// so a retried activity writes and sends exactly the same words.
import { ROLE_LABELS_RU, type Role } from './roles';

const PLURAL_RU = new Intl.PluralRules('ru');

function plural(n: number, one: string, few: string, many: string): string {
  const form = PLURAL_RU.select(n);
  return form === 'one' ? one : form === 'few' ? few : many;
}

const dateFormatters = new Map<string, { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();

/** 2026-03-05T15:00:00Z in Moscow → «5 марта 2026 г., 18:00». */
export function formatDeadlineRu(instant: string | Date, timeZone: string): string {
  let f = dateFormatters.get(timeZone);
  if (!f) {
    f = {
      date: new Intl.DateTimeFormat('ru-RU', { dateStyle: 'long', timeZone }),
      time: new Intl.DateTimeFormat('ru-RU', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }),
    };
    dateFormatters.set(timeZone, f);
  }
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  return `${f.date.format(d)}, ${f.time.format(d)}`;
}

/** 93 600 000 ms → «1 день 2 часа»; minutes are shown only for spans under a day. */
export function formatDurationRu(ms: number): string {
  const totalMinutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  const parts: string[] = [];
  if (days > 0) parts.push(`${days} ${plural(days, 'день', 'дня', 'дней')}`);
  if (hours > 0) parts.push(`${hours} ${plural(hours, 'час', 'часа', 'часов')}`);
  if (days === 0 && minutes > 0) parts.push(`${minutes} ${plural(minutes, 'минута', 'минуты', 'минут')}`);
  return parts.length > 0 ? parts.join(' ') : 'менее минуты';
}

const RUNG_TITLES: Record<string, (app: string) => string> = {
  clerkReminder: (app) => `Напоминание о сроке рассмотрения заявления № ${app}`,
  headWarning: (app) => `Предупреждение: истекает срок рассмотрения заявления № ${app}`,
  lastDay: (app) => `Последний день срока рассмотрения заявления № ${app}`,
  breach: (app) => `Нарушен срок рассмотрения заявления № ${app}`,
};

function roleInstruction(role: Role, overdue: boolean): string {
  switch (role) {
    case 'clerk':
      return overdue
        ? 'Срок нарушен: подготовьте результат незамедлительно и укажите причину просрочки в карточке дела.'
        : 'Подготовьте результат до истечения срока или оформите приостановление, если для него есть основания.';
    case 'head':
    case 'deputy':
      return overdue
        ? 'Срок нарушен: обеспечьте выдачу результата и примите меры по устранению причин просрочки.'
        : 'Проконтролируйте рассмотрение заявления; при необходимости передайте его другому исполнителю.';
    case 'management':
      return overdue
        ? 'Срок нарушен: требуется решение о мерах реагирования.'
        : 'Для сведения: срок рассмотрения заявления близок к истечению.';
  }
}

export interface EscalationTextInput {
  applicationNumber: string;
  serviceCode: string;
  serviceTitle: string;
  rung: string;
  role: Role;
  deadline: string;
  firedAt: string;
  /** Name (and id) of the assigned clerk, or null when the case has none. */
  clerk: { id: string; name: string } | null;
  link: string;
  timeZone: string;
}

export function escalationTaskText(t: EscalationTextInput): { title: string; body: string } {
  const title = (RUNG_TITLES[t.rung] ?? ((app: string) => `Контроль срока (${t.rung}): заявление № ${app}`))(t.applicationNumber);
  const leftMs = Date.parse(t.deadline) - Date.parse(t.firedAt);
  const overdue = leftMs <= 0;
  const deadline = formatDeadlineRu(t.deadline, t.timeZone);
  const timeLine = !overdue
    ? `До истечения срока осталось ${formatDurationRu(leftMs)}.`
    : leftMs > -60_000
      ? `Срок истёк ${deadline}.`
      : `Срок истёк ${deadline}, просрочка ${formatDurationRu(leftMs)}.`;
  const clerkLine = t.clerk
    ? `Исполнитель: ${t.clerk.name === t.clerk.id ? t.clerk.id : `${t.clerk.name} (${t.clerk.id})`}.`
    : 'Исполнитель не назначен.';
  const body = [
    `Заявление № ${t.applicationNumber}`,
    `Услуга: «${t.serviceTitle}» (код ${t.serviceCode})`,
    `Срок рассмотрения: до ${deadline}`,
    timeLine,
    clerkLine,
    `Задача для роли «${ROLE_LABELS_RU[t.role]}». ${roleInstruction(t.role, overdue)}`,
    `Карточка дела: ${t.link}`,
  ].join('\n');
  return { title, body };
}
