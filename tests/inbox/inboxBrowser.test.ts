// The clerk inbox in a real headless browser (Debian's chromium driven by playwright-core) against the real
// stack: Temporal dev server, PostgreSQL, a production-built worker and the HTTP API with the inbox mounted.
// A clerk logs in with the keyboard, sees the overdue task first, opens the case, previews the refusal letter and
// issues it; the page's action goes through the API's idempotent path. Screenshots go to .data/test/inbox.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createCaseRecordActivities } from '../../activities/caseRecords';
import { ProductionCalendar } from '../../calendar/productionCalendar';
import { buildHttpApi } from '../../http/app';
import { TokenRegistry } from '../../http/auth';
import { createInboxPlugin } from '../../inbox/plugin';
import { createTestContext, sampleApplication, TEST_CODEC_KEYS, TestContext, uniqueNumber } from '../support/harness';

// Browser globals for the functions page.evaluate runs in the page (the project's lib has no DOM types).
interface PageElement { tagName: string; className: string; getBoundingClientRect(): { right: number } }
declare const document: { activeElement: { textContent: string | null } | null; cookie: string; querySelectorAll(s: string): ArrayLike<PageElement> };
declare const window: { innerWidth: number };
declare function getComputedStyle(e: unknown, pseudo: string): { content: string };

const SHOTS = path.resolve(__dirname, '../../.data/test/inbox');
// A clerk of its own: other suites' tasks for other clerks never enter this list.
const CLERK = `smirnova-${process.pid}`;
// The callers' department of their own: the shared test database holds every other suite's cases in the
// deployment's default department, and the department page's clerk table shows the CLERK_ROWS worst clerks.
const DEPARTMENT = `inbox-department-${process.pid}`;
const TOKENS = { clerk: `inbox-clerk-token-${'c'.repeat(32)}`, head: `inbox-head-token-${'h'.repeat(32)}`, vis: `inbox-vis-token-${'v'.repeat(32)}` };
const GROUNDS = [
  { code: 'missing-documents', facts: { missingDocuments: ['положительное заключение экспертизы проектной документации'] } },
];
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let ctx: TestContext;
let app: FastifyInstance;
let base: string;
let browser: BrowserContext;
let userDataDir: string;
const refusalCase = uniqueNumber('INBOX-R');
const overdueTaskTitle = `Срок регистрации заявления истёк (${process.pid})`;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  ctx = await createTestContext('inbox');
  await ctx.startWorker();
  app = await buildHttpApi({
    client: ctx.cases,
    pool: ctx.pool,
    auth: new TokenRegistry(
      [
        { token: TOKENS.clerk, role: 'clerk', subject: CLERK },
        { token: TOKENS.head, role: 'head', subject: 'kuznetsov' },
        { token: TOKENS.vis, role: 'caseSystem', subject: 'vis' },
      ],
      DEPARTMENT,
    ),
    codecKeys: TEST_CODEC_KEYS,
    department: 'department',
    extraPlugins: [createInboxPlugin({ calendar: new ProductionCalendar(), timeZone: 'Europe/Moscow', cookieSecret: 'inbox-test-cookie-secret-0123456789', secureCookies: false })],
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  // A case waiting for the refusal to be issued, and two tasks: one overdue, one due in a week.
  await ctx.cases.startApplication(sampleApplication({ applicationNumber: refusalCase, serviceCode: 'construction-permit', assignedClerk: CLERK }));
  // As if the case system had started it over the API: the case belongs to the callers' department.
  await ctx.pool.query(`INSERT INTO api_cases (application_number, department, started_by) VALUES ($1, $2, 'caseSystem:vis')`, [refusalCase, DEPARTMENT]);
  await ctx.cases.act(refusalCase, 'register', { clerk: CLERK });
  await ctx.cases.act(refusalCase, 'startReview', { clerk: CLERK });
  await ctx.cases.act(refusalCase, 'draftDecision', { clerk: CLERK, outcome: 'refuse', grounds: GROUNDS });
  const rec = createCaseRecordActivities(ctx.pool);
  const day = 24 * 3600 * 1000;
  await rec.openClerkTask({ taskKey: `inbox-later-${process.pid}`, applicationNumber: refusalCase, kind: 'stageTerm:interagencyRequested', assigneeRole: 'clerk', assignee: CLERK, title: 'Проверить ответ на межведомственный запрос', body: '—', dueAt: new Date(Date.now() + 7 * day).toISOString() });
  await rec.openClerkTask({ taskKey: `inbox-overdue-${process.pid}`, applicationNumber: refusalCase, kind: 'stageTerm:received', assigneeRole: 'clerk', assignee: CLERK, title: overdueTaskTitle, body: '—', dueAt: new Date(Date.now() - 3 * day).toISOString() });

  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inbox-chromium-'));
  // A persistent context is how playwright takes a fresh --user-data-dir of our own.
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    locale: 'ru-RU',
    timeout: 60_000,
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await ctx?.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
});

