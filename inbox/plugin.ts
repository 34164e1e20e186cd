// The clerk inbox: server-rendered Russian pages mounted in the HTTP API app (`extraPlugins`). Login puts the
// caller's API token into an HttpOnly, SameSite=Strict cookie; every form carries a CSRF token and a request id
// generated with the page, and clerk actions are sent through the API's own routes (app.inject), so they get the
// same authorization, idempotency and audit as a case system's calls (the department page's filter form is a GET
// that changes nothing). The pages need no JavaScript.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ProductionCalendar } from '../calendar';
import { caseListRequestOf, CaseListQuerySchema, countCases, listCases, type CaseListFilter } from '../cases';
import type { HttpApiDeps, HttpApiPlugin } from '../http';
import type { Caller } from '../http';
import { ACTION_PATHS } from '../http';
import { problemOf, RequestValidationError } from '../http';
import { IDEMPOTENCY_KEY_PATTERN } from '../http';
import { CLERK_ACTION_TITLES_RU, type ClerkActionName, InputValidationError, problemsOf, type Stage, STAGE_TITLES_RU, STAGES, TERMINAL_STAGES } from '../shared';
import { createInboxQueries } from './queries';
import { createInboxViews, type Page } from './views';
import { rankWorkItems, withWorkingDaysLeft, workingDaysLeftRu, type WorkItem } from './workItems';

export interface InboxConfig {
  calendar: ProductionCalendar;
  timeZone: string;
  /** Signs the CSRF cookie; 32+ characters (CASE_INBOX_COOKIE_SECRET). */
  cookieSecret: string;
  /** Secure cookies (HTTPS only). Off only for plain-HTTP local runs and tests. */
  secureCookies?: boolean;
  now?: () => Date;
}

const SESSION_COOKIE = 'inbox_token';
/** A working day and a bit: the clerk logs in again the next morning. */
const SESSION_SECONDS = 10 * 3600;
/** Form bodies: a refusal's grounds with facts are under 64 KiB (the API's own limit is 256 KiB for JSON). */
const FORM_BODY_BYTES = 64 * 1024;
const INBOX_ACTIONS = ['register', 'startReview', 'approve', 'issueResult', 'refuse', 'amendRefusal'] as const satisfies readonly ClerkActionName[];
type InboxAction = (typeof INBOX_ACTIONS)[number];

/** The next step a clerk usually takes in each stage (the workflow's validator still has the last word). */
const NEXT_ACTIONS: Partial<Record<Stage, InboxAction[]>> = {
  received: ['register'],
  registered: ['startReview'],
  approved: ['issueResult'],
};

const DONE_RU: Record<string, string> = {
  register: 'Заявление зарегистрировано.',
  startReview: 'Рассмотрение начато.',
  approve: 'Решение о предоставлении услуги утверждено.',
  issueResult: 'Результат выдан.',
  refuse: 'Отказ утверждён, письмо направлено заявителю.',
  amendRefusal: 'Письмо об отказе сформировано заново.',
  acknowledge: 'Задача принята в работу.',
};

/** Cases per page of the department page's list (the case list's keyset pages, see cases/caseList.ts). */
export const DEPARTMENT_PAGE_ROWS = 100;
/**
 * The department page lists open cases, nearest deadline first, DEPARTMENT_PAGE_ROWS a page: GET /cases's
 * parameters for those are the page's own, not the reader's.
 */
const FIXED_PARAMS = ['open', 'order', 'limit'] as const;
/** Filters the page's form offers; any other filter of the case list is accepted from the link and kept as it is. */
const FORM_PARAMS = new Set(['clerk', 'stage', 'overdue', 'cursor']);
const OPEN_STAGES = STAGES.filter((s) => !TERMINAL_STAGES.includes(s));

/**
 * The department page's query string: GET /cases's filters, read by the case list's own schema, so a bad value is
 * refused with the API's field and rule. Empty form fields count as absent (a GET form sends `clerk=`).
 */
