// Contract: a full lifecycle driven over HTTP only, every answer (errors included) validated against the
// committed OpenAPI document, which must equal the one generated from the zod schemas.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { generatedOpenApiText, OPENAPI_FILE } from '../../http/openapiFile';
import openapi from '../../http/openapi.json';
import { simpleResultPdf } from '../../scripts/demoDocuments';
import { sampleApplication, waitFor } from '../support/harness';
import { ApiContext, covered, createApiContext, newKey, TOKENS } from './support';

let api: ApiContext;
beforeAll(async () => {
  api = await createApiContext('http-contract');
});
afterAll(async () => {
  await api?.close();
});

const act = (no: string, action: string, body: unknown, token: string = TOKENS.ivanova) =>
  api.call({ method: 'POST', path: `/cases/{applicationNumber}/actions/${action}`, params: { applicationNumber: no }, token, key: newKey(action), body });

const GROUNDS = [
  { code: 'missing-documents', facts: { missingDocuments: ['положительное заключение экспертизы проектной документации'] } },
  { code: 'gpzu-noncompliance', facts: { parameter: 'максимальный процент застройки', designValue: '62 %', permittedValue: 'не более 50 %' } },
];

describe('the OpenAPI document', () => {
  it('is committed exactly as generated from the zod schemas', () => {
    expect(fs.readFileSync(OPENAPI_FILE, 'utf8')).toBe(generatedOpenApiText());
  });

  it('is served at /openapi.json, with Swagger UI at /docs', async () => {
    const doc = await api.raw('/openapi.json');
    expect(doc.status).toBe(200);
    expect(JSON.parse(doc.text)).toEqual(openapi);
    const ui = await api.raw('/docs');
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toContain('text/html');
    expect((await api.raw('/docs/init.js')).text).toContain("url: '/openapi.json'");
    const bundle = await api.raw('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
  });
});

describe('a refusal, from intake to the letter, over HTTP', () => {
  it('starts, registers, reviews, drafts, amends, previews and issues the refusal', async () => {
    const app = sampleApplication({ serviceCode: 'construction-permit' });
    const no = app.applicationNumber;
    const key = newKey('start');
    const started = await api.call({ method: 'POST', path: '/applications', key, body: app });
    expect(started.status).toBe(201);
    expect(started.body).toEqual({ applicationNumber: no, started: true });

    expect((await act(no, 'register', { clerk: 'ivanova' })).body.stage).toBe('registered');
    expect((await act(no, 'start-review', { clerk: 'ivanova' })).body.stage).toBe('underReview');
    const drafted = await act(no, 'draft-decision', { clerk: 'ivanova', outcome: 'refuse', grounds: GROUNDS.slice(0, 1) });
    expect(drafted.body.stage).toBe('decisionDrafted');
    await act(no, 'amend-refusal', { clerk: 'ivanova', grounds: GROUNDS });
    const draft = await api.call({ method: 'GET', path: '/cases/{applicationNumber}/refusal-draft', params: { applicationNumber: no }, token: TOKENS.ivanova });
    expect(draft.status).toBe(200);
    expect(draft.body).toMatchObject({ version: 2, groundCodes: ['missing-documents', 'gpzu-noncompliance'] });
    expect(draft.body.text).toContain('процент застройки');

    // The head approves the refusal in their own name.
    const refused = await act(no, 'refuse', { clerk: 'kuznetsov' }, TOKENS.head);
    expect(refused.body.stage).toBe('refused');
    expect(await api.ctx.cases.result(no)).toMatchObject({ outcome: 'refused' });
    expect(api.ctx.emulator.order(no)!.history.map((h) => h.status)).toEqual([6, 4]);

    const history = await api.call({ method: 'GET', path: '/cases/{applicationNumber}/history', params: { applicationNumber: no }, token: TOKENS.management });
    expect(history.body.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['register', 'startReview', 'draftDecision:refuse', 'amendRefusal', 'refuse']));
    const audit = await api.auditRows(no);
    // Writes are audited, reads are not.
    expect(audit.map((r) => r.operation)).toEqual(['register', 'startReview', 'draftDecision', 'amendRefusal', 'refuse']);
    expect(audit.every((r) => r.outcome === 'done' && r.request_id)).toBe(true);

    // The case list reads the projection the lifecycle wrote: the refusal is in the clerk's own list, by stage.
    const listed = await waitFor(async () => {
      const page = await api.call({ method: 'GET', path: '/cases', query: { stage: 'refused', serviceCode: 'construction-permit', limit: '500' }, token: TOKENS.ivanova });
      expect(page.status).toBe(200);
      return (page.body.items as { applicationNumber: string }[]).find((r) => r.applicationNumber === no);
    });
    expect(listed).toMatchObject({ stage: 'refused', stageTitle: 'Отказано в предоставлении услуги', assignedClerk: 'ivanova', serviceCode: 'construction-permit', completedAt: expect.any(String) });
  });
});

