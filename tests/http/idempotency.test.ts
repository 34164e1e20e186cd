// Idempotency: a request id sent twice, a retry after a forced timeout, and concurrent applications through
// a portal outage each change a case exactly once.
import { CaseClient } from '../../client/caseClient';
import { sampleApplication } from '../support/harness';
import { driveOverHttp } from '../../scripts/httpLoadDriver';
import { ApiContext, createApiContext, newKey, TOKENS } from './support';

const registerEvents = async (api: ApiContext, no: string) => (await api.ctx.cases.history(no)).filter((e) => e.action === 'register').length;

describe('the same Idempotency-Key twice', () => {
  let api: ApiContext;
  beforeAll(async () => {
    api = await createApiContext('http-idem');
  });
  afterAll(async () => {
    await api?.close();
  });

  it('starts once and registers once, the repeat replaying the first answer', async () => {
    const app = sampleApplication();
    const no = app.applicationNumber;
    const startKey = newKey('start');
    const first = await api.call({ method: 'POST', path: '/applications', key: startKey, body: app });
    const second = await api.call({ method: 'POST', path: '/applications', key: startKey, body: app });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');

    const key = newKey('register');
    const call = () => api.call({ method: 'POST', path: '/cases/{applicationNumber}/actions/register', params: { applicationNumber: no }, token: TOKENS.ivanova, key, body: { clerk: 'ivanova' } });
    const a = await call();
    const b = await call();
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(await registerEvents(api, no)).toBe(1);
    // A new key is a new request: registering again is refused by the case, and that answer is kept too.
    const again = await api.call({ method: 'POST', path: '/cases/{applicationNumber}/actions/register', params: { applicationNumber: no }, token: TOKENS.ivanova, key: newKey(), body: { clerk: 'ivanova' } });
    expect(again.status).toBe(409);
    expect(await registerEvents(api, no)).toBe(1);
    const audit = await api.auditRows(no);
    expect(audit.filter((r) => r.operation === 'register').map((r) => r.outcome)).toEqual(['done', 'replayed', 'rejected']);
  });

  it('refuses the same key with a different request, naming the header', async () => {
    const app = sampleApplication();
    await api.call({ method: 'POST', path: '/applications', key: newKey(), body: app });
    const key = newKey('reuse');
    await api.call({ method: 'POST', path: '/cases/{applicationNumber}/actions/register', params: { applicationNumber: app.applicationNumber }, token: TOKENS.ivanova, key, body: { clerk: 'ivanova' } });
    const other = await api.call({ method: 'POST', path: '/cases/{applicationNumber}/actions/start-review', params: { applicationNumber: app.applicationNumber }, token: TOKENS.ivanova, key, body: { clerk: 'ivanova' } });
    expect(other.status).toBe(422);
    expect(other.body.errors).toEqual([{ field: 'header.Idempotency-Key', rule: expect.any(String) }]);
    expect((await api.ctx.cases.state(app.applicationNumber)).stage).toBe('registered');
  });

  it('requires an Idempotency-Key on every write', async () => {
    const r = await api.call({ method: 'POST', path: '/applications', body: sampleApplication() });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].field).toBe('header.Idempotency-Key');
  });

  it('takes 20 concurrent applications through a portal outage to their results, 20/20', async () => {
    const apps = Array.from({ length: 20 }, () => sampleApplication());
    let outages = 0;
    const figures = await driveOverHttp({
      baseUrl: api.url,
      token: TOKENS.caseSystem,
      applications: apps,
      concurrency: 10,
      onAllRegistered: () => {
        api.ctx.emulator.faults.set({ outage: true });
        outages++;
        setTimeout(() => api.ctx.emulator.faults.set({ outage: false }), 5_000);
      },
    });
    expect(outages).toBe(1);
    expect(figures.failed).toEqual([]);
    const results = await Promise.all(apps.map((a) => api.ctx.cases.result(a.applicationNumber)));
    expect(results.filter((r) => r.outcome === 'resultIssued')).toHaveLength(20);
    for (const a of apps) {
      const statuses = api.ctx.emulator.order(a.applicationNumber)!.history.map((h) => h.status);
      expect(new Set(statuses).size).toBe(statuses.length);
      expect(await registerEvents(api, a.applicationNumber)).toBe(1);
    }
  }, 600_000);
});

