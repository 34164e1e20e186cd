// An application flows end to end on the real Temporal server; the ЕЛК emulator (over HTTP) records what the
// applicant's cabinet received. Statuses must arrive in order, each exactly once.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ClerkActionRejectedError } from '../../client/caseClient';
import { ProductionCalendar } from '../../calendar/productionCalendar';
import { dueWithinWorkingDays, temporalQueryDueBefore } from '../../escalation/visibility';
import { InputValidationError } from '../../shared/validation';
import { createTestContext, sampleApplication, SAMPLE_PERSON, TestContext, waitFor } from '../support/harness';

let ctx: TestContext;

function xmllintSchemaCheck(xml: string): string {
  const r = spawnSync('xmllint', ['--noout', '--schema', path.resolve(__dirname, '../../epgu/schemas/elk-status-1.0.2.xsd'), '-'], { input: xml, encoding: 'utf8' });
  return r.stderr.trim();
}

beforeAll(async () => {
  ctx = await createTestContext('lifecycle');
  await ctx.startWorker();
});
afterAll(async () => {
  await ctx?.close();
});

function elkStatuses(orderNumber: string): number[] {
  return (ctx.emulator.order(orderNumber)?.history ?? []).map((h) => h.status);
}

async function outbox(applicationNumber: string) {
  const { rows } = await ctx.pool.query(
    'SELECT seq, elk_status, state, request_type FROM elk_outbox WHERE application_number = $1 ORDER BY seq',
    [applicationNumber],
  );
  return rows;
}