async function noHorizontalScroll(page: Page): Promise<void> {
  // The elements that stick out, named, so a failure says what to fix.
  const wide = await page.evaluate(() =>
    Array.from(document.querySelectorAll('body *'))
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`)
      .slice(0, 5),
  );
  expect(wide).toEqual([]);
}

test('a clerk logs in, sees the overdue task first, previews the refusal letter and issues it', async () => {
  const page = await browser.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${base}/inbox`);
  expect(new URL(page.url()).pathname).toBe('/inbox/login');

  // Keyboard only: the skip link first, then the labelled token field; Enter submits.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Перейти к содержимому');
  const token = page.getByLabel('Токен доступа');
  await token.focus();
  await page.keyboard.type(TOKENS.clerk);
  await Promise.all([page.waitForURL(`${base}/inbox`), page.keyboard.press('Enter')]);

  const cookies = await browser.cookies(`${base}/inbox`);
  const session = cookies.find((c) => c.name === 'inbox_token');
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/inbox' });
  expect(await page.evaluate(() => document.cookie)).not.toContain('inbox_token');

  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Мои задачи и заявления');
  const rows = page.locator('table.work tbody tr');
  expect(await rows.count()).toBe(3); // two tasks and the case
  const first = rows.first();
  await expect(first.getAttribute('class')).resolves.toContain('overdue');
  expect(await first.textContent()).toContain(overdueTaskTitle);
  expect(await first.textContent()).toMatch(/Просрочено\s*просрочено на \d+ рабоч/);
  expect(await rows.nth(1).textContent()).toMatch(/осталось \d+ рабоч/);
  await page.screenshot({ path: path.join(SHOTS, 'inbox-1280x800.png'), fullPage: true });
  await noHorizontalScroll(page);

  await page.getByRole('link', { name: refusalCase }).first().click();
  await page.waitForURL(`${base}/inbox/cases/${refusalCase}`);
  await expect(page.locator('#stage').textContent()).resolves.toBe('Подготовлен проект решения');
  const letter = page.getByRole('document', { name: 'Текст письма об отказе' });
  expect(await letter.textContent()).toContain('положительное заключение экспертизы проектной документации');
  await page.screenshot({ path: path.join(SHOTS, 'case-1280x800.png'), fullPage: true });

  // Amend: a malformed list is refused on the card naming the field; a corrected one renders the letter again.
  await page.getByText('Изменить основания отказа').click();
  const grounds = page.getByLabel('Основания (JSON: список объектов с полями code и facts)');
  await grounds.fill('[{"code": "missing-documents"');
  await Promise.all([page.waitForURL(/\/actions\/amendRefusal$/), page.getByRole('button', { name: 'Сформировать письмо заново' }).click()]);
  expect(await page.getByRole('alert').textContent()).toContain('grounds: ожидается JSON-список оснований');
  await page.getByText('Изменить основания отказа').click();
  await page.getByLabel('Основания (JSON: список объектов с полями code и facts)').fill(
    JSON.stringify([{ code: 'missing-documents', facts: { missingDocuments: ['результаты инженерных изысканий'] } }]),
  );
  await Promise.all([page.waitForURL(`${base}/inbox/cases/${refusalCase}?done=amendRefusal`), page.getByRole('button', { name: 'Сформировать письмо заново' }).click()]);
  expect(await letter.textContent()).toContain('результаты инженерных изысканий');
  expect(await page.locator('.letter > p.help').first().textContent()).toContain('Версия 2');

  const issueForm = page.locator('form.issue');
  const requestId = await issueForm.locator('input[name=requestId]').inputValue();
  await page.getByLabel('Комментарий к решению (необязательно)').fill('Письмо проверено');
  await Promise.all([page.waitForURL(/\?done=refuse$|\/actions\/refuse$/), page.getByRole('button', { name: 'Утвердить отказ и направить письмо заявителю' }).click()]);
  expect(await page.getByRole('alert').allTextContents()).toEqual([]); // an API refusal would be shown here
  expect(page.url()).toBe(`${base}/inbox/cases/${refusalCase}?done=refuse`);
  await expect(page.getByRole('status').textContent()).resolves.toBe('Отказ утверждён, письмо направлено заявителю.');
  await expect(page.locator('#stage').textContent()).resolves.toBe('Отказано в предоставлении услуги');
  expect((await ctx.cases.state(refusalCase)).stage).toBe('refused');

  // The same form sent again (a double click, a reload) carries the same request id: the case changes once.
  const csrf = await page.locator('input[name=_csrf]').first().inputValue();
  const again = await page.request.post(`${base}/inbox/cases/${refusalCase}/actions/refuse`, { form: { _csrf: csrf, requestId, note: 'Письмо проверено' }, maxRedirects: 0 });
  expect(again.status()).toBe(303);
  const history = await ctx.cases.history(refusalCase);
  expect(history.filter((e) => e.action === 'refuse')).toHaveLength(1);
  const { rows: audit } = await ctx.pool.query(`SELECT operation, outcome, actor_subject FROM api_audit WHERE target = $1 AND operation = 'refuse' ORDER BY id`, [refusalCase]);
  expect(audit).toEqual([
    { operation: 'refuse', outcome: 'done', actor_subject: CLERK },
    { operation: 'refuse', outcome: 'replayed', actor_subject: CLERK },
  ]);

  // A form post without the CSRF token is refused and changes nothing.
  const forged = await page.request.post(`${base}/inbox/tasks/1/acknowledge`, { form: { requestId: 'forged-1' }, maxRedirects: 0 });
  expect(forged.status()).toBe(403);
  expect(await forged.text()).toContain('Форма устарела');
  await page.close();
});