describe('an approval with every other action, over HTTP', () => {
  it('runs interagency requests, the applicant round-trip, an extension, a reassignment and the result', async () => {
    const app = sampleApplication();
    const no = app.applicationNumber;
    expect((await api.call({ method: 'POST', path: '/applications', key: newKey(), body: app })).status).toBe(201);
    await act(no, 'register', { clerk: 'ivanova' });
    await act(no, 'start-review', { clerk: 'ivanova' });
    await act(no, 'request-interagency', { clerk: 'ivanova', agencies: ['Росреестр'] });
    await act(no, 'record-interagency-answer', { clerk: 'ivanova', agency: 'Росреестр' });
    expect((await act(no, 'request-from-applicant', { clerk: 'ivanova', kind: 'documents', note: 'нужна копия доверенности' })).body.stage).toBe('awaitingApplicant');
    const responded = await api.call({ method: 'POST', path: '/cases/{applicationNumber}/applicant-responded', params: { applicationNumber: no }, key: newKey(), body: { documents: ['доверенность'] } });
    expect(responded.status).toBe(202);
    const extended = await act(no, 'extend-deadline', { clerk: 'kuznetsov', amount: 5, unit: 'workingDays', reason: 'ч. 2 ст. 12 регламента' }, TOKENS.head);
    expect(extended.status).toBe(200);
    const reassigned = await act(no, 'reassign', { clerk: 'kuznetsov', to: 'petrov', reason: 'отпуск' }, TOKENS.head);
    expect(reassigned.body.assignedClerk).toBe('petrov');
    await act(no, 'draft-decision', { clerk: 'petrov', outcome: 'approve' }, TOKENS.petrov);
    await act(no, 'approve', { clerk: 'kuznetsov' }, TOKENS.head);
    // No delivery problem: the case refuses the operator's action, and says so per contract.
    const noProblem = await act(no, 'resolve-delivery-problem', { clerk: 'it-duty', action: 'retry' }, TOKENS.operator);
    expect(noProblem.status).toBe(409);
    expect(noProblem.headers['content-type']).toContain('application/problem+json');
    expect((await act(no, 'issue-result', { clerk: 'petrov' }, TOKENS.petrov)).body.stage).toBe('resultIssued');
    expect(await api.ctx.cases.result(no)).toMatchObject({ outcome: 'resultIssued' });

    const state = await api.call({ method: 'GET', path: '/cases/{applicationNumber}', params: { applicationNumber: no }, token: TOKENS.operator });
    expect(state.body).toMatchObject({ stage: 'resultIssued', assignedClerk: 'petrov' });
    const deadline = await api.call({ method: 'GET', path: '/cases/{applicationNumber}/deadline', params: { applicationNumber: no }, token: TOKENS.head });
    expect(deadline.body.deadline).toEqual(expect.any(String));
    const noDraft = await api.call({ method: 'GET', path: '/cases/{applicationNumber}/refusal-draft', params: { applicationNumber: no }, token: TOKENS.head });
    expect(noDraft.status).toBe(404);
  });

  it('takes the result document over HTTP and the cabinet shows status 3 with that file', async () => {
    const app = sampleApplication();
    const no = app.applicationNumber;
    expect((await api.call({ method: 'POST', path: '/applications', key: newKey(), body: app })).status).toBe(201);
    await act(no, 'register', { clerk: 'ivanova' });
    await act(no, 'start-review', { clerk: 'ivanova' });
    await act(no, 'draft-decision', { clerk: 'ivanova', outcome: 'approve' });
    await act(no, 'approve', { clerk: 'kuznetsov' }, TOKENS.head);

    const content = simpleResultPdf([`Result for ${no}`]);
    const upload = { fileName: 'Разрешение на строительство.pdf', contentBase64: content.toString('base64') };
    const key = newKey('doc');
    const stored = await api.call({ method: 'POST', path: '/cases/{applicationNumber}/documents', params: { applicationNumber: no }, token: TOKENS.ivanova, key, body: upload });
    expect(stored.status).toBe(201);
    expect(stored.body).toMatchObject({ applicationNumber: no, sizeBytes: content.length, sha256: createHash('sha256').update(content).digest('hex') });
    // The same request again is answered from the idempotency record: the same reference.
    const replay = await api.call({ method: 'POST', path: '/cases/{applicationNumber}/documents', params: { applicationNumber: no }, token: TOKENS.ivanova, key, body: upload });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(stored.body);
    // Another clerk's case is not theirs to upload to.
    const foreign = await api.call({ method: 'POST', path: '/cases/{applicationNumber}/documents', params: { applicationNumber: no }, token: TOKENS.petrov, key: newKey('doc'), body: upload });
    expect(foreign.status).toBe(403);

    const document = { documentId: stored.body.documentId, sha256: stored.body.sha256 };
    expect((await act(no, 'issue-result', { clerk: 'ivanova', document })).body.stage).toBe('resultIssued');
    await api.ctx.cases.result(no);
    const last = await waitFor(() => api.ctx.emulator.cabinet(no)?.statuses.find((st) => st.status === 3) ?? null);
    expect(last.files).toHaveLength(1);
    expect(last.files[0]).toMatchObject({ fileName: 'Разрешение на строительство.pdf', mimeType: 'application/pdf', sha256: document.sha256 });
    expect(api.ctx.emulator.file(last.files[0].fsUuid)!.bytes.equals(content)).toBe(true);
  });

  it('takes a pushed batch of ratings once, quarantines the bad one with its reason, and routes the good one', async () => {
    const app = sampleApplication();
    const no = app.applicationNumber;
    expect((await api.call({ method: 'POST', path: '/applications', key: newKey(), body: app })).status).toBe(201);
    await waitFor(async () => ((await api.ctx.pool.query('SELECT 1 FROM applications WHERE application_number = $1', [no])).rowCount === 1 ? true : null));
    const at = new Date().toISOString();
    const batch = {
      source: 'epguQuestionnaire',
      items: [
        { externalId: `${no}-q1`, applicationNumber: no, ratedAt: at, criteria: { '2.6': 5, '2.8': 4 } },
        { externalId: `${no}-q2`, applicationNumber: no, ratedAt: at, criteria: { '2.6': 9 } },
      ],
    };
    const first = await api.call({ method: 'POST', path: '/ratings/batches', token: TOKENS.operator, key: newKey('ratings'), body: batch });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: 1, duplicates: 0, quarantined: 1, rejected: false });
    expect(first.body.problems).toEqual([expect.objectContaining({ externalId: `${no}-q2`, reasonCode: 'invalid', reason: expect.stringContaining('2.6') })]);
    expect(first.body.routed).toBeGreaterThanOrEqual(1);
    // Delivered again (another request): counted as duplicates, stored once.
    const again = await api.call({ method: 'POST', path: '/ratings/batches', key: newKey('ratings'), body: batch });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 2, quarantined: 0 });
    const { rows } = await api.ctx.pool.query('SELECT routed_at FROM feedback_ratings WHERE application_number = $1', [no]);
    expect(rows).toHaveLength(1);
    expect(rows[0].routed_at).not.toBeNull();
  });

  it('cancels on the applicant’s withdrawal relayed by the case system', async () => {
    const app = sampleApplication();
    await api.call({ method: 'POST', path: '/applications', key: newKey(), body: app });
    const r = await api.call({ method: 'POST', path: '/cases/{applicationNumber}/applicant-cancelled', params: { applicationNumber: app.applicationNumber }, key: newKey(), body: { reason: 'передумал' } });
    expect(r.status).toBe(202);
    expect(await api.ctx.cases.result(app.applicationNumber)).toMatchObject({ outcome: 'cancelled' });
  });
});