describe('a retry after a forced timeout', () => {
  let api: ApiContext;
  beforeAll(async () => {
    // No worker at first: a clerk action cannot complete, so its RPC deadline passes (the forced timeout).
    api = await createApiContext('http-timeout', { worker: false, retry: { attempts: 1, attemptTimeoutMs: 1_500 } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers 503 first, then the first result on the retry with the same key, acting once', async () => {
    const app = sampleApplication();
    const no = app.applicationNumber;
    expect((await api.call({ method: 'POST', path: '/applications', key: newKey(), body: app })).status).toBe(201);
    const key = newKey('timeout');
    const call = () => api.call({ method: 'POST', path: '/cases/{applicationNumber}/actions/register', params: { applicationNumber: no }, token: TOKENS.ivanova, key, body: { clerk: 'ivanova' } });
    const timedOut = await call();
    expect(timedOut.status).toBe(503);
    expect(timedOut.headers['retry-after']).toBe('2');
    await api.ctx.startWorker();
    // The case system retries with the same key until it gets a final answer (bounded).
    let retried = await call();
    let retries = 1;
    for (; retried.status === 503 && retries < 40; retries++) retried = await call();
    expect(retried.status).toBe(200);
    expect(retried.body.stage).toBe('registered');
    expect(await registerEvents(api, no)).toBe(1);
    const audit = await api.auditRows(no);
    expect(audit.map((r) => [r.operation, r.outcome, r.status])).toEqual([
      ...Array.from({ length: retries }, () => ['register', 'failed', 503]),
      ['register', 'done', 200],
    ]);
  });

  it('CaseClient retries a timed-out action itself, with the same update id, and reports the attempts', async () => {
    // A task queue no worker polls yet: the first attempt times out; the pause before the second starts one.
    const sleeps: number[] = [];
    let worker: Awaited<ReturnType<typeof api.ctx.startWorker>> | undefined;
    const client = new CaseClient({
      client: api.ctx.client,
      services: api.ctx.services,
      taskQueue: `${api.ctx.taskQueue}-retry`,
      retry: { attempts: 20, attemptTimeoutMs: 3_000, initialDelayMs: 10, maxDelayMs: 10 },
      sleep: async (ms) => {
        sleeps.push(ms);
        worker ??= await api.ctx.startWorker({ taskQueue: `${api.ctx.taskQueue}-retry` });
      },
    });
    const app2 = sampleApplication();
    await client.startApplication(app2);
    const outcome = await client.actWithOutcome(app2.applicationNumber, 'register', { clerk: 'ivanova' });
    // At least the first attempt timed out (no worker); one pause per retry.
    expect(outcome.attempts).toBeGreaterThanOrEqual(2);
    expect(sleeps).toHaveLength(outcome.attempts - 1);
    expect(outcome.result.stage).toBe('registered');
    expect(await registerEvents(api, app2.applicationNumber)).toBe(1);
    const repeat = await client.actWithOutcome(app2.applicationNumber, 'register', { clerk: 'ivanova' }, { requestId: outcome.requestId });
    expect(repeat.result.stage).toBe('registered');
    expect(await registerEvents(api, app2.applicationNumber)).toBe(1);
  });

  it('joins a repeated start instead of starting twice', async () => {
    const app = sampleApplication();
    const first = await api.ctx.cases.startApplicationWithOutcome(app, { requestId: 'start-req-1' });
    const again = await api.ctx.cases.startApplicationWithOutcome(app, { requestId: 'start-req-2' });
    expect([first.result.started, again.result.started]).toEqual([true, false]);
    expect([first.requestId, first.attempts]).toEqual(['start-req-1', 1]);
    expect((await api.ctx.cases.history(app.applicationNumber)).filter((e) => e.action === 'receive')).toHaveLength(1);
  });
});

