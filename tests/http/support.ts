// The HTTP API over a real stack (Temporal dev server, PostgreSQL, ЕЛК emulator, a production-built worker),
// listening on a loopback socket and driven with fetch, every answer checked against the committed OpenAPI document.
import Ajv2020 from 'ajv/dist/2020';
import type { FastifyInstance } from 'fastify';
import { buildHttpApi, HttpApiLimits } from '../../http/app';
import { createRatingRouter } from '../../feedback';
import { ApiToken, TokenRegistry } from '../../http/auth';
import openapi from '../../http/openapi.json';
import { createTestContext, TEST_CODEC_KEYS, TestContext } from '../support/harness';

export const DEPARTMENT = 'department';

const t = (name: string) => `test-token-${name}-${'x'.repeat(32)}`;
export const TOKENS = {
  caseSystem: t('vis'),
  ivanova: t('ivanova'),
  petrov: t('petrov'),
  head: t('head'),
  otherHead: t('other-head'),
  management: t('management'),
  operator: t('operator'),
  expired: t('expired'),
} as const;

export const TOKEN_LIST: ApiToken[] = [
  { token: TOKENS.caseSystem, role: 'caseSystem', subject: 'vis' },
  { token: TOKENS.ivanova, role: 'clerk', subject: 'ivanova' },
  { token: TOKENS.petrov, role: 'clerk', subject: 'petrov' },
  { token: TOKENS.head, role: 'head', subject: 'kuznetsov' },
  { token: TOKENS.otherHead, role: 'head', subject: 'orlov', department: 'other-department' },
  { token: TOKENS.management, role: 'management', subject: 'volkov' },
  { token: TOKENS.operator, role: 'operator', subject: 'it-duty' },
  { token: TOKENS.expired, role: 'clerk', subject: 'ivanova', expiresAt: '2020-01-01T00:00:00Z' },
];

type Doc = typeof openapi & { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
const doc = openapi as unknown as Doc;
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(doc as object, 'openapi');
const pointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** (method path status) triples seen, so the contract test can require every operation answered. */
export const covered = new Set<string>();

export interface ApiCall {
  method: 'GET' | 'POST';
  /** OpenAPI path template, e.g. /cases/{applicationNumber}/actions/register. */
  path: string;
  params?: Record<string, string | number>;
  query?: Record<string, string>;
  token?: string | null;
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
  rawBody?: string;
}

export interface ApiAnswer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/** Checks one answer against the OpenAPI document: declared status, content type and body schema. */
export function assertPerContract(method: string, path: string, status: number, contentType: string | undefined, body: unknown): void {
  const op = doc.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`not in the OpenAPI document: ${method} ${path}`);
  const resp = op.responses[String(status)];
  if (!resp) throw new Error(`${method} ${path}: status ${status} not declared`);
  covered.add(`${method} ${path} ${status}`);
  if (!resp.content) return;
  const mediaType = Object.keys(resp.content).find((m) => (contentType ?? '').startsWith(m));
  if (!mediaType) throw new Error(`${method} ${path} ${status}: content type ${contentType} not declared (${Object.keys(resp.content).join(', ')})`);
  if (!mediaType.includes('json')) return;
  const ref = `openapi#/paths/${pointer(path)}/${method.toLowerCase()}/responses/${status}/content/${pointer(mediaType)}/schema`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  if (!validate(body)) throw new Error(`${method} ${path} ${status}: body does not match the document: ${ajv.errorsText(validate.errors)}`);
}

export interface ApiContext {
  ctx: TestContext;
  app: FastifyInstance;
  /** http://127.0.0.1:port */
  url: string;
  /** A request outside the contract helper (hostile input, static pages). */
  raw(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; text: string }>;
  call(c: ApiCall): Promise<ApiAnswer>;
  auditRows(target: string): Promise<{ actor_role: string; actor_subject: string | null; operation: string; outcome: string; status: number; request_id: string | null }[]>;
  close(): Promise<void>;
}

let keyCounter = 0;
export const newKey = (prefix = 'k') => `${prefix}-${process.pid}-${Date.now()}-${++keyCounter}`;

export async function createApiContext(name: string, opts: { limits?: Partial<HttpApiLimits>; worker?: boolean; retry?: ConstructorParameters<typeof import('../../client/caseClient').CaseClient>[0]['retry'] } = {}): Promise<ApiContext> {
  const ctx = await createTestContext(name);
  if (opts.worker !== false) await ctx.startWorker();
  const { CaseClient } = await import('../../client/caseClient');
  const client = opts.retry ? new CaseClient({ client: ctx.client, services: ctx.services, taskQueue: ctx.taskQueue, retry: opts.retry }) : ctx.cases;
  const app = await buildHttpApi({
    client,
    pool: ctx.pool,
    auth: new TokenRegistry(TOKEN_LIST, DEPARTMENT),
    codecKeys: TEST_CODEC_KEYS,
    department: DEPARTMENT,
    limits: opts.limits,
    ratings: { routeRating: createRatingRouter(ctx.client, ctx.taskQueue) },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  const base = `http://127.0.0.1:${address.port}`;
  return {
    ctx,
    app,
    url: base,
    async raw(path, init) {
      const res = await fetch(base + path, init);
      return { status: res.status, headers: res.headers, text: await res.text() };
    },
    async call(c) {
      let url = c.path.replace(/\{(\w+)\}/g, (_m, k: string) => encodeURIComponent(String(c.params?.[k])));
      if (c.query) url += `?${new URLSearchParams(c.query).toString()}`;
      const headers: Record<string, string> = { ...c.headers };
      const token = c.token === undefined ? TOKENS.caseSystem : c.token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (c.key) headers['idempotency-key'] = c.key;
      let payload: string | undefined = c.rawBody;
      if (payload === undefined && c.body !== undefined) payload = JSON.stringify(c.body);
      if (payload !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(base + url, { method: c.method, headers, ...(payload !== undefined ? { body: payload } : {}) });
      const contentType = res.headers.get('content-type') ?? undefined;
      const text = await res.text();
      const body = contentType?.includes('json') ? JSON.parse(text) : text;
      assertPerContract(c.method, c.path, res.status, contentType, body);
      return { status: res.status, body, headers: Object.fromEntries(res.headers.entries()) };
    },
    async auditRows(target) {
      const { rows } = await ctx.pool.query('SELECT actor_role, actor_subject, operation, outcome, status, request_id FROM api_audit WHERE target = $1 ORDER BY id', [target]);
      return rows;
    },
    async close() {
      await app.close();
      await ctx.close();
    },
  };
}