describe('a delivery problem over HTTP', () => {
  it('lets the operator skip a status the portal rejected, and the case goes on', async () => {
    const app = sampleApplication();
    const no = app.applicationNumber;
    await api.call({ method: 'POST', path: '/applications', key: newKey(), body: app });
    await act(no, 'register', { clerk: 'ivanova' });
    await waitFor(() => api.ctx.emulator.order(no)?.history.length === 1);
    api.ctx.emulator.faults.set({ rejectNext: { code: 'InvalidContent', description: 'SMEV-403: схема не соответствует' } });
    await act(no, 'start-review', { clerk: 'ivanova' });
    await act(no, 'request-interagency', { clerk: 'ivanova', agencies: ['МВД'] });
    await waitFor(async () => (await api.ctx.cases.state(no)).elk.problem);
    const skipped = await act(no, 'resolve-delivery-problem', { clerk: 'it-duty', action: 'skip' }, TOKENS.operator);
    expect(skipped.status).toBe(200);
    await waitFor(async () => (await api.ctx.cases.state(no)).elk.problem === null);
    await api.call({ method: 'POST', path: '/cases/{applicationNumber}/applicant-cancelled', params: { applicationNumber: no }, key: newKey(), body: {} });
    expect(await api.ctx.cases.result(no)).toMatchObject({ outcome: 'cancelled', elkStatusesSkipped: 1 });
  });
});