function departmentQuery(raw: unknown): { filter: CaseListFilter; cursor?: string; kept: [string, string][] } {
  const given = Object.entries((raw ?? {}) as Record<string, unknown>).flatMap(([k, v]): [string, unknown][] => {
    if (v === '') return [];
    if (Array.isArray(v)) {
      const values = v.filter((x) => x !== '');
      return values.length ? [[k, values]] : [];
    }
    return [[k, v]];
  });
  const fixed = given.filter(([k]) => (FIXED_PARAMS as readonly string[]).includes(k));
  if (fixed.length) {
    throw new RequestValidationError(
      'querystring',
      fixed.map(([k]) => ({
        field: k,
        rule: `${k}: страница подразделения показывает открытые заявления, ближайший срок первым, по ${DEPARTMENT_PAGE_ROWS} на странице; параметр не задаётся (fixed by this page)`,
      })),
    );
  }
  const parsed = CaseListQuerySchema.safeParse(Object.fromEntries(given));
  if (!parsed.success) throw new RequestValidationError('querystring', problemsOf(parsed.error));
  const { filter, page } = caseListRequestOf(parsed.data);
  // What the links carry on: the parameters as given (checked above), without the cursor.
  const kept = given.filter(([k]) => k !== 'cursor').flatMap(([k, v]) => (Array.isArray(v) ? v.map((x): [string, string] => [k, String(x)]) : [[k, String(v)] as [string, string]]));
  return { filter: { ...filter, open: true }, ...(page.cursor ? { cursor: page.cursor } : {}), kept };
}

const departmentUrl = (params: [string, string][]) => (params.length ? `/inbox/department?${new URLSearchParams(params).toString()}` : '/inbox/department');

const csrfField = z.string().min(1).max(200);
const requestIdField = z.string().regex(IDEMPOTENCY_KEY_PATTERN, 'requestId: 1–128 символов A-Z a-z 0-9 . _ : -');
const noteField = z.string().trim().max(2000, 'комментарий: не более 2000 символов').optional().transform((v) => (v ? v : undefined));
const LoginForm = z.object({ _csrf: csrfField, token: z.string().trim().min(1, 'token: введите токен').max(256, 'token: не длиннее 256 символов') }).strict();
const ActionForm = z.object({ _csrf: csrfField, requestId: requestIdField, note: noteField, grounds: z.string().max(60_000).optional() }).strict();
const TaskForm = z.object({ _csrf: csrfField, requestId: requestIdField }).strict();
const CaseParams = z.object({ applicationNumber: z.string().min(1).max(100), action: z.enum(INBOX_ACTIONS).optional() });

class PageProblem extends Error {
  constructor(
    readonly status: number,
    readonly heading: string,
    message: string,
  ) {
    super(message);
  }
}

