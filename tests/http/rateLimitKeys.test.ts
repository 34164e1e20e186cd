// Whose bucket a request counts against (http/rateLimitKey.ts). Clerks of a department reach the worker through
// one proxy, so one address: each known caller has the bucket of their token, from the API's Authorization header
// or the inbox's session cookie, and a clerk's pages and API calls share it. Made-up and expired tokens count
// against their address, so inventing tokens opens no fresh buckets. fastify inject sets each request's address.
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { ProductionCalendar } from '../../calendar/productionCalendar';
import { buildHttpApi } from '../../http/app';
import { TokenRegistry } from '../../http/auth';
import { createInboxPlugin } from '../../inbox/plugin';
import { createTestContext, TEST_CODEC_KEYS, TestContext } from '../support/harness';

const RATE = 20;
const t = (name: string) => `rate-${name}-token-${'r'.repeat(32)}`;
const TOKENS = { ivanova: t('ivanova'), petrov: t('petrov'), expired: t('expired') };
const PROXY = '10.20.30.40';

let ctx: TestContext;
let app: FastifyInstance;

beforeAll(async () => {
  ctx = await createTestContext('rate-limit-keys');
  app = await buildHttpApi({
    client: ctx.cases,
    pool: ctx.pool,
    auth: new TokenRegistry(
      [
        { token: TOKENS.ivanova, role: 'clerk', subject: `ivanova-${process.pid}` },
        { token: TOKENS.petrov, role: 'clerk', subject: `petrov-${process.pid}` },
        { token: TOKENS.expired, role: 'clerk', subject: `old-${process.pid}`, expiresAt: '2020-01-01T00:00:00Z' },
      ],
      `rate-department-${process.pid}`,
    ),
    codecKeys: TEST_CODEC_KEYS,
    department: 'department',
    limits: { ratePerMinute: RATE },
    extraPlugins: [createInboxPlugin({ calendar: new ProductionCalendar(), timeZone: 'Europe/Moscow', cookieSecret: 'rate-limit-cookie-secret-0123456789', secureCookies: false })],
  });
});
afterAll(async () => {
  await app?.close();
  await ctx?.close();
});

const inboxPage = (token: string, remoteAddress: string) =>
  app.inject({ method: 'GET', url: '/inbox', remoteAddress, headers: { cookie: `inbox_token=${encodeURIComponent(token)}` } });
const apiTasks = (token: string | null, remoteAddress: string) =>
  app.inject({ method: 'GET', url: '/tasks', remoteAddress, headers: token === null ? {} : { authorization: `Bearer ${token}` } });

test("clerks behind one proxy each have their own bucket; a clerk's inbox pages and API calls share it", async () => {
  for (let i = 0; i < RATE; i++) expect((await inboxPage(TOKENS.ivanova, PROXY)).statusCode).toBe(200);
  expect((await inboxPage(TOKENS.ivanova, PROXY)).statusCode).toBe(429);
  // Her API calls count against the same bucket as her pages.
  const api = await apiTasks(TOKENS.ivanova, PROXY);
  expect(api.statusCode).toBe(429);
  expect(Number(api.headers['retry-after'])).toBeGreaterThan(0);
  // Her colleague at the same address, by page and by API, and the address itself are untouched.
  expect((await inboxPage(TOKENS.petrov, PROXY)).statusCode).toBe(200);
  expect((await apiTasks(TOKENS.petrov, PROXY)).statusCode).toBe(200);
  expect((await app.inject({ method: 'GET', url: '/health', remoteAddress: PROXY })).statusCode).toBe(200);
});

test('made-up and expired tokens count against their address, whatever token each request invents', async () => {
  const attacker = '10.99.0.1';
  const statuses: number[] = [];
  for (let i = 0; i < RATE + 1; i++) {
    const invented = randomBytes(24).toString('base64url');
    const r = i % 3 === 0 ? await inboxPage(invented, attacker) : i % 3 === 1 ? await apiTasks(invented, attacker) : await apiTasks(TOKENS.expired, attacker);
    statuses.push(r.statusCode);
  }
  // RATE requests answered (401s and the inbox's redirects to its login), the next one refused.
  expect(statuses.slice(0, RATE).every((s) => s === 401 || s === 303)).toBe(true);
  expect(statuses[RATE]).toBe(429);
  expect((await apiTasks(null, attacker)).statusCode).toBe(429);
  // A real clerk at that address still has her own bucket.
  expect((await apiTasks(TOKENS.petrov, attacker)).statusCode).toBe(200);
});

test('an oversized or malformed cookie header is no token: the address pays', async () => {
  const address = '10.77.0.1';
  const huge = `inbox_token=${encodeURIComponent(TOKENS.ivanova)}; pad=${'x'.repeat(9000)}`;
  const malformed = `inbox_token=%E0%A4%A`;
  for (let i = 0; i < RATE; i++) {
    const r = await app.inject({ method: 'GET', url: '/health', remoteAddress: address, headers: { cookie: i % 2 ? huge : malformed } });
    expect(r.statusCode).toBe(200);
  }
  expect((await app.inject({ method: 'GET', url: '/health', remoteAddress: address })).statusCode).toBe(429);
});