describe('the task board over HTTP', () => {
  it('lists a clerk’s own tasks, acknowledges once, and lets the head reassign', async () => {
    const app = sampleApplication();
    const no = app.applicationNumber;
    await api.call({ method: 'POST', path: '/applications', key: newKey(), body: app });
    // As the escalation activity opens it: a rung for the assigned clerk.
    await api.ctx.pool.query(
      `INSERT INTO clerk_tasks (task_key, application_number, kind, assignee_role, assignee, title, body, due_at)
       VALUES ($1, $2, 'escalation', 'clerk', 'ivanova', 'Прошла половина срока', 'Проверьте заявление', now() + interval '2 days')`,
      [`rung-half-${no}`, no],
    );
    const mine = await api.call({ method: 'GET', path: '/tasks', token: TOKENS.ivanova, query: { applicationNumber: no } });
    expect(mine.body).toHaveLength(1);
    const taskId = mine.body[0].id;
    const notPetrovs = await api.call({ method: 'GET', path: '/tasks', token: TOKENS.petrov, query: { applicationNumber: no } });
    expect(notPetrovs.body).toHaveLength(0);

    const ack = await api.call({ method: 'POST', path: '/tasks/{taskId}/acknowledge', params: { taskId }, token: TOKENS.ivanova, key: newKey() });
    expect(ack.body).toEqual({ acknowledged: true });
    const again = await api.call({ method: 'POST', path: '/tasks/{taskId}/acknowledge', params: { taskId }, token: TOKENS.ivanova, key: newKey() });
    expect(again.body).toEqual({ acknowledged: false });

    const moved = await api.call({ method: 'POST', path: '/tasks/{taskId}/reassign', params: { taskId }, token: TOKENS.head, key: newKey(), body: { to: 'petrov', reason: 'отпуск' } });
    expect(moved.body).toEqual({ from: 'ivanova', to: 'petrov' });
    expect((await api.call({ method: 'GET', path: '/tasks', token: TOKENS.petrov, query: { applicationNumber: no } })).body).toHaveLength(1);
    const missing = await api.call({ method: 'POST', path: '/tasks/{taskId}/acknowledge', params: { taskId: 999999999 }, token: TOKENS.head, key: newKey() });
    expect(missing.status).toBe(404);
  });
});

describe('reports over HTTP', () => {
  it('answers the latest weekly report once one is produced, as figures and as HTML', async () => {
    const none = await api.call({ method: 'GET', path: '/reports/weekly/latest', token: TOKENS.management });
    expect([200, 404]).toContain(none.status);
    await api.ctx.pool.query(
      `INSERT INTO compliance_reports (department, period_start, period_end, generated_at, figures, html, csv, content_sha256)
       VALUES ('department', '2026-11-23', '2026-11-29', now(), '{"total": {"received": 3}}', '<html><body>Отчёт</body></html>', 'a;b', 'abc')
       ON CONFLICT DO NOTHING`,
    );
    const json = await api.call({ method: 'GET', path: '/reports/weekly/latest', token: TOKENS.management });
    expect(json.status).toBe(200);
    expect(json.body.department).toBe('department');
    const html = await api.call({ method: 'GET', path: '/reports/weekly/latest.html', token: TOKENS.head });
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
  });
});

describe('errors per contract', () => {
  it('names the field and the rule of a bad application, in problem+json', async () => {
    const bad = sampleApplication({ applicant: { kind: 'person', lastName: 'Петров', firstName: 'Иван', snils: '112-233-445 00' } as never });
    const r = await api.call({ method: 'POST', path: '/applications', key: newKey(), body: bad });
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.body.errors).toEqual([{ field: 'applicant.snils', rule: expect.stringContaining('контрольная сумма') }]);
    expect(JSON.stringify(r.body)).not.toContain('112-233-445');
  });

  it('answers 404 for an unknown case and an unknown route, 415 for a non-JSON body', async () => {
    const unknown = await api.call({ method: 'GET', path: '/cases/{applicationNumber}', params: { applicationNumber: 'NO-SUCH-1' }, token: TOKENS.operator });
    expect(unknown.status).toBe(404);
    const route = await api.raw('/nowhere');
    expect(route.status).toBe(404);
    expect(route.headers.get('content-type')).toContain('application/problem+json');
    const text = await api.call({ method: 'POST', path: '/applications', key: newKey(), rawBody: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(415);
  });

  it('has answered every operation of the document with a success', () => {
    const ops: string[] = [];
    for (const [path, methods] of Object.entries((openapi as { paths: Record<string, Record<string, unknown>> }).paths)) {
      for (const m of Object.keys(methods)) ops.push(`${m.toUpperCase()} ${path}`);
    }
    const answered = ops.filter((op) => [...covered].some((c) => c.startsWith(`${op} 2`)));
    expect(ops.filter((op) => !answered.includes(op))).toEqual([]);
  });
});
