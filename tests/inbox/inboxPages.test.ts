// The inbox's long lists over HTTP (fastify inject against the real PostgreSQL of the suite): the department page
// walks a department's open cases page by page through the case list (cases/caseList.ts), each case once, with the
// department's total; filters carried by the cursor's link; bad query strings refused with the API's field and
// rule; the per-clerk table cut with a notice; a clerk's own list says when it is cut at 500.
// The rows are the projection's, written directly as tests/cases does, in a department of this file's own (the
// suite's database holds every other suite's cases in the deployment's department).
import type { FastifyInstance } from 'fastify';
import { createCaseRecordActivities } from '../../activities/caseRecords';
import { ProductionCalendar } from '../../calendar/productionCalendar';
import { buildHttpApi } from '../../http/app';
import { TokenRegistry } from '../../http/auth';
import { DEPARTMENT_PAGE_ROWS, createInboxPlugin } from '../../inbox/plugin';
import { CLERK_ROWS, PAGE_ROWS } from '../../inbox/queries';
import { createTestContext, TEST_CODEC_KEYS, TestContext } from '../support/harness';

const pid = process.pid;
const DEPARTMENT = `inbox-pages-${pid}`;
const OTHER_DEPARTMENT = `inbox-pages-other-${pid}`;
// A department where one clerk's id is literally "—": the table must not take them for the unassigned cases.
const DASH_DEPARTMENT = `inbox-pages-dash-${pid}`;
// Friday 6 March 2026, 10:00 in Moscow: the pages' "now".
const NOW = new Date('2026-03-06T10:00:00+03:00');
const HEAVY = `heavy-${pid}`; // 510 open cases: more than a clerk's page holds
const LIGHT = `light-${pid}`; // 3 open cases
const OPEN_CASES = 1234; // more than any one page, and than the old silent bound of 500
const SPREAD = 140; // clerks sharing the middle of the cases: with HEAVY, LIGHT and "unassigned", more than CLERK_ROWS
const t = (name: string) => `inbox-pages-${name}-token-${'p'.repeat(32)}`;
const TOKENS = { head: t('head'), heavy: t('heavy'), light: t('light'), otherHead: t('other-head'), dashHead: t('dash-head') };
const no = (i: number) => `IP${pid}-${String(i).padStart(5, '0')}`;

let ctx: TestContext;
let app: FastifyInstance;

