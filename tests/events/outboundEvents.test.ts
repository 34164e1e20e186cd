// Outbound events: the records the worker writes become signed webhooks that reach a case system which is
// down for a while, in order, once per idempotency key. Real PostgreSQL (triggers, outbox) and a real HTTP
// receiver on loopback that verifies every signature the way a department's system would.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { createCaseRecordActivities } from '../../activities/caseRecords';
import { eventDispatcherConfigFromEnv } from '../../events/config';
import { createEventDispatcher, enableEventPublishing } from '../../events/dispatcher';
import { sign, verifyWebhook, WebhookVerificationError } from '../../events/signature';
import type { CaseEventRecord } from '../../shared/lifecycle';
import { createTestContext, readStack, SAMPLE_PERSON, sampleApplication } from '../support/harness';

const SECRET = 'test-webhook-secret-0123456789abcdef';
let pool: Pool;

beforeAll(async () => {
  pool = new Pool({ connectionString: readStack().databaseUrl, max: 4 });
  await enableEventPublishing(pool);
});
afterAll(async () => {
  await pool.end();
});

/** A case system's receiver: verifies the signature, deduplicates on webhook-id, and can be "down". */
async function startReceiver() {
  const state = {
    down: true,
    downAnswers: 0, // requests answered 503 while down: the injected fault, counted
    resets: 0,
    rejectIds: new Set<string>(),
    accepted: [] as { id: string; type: string; sequence: number; applicationNumber: string; data: Record<string, unknown> }[],
    duplicates: 0,
    badSignatures: 0,
  };
  const seen = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (state.down) {
        state.downAnswers++;
        // Alternate a 503 and a dropped connection: both are what a down system looks like.
        if (state.downAnswers % 2 === 0) {
          state.resets++;
          req.socket.destroy();
          return;
        }
        res.writeHead(503).end();
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        verifyWebhook(SECRET, req.headers, raw);
      } catch {
        state.badSignatures++;
        res.writeHead(401).end();
        return;
      }
      const e = JSON.parse(raw);
      if (state.rejectIds.has(e.id)) {
        res.writeHead(422).end();
        return;
      }
      if (seen.has(e.id)) state.duplicates++;
      else {
        seen.add(e.id);
        state.accepted.push(e);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/case-lifecycle`;
  return { state, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function caseEvent(app: string, seq: number, stage: CaseEventRecord['event']['stage'], action: string): CaseEventRecord {
  return {
    applicationNumber: app,
    serviceCode: 'construction-permit',
    channel: 'epgu',
    receivedAt: '2026-11-30T07:00:00Z',
    event: { seq, stage, action, actor: 'clerk-ivanova', at: `2026-11-30T07:0${seq}:00Z`, note: 'Иванов И. И. принёс паспорт' },
    assignedClerk: 'clerk-ivanova',
    deadline: null,
    dueDate: null,
    registeredAt: null,
    overdue: false,
    outcome: null,
  };
}

async function pendingFor(prefix: string): Promise<number> {
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM event_outbox WHERE application_number LIKE $1 AND state = 'pending'`, [`${prefix}%`]);
  return rows[0].n;
}

test('signatures verify over id, timestamp and body; tampering, replay and missing headers are refused by name', () => {
  const body = '{"id":"case:A:1"}';
  const ts = 1_790_000_000;
  const headers = { 'webhook-id': 'case:A:1', 'webhook-timestamp': String(ts), 'webhook-signature': sign(SECRET, 'case:A:1', ts, body) };
  expect(verifyWebhook(SECRET, headers, body, { nowSeconds: ts + 10 })).toEqual({ id: 'case:A:1', timestamp: ts });
  expect(() => verifyWebhook(SECRET, headers, body.replace('1', '2'), { nowSeconds: ts })).toThrow(/webhook-signature: no v1 signature/);
  expect(() => verifyWebhook(SECRET, { ...headers, 'webhook-id': 'case:A:2' }, body, { nowSeconds: ts })).toThrow(WebhookVerificationError);
  expect(() => verifyWebhook(SECRET, headers, body, { nowSeconds: ts + 301 })).toThrow(/webhook-timestamp: more than 300 s/);
  expect(() => verifyWebhook('another-secret-of-32-characters-long', headers, body, { nowSeconds: ts })).toThrow(/no v1 signature/);
  expect(() => verifyWebhook(SECRET, { ...headers, 'webhook-signature': undefined }, body, { nowSeconds: ts })).toThrow(/webhook-signature: header missing/);
  // Rotation: the receiver accepts any of several signatures in the header.
  const rotated = { ...headers, 'webhook-signature': `v1,AAAA ${headers['webhook-signature']}` };
  expect(verifyWebhook(SECRET, rotated, body, { nowSeconds: ts }).id).toBe('case:A:1');
});

