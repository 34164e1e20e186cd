// The 500 answer says "see the server log": the unexpected error is there — name, message and stack, with
// personal data masked — and the request body that led to it is not.
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildHttpApi } from '../../http/app';
import { TokenRegistry } from '../../http/auth';
import { createLogger } from '../../security';
import { createTestContext, TEST_CODEC_KEYS, TestContext } from '../support/harness';
import { DEPARTMENT, TOKEN_LIST, TOKENS } from './support';

let ctx: TestContext;
let app: FastifyInstance;
const lines: string[] = [];

beforeAll(async () => {
  ctx = await createTestContext('serverlog');
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  app = await buildHttpApi({
    client: ctx.cases,
    pool: ctx.pool,
    auth: new TokenRegistry(TOKEN_LIST, DEPARTMENT),
    codecKeys: TEST_CODEC_KEYS,
    department: DEPARTMENT,
    logger: createLogger({ destination }),
    extraPlugins: [
      {
        plugin: async (f) => {
          // A defect: an error whose message carries what it should not (a СНИЛС and an e-mail).
          f.post('/v1/defect', async () => {
            throw new TypeError('cannot read applicant 112-233-445 95 ivanova@example.ru');
          });
        },
      },
    ],
  });
});
afterAll(async () => {
  await app?.close();
  await ctx?.close();
});

it('logs an unexpected error with its name, masked message and stack, and never the request body', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/defect?x=1',
    headers: { authorization: `Bearer ${TOKENS.caseSystem}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ comment: 'секретный-отзыв-заявителя' }),
  });
  expect(res.statusCode).toBe(500);
  expect(res.json()).toMatchObject({ detail: 'подробности в журнале сервера (see the server log)' });
  const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'internal error');
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ level: 'error', method: 'POST', route: '/v1/defect', err: { name: 'TypeError' } });
  expect(logged[0].err.message).toContain('cannot read applicant');
  expect(logged[0].err.stack).toContain('serverLog.test.ts');
  const all = lines.join('\n');
  expect(all).not.toContain('112-233-445 95');
  expect(all).not.toContain('ivanova@example.ru');
  expect(all).not.toContain('секретный-отзыв-заявителя');
});