beforeAll(async () => {
  ctx = await createTestContext('inbox-pages');
  app = await buildHttpApi({
    client: ctx.cases,
    pool: ctx.pool,
    auth: new TokenRegistry(
      [
        { token: TOKENS.head, role: 'head', subject: `head-${pid}` },
        { token: TOKENS.heavy, role: 'clerk', subject: HEAVY },
        { token: TOKENS.light, role: 'clerk', subject: LIGHT },
        { token: TOKENS.otherHead, role: 'head', subject: `other-head-${pid}`, department: OTHER_DEPARTMENT },
        { token: TOKENS.dashHead, role: 'head', subject: `dash-head-${pid}`, department: DASH_DEPARTMENT },
      ],
      DEPARTMENT,
    ),
    codecKeys: TEST_CODEC_KEYS,
    department: 'department',
    extraPlugins: [createInboxPlugin({ calendar: new ProductionCalendar(), timeZone: 'Europe/Moscow', cookieSecret: 'inbox-pages-cookie-secret-0123456789', secureCookies: false, now: () => NOW })],
  });

  // Open cases: HEAVY's, then SPREAD clerks', then unassigned ones; deadlines from ten days ago to a month ahead with
  // many ties (the keyset's tie-breaker), a tenth without one, and a few flagged overdue whose deadline is ahead.
  await ctx.pool.query(
    `INSERT INTO applications (application_number, service_code, channel, received_at, stage, assigned_clerk, deadline, overdue)
     SELECT 'IP' || $1::text || '-' || lpad(i::text, 5, '0'), 'inbox-pages', 'epgu', $2::timestamptz - interval '40 days' + i * interval '1 minute',
            (ARRAY['received','registered','underReview','interagencyRequested','awaitingApplicant','decisionDrafted','approved'])[1 + i % 7],
            CASE WHEN i <= 510 THEN $3 WHEN i <= 1150 THEN 'clerk-' || $1::text || '-' || (i % $5::int) ELSE NULL END,
            CASE WHEN i % 10 = 0 THEN NULL ELSE $2::timestamptz + ((i % 40) - 10) * interval '1 day' END,
            i % 97 = 0
       FROM generate_series(1, $4::int) AS i`,
    [String(pid), NOW, HEAVY, OPEN_CASES, SPREAD],
  );
  // LIGHT's three, completed cases of the department (never listed), and another department's open cases.
  await ctx.pool.query(
    `INSERT INTO applications (application_number, service_code, channel, received_at, stage, assigned_clerk, deadline, completed_at, outcome)
     SELECT 'IP' || $1::text || '-L' || i, 'inbox-pages', 'epgu', $2::timestamptz - interval '3 days', 'underReview', $3, $2::timestamptz + i * interval '1 day', NULL, NULL FROM generate_series(1, 3) AS i
     UNION ALL
     SELECT 'IP' || $1::text || '-D' || i, 'inbox-pages', 'epgu', $2::timestamptz - interval '30 days', 'refused', $4, $2::timestamptz - interval '1 day', $2::timestamptz - interval '2 days', 'refused' FROM generate_series(1, 20) AS i
     UNION ALL
     SELECT 'IP' || $1::text || '-O' || i, 'inbox-pages', 'epgu', $2::timestamptz - interval '5 days', 'registered', 'other-clerk', $2::timestamptz - interval '1 day', NULL, NULL FROM generate_series(1, 30) AS i`,
    [String(pid), NOW, LIGHT, HEAVY],
  );
  await ctx.pool.query(
    `INSERT INTO api_cases (application_number, department, started_by)
     SELECT application_number, CASE WHEN application_number LIKE $2 THEN $4 ELSE $3 END, 'caseSystem:vis' FROM applications WHERE application_number LIKE $1`,
    [`IP${pid}-%`, `IP${pid}-O%`, DEPARTMENT, OTHER_DEPARTMENT],
  );
  await ctx.pool.query(
    `INSERT INTO applications (application_number, service_code, channel, received_at, stage, assigned_clerk, deadline)
     SELECT 'IQ' || $1::text || '-' || i, 'inbox-pages', 'epgu', $2::timestamptz - interval '3 days', 'underReview', CASE WHEN i <= 2 THEN '—' END, $2::timestamptz + interval '5 days'
       FROM generate_series(1, 3) AS i`,
    [String(pid), NOW],
  );
  await ctx.pool.query(`INSERT INTO api_cases (application_number, department, started_by) SELECT application_number, $2, 'caseSystem:vis' FROM applications WHERE application_number LIKE $1`, [`IQ${pid}-%`, DASH_DEPARTMENT]);
  const records = createCaseRecordActivities(ctx.pool);
  for (const [key, clerk, n] of [['h1', HEAVY, no(1)], ['h2', HEAVY, no(2)], ['l1', LIGHT, `IP${pid}-L1`]] as const) {
    await records.openClerkTask({ taskKey: `inbox-pages-${pid}-${key}`, applicationNumber: n, kind: 'escalation', assigneeRole: 'clerk', assignee: clerk, title: `Задача ${key}`, body: '—', dueAt: new Date(NOW.getTime() + 86_400_000).toISOString() });
  }
}, 120_000);

afterAll(async () => {
  await app?.close();
  await ctx?.close();
});