test('record activities publish stage changes, tasks and delivery problems in the same transaction, once each', async () => {
  const app = `EVT-REC-${process.pid}`;
  const rec = createCaseRecordActivities(pool);
  await rec.recordCaseEvent(caseEvent(app, 1, 'received', 'received'));
  await rec.recordCaseEvent(caseEvent(app, 2, 'registered', 'register'));
  await rec.recordCaseEvent(caseEvent(app, 2, 'registered', 'register')); // a retried attempt
  await rec.recordCaseEvent(caseEvent(app, 3, 'registered', 'reassign'));
  const task = { taskKey: `elk-delivery:${app}:1:3`, applicationNumber: app, kind: 'elkDeliveryProblem', assigneeRole: 'clerk' as const, assignee: 'clerk-ivanova', title: 'ЕЛК отклонил статус', body: 'Исправьте данные', dueAt: null };
  await rec.openClerkTask(task);
  await rec.openClerkTask(task);
  await pool.query(
    `INSERT INTO elk_outbox (application_number, seq, client_id, request_type, stage, elk_status, status_date) VALUES ($1, 1, gen_random_uuid(), 'CreateOrdersRequest', 'received', 1, now())`,
    [app],
  );
  await pool.query(`UPDATE elk_outbox SET state = 'rejected', reply_code = 13, reply_message = 'x' WHERE application_number = $1`, [app]);
  await rec.closeClerkTask({ taskKey: task.taskKey, resolution: 'retry' });

  const { rows } = await pool.query(`SELECT event_key, event_type, payload FROM event_outbox WHERE application_number = $1 ORDER BY id`, [app]);
  expect(rows.map((r) => [r.event_key.replace(/:[0-9a-f-]{36}$/, ':<clientId>'), r.event_type])).toEqual([
    [`case:${app}:1`, 'case.stage_changed'],
    [`case:${app}:2`, 'case.stage_changed'],
    [`case:${app}:3`, 'case.action'],
    [`task.opened:${task.taskKey}`, 'task.opened'],
    [`delivery.problem:${app}:1:<clientId>`, 'delivery.problem'],
    [`task.resolved:${task.taskKey}`, 'task.resolved'],
  ]);
  expect(rows[1].payload).toMatchObject({ applicationNumber: app, seq: 2, stage: 'registered', previousStage: 'received', action: 'register' });
  expect(rows[4].payload).toMatchObject({ elkStatus: 1, replyCode: 13 });
  // Free-text notes may name the applicant: they are never published.
  expect(JSON.stringify(rows)).not.toMatch(/Иванов И/);
});

test('a receiver that is down loses nothing: retried with backoff, delivered in order, once per idempotency key', async () => {
  const receiver = await startReceiver();
  const app = `EVT-DOWN-${process.pid}`;
  const rec = createCaseRecordActivities(pool);
  const stages = ['received', 'registered', 'underReview', 'decisionDrafted', 'approved', 'resultIssued'] as const;
  for (let i = 0; i < stages.length; i++) await rec.recordCaseEvent(caseEvent(app, i + 1, stages[i], stages[i]));

  const failures: string[] = [];
  const dispatcher = createEventDispatcher({
    pool,
    config: { url: receiver.url, secret: SECRET, pollMs: 10, backoffBaseMs: 10, backoffMaxMs: 80, timeoutMs: 2_000 },
    observer: { attemptFailed: (_e, reason) => failures.push(reason) },
  });
  try {
    await dispatcher.start();
    await until('six failed attempts against the down receiver', () => receiver.state.downAnswers >= 6);
    expect(receiver.state.accepted.filter((e) => e.applicationNumber === app)).toEqual([]);
    expect(await pendingFor(app)).toBe(stages.length);
    // The oldest pending event (earlier tests' events queue ahead of this case's) is the one being retried.
    const { rows: [head] } = await pool.query(`SELECT attempts, last_error FROM event_outbox WHERE state = 'pending' ORDER BY id LIMIT 1`);
    expect(head.attempts).toBeGreaterThanOrEqual(5);
    expect(head.last_error).toMatch(/HTTP 503|fetch failed|socket|other side closed/);

    receiver.state.down = false;
    await until('every event of the case delivered', async () => (await pendingFor(app)) === 0);
    await dispatcher.stop();

    // The faults happened: 503s and dropped connections, each seen by the dispatcher as a failed attempt.
    expect(receiver.state.resets).toBeGreaterThan(0);
    expect(failures.length).toBeGreaterThanOrEqual(receiver.state.downAnswers);
    const mine = receiver.state.accepted.filter((e) => e.applicationNumber === app);
    expect(mine.map((e) => e.id)).toEqual(stages.map((_, i) => `case:${app}:${i + 1}`));
    expect(mine.map((e) => e.data.stage)).toEqual([...stages]);
    expect(mine.map((e) => e.sequence)).toEqual([...mine.map((e) => e.sequence)].sort((a, b) => a - b));
    expect(receiver.state.badSignatures).toBe(0);
    expect(receiver.state.duplicates).toBe(0);

    // Draining again sends nothing: delivered events are never sent twice.
    const before = receiver.state.accepted.length;
    const again = await dispatcher.drainOnce();
    expect(again).toMatchObject({ ran: true, delivered: 0 });
    expect(receiver.state.accepted.length).toBe(before);
  } finally {
    await dispatcher.stop();
    await receiver.close();
  }
});