test('at phone width (390×844) the list and the card stay in one column without sideways scrolling', async () => {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/inbox`);
  expect(new URL(page.url()).pathname).toBe('/inbox'); // still logged in (the cookie)
  await page.screenshot({ path: path.join(SHOTS, 'inbox-390x844.png'), fullPage: true });
  await noHorizontalScroll(page);
  // Stacked rows keep their column names for the reader.
  await expect(page.locator('table.work tbody tr').first().locator('td').first().evaluate((td) => getComputedStyle(td, '::before').content)).resolves.toBe('"Срок"');
  await page.goto(`${base}/inbox/cases/${refusalCase}`);
  await page.screenshot({ path: path.join(SHOTS, 'case-390x844.png'), fullPage: true });
  await noHorizontalScroll(page);
  await page.close();
});

test("the head sees the department; a clerk may not, and a wrong token does not log in", async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/inbox/department`);
  expect((await page.request.get(`${base}/inbox/department`)).status()).toBe(403);
  await page.goto(`${base}/inbox`);
  await Promise.all([page.waitForURL(`${base}/inbox/login`), page.getByRole('button', { name: 'Выйти' }).click()]);

  await page.getByLabel('Токен доступа').fill(`wrong-token-${'w'.repeat(32)}`);
  await page.getByRole('button', { name: 'Войти' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toContain('Токен не принят');

  await page.getByLabel('Токен доступа').fill(TOKENS.head);
  await Promise.all([page.waitForURL(`${base}/inbox`), page.getByRole('button', { name: 'Войти' }).click()]);
  await page.getByRole('link', { name: 'Подразделение' }).click();
  await page.waitForURL(`${base}/inbox/department`);
  const clerkRow = page.locator('tr', { hasText: CLERK });
  expect(await clerkRow.count()).toBeGreaterThan(0);
  expect(await page.locator('#department-total').textContent()).toMatch(/^Открытых заявлений в подразделении: \d+, из них просрочено: \d+/);
  await page.screenshot({ path: path.join(SHOTS, 'department-1280x800.png'), fullPage: true });
  await noHorizontalScroll(page);

  // The filter form by keyboard: the clerk's id and Enter narrow the page to that clerk (empty fields stay out).
  const clerkField = page.getByLabel('Исполнитель', { exact: true });
  await clerkField.fill(CLERK);
  await Promise.all([page.waitForURL(/\/inbox\/department\?clerk=/), clerkField.press('Enter')]);
  expect(new URL(page.url()).searchParams.get('clerk')).toBe(CLERK);
  expect(await page.locator('section[aria-labelledby=clerks-h] tbody tr').count()).toBe(1);
  expect(await page.locator('#matching-total').textContent()).toMatch(/^По фильтру: \d+/);
  await page.close();
});