// ---- reading the pages ----

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#x3D;': '=', '&#x60;': '`' };
const decode = (s: string) => s.replace(/&(?:amp|lt|gt|quot|#x27|#x3D|#x60);/g, (e) => ENTITIES[e]!);
const text = (html: string) => decode(html.replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ');

async function get(url: string, token: string) {
  const res = await app.inject({ method: 'GET', url, cookies: { inbox_token: token } });
  return { status: res.statusCode, html: res.body };
}

const casesOn = (html: string) => [...html.matchAll(/data-case="([^"]+)"/g)].map((m) => decode(m[1]!));
const link = (html: string, id: string) => {
  const m = new RegExp(`<a href="([^"]+)"[^>]*id="${id}"`).exec(html);
  return m ? decode(m[1]!) : null;
};
const byId = (html: string, id: string) => {
  const m = new RegExp(`<p[^>]*id="${id}"[^>]*>([\\s\\S]*?)</p>`).exec(html);
  return m ? text(m[1]!) : null;
};
const fieldErrors = (html: string) => [...html.matchAll(/<li><code>([^<]*)<\/code> — ([^<]*)<\/li>/g)].map((m) => ({ field: decode(m[1]!), rule: decode(m[2]!) }));

/** Follows "Далее" from `start` to the last page: every case listed, and each page's HTML. */
async function walk(start: string, token = TOKENS.head): Promise<{ numbers: string[]; pages: string[]; urls: string[] }> {
  const numbers: string[] = [];
  const pages: string[] = [];
  const urls: string[] = [];
  let url: string | null = start;
  while (url) {
    const page = await get(url, token);
    expect(page.status).toBe(200);
    urls.push(url);
    pages.push(page.html);
    numbers.push(...casesOn(page.html));
    url = link(page.html, 'next-page');
    expect(pages.length).toBeLessThan(100);
  }
  return { numbers, pages, urls };
}

/** What the department holds, by SQL of this test's own: open cases, nearest deadline first (the page's order). */
async function expected(where = 'TRUE', values: unknown[] = []): Promise<{ numbers: string[]; overdue: number }> {
  const { rows } = await ctx.pool.query<{ application_number: string; overdue: boolean }>(
    `SELECT a.application_number, (a.overdue OR COALESCE(a.deadline < $1, false)) AS overdue FROM applications a JOIN api_cases c USING (application_number)
      WHERE c.department = $2 AND a.completed_at IS NULL AND ${where} ORDER BY a.deadline NULLS LAST, a.application_number`,
    [NOW, DEPARTMENT, ...values],
  );
  return { numbers: rows.map((r) => r.application_number), overdue: rows.filter((r) => r.overdue).length };
}

// ---- the department page ----

describe('the department page lists every open case, page by page', () => {
  test('walking "Далее" lists each open case of the department exactly once, in deadline order, with the total', async () => {
    const all = await expected();
    expect(all.numbers.length).toBe(OPEN_CASES + 3);
    const { numbers, pages, urls } = await walk('/inbox/department');
    expect(numbers).toEqual(all.numbers); // every one, once, in order: no completed case, none of another department
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(pages.length).toBe(Math.ceil(all.numbers.length / DEPARTMENT_PAGE_ROWS));
    for (const html of pages) {
      // Every page says how many there are in all, so one page is not taken for the list.
      expect(byId(html, 'department-total')).toBe(`Открытых заявлений в подразделении: ${all.numbers.length}, из них просрочено: ${all.overdue} (показать все просроченные).`);
      expect(text(html)).toContain(`из ${all.numbers.length}, по ${DEPARTMENT_PAGE_ROWS} на странице`);
    }
    // The first page has no way back and the clerk table; the pages after it lead back to the start.
    expect(link(pages[0]!, 'first-page')).toBeNull();
    expect(pages[0]).toContain('id="clerks-h"');
    for (const html of pages.slice(1)) {
      expect(link(html, 'first-page')).toBe('/inbox/department');
      expect(html).not.toContain('id="clerks-h"');
    }
    expect(urls.slice(1).every((u) => /^\/inbox\/department\?cursor=[A-Za-z0-9_-]+$/.test(u))).toBe(true);
    expect(text(pages[pages.length - 1]!)).toContain('Это последняя страница.');
    // Overdue rows are marked in text, not colour alone.
    expect(text(pages[0]!)).toContain('Просрочено просрочено на');
  });

  test('filters (clerk, stage, only overdue) are carried by the cursor\'s link to the last page', async () => {
    const cases: [string, string, unknown[]][] = [
      [`clerk=${HEAVY}`, 'a.assigned_clerk = $3', [HEAVY]],
      [`clerk=${HEAVY}&overdue=true`, 'a.assigned_clerk = $3 AND (a.overdue OR COALESCE(a.deadline < $1, false))', [HEAVY]],
      ['stage=underReview', "a.stage = 'underReview'", []],
      ['overdue=true', '(a.overdue OR COALESCE(a.deadline < $1, false))', []],
      // As the page's own form sends it: empty fields are absent.
      ['clerk=&stage=registered', "a.stage = 'registered'", []],
    ];
    for (const [query, where, values] of cases) {
      const want = await expected(where, values);
      expect(want.numbers.length).toBeGreaterThan(DEPARTMENT_PAGE_ROWS); // more than one page
      const { numbers, pages, urls } = await walk(`/inbox/department?${query}`);
      expect(numbers).toEqual(want.numbers);
      for (const [i, u] of urls.entries()) {
        const params = new URLSearchParams(u.split('?')[1]);
        for (const [k, v] of new URLSearchParams(query)) if (v !== '') expect(params.get(k)).toBe(v);
        expect(params.has('cursor')).toBe(i > 0);
        expect(byId(pages[i]!, 'matching-total')).toBe(`По фильтру: ${want.numbers.length}, из них просрочено: ${want.overdue}.`);
      }
      // "Назад к началу" keeps the filter and drops the cursor.
      const back = link(pages[1]!, 'first-page')!;
      expect(new URLSearchParams(back.split('?')[1]).has('cursor')).toBe(false);
      expect(casesOn((await get(back, TOKENS.head)).html)).toEqual(want.numbers.slice(0, DEPARTMENT_PAGE_ROWS));
    }
  });

  test('only-overdue includes the cases flagged overdue whose deadline was moved ahead', async () => {
    const flagged = await expected('a.overdue AND a.deadline > $1');
    expect(flagged.numbers.length).toBeGreaterThan(0);
    const { numbers } = await walk('/inbox/department?overdue=true');
    for (const n of flagged.numbers) expect(numbers).toContain(n);
  });

  test('the per-clerk table: the worst first, cut with "показаны первые N из M", one clerk\'s row by the filter', async () => {
    const clerks = SPREAD + 3; // HEAVY, LIGHT, the spread, and "не назначен"
    expect(clerks).toBeGreaterThan(CLERK_ROWS);
    const first = (await get('/inbox/department', TOKENS.head)).html;
    expect(byId(first, 'clerks-cut')).toBe(`Показаны первые ${CLERK_ROWS} из ${clerks} исполнителей — с наибольшим числом просроченных, затем открытых заявлений. Остальных покажет фильтр по исполнителю.`);
    const rows = [...first.matchAll(/<tr class="[^"]*"><td data-label="Исполнитель"><a href="([^"]+)">([^<]+)<\/a><\/td><td data-label="Открыто">(\d+)<\/td><td data-label="Просрочено">(\d+)<\/td><td data-label="Задач">(\d+)<\/td><\/tr>/g)].map((m) => ({
      href: decode(m[1]!),
      clerk: decode(m[2]!),
      open: Number(m[3]),
      overdue: Number(m[4]),
      tasks: Number(m[5]),
    }));
    expect(rows).toHaveLength(CLERK_ROWS);
    expect(rows[0]).toEqual({ href: `/inbox/department?clerk=${HEAVY}`, clerk: HEAVY, open: 510, overdue: (await expected('a.assigned_clerk = $3 AND (a.overdue OR COALESCE(a.deadline < $1, false))', [HEAVY])).numbers.length, tasks: 2 });
    const overdueCounts = rows.map((r) => r.overdue);
    expect(overdueCounts).toEqual([...overdueCounts].sort((a, b) => b - a));
    const unassigned = rows.find((r) => r.clerk === 'не назначен');
    expect(unassigned?.href).toBe('/inbox/department?unassigned=true');

    // A clerk outside the first CLERK_ROWS is one filter away: their row alone, no cut notice.
    const light = (await get(`/inbox/department?clerk=${LIGHT}`, TOKENS.head)).html;
    expect(byId(light, 'clerks-cut')).toBeNull();
    expect(light).toMatch(new RegExp(`<a href="/inbox/department\\?clerk&#x3D;${LIGHT}">${LIGHT}</a></td><td data-label="Открыто">3</td><td data-label="Просрочено">0</td><td data-label="Задач">1</td>`));
    expect(casesOn(light)).toEqual([`IP${pid}-L1`, `IP${pid}-L2`, `IP${pid}-L3`]);
    // The unassigned ones through the row's link.
    expect((await walk('/inbox/department?unassigned=true')).numbers).toEqual((await expected('a.assigned_clerk IS NULL')).numbers);
  });
});

describe('a bad query string is refused as GET /cases refuses it: 400, the field and the rule', () => {
  const refusedAlike = async (query: string, field: string, rule: RegExp) => {
    const page = await get(`/inbox/department?${query}`, TOKENS.head);
    expect(page.status).toBe(400);
    expect(page.html).toContain('Запрос не прошёл проверку: параметры запроса');
    const errors = fieldErrors(page.html);
    expect(errors).toContainEqual({ field, rule: expect.stringMatching(rule) });
    return errors;
  };
  const api = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/cases?${query}`, headers: { authorization: `Bearer ${TOKENS.head}` } });
    expect(res.statusCode).toBe(400);
    return (JSON.parse(res.body) as { errors: { field: string; rule: string }[] }).errors;
  };

  test.each([
    ['stage=closed', 'querystring.stage[0]', /одна из стадий/],
    ['overdue=yes', 'querystring.overdue', /true или false/],
    [`clerk=${'x'.repeat(101)}`, 'querystring.clerk', /не более 100/],
    ['cursor=not%20a%20cursor!', 'querystring.cursor', /nextCursor/],
    [`clerk=${HEAVY}&unassigned=true`, 'querystring.unassigned', /не вместе с clerk|нельзя вместе с clerk/],
    ['department=other', 'querystring.(root)', /неизвестные параметры: department/],
  ])('%s → %s', async (query, field, rule) => {
    const errors = await refusedAlike(query, field, rule);
    expect(errors).toEqual(await api(query)); // the API's very words
  });

  test('the page fixes open, order and limit itself', async () => {
    for (const p of ['open=false', 'order=received', 'limit=5']) await refusedAlike(p, `querystring.${p.split('=')[0]}`, /страница подразделения показывает открытые заявления/);
  });

  test('a forged cursor, or one made for other filters, is refused naming the cursor', async () => {
    const forged = Buffer.from(JSON.stringify({ v: 1, o: 'deadline', k: null, n: 'x', f: 'forged' })).toString('base64url');
    const e1 = await refusedAlike(`cursor=${forged}`, 'querystring.cursor', /других фильтров/);
    expect(e1).toEqual(await api(`cursor=${forged}`));
    await refusedAlike(`cursor=${Buffer.from('[1,2,3]').toString('base64url')}`, 'querystring.cursor', /nextCursor/);

    const next = link((await get(`/inbox/department?clerk=${HEAVY}`, TOKENS.head)).html, 'next-page')!;
    const cursor = new URLSearchParams(next.split('?')[1]).get('cursor')!;
    // The cursor of HEAVY's list with another filter, and without the filter at all.
    const other = await refusedAlike(`stage=underReview&cursor=${cursor}`, 'querystring.cursor', /выдан для других фильтров/);
    expect(other).toEqual(await api(`stage=underReview&cursor=${cursor}`));
    await refusedAlike(`cursor=${cursor}`, 'querystring.cursor', /выдан для других фильтров/);
    // With its own filter it still works.
    expect((await get(next, TOKENS.head)).status).toBe(200);
  });
});

describe('role scope', () => {
  test('a clerk may not open the department page, with or without a filter', async () => {
    for (const url of ['/inbox/department', `/inbox/department?clerk=${HEAVY}`, '/inbox/department?stage=closed']) {
      const page = await get(url, TOKENS.heavy);
      expect(page.status).toBe(403);
      expect(page.html).toContain('Сводка подразделения доступна руководителю.');
    }
  });

  test('a clerk whose id is "—" is a clerk, not the unassigned cases', async () => {
    const html = (await get('/inbox/department', TOKENS.dashHead)).html;
    const rows = [...html.matchAll(/<td data-label="Исполнитель"><a href="([^"]+)">([^<]+)<\/a><\/td><td data-label="Открыто">(\d+)<\/td>/g)].map((m) => [decode(m[1]!), decode(m[2]!), Number(m[3])]);
    expect(rows).toEqual([
      [`/inbox/department?clerk=${encodeURIComponent('—')}`, '—', 2],
      ['/inbox/department?unassigned=true', 'не назначен', 1],
    ]);
    expect(casesOn((await get(rows[0]![0] as string, TOKENS.dashHead)).html).sort()).toEqual([`IQ${pid}-1`, `IQ${pid}-2`]);
    expect(casesOn((await get(rows[1]![0] as string, TOKENS.dashHead)).html)).toEqual([`IQ${pid}-3`]);
  });

  test("another department's head sees their own department only", async () => {
    const { numbers, pages } = await walk('/inbox/department', TOKENS.otherHead);
    expect(numbers.filter((n) => n.startsWith(`IP${pid}-`)).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `IP${pid}-O${i + 1}`).sort());
    expect(byId(pages[0]!, 'department-total')).toBe('Открытых заявлений в подразделении: 30, из них просрочено: 30 (показать все просроченные).');
    // Asking for this department's clerk from there shows nothing of this department.
    expect(casesOn((await get(`/inbox/department?clerk=${HEAVY}`, TOKENS.otherHead)).html)).toEqual([]);
  });
});

// ---- a clerk's own page ----

describe("a clerk's own list says when it is cut", () => {
  test(`over ${PAGE_ROWS} open cases: "показаны первые ${PAGE_ROWS} из M", the most urgent kept`, async () => {
    const page = await get('/inbox', TOKENS.heavy);
    expect(page.status).toBe(200);
    expect(byId(page.html, 'cases-cut')).toBe(
      `Показаны первые ${PAGE_ROWS} из 510 открытых заявлений — самые срочные. Остальные — на странице подразделения (фильтр по исполнителю, у руководителя) и в списке заявлений API (GET /cases).`,
    );
    expect(byId(page.html, 'tasks-cut')).toBeNull();
    const rows = [...page.html.matchAll(/<tr class="[^"]*" data-kind="(task|case)">/g)].map((m) => m[1]);
    expect(rows.filter((k) => k === 'case')).toHaveLength(PAGE_ROWS);
    expect(rows.filter((k) => k === 'task')).toHaveLength(2);
    expect(text(page.html)).toContain(`Всего: 512 (показано ${PAGE_ROWS + 2})`);
    // Every overdue case of the clerk is among the ones shown, and the ten cut are the least urgent.
    const heavy = await expected('a.assigned_clerk = $3', [HEAVY]);
    const shown = new Set([...page.html.matchAll(/<a href="\/inbox\/cases\/([^"]+)">/g)].map((m) => decode(m[1]!)));
    const { rows: overdue } = await ctx.pool.query<{ n: string }>(
      `SELECT application_number AS n FROM applications WHERE assigned_clerk = $1 AND completed_at IS NULL AND (overdue OR deadline < $2)`,
      [HEAVY, NOW],
    );
    expect(overdue.length).toBeGreaterThan(0);
    for (const r of overdue) expect(shown.has(r.n)).toBe(true);
    expect(heavy.numbers.filter((n) => !shown.has(n))).toEqual(heavy.numbers.slice(-10));
  });

  test('within the bound: no notice, every case and task', async () => {
    const page = await get('/inbox', TOKENS.light);
    expect(page.status).toBe(200);
    expect(byId(page.html, 'cases-cut')).toBeNull();
    expect(byId(page.html, 'tasks-cut')).toBeNull();
    expect(page.html).not.toContain('Показаны первые');
    expect([...page.html.matchAll(/data-kind="(task|case)"/g)].map((m) => m[1]).sort()).toEqual(['case', 'case', 'case', 'task']);
    expect(text(page.html)).toContain('Всего: 4, просрочено: 0.');
  });
});