test('an event the receiver keeps refusing (4xx) is set aside after the configured attempts; later events flow', async () => {
  const receiver = await startReceiver();
  receiver.state.down = false;
  const app = `EVT-422-${process.pid}`;
  const rec = createCaseRecordActivities(pool);
  await rec.recordCaseEvent(caseEvent(app, 1, 'received', 'received'));
  await rec.recordCaseEvent(caseEvent(app, 2, 'registered', 'register'));
  receiver.state.rejectIds.add(`case:${app}:1`);
  const dispatcher = createEventDispatcher({ pool, config: { url: receiver.url, secret: SECRET, backoffBaseMs: 1, backoffMaxMs: 5, rejectAfterAttempts: 3 } });
  try {
    await until('the refused event set aside and the next delivered', async () => {
      await dispatcher.drainOnce();
      return (await pendingFor(app)) === 0;
    });
    const { rows } = await pool.query(`SELECT event_key, state, attempts, last_error FROM event_outbox WHERE application_number = $1 ORDER BY id`, [app]);
    expect(rows).toEqual([
      { event_key: `case:${app}:1`, state: 'failed', attempts: 3, last_error: 'HTTP 422' },
      { event_key: `case:${app}:2`, state: 'delivered', attempts: 1, last_error: null },
    ]);
  } finally {
    await receiver.close();
  }
});

test('configuration errors name the field and the rule', () => {
  expect(() => createEventDispatcher({ pool, config: { url: 'ftp://x', secret: SECRET } })).toThrow(/url/);
  expect(() => createEventDispatcher({ pool, config: { url: 'https://vis.example.ru/hook', secret: 'short' } })).toThrow(/secret: не короче 32/);
});

test('environment: events are off without a URL; a URL without a secret is refused by name', () => {
  expect(eventDispatcherConfigFromEnv({})).toBeNull();
  expect(eventDispatcherConfigFromEnv({ CASE_EVENTS_URL: 'https://vis.example.ru/hook', CASE_EVENTS_SECRET: SECRET })).toMatchObject({ url: 'https://vis.example.ru/hook', secret: SECRET });
  expect(() => eventDispatcherConfigFromEnv({ CASE_EVENTS_URL: 'https://vis.example.ru/hook' })).toThrow(/CASE_EVENTS_SECRET: обязателен/);
});

test('until a receiver is configured nothing is published (a department without push accumulates no rows)', async () => {
  const app = `EVT-OFF-${process.pid}`;
  await pool.query('UPDATE event_publishing SET enabled = false');
  try {
    await createCaseRecordActivities(pool).recordCaseEvent(caseEvent(app, 1, 'received', 'received'));
  } finally {
    await enableEventPublishing(pool);
  }
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM event_outbox WHERE application_number = $1', [app]);
  expect(rows[0].n).toBe(0);
});

test('the worker runtime drains events of a real lifecycle to the case system', async () => {
  const ctx = await createTestContext('events');
  const receiver = await startReceiver();
  receiver.state.down = false;
  try {
    await ctx.startWorker({ events: { url: receiver.url, secret: SECRET, pollMs: 20 } });
    const input = sampleApplication();
    await ctx.cases.startApplication(input);
    await ctx.cases.act(input.applicationNumber, 'register', { clerk: 'ivanova' });
    await until(
      'the registration event at the receiver',
      () => receiver.state.accepted.some((e) => e.applicationNumber === input.applicationNumber && e.data.stage === 'registered'),
      60_000,
    );
    const mine = receiver.state.accepted.filter((e) => e.applicationNumber === input.applicationNumber);
    expect(mine[0]).toMatchObject({ type: 'case.stage_changed', data: { stage: 'received', previousStage: null } });
    expect(mine.find((e) => e.data.stage === 'registered')).toMatchObject({ type: 'case.stage_changed', data: { previousStage: 'received', actor: 'ivanova' } });
    expect(receiver.state.badSignatures).toBe(0);
    expect(receiver.state.duplicates).toBe(0);
    // Personal data of the application never leaves in an event.
    expect(JSON.stringify(mine)).not.toContain(SAMPLE_PERSON.snils);
    expect(JSON.stringify(mine)).not.toContain(SAMPLE_PERSON.lastName);
  } finally {
    await ctx.close();
    await receiver.close();
  }
});
