// The worker runs with the least-privilege role of migration 004: a login role granted case_worker runs a
// whole lifecycle (case records, ЕЛК outbox and attempts, refusal letter) but can change no schema and
// delete nothing.
import { Pool } from 'pg';
import { createTestContext, sampleApplication, TestContext } from '../support/harness';

let ctx: TestContext;
let restricted: Pool;
const LOGIN = `case_login_${process.pid}`;

beforeAll(async () => {
  ctx = await createTestContext('least-privilege');
  await ctx.pool.query(`DROP ROLE IF EXISTS ${LOGIN}`);
  await ctx.pool.query(`CREATE ROLE ${LOGIN} LOGIN`);
  await ctx.pool.query(`GRANT case_worker TO ${LOGIN}`);
  const url = new URL(ctx.stack.databaseUrl);
  url.username = LOGIN;
  restricted = new Pool({ connectionString: url.toString(), max: 2 });
  restricted.on('error', () => undefined);
  await ctx.startWorker({ databaseUrl: url.toString() });
});
afterAll(async () => {
  await ctx?.close();
  await restricted?.end();
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: ctx.stack.databaseUrl });
  await admin.connect();
  await admin.query(`DROP ROLE IF EXISTS ${LOGIN}`).catch(() => undefined);
  await admin.end();
});

it('is a NOLOGIN role without DDL rights of its own', async () => {
  const { rows } = await ctx.pool.query(`SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'case_worker'`);
  expect(rows).toEqual([{ rolcanlogin: false, rolsuper: false, rolcreatedb: false, rolcreaterole: false }]);
  const { rows: deletable } = await ctx.pool.query(
    `SELECT table_name, privilege_type FROM information_schema.role_table_grants
      WHERE grantee = 'case_worker' AND privilege_type NOT IN ('SELECT', 'INSERT', 'UPDATE')`,
  );
  expect(deletable).toEqual([]);
});

it('runs a lifecycle with a refusal letter through a worker connected as the restricted role', async () => {
  const app = sampleApplication({ serviceCode: 'construction-permit' });
  const no = app.applicationNumber;
  await ctx.cases.startApplication(app);
  await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
  await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
  await ctx.cases.act(no, 'draftDecision', {
    clerk: 'ivanova',
    outcome: 'refuse',
    grounds: [{ code: 'missing-documents', facts: { missingDocuments: ['результаты инженерных изысканий'] } }],
  });
  await ctx.cases.act(no, 'refuse', { clerk: 'head-smirnov' });
  expect(await ctx.cases.result(no)).toMatchObject({ outcome: 'refused', elkStatusesDelivered: 2 });
  // The operator's queries work for the same role.
  const { rows } = await restricted.query('SELECT seq, elk_status, state FROM elk_outbox WHERE application_number = $1 ORDER BY seq', [no]);
  expect(rows).toEqual([
    { seq: 1, elk_status: 6, state: 'delivered' },
    { seq: 2, elk_status: 4, state: 'delivered' },
  ]);
  const { rows: letters } = await restricted.query('SELECT issued_at FROM refusal_letters WHERE application_number = $1', [no]);
  expect(letters[0].issued_at).not.toBeNull();
  const { rows: attempts } = await restricted.query('SELECT count(*)::int AS n FROM elk_delivery_attempts WHERE application_number = $1', [no]);
  expect(attempts[0].n).toBeGreaterThanOrEqual(2);
});

it.each([
  ['CREATE TABLE', 'CREATE TABLE intruder (x int)'],
  ['DROP TABLE', 'DROP TABLE case_events'],
  ['ALTER TABLE', 'ALTER TABLE applications ADD COLUMN snils text'],
  ['DELETE', 'DELETE FROM case_events'],
  ['TRUNCATE', 'TRUNCATE elk_delivery_attempts'],
  ['CREATE ROLE', 'CREATE ROLE intruder'],
])('refuses %s with permission denied', async (_label, sql) => {
  const err = await restricted.query(sql).catch((e) => e);
  expect(err).toBeInstanceOf(Error);
  expect(err.code).toBe('42501'); // insufficient_privilege
  expect(err.message).toMatch(/permission denied|must be owner/);
});