describe('application lifecycle', () => {
  it('runs to a positive result and the applicant cabinet holds every status once, in order', async () => {
    const app = sampleApplication({ serviceCode: 'construction-permit' });
    const no = app.applicationNumber;
    expect(await ctx.cases.startApplication(app)).toEqual({ applicationNumber: no, started: true });

    await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'requestInteragency', { clerk: 'ivanova', agencies: ['Росреестр'] });
    await ctx.cases.act(no, 'recordInteragencyAnswer', { clerk: 'ivanova', agency: 'Росреестр' });
    await ctx.cases.act(no, 'requestFromApplicant', { clerk: 'ivanova', kind: 'documents', note: 'Нужен градостроительный план' });
    await ctx.cases.applicantResponded(no, { documents: ['ГПЗУ'] });
    await ctx.cases.act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'approve' });
    await ctx.cases.act(no, 'approve', { clerk: 'head-smirnov' });
    const snap = await ctx.cases.act(no, 'issueResult', { clerk: 'ivanova' });
    expect(snap.stage).toBe('resultIssued');

    const result = await ctx.cases.result(no);
    expect(result).toEqual({ applicationNumber: no, outcome: 'resultIssued', elkStatusesDelivered: 5, elkStatusesSkipped: 0 });
    // 6 accepted → 7 intermediate (interagency) → 14 waiting for documents → 6 review resumed → 3 service provided.
    expect(elkStatuses(no)).toEqual([6, 7, 14, 6, 3]);
    const history = ctx.emulator.order(no)!.history;
    const dates = history.map((h) => Date.parse(h.statusDate));
    expect([...dates].sort((a, b) => a - b)).toEqual(dates);
    expect(new Set(dates).size).toBe(dates.length);

    const rows = await outbox(no);
    expect(rows.map((r) => [r.seq, r.elk_status, r.state, r.request_type])).toEqual([
      [1, 6, 'delivered', 'CreateOrdersRequest'],
      [2, 7, 'delivered', 'UpdateOrdersRequest'],
      [3, 14, 'delivered', 'UpdateOrdersRequest'],
      [4, 6, 'delivered', 'UpdateOrdersRequest'],
      [5, 3, 'delivered', 'UpdateOrdersRequest'],
    ]);
    const { rows: projection } = await ctx.pool.query('SELECT stage, outcome, assigned_clerk, completed_at FROM applications WHERE application_number = $1', [no]);
    expect(projection[0]).toMatchObject({ stage: 'resultIssued', outcome: 'resultIssued', assigned_clerk: 'ivanova' });
    expect(projection[0].completed_at).not.toBeNull();
    const { rows: due } = await ctx.pool.query('SELECT deadline, due_date, registered_at FROM applications WHERE application_number = $1', [no]);
    expect(due[0].deadline).not.toBeNull();
    expect(due[0].registered_at).not.toBeNull();
    // Every message the portal received is valid ЕЛК 1.0.2 XML, checked by Debian's xmllint against the XSD.
    const sent = ctx.emulator.messages().filter((m) => m.content.includes(`>${no}<`));
    expect(sent.length).toBeGreaterThanOrEqual(5);
    for (const m of sent) {
      expect(m.outcome).toBe('applied');
      expect(xmllintSchemaCheck(m.content)).toBe('- validates');
    }
    const { rows: events } = await ctx.pool.query('SELECT action FROM case_events WHERE application_number = $1 ORDER BY seq', [no]);
    // Deadline recomputations are interleaved as the clock runs, stops (waiting for documents) and resumes: at
    // most one per clock change, and one that a newer change overtook while it was computed is dropped, not recorded.
    const recomputations = events.filter((e) => e.action === 'deadline').length;
    expect(recomputations).toBeGreaterThanOrEqual(1);
    expect(recomputations).toBeLessThanOrEqual(3);
    expect(events.map((e) => e.action).filter((a) => a !== 'deadline')).toEqual([
      'receive', 'register', 'startReview', 'requestInteragency', 'recordInteragencyAnswer',
      'requestFromApplicant:documents', 'applicantResponded', 'draftDecision:approve', 'approve', 'issueResult',
    ]);
  });

  it('delivers the cancellation status when the applicant withdraws', async () => {
    const app = sampleApplication();
    await ctx.cases.startApplication(app);
    await ctx.cases.act(app.applicationNumber, 'register', { clerk: 'ivanova' });
    await ctx.cases.applicantCancelled(app.applicationNumber, { reason: 'Передумал' });
    expect((await ctx.cases.result(app.applicationNumber)).outcome).toBe('cancelled');
    expect(elkStatuses(app.applicationNumber)).toEqual([6, 10]);
  });

  it('rejects an action that is illegal in the current stage, naming action and stage, and writes nothing', async () => {
    const app = sampleApplication();
    const no = app.applicationNumber;
    await ctx.cases.startApplication(app);
    const err = await ctx.cases.act(no, 'approve', { clerk: 'head-smirnov' }).catch((e) => e);
    expect(err).toBeInstanceOf(ClerkActionRejectedError);
    expect(err.message).toContain('недопустимо на этапе «Заявление поступило»');
    expect(err.message).toContain('action approve is not allowed in stage received');

    const after = (await ctx.client.workflow.getHandle(no).fetchHistory()).events ?? [];
    // A rejected Update leaves no trace in history: no admitted, accepted or completed event.
    expect(
      after.filter(
        (e) =>
          e.workflowExecutionUpdateAdmittedEventAttributes ||
          e.workflowExecutionUpdateAcceptedEventAttributes ||
          e.workflowExecutionUpdateCompletedEventAttributes,
      ),
    ).toHaveLength(0);
    expect((await ctx.cases.state(no)).stage).toBe('received');

    await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
    const wrongDecision = await ctx.cases.act(no, 'reassign', { clerk: 'head', to: 'ivanova', reason: 'нагрузка' }).catch((e) => e);
    expect(wrongDecision.message).toContain('already assigned');
    await ctx.cases.applicantCancelled(no);
    await ctx.cases.result(no);
  });

  it('rejects bad clerk arguments at the client, naming the field', async () => {
    const err = await ctx.cases.act('ANY-1', 'requestFromApplicant', { clerk: '', kind: 'photos' } as never).catch((e) => e);
    expect(err).toBeInstanceOf(InputValidationError);
    expect(err.message).toMatch(/clerk: /);
    expect(err.message).toMatch(/kind: correction или documents/);
  });

  it.each([
    ['a СНИЛС with a wrong checksum', { applicant: { kind: 'person', ...SAMPLE_PERSON, snils: '112-233-445 00' } }, 'applicant.snils', 'контрольная сумма'],
    ['an ИНН of the wrong length', { applicant: { kind: 'organization', title: 'ООО «Ромашка»', ogrn: '1027700132195', inn: '77071' } }, 'applicant.inn', 'должен содержать 10 цифр'],
    ['an unknown service code', { serviceCode: 'fishing-licence' }, 'serviceCode', 'неизвестный код услуги'],
    ['an empty name', { applicant: { kind: 'person', ...SAMPLE_PERSON, lastName: '  ' } }, 'applicant.lastName', 'не может быть пустым'],
    ['a date without offset', { receivedAt: '2026-03-05T10:00:00' }, 'receivedAt', 'часовым поясом'],
  ])('refuses %s with a message naming the field, and starts nothing', async (_label, patch, field, rule) => {
    const app = { ...sampleApplication(), ...patch };
    const err = await ctx.cases.startApplication(app).catch((e) => e);
    expect(err).toBeInstanceOf(InputValidationError);
    expect(err.message).toContain(`${field}: `);
    expect(err.message).toContain(rule);
    // Personal values are never echoed back.
    expect(err.message).not.toContain('112-233-445');
    await expect(ctx.client.workflow.getHandle(app.applicationNumber).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('joins a duplicate start of the same application number instead of doubling it', async () => {
    const app = sampleApplication();
    expect((await ctx.cases.startApplication(app)).started).toBe(true);
    expect((await ctx.cases.startApplication(app)).started).toBe(false);
    const count = await ctx.client.workflow.count(`WorkflowId = "${app.applicationNumber}"`);
    expect(count.count).toBe(1);
    await ctx.cases.applicantCancelled(app.applicationNumber);
    await ctx.cases.result(app.applicationNumber);
  });

  it('rejects input that bypasses the client at the workflow entry, before any activity runs', async () => {
    const app = { ...sampleApplication(), applicant: { kind: 'person', lastName: 'Петров', firstName: 'Иван', snils: '112-233-445 00' } };
    const handle = await ctx.client.workflow.start('applicationLifecycle', {
      workflowId: app.applicationNumber,
      taskQueue: ctx.taskQueue,
      args: [app],
    });
    const err = await handle.result().catch((e) => e);
    expect(String(err.cause?.message)).toContain('applicant.snils');
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
  });
});

describe('visibility', () => {
  it('lists open cases by deadline, service and clerk from Temporal search attributes and from PostgreSQL', async () => {
    const mine = sampleApplication({ serviceCode: 'construction-permit', assignedClerk: 'visibility-clerk' });
    const other = sampleApplication({ serviceCode: 'archive-certificate', assignedClerk: 'visibility-other' });
    for (const app of [mine, other]) {
      await ctx.cases.startApplication(app);
      await ctx.cases.act(app.applicationNumber, 'register', { clerk: app.assignedClerk! });
    }
    // construction-permit: 5 working days; archive-certificate: 30 calendar days.
    const deadline = await waitFor(async () => (await ctx.cases.state(mine.applicationNumber)).deadline);
    const inTenDays = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const listed = await waitFor(async () => {
      const found = await ctx.cases.list(temporalQueryDueBefore(inTenDays, { clerk: 'visibility-clerk' }) + ' AND ExecutionStatus = "Running"');
      return found.length ? found : null;
    });
    expect(listed.map((c) => c.applicationNumber)).toEqual([mine.applicationNumber]);
    expect(listed[0].deadline?.toISOString()).toBe(new Date(deadline).toISOString());
    // The stage of a new case is not in visibility (compact history: no upsert per stage change)…
    expect(listed[0].stage).toBeUndefined();
    const byService = await ctx.cases.list('ServiceCode = "archive-certificate" AND AssignedClerk = "visibility-other"');
    expect(byService.map((c) => c.applicationNumber)).toEqual([other.applicationNumber]);

    await waitFor(async () => {
      const { rows } = await ctx.pool.query('SELECT deadline FROM applications WHERE application_number = $1', [mine.applicationNumber]);
      return rows[0]?.deadline;
    });
    // …but in the applications projection, which every case list reads.
    const { rows: projected } = await ctx.pool.query('SELECT stage FROM applications WHERE application_number = $1', [mine.applicationNumber]);
    expect(projected[0].stage).toBe('registered');
    const due = await dueWithinWorkingDays(ctx.pool, new ProductionCalendar(), 'Europe/Moscow', 7, { clerk: 'visibility-clerk' });
    expect(due.map((c) => c.applicationNumber)).toEqual([mine.applicationNumber]);
    for (const app of [mine, other]) {
      await ctx.cases.applicantCancelled(app.applicationNumber);
      await ctx.cases.result(app.applicationNumber);
    }
  });
});

describe('ЕЛК delivery under faults', () => {
  it('keeps the clerk working through a portal outage and delivers everything in order afterwards', async () => {
    const app = sampleApplication();
    const no = app.applicationNumber;
    await ctx.cases.startApplication(app);
    await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
    ctx.emulator.faults.set({ outage: true });
    // The portal is down: clerk actions still succeed at once.
    await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'requestFromApplicant', { clerk: 'ivanova', kind: 'correction' });
    await ctx.cases.applicantResponded(no);
    await ctx.cases.act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'approve' });
    await ctx.cases.act(no, 'approve', { clerk: 'head' });
    await ctx.cases.act(no, 'issueResult', { clerk: 'ivanova' });
    const during = await ctx.cases.state(no);
    expect(during.stage).toBe('resultIssued');
    ctx.emulator.faults.set({ outage: false });

    await ctx.cases.result(no);
    expect(elkStatuses(no)).toEqual([6, 15, 6, 3]);
    const { rows } = await ctx.pool.query(
      `SELECT count(*)::int AS n FROM elk_delivery_attempts WHERE application_number = $1 AND outcome = 'transport-error'`,
      [no],
    );
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('does not duplicate a status when the connection drops after the portal accepted it', async () => {
    const app = sampleApplication();
    const no = app.applicationNumber;
    await ctx.cases.startApplication(app);
    ctx.emulator.faults.set({ dropConnectionAfterAccept: 2 });
    await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
    await ctx.cases.act(no, 'requestInteragency', { clerk: 'ivanova', agencies: ['ФНС'] });
    await ctx.cases.applicantCancelled(no);
    await ctx.cases.result(no);
    expect(elkStatuses(no)).toEqual([6, 7, 10]);
    const received = ctx.emulator.messages().filter((m) => m.content.includes(`<orderNumber>${no}</orderNumber>`) || m.content.includes(`>${no}<`));
    // Every retry reused the persisted clientId: the emulator saw repeats but applied each message once.
    expect(new Set(received.map((m) => m.clientId)).size).toBe(3);
  });
});