const firstIssue = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || 'форма'}: ${i.message}`).join('; ');

export function createInboxPlugin(config: InboxConfig): HttpApiPlugin {
  if (config.cookieSecret.length < 32) throw new Error('CASE_INBOX_COOKIE_SECRET: не короче 32 символов (at least 32 characters)');
  const now = config.now ?? (() => new Date());
  const views = createInboxViews({ timeZone: config.timeZone });
  const css = fs.readFileSync(path.join(__dirname, 'static', 'inbox.css'));
  const secure = config.secureCookies ?? true;

  async function plugin(app: FastifyInstance, opts: { api: HttpApiDeps }) {
    const api = opts.api;
    const queries = createInboxQueries(api.pool, api.department);

    await app.register(cookie, { secret: config.cookieSecret });
    await app.register(formbody, { bodyLimit: FORM_BODY_BYTES });
    await app.register(csrf, { sessionPlugin: '@fastify/cookie', cookieOpts: { path: '/inbox', httpOnly: true, sameSite: 'strict', secure, signed: true } });

    app.addHook('onSend', async (_req, reply, payload) => {
      reply.header('content-security-policy', "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
      reply.header('x-frame-options', 'DENY');
      reply.header('referrer-policy', 'same-origin');
      return payload;
    });

    const page = (reply: FastifyReply, status: number, name: Page, data: { title: string } & Record<string, unknown>) =>
      reply.code(status).type('text/html; charset=utf-8').send(views.render(name, data));

    app.setErrorHandler((err, req, reply) => {
      const e = err as { code?: string; statusCode?: number };
      if (e.code?.startsWith('FST_CSRF')) {
        return page(reply, 403, 'error', { title: 'Форма устарела', heading: 'Форма устарела', message: 'Обновите страницу и отправьте форму ещё раз.', caller: null });
      }
      if (err instanceof PageProblem) return page(reply, err.status, 'error', { title: err.heading, heading: err.heading, message: err.message, caller: null });
      const problem = problemOf(err);
      if (problem.status >= 500) req.log.error({ err: { name: (err as Error).name, code: e.code } }, 'inbox error');
      // A refused query string: each field and its rule, as the API's problem document lists them.
      const back = req.url.startsWith('/inbox/department') ? { href: '/inbox/department', title: 'Подразделение без фильтров' } : null;
      return page(reply, problem.status, 'error', {
        title: problem.title,
        heading: problem.title,
        message: problem.errors?.length ? 'Поле и правило:' : (problem.detail ?? ''),
        errors: problem.errors ?? [],
        back,
        caller: null,
      });
    });

    /** The logged-in caller, or a redirect to the login form. */
    async function callerOf(req: FastifyRequest, reply: FastifyReply): Promise<Caller | null> {
      const token = req.cookies[SESSION_COOKIE];
      if (token) {
        try {
          return api.auth.authenticate(`Bearer ${token}`);
        } catch {
          /* unknown or expired token: log in again */
        }
      }
      void reply.clearCookie(SESSION_COOKIE, { path: '/inbox' }).redirect('/inbox/login', 303);
      return null;
    }

    const chrome = (caller: Caller, reply: FastifyReply) => ({
      subject: caller.subject,
      role: caller.role,
      isHead: caller.role === 'head' || caller.role === 'management' || caller.role === 'operator',
      csrf: reply.generateCsrf(),
    });

    app.get('/inbox/static/inbox.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css));

    app.get('/inbox/login', async (_req, reply) => page(reply, 200, 'login', { title: 'Вход', csrf: reply.generateCsrf(), caller: null }));

    app.post('/inbox/login', { preHandler: app.csrfProtection }, async (req, reply) => {
      const form = LoginForm.safeParse(req.body);
      const fail = (status: number, error: string) => page(reply, status, 'login', { title: 'Вход', csrf: reply.generateCsrf(), caller: null, error });
      if (!form.success) return fail(400, firstIssue(form.error));
      let caller: Caller;
      try {
        caller = api.auth.authenticate(`Bearer ${form.data.token}`);
      } catch (err) {
        const presented = (err as { presentedTokenId?: string | null }).presentedTokenId ?? null;
        await api.audit.record({ actorRole: 'anonymous', actorSubject: null, tokenId: presented, operation: 'inboxLogin', method: 'POST', target: 'inbox', requestId: null, outcome: 'refused', status: 401, reason: 'token not accepted' });
        return fail(401, 'Токен не принят: он неизвестен или срок его действия истёк.');
      }
      if (caller.role === 'caseSystem') return fail(403, 'Этот токен выдан ведомственной системе, а не сотруднику.');
      await api.audit.record({ actorRole: caller.role, actorSubject: caller.subject, tokenId: caller.tokenId, operation: 'inboxLogin', method: 'POST', target: 'inbox', requestId: null, outcome: 'done', status: 303, reason: null });
      return reply
        .setCookie(SESSION_COOKIE, form.data.token, { path: '/inbox', httpOnly: true, sameSite: 'strict', secure, maxAge: SESSION_SECONDS })
        .redirect('/inbox', 303);
    });

    app.post('/inbox/logout', { preHandler: app.csrfProtection }, async (_req, reply) => reply.clearCookie(SESSION_COOKIE, { path: '/inbox' }).redirect('/inbox/login', 303));

    async function renderHome(req: FastifyRequest, reply: FastifyReply, caller: Caller, status = 200, problem?: string) {
      const at = now();
      const work = await queries.myWork(caller, at);
      const items = rankWorkItems(work.items, at, config.calendar, config.timeZone).map((i) => ({
        ...i,
        daysLeft: workingDaysLeftRu(i.workingDaysLeft, i.overdue),
        requestId: randomUUID(),
      }));
      const chromeData = chrome(caller, reply);
      const done = (req.query as { done?: string }).done;
      return page(reply, status, 'home', {
        title: 'Мои задачи',
        caller: chromeData,
        csrf: chromeData.csrf,
        items,
        total: work.cases.total + work.tasks.total,
        overdueCount: items.filter((i) => i.overdue).length,
        // Each list is cut at PAGE_ROWS, the most urgent kept; the page says so.
        casesCut: work.cases.total > work.cases.shown ? { shown: work.cases.shown, total: work.cases.total } : null,
        tasksCut: work.tasks.total > work.tasks.shown ? { shown: work.tasks.shown, total: work.tasks.total } : null,
        flash: done ? DONE_RU[done] : undefined,
        problem,
      });
    }

    app.get('/inbox', async (req, reply) => {
      const caller = await callerOf(req, reply);
      if (caller) return renderHome(req, reply, caller);
    });

    app.get('/inbox/department', async (req, reply) => {
      const caller = await callerOf(req, reply);
      if (!caller) return;
      if (caller.role === 'clerk') throw new PageProblem(403, 'Недостаточно прав', 'Сводка подразделения доступна руководителю.');
      const at = now();
      const q = departmentQuery(req.query);
      // The API's scope: the caller's department (a clerk never gets here).
      const scope = api.access.caseListScope(caller, q.filter);
      const filter: CaseListFilter = { ...q.filter, now: at };
      const filtered = Object.keys(q.filter).some((k) => k !== 'open');
      // Nearest deadline first (the case list's `deadline` order; it has no "overdue first" order, and this is the
      // closest): every case whose deadline has passed comes before the others, cases without a deadline last. A
      // case flagged overdue whose deadline was moved later stands at its new deadline; the overdue count above the
      // table links to all overdue cases.
      const [list, all, matching, loads] = await Promise.all([
        listCases(api.pool, filter, { order: 'deadline', limit: DEPARTMENT_PAGE_ROWS, ...(q.cursor ? { cursor: q.cursor } : {}) }, scope),
        countCases(api.pool, { open: true, now: at }, scope),
        filtered ? countCases(api.pool, filter, scope) : null,
        // The per-clerk table on the first page only: the pages after it walk the cases.
        q.cursor ? null : queries.clerkLoads(caller.department, at, q.filter.clerk),
      ]).catch((err: unknown) => {
        // A cursor made for other filters, or not made by us: a query-string problem, as GET /cases answers it.
        throw err instanceof InputValidationError ? new RequestValidationError('querystring', err.problems) : err;
      });
      const items: WorkItem[] = list.items.map((r) => ({
        kind: 'case',
        applicationNumber: r.applicationNumber,
        title: `Заявление ${r.applicationNumber}`,
        detail: r.stage,
        dueAt: r.deadline ? new Date(r.deadline) : null,
        overdue: r.overdue,
        assignee: r.assignedClerk,
      }));
      const cases = withWorkingDaysLeft(items, at, config.calendar, config.timeZone).map((i) => ({ ...i, daysLeft: workingDaysLeftRu(i.workingDaysLeft, i.overdue) }));
      const oneStage = [q.filter.stage ?? []].flat();
      const clerkLink = (clerk: string | null) => departmentUrl(clerk === null ? [['unassigned', 'true']] : [['clerk', clerk]]);
      return page(reply, 200, 'department', {
        title: 'Подразделение',
        caller: chrome(caller, reply),
        cases,
        all,
        matching,
        allOverdueUrl: departmentUrl([['overdue', 'true']]),
        form: {
          clerk: q.filter.clerk ?? '',
          overdue: q.filter.overdue === true,
          stages: OPEN_STAGES.map((s) => ({ value: s, title: STAGE_TITLES_RU[s], selected: oneStage.length === 1 && oneStage[0] === s })),
          hidden: q.kept.filter(([k]) => !FORM_PARAMS.has(k)).map(([name, value]) => ({ name, value })),
        },
        filtered,
        nextUrl: list.nextCursor ? departmentUrl([...q.kept, ['cursor', list.nextCursor]]) : null,
        firstUrl: q.cursor ? departmentUrl(q.kept) : null,
        pageRows: DEPARTMENT_PAGE_ROWS,
        showClerks: loads !== null,
        clerks: loads ? loads.clerks.map((c) => ({ ...c, href: clerkLink(c.clerk) })) : [],
        clerksTotal: loads?.total ?? 0,
        clerksCut: loads !== null && loads.total > loads.clerks.length,
      });
    });

    async function renderCase(req: FastifyRequest, reply: FastifyReply, caller: Caller, applicationNumber: string, status = 200, problem?: string) {
      // The API's own check: a clerk sees only their cases, a head only their department's.
      await api.access.authorize(caller, applicationNumber);
      const snapshot = await api.client.state(applicationNumber);
      const [draft, details] = await Promise.all([
        snapshot.stage === 'decisionDrafted' ? api.client.refusalDraft(applicationNumber) : Promise.resolve(null),
        queries.caseDetails(applicationNumber),
      ]);
      const mayAct = caller.role === 'head' || (caller.role === 'clerk' && snapshot.assignedClerk === caller.subject);
      const next: InboxAction[] = !mayAct ? [] : snapshot.stage === 'decisionDrafted' && !draft ? ['approve'] : (NEXT_ACTIONS[snapshot.stage] ?? []);
      const deadline = snapshot.deadline ? new Date(snapshot.deadline) : null;
      const [ranked] = rankWorkItems(
        [{ kind: 'case', applicationNumber, title: '', detail: snapshot.stage, dueAt: deadline, overdue: snapshot.overdue, assignee: snapshot.assignedClerk }],
        now(),
        config.calendar,
        config.timeZone,
      );
      const chromeData = chrome(caller, reply);
      const done = (req.query as { done?: string }).done;
      return page(reply, status, 'case', {
        title: `Заявление ${applicationNumber}`,
        caller: chromeData,
        csrf: chromeData.csrf,
        snapshot,
        // A finished case has no time left to count.
        daysLeft: TERMINAL_STAGES.includes(snapshot.stage) ? 'рассмотрение завершено' : workingDaysLeftRu(ranked.workingDaysLeft, ranked.overdue),
        draft,
        groundsJson: draft ? JSON.stringify((draft as { grounds?: unknown }).grounds ?? draft.groundCodes.map((code) => ({ code, facts: {} })), null, 2) : '',
        canIssue: mayAct && !!draft,
        requestIds: { refuse: randomUUID(), amendRefusal: randomUUID() },
        actions: next.map((name) => ({ name, title: CLERK_ACTION_TITLES_RU[name], requestId: randomUUID() })),
        details,
        flash: done ? DONE_RU[done] : undefined,
        problem,
      });
    }

    app.get('/inbox/cases/:applicationNumber', async (req, reply) => {
      const params = CaseParams.safeParse(req.params);
      if (!params.success) throw new PageProblem(404, 'Нет такого заявления', firstIssue(params.error));
      const caller = await callerOf(req, reply);
      if (caller) return renderCase(req, reply, caller, params.data.applicationNumber);
    });

    /** Sends a write through the API's route with the caller's token and the form's request id. */
    async function viaApi(token: string, url: string, requestId: string, body?: unknown) {
      const res = await app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': requestId, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      if (res.statusCode < 400) return { ok: true as const };
      let text = `HTTP ${res.statusCode}`;
      try {
        const p = JSON.parse(res.body) as { title?: string; detail?: string; errors?: { field: string; rule: string }[] };
        text = [p.title, p.detail, ...(p.errors ?? []).map((e) => `${e.field}: ${e.rule}`)].filter(Boolean).join(' — ');
      } catch {
        /* not a problem document */
      }
      return { ok: false as const, status: res.statusCode, text };
    }

    app.post('/inbox/cases/:applicationNumber/actions/:action', { preHandler: app.csrfProtection }, async (req, reply) => {
      const params = CaseParams.safeParse(req.params);
      if (!params.success || !params.data.action) throw new PageProblem(404, 'Нет такого действия', params.success ? 'действие не указано' : firstIssue(params.error));
      const caller = await callerOf(req, reply);
      if (!caller) return;
      const { applicationNumber, action } = params.data;
      const form = ActionForm.safeParse(req.body);
      if (!form.success) return renderCase(req, reply, caller, applicationNumber, 400, firstIssue(form.error));
      const body: Record<string, unknown> = { clerk: caller.subject, ...(form.data.note ? { note: form.data.note } : {}) };
      if (action === 'amendRefusal') {
        try {
          body.grounds = JSON.parse(form.data.grounds ?? '');
        } catch {
          return renderCase(req, reply, caller, applicationNumber, 400, 'grounds: ожидается JSON-список оснований (JSON list expected)');
        }
      }
      const token = req.cookies[SESSION_COOKIE]!;
      const r = await viaApi(token, `/cases/${encodeURIComponent(applicationNumber)}/actions/${ACTION_PATHS[action]}`, form.data.requestId, body);
      if (!r.ok) return renderCase(req, reply, caller, applicationNumber, r.status, r.text);
      return reply.redirect(`/inbox/cases/${encodeURIComponent(applicationNumber)}?done=${action}`, 303);
    });

    app.post('/inbox/tasks/:taskId/acknowledge', { preHandler: app.csrfProtection }, async (req, reply) => {
      const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).safeParse((req.params as { taskId: string }).taskId);
      if (!id.success) throw new PageProblem(404, 'Нет такой задачи', 'номер задачи — целое положительное число');
      const caller = await callerOf(req, reply);
      if (!caller) return;
      const form = TaskForm.safeParse(req.body);
      if (!form.success) return renderHome(req, reply, caller, 400, firstIssue(form.error));
      const r = await viaApi(req.cookies[SESSION_COOKIE]!, `/tasks/${id.data}/acknowledge`, form.data.requestId);
      if (!r.ok) return renderHome(req, reply, caller, r.status, r.text);
      return reply.redirect('/inbox?done=acknowledge', 303);
    });
  }

  return { plugin: plugin as unknown as HttpApiPlugin['plugin'], sessionCookie: SESSION_COOKIE };
}
