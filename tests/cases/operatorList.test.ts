// `npm run cases -- list`: the operator's case list, run as the command it is against a real PostgreSQL, with
// the same schema as GET /cases behind its flags (a bad flag is refused, naming the flag). Each run starts
// ts-node (a few CPU-seconds), so the command runs four times in all; the filters themselves are tested in caseList.test.ts.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startTestDatabase, type TestDatabase } from '../escalation/support';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
let db: TestDatabase;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await startTestDatabase('operator-list');
  env = { ...process.env, DATABASE_URL: (db.pool as unknown as { options: { connectionString: string } }).options.connectionString, CASE_LOG_LEVEL: 'error' };
  await db.pool.query(
    `INSERT INTO applications (application_number, service_code, channel, received_at, stage, assigned_clerk, deadline, overdue)
     VALUES ('OP-late', 'SVC-A', 'epgu', '2026-02-01T09:00:00+03:00', 'underReview', 'ivanova', '2026-03-05T18:00:00+03:00', true),
            ('OP-fresh', 'SVC-A', 'epgu', '2026-02-02T09:00:00+03:00', 'underReview', 'petrov', '2099-03-05T18:00:00+03:00', false),
            ('OP-new', 'SVC-A', 'epgu', '2026-02-03T09:00:00+03:00', 'received', NULL, NULL, false)`,
  );
});
afterAll(async () => {
  await db?.stop();
});

const cases = (...args: string[]) => run(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/operator.ts', ...args], { cwd: ROOT, env, timeout: 60_000 });

test('lists by stage and overdue, with the stage title, and offers the next page', async () => {
  const overdue = await cases('list', '--stage', 'underReview', '--overdue');
  expect(overdue.stdout).toContain('Заявлений на странице: 1');
  expect(overdue.stdout).toMatch(/OP-late {2}SVC-A {2}Заявление на рассмотрении {2}ivanova {2}срок 2026-03-05T15:00:00.000Z ПРОСРОЧЕНО/);
  const first = await cases('list', '--limit', '2');
  expect(first.stdout.split('\n').filter((l) => l.startsWith('  OP-')).map((l) => l.trim().split(' ')[0])).toEqual(['OP-late', 'OP-fresh']);
  const cursor = /--cursor (\S+)/.exec(first.stdout)![1];
  const next = await cases('list', '--limit', '2', '--cursor', cursor);
  expect(next.stdout).toMatch(/OP-new {2}SVC-A {2}Заявление поступило {2}— {2}срок не начался/);
  expect(next.stdout).not.toContain('--cursor');
}, 120_000);

test('a bad flag is refused, naming the flag and the rule', async () => {
  await expect(cases('list', '--stage', 'closed')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--stage: stage: одна из стадий') });
}, 120_000);