describe('ЕЛК business rejections', () => {
  // This portal does not know status 7 for the service: it answers order status 4 «Status not found».
  let strict: TestContext;
  beforeAll(async () => {
    strict = await createTestContext('rejection', { allowedStatusCodes: [3, 4, 6, 10, 14, 15] });
    await strict.startWorker();
  });
  afterAll(async () => {
    await strict?.close();
  });

  it('turns a rejected status into a clerk task, never retries it blindly, and continues after the clerk skips it', async () => {
    const app = sampleApplication();
    const no = app.applicationNumber;
    await strict.cases.startApplication(app);
    await strict.cases.act(no, 'register', { clerk: 'ivanova' });
    await strict.cases.act(no, 'startReview', { clerk: 'ivanova' });
    await strict.cases.act(no, 'requestInteragency', { clerk: 'ivanova', agencies: ['МВД'] });
    const problem = await waitFor(async () => (await strict.cases.state(no)).elk.problem);
    expect(problem).toMatchObject({ seq: 2, code: 4 });
    const { rows: tasks } = await strict.pool.query('SELECT kind, assignee, title, resolved_at FROM clerk_tasks WHERE application_number = $1', [no]);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ kind: 'elkDeliveryProblem', assignee: 'ivanova', resolved_at: null });
    expect(tasks[0].title).toContain('ЕЛК отклонил статус 7');
    // Sent once: a business rejection is not retried by the retry policy.
    const sentSeven = strict.emulator.messages().filter((m) => m.content.includes(no) && m.content.includes('<status>7</status>'));
    expect(sentSeven).toHaveLength(1);

    // The clerk keeps working meanwhile; later statuses wait behind the problem, in order.
    await strict.cases.applicantCancelled(no);
    await strict.cases.act(no, 'resolveDeliveryProblem', { clerk: 'ivanova', action: 'skip' });
    const result = await strict.cases.result(no);
    expect(result).toMatchObject({ outcome: 'cancelled', elkStatusesDelivered: 2, elkStatusesSkipped: 1 });
    expect(strict.emulator.order(no)!.history.map((h) => h.status)).toEqual([6, 10]);
    const { rows: closed } = await strict.pool.query('SELECT resolution, resolved_at FROM clerk_tasks WHERE application_number = $1', [no]);
    expect(closed[0].resolution).toBe('skip');
    expect(closed[0].resolved_at).not.toBeNull();
    const { rows: outbox } = await strict.pool.query('SELECT seq, state, reply_code FROM elk_outbox WHERE application_number = $1 ORDER BY seq', [no]);
    expect(outbox).toEqual([
      { seq: 1, state: 'delivered', reply_code: 0 },
      { seq: 2, state: 'skipped', reply_code: 4 },
      { seq: 3, state: 'delivered', reply_code: 0 },
    ]);
  });
});
