// Server-rendered pages of the clerk inbox: Handlebars templates in inbox/templates, compiled once at start-up
// (a broken template stops the server, not a clerk's page), each page wrapped in the shared layout.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import { formatOffsetDateTime, localDateTimeOf } from '../calendar';
import { STAGE_TITLES_RU, type Stage } from '../shared';

export const PAGES = ['login', 'home', 'case', 'department', 'error'] as const;
export type Page = (typeof PAGES)[number];

const TEMPLATES = path.join(__dirname, 'templates');

const TASK_KINDS_RU: Record<string, string> = {
  elkDeliveryProblem: 'ЕЛК не принял статус',
  escalation: 'Эскалация срока',
};

const ELK_STATES_RU: Record<string, string> = {
  pending: 'ожидает отправки',
  sent: 'отправлен',
  delivered: 'доставлен',
  rejected: 'отклонён порталом',
  skipped: 'пропущен',
};

const RUNGS_RU: Record<string, string> = {
  clerkReminder: '50 % срока — напоминание исполнителю',
  headWarning: '75 % срока — исполнителю и руководителю',
  lastDay: 'последний рабочий день — руководителю и заместителю',
  breach: 'срок нарушен — руководству',
};

export interface ViewContext {
  timeZone: string;
}

export function createInboxViews(ctx: ViewContext) {
  const hbs = Handlebars.create();
  const pad = (n: number) => String(n).padStart(2, '0');
  hbs.registerHelper('dateTime', (v: unknown) => {
    if (!v) return '—';
    const t = localDateTimeOf(v as Date | string, ctx.timeZone);
    const [y, m, d] = t.date.split('-');
    return `${d}.${m}.${y} ${pad(t.hour)}:${pad(t.minute)}`;
  });
  hbs.registerHelper('isoDateTime', (v: unknown) => (v ? formatOffsetDateTime(v as Date | string, ctx.timeZone) : ''));
  hbs.registerHelper('stageRu', (s: unknown) => STAGE_TITLES_RU[s as Stage] ?? String(s));
  hbs.registerHelper('taskKindRu', (k: unknown) => {
    const kind = String(k);
    return TASK_KINDS_RU[kind] ?? (kind.startsWith('stageTerm:') ? 'Срок стадии истёк' : kind.startsWith('escalation') ? 'Эскалация срока' : kind);
  });
  hbs.registerHelper('elkStateRu', (s: unknown) => ELK_STATES_RU[String(s)] ?? String(s));
  hbs.registerHelper('rungRu', (s: unknown) => RUNGS_RU[String(s)] ?? String(s));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('join', (a: unknown) => (Array.isArray(a) ? a.join(', ') : ''));
  hbs.registerHelper('short', (s: unknown) => String(s ?? '').slice(0, 12));
  hbs.registerHelper('url', (s: unknown) => encodeURIComponent(String(s)));

  const compile = (name: string) => hbs.compile(fs.readFileSync(path.join(TEMPLATES, `${name}.hbs`), 'utf8'), { strict: false, noEscape: false });
  const layout = compile('layout');
  const pages = Object.fromEntries(PAGES.map((p) => [p, compile(p)])) as Record<Page, HandlebarsTemplateDelegate>;

  return {
    render(page: Page, data: { title: string; caller?: { subject: string; role: string; isHead: boolean; csrf: string } | null } & Record<string, unknown>): string {
      const body = pages[page](data);
      return layout({ ...data, body });
    },
  };
}

export type InboxViews = ReturnType<typeof createInboxViews>;
