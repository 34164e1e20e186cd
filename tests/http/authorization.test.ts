// Who may do what: a wrong, missing or expired token, a clerk on another clerk's case, a head of another
// department, a read-only role writing — each refused, audited, and the case unchanged.
import { sampleApplication } from '../support/harness';
import { ApiContext, createApiContext, newKey, TOKENS } from './support';

let api: ApiContext;
let no: string;
let historyLength: number;
beforeAll(async () => {
  api = await createApiContext('http-authz');
  const app = sampleApplication({ assignedClerk: 'ivanova' });
  no = app.applicationNumber;
  await api.call({ method: 'POST', path: '/applications', key: newKey(), body: app });
  await api.call({ method: 'POST', path: '/cases/{applicationNumber}/actions/register', params: { applicationNumber: no }, token: TOKENS.ivanova, key: newKey(), body: { clerk: 'ivanova' } });
  historyLength = (await api.ctx.cases.state(no)).history.length;
});
afterAll(async () => {
  await api?.close();
});

const startReview = (token: string | null, clerk: string) =>
  api.call({ method: 'POST', path: '/cases/{applicationNumber}/actions/start-review', params: { applicationNumber: no }, token, key: newKey('authz'), body: { clerk } });

async function expectUnchanged(): Promise<void> {
  const s = await api.ctx.cases.state(no);
  expect(s.stage).toBe('registered');
  expect(s.history).toHaveLength(historyLength);
}

async function lastAudit() {
  const rows = await api.auditRows(no);
  return rows[rows.length - 1];
}

describe('refused callers', () => {
  it('refuses an unknown token with 401, audits it by token hash, and changes nothing', async () => {
    const r = await startReview('not-a-real-token-but-long-enough-0000000000', 'ivanova');
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toContain('Bearer');
    expect(await lastAudit()).toMatchObject({ actor_role: 'anonymous', outcome: 'refused', status: 401, operation: 'startReview' });
    const { rows } = await api.ctx.pool.query('SELECT token_id FROM api_audit WHERE target = $1 ORDER BY id DESC LIMIT 1', [no]);
    expect(rows[0].token_id).toMatch(/^[0-9a-f]{12}$/);
    await expectUnchanged();
  });

  it('refuses a missing token and a malformed Authorization header', async () => {
    expect((await startReview(null, 'ivanova')).status).toBe(401);
    const r = await api.call({ method: 'POST', path: '/cases/{applicationNumber}/actions/start-review', params: { applicationNumber: no }, token: null, headers: { authorization: 'Basic aXZhbm92YTpwYXNz' }, key: newKey(), body: { clerk: 'ivanova' } });
    expect(r.status).toBe(401);
    await expectUnchanged();
  });

  it('refuses an expired token, saying it expired', async () => {
    const r = await startReview(TOKENS.expired, 'ivanova');
    expect(r.status).toBe(401);
    expect(r.body.detail).toContain('token expired');
    expect(await lastAudit()).toMatchObject({ actor_role: 'anonymous', outcome: 'refused', status: 401 });
    await expectUnchanged();
  });

  it('refuses a clerk acting on another clerk’s case, and reading it', async () => {
    const r = await startReview(TOKENS.petrov, 'petrov');
    expect(r.status).toBe(403);
    expect(r.body.title).toContain('not assigned to you');
    expect(await lastAudit()).toMatchObject({ actor_role: 'clerk', actor_subject: 'petrov', outcome: 'refused', status: 403 });
    const read = await api.call({ method: 'GET', path: '/cases/{applicationNumber}', params: { applicationNumber: no }, token: TOKENS.petrov });
    expect(read.status).toBe(403);
    await expectUnchanged();
  });

  it('refuses a clerk acting in another clerk’s name on their own case', async () => {
    const r = await startReview(TOKENS.ivanova, 'petrov');
    expect(r.status).toBe(403);
    expect(r.body.errors).toEqual([{ field: 'clerk', rule: expect.any(String) }]);
    await expectUnchanged();
  });

  it('refuses the head of another department', async () => {
    const r = await startReview(TOKENS.otherHead, 'orlov');
    expect(r.status).toBe(403);
    expect(r.body.title).toContain('another department');
    expect(await lastAudit()).toMatchObject({ actor_role: 'head', actor_subject: 'orlov', outcome: 'refused', status: 403 });
    const tasks = await api.call({ method: 'GET', path: '/tasks', token: TOKENS.otherHead, query: { applicationNumber: no } });
    expect(tasks.body).toEqual([]);
    await expectUnchanged();
  });

  it('refuses a write from a read-only role (management) and a start from a clerk', async () => {
    const r = await startReview(TOKENS.management, 'volkov');
    expect(r.status).toBe(403);
    expect(await lastAudit()).toMatchObject({ actor_role: 'management', outcome: 'refused', status: 403 });
    const start = await api.call({ method: 'POST', path: '/applications', token: TOKENS.ivanova, key: newKey(), body: sampleApplication() });
    expect(start.status).toBe(403);
    await expectUnchanged();
  });

  it('lets the assigned clerk and the department head act, and audits who did it', async () => {
    const r = await startReview(TOKENS.ivanova, 'ivanova');
    expect(r.status).toBe(200);
    const ext = await api.call({
      method: 'POST', path: '/cases/{applicationNumber}/actions/extend-deadline', params: { applicationNumber: no }, token: TOKENS.head, key: newKey(),
      body: { clerk: 'kuznetsov', amount: 2, unit: 'workingDays', reason: 'продление по регламенту' },
    });
    expect(ext.status).toBe(200);
    const done = (await api.auditRows(no)).filter((a) => a.outcome === 'done').map((a) => [a.operation, a.actor_role, a.actor_subject]);
    expect(done).toEqual([
      ['register', 'clerk', 'ivanova'],
      ['startReview', 'clerk', 'ivanova'],
      ['extendDeadline', 'head', 'kuznetsov'],
    ]);
  });

  it('keeps no personal data in the audit table', async () => {
    const { rows } = await api.ctx.pool.query('SELECT * FROM api_audit');
    const text = JSON.stringify(rows);
    for (const pii of ['Петров', 'Иван', 'Тверская', '+79161234567']) expect(text).not.toContain(pii);
    const { rows: stored } = await api.ctx.pool.query('SELECT encode(response, \'escape\') AS r FROM api_requests');
    expect(JSON.stringify(stored)).not.toContain('ivanova');
  });
});
