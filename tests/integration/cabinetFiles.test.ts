// What the applicant receives in the cabinet, against the strict emulator: the refusal letter PDF with status 4,
// the result document with status 3, each uploaded once through the adapter's exchange folder — also when an
// attempt dies after placing the file, or the connection drops after the adapter took it. Applications filed on
// ЕПГУ get no ЕЛК order of ours: their statuses answer ЕПГУ's original request, in order.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ElkChannel } from '../../activities/elkDelivery';
import { storeResultDocument } from '../../documents/resultDocuments';
import { getGround, loadGroundsCatalog } from '../../refusal/groundsCatalog';
import { simpleResultPdf } from '../../scripts/demoDocuments';
import { createTestContext, sampleApplication, TEST_CODEC_KEYS, TestContext, waitFor } from '../support/harness';

const GROUNDS = [
  { code: 'missing-documents', facts: { missingDocuments: ['положительное заключение экспертизы проектной документации'] } },
  { code: 'gpzu-noncompliance', facts: { parameter: 'максимальный процент застройки', designValue: '62 %', permittedValue: 'не более 50 %' } },
];
// A detached CMS signature's first bytes: SEQUENCE { OID signedData … } (content is opaque to the plugin).
const SIGNATURE = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]), Buffer.alloc(64, 1)]);

let ctx: TestContext;
/** Attempts that die after the file is placed in the exchange folder, before the status is sent. */
let crashAfterPlacing = 0;
let crashesInjected = 0;
const crash = new Error('injected: attempt died after placing the file');

beforeAll(async () => {
  ctx = await createTestContext('cabinet-files');
  await ctx.startWorker({
    wrapStatusChannel: (inner: ElkChannel): ElkChannel => ({
      ...inner,
      async send(clientId, xml, attachments) {
        if (attachments.length > 0 && crashAfterPlacing > 0) {
          crashAfterPlacing--;
          crashesInjected++;
          throw crash;
        }
        return inner.send(clientId, xml, attachments);
      },
      isTransient: (err) => err === crash || inner.isTransient(err),
    }),
  });
});
afterAll(async () => {
  await ctx?.close();
});

async function toApproved(no: string): Promise<void> {
  for (const [action, args] of [
    ['register', { clerk: 'ivanova' }],
    ['startReview', { clerk: 'ivanova' }],
    ['draftDecision', { clerk: 'ivanova', outcome: 'approve' }],
    ['approve', { clerk: 'head-smirnov' }],
  ] as const) {
    await ctx.cases.act(no, action, args as never);
  }
}

function pdfText(bytes: Buffer): string {
  const out = spawnSync('pdftotext', ['-raw', '-', '-'], { input: bytes });
  expect(out.status).toBe(0);
  return out.stdout.toString('utf8').replace(/\s+/g, ' ');
}

function exchangeFilesOf(fsUuid: string): string[] {
  const dir = path.join(ctx.emulator.exchangeDir, fsUuid);
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

it('a refusal puts exactly one PDF in the cabinet, with the application number and every ground norm in its text', async () => {
  const app = sampleApplication({ serviceCode: 'construction-permit', channel: 'mfc' });
  const no = app.applicationNumber;
  await ctx.cases.startApplication(app);
  await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
  await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
  await ctx.cases.act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'refuse', grounds: GROUNDS });
  await ctx.cases.act(no, 'refuse', { clerk: 'head-smirnov' });
  await ctx.cases.result(no);

  const cabinet = ctx.emulator.cabinet(no)!;
  expect(cabinet.statuses.map((s) => s.status)).toEqual([6, 4]);
  expect(cabinet.statuses[0].files).toEqual([]);
  const files = cabinet.statuses[1].files;
  expect(files).toHaveLength(1);
  expect(files[0]).toMatchObject({ mimeType: 'application/pdf', docTypeId: 'ELK_RESULT' });
  expect(files[0].fileName.length).toBeLessThanOrEqual(108);

  // Over HTTP, as an operator would fetch it: the bytes with their content type.
  const res = await fetch(`${ctx.emulator.url}/__emulator/files/${files[0].fsUuid}`);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  const text = pdfText(Buffer.from(await res.arrayBuffer()));
  expect(text).toContain(no);
  const catalog = loadGroundsCatalog();
  for (const g of GROUNDS) {
    for (const norm of getGround(catalog, 'construction-permit', g.code)!.norms) expect(text).toContain(norm);
  }
  // The channel decides ApplicationAcceptance (configured code for МФЦ in the test department).
  expect(ctx.emulator.order(no)!.officeInfo.ApplicationAcceptance).toBe('91');
});

it('an issued result carries its document (with the detached signature), sealed at rest until delivered', async () => {
  const app = sampleApplication();
  const no = app.applicationNumber;
  const content = simpleResultPdf([`Archive certificate for ${no}`]);
  const ref = await storeResultDocument(ctx.pool, TEST_CODEC_KEYS, { applicationNumber: no, fileName: 'Архивная справка.pdf', content, signature: SIGNATURE });
  // Storing the same bytes again is the same document.
  expect(await storeResultDocument(ctx.pool, TEST_CODEC_KEYS, { applicationNumber: no, fileName: 'Архивная справка.pdf', content })).toEqual(ref);
  const { rows: sealed } = await ctx.pool.query('SELECT content_sealed FROM result_documents WHERE document_id = $1', [ref.documentId]);
  expect(sealed[0].content_sealed.toString('latin1')).not.toContain('%PDF');

  await ctx.cases.startApplication(app);
  await toApproved(no);
  await ctx.cases.act(no, 'issueResult', { clerk: 'ivanova', document: ref });
  await ctx.cases.result(no);

  const last = ctx.emulator.cabinet(no)!.statuses.at(-1)!;
  expect(last.status).toBe(3);
  expect(last.files).toHaveLength(1);
  expect(last.files[0]).toMatchObject({ fileName: 'Архивная справка.pdf', mimeType: 'application/pdf', sha256: ref.sha256, signed: true });
  const stored = ctx.emulator.file(last.files[0].fsUuid)!;
  expect(stored.bytes.equals(content)).toBe(true);
  expect(stored.signaturePKCS7!.equals(SIGNATURE)).toBe(true);
  const { rows } = await ctx.pool.query('SELECT delivered_fs_uuid, issued_at FROM result_documents WHERE document_id = $1', [ref.documentId]);
  expect(rows[0].delivered_fs_uuid).toBe(last.files[0].fsUuid);
  expect(rows[0].issued_at).not.toBeNull();
});

it('a reference to a document that was never stored is refused at issueResult, naming the field', async () => {
  const app = sampleApplication();
  const no = app.applicationNumber;
  await ctx.cases.startApplication(app);
  await toApproved(no);
  const err = await ctx.cases
    .act(no, 'issueResult', { clerk: 'ivanova', document: { documentId: '00000000-0000-4000-8000-000000000000', sha256: 'a'.repeat(64) } })
    .catch((e: unknown) => e as Error);
  expect(String((err as Error).message)).toContain('document');
  expect((await ctx.cases.state(no)).stage).toBe('approved');
});

it('an attempt that dies after placing the file, and a connection dropped after the adapter took it, still give one file and one status', async () => {
  const app = sampleApplication();
  const no = app.applicationNumber;
  const content = simpleResultPdf([`Result for ${no}`]);
  const ref = await storeResultDocument(ctx.pool, TEST_CODEC_KEYS, { applicationNumber: no, fileName: 'result.pdf', content });
  await ctx.cases.startApplication(app);
  await toApproved(no);
  await waitFor(() => ctx.emulator.cabinet(no)?.statuses.length === 1 || null);

  crashAfterPlacing = 1;
  crashesInjected = 0;
  ctx.emulator.faults.set({ dropConnectionAfterAccept: 1 });
  await ctx.cases.act(no, 'issueResult', { clerk: 'ivanova', document: ref });
  await ctx.cases.result(no);

  // Both faults happened.
  expect(crashesInjected).toBe(1);
  expect(ctx.emulator.faults.get().dropConnectionAfterAccept).toBe(0);
  const { rows: attempts } = await ctx.pool.query(
    `SELECT a.outcome FROM elk_delivery_attempts a JOIN elk_outbox o USING (application_number, seq) WHERE o.application_number = $1 AND o.elk_status = 3 ORDER BY a.id`,
    [no],
  );
  expect(attempts.map((r) => r.outcome)).toEqual(['transport-error', 'transport-error', 'delivered']);

  const threes = ctx.emulator.cabinet(no)!.statuses.filter((s) => s.status === 3);
  expect(threes).toHaveLength(1);
  expect(threes[0].files).toHaveLength(1);
  const fsUuid = threes[0].files[0].fsUuid;
  expect(ctx.emulator.files().filter((f) => f.sha256 === ref.sha256)).toHaveLength(1);
  // Delivered and confirmed by ЕЛК: the document no longer lies in clear in the exchange folder.
  expect(exchangeFilesOf(fsUuid)).toEqual([]);
  // One message carried the status (the re-send after the drop was answered "already sent").
  const sent = ctx.emulator.messages().filter((m) => m.content.includes(fsUuid));
  expect(sent).toHaveLength(1);
});

it('an application filed on ЕПГУ sends no CreateOrdersRequest: its statuses answer the original request, in order', async () => {
  const requestClientId = `epgu-req-${process.pid}-${Date.now()}`;
  const orderId = String(7_000_000_000 + (Date.now() % 1_000_000));
  ctx.emulator.registerEpguRequest({ requestClientId, orderId });
  const app = sampleApplication({ channel: 'epgu', epgu: { orderId, requestClientId } });
  const no = app.applicationNumber;
  const ref = await storeResultDocument(ctx.pool, TEST_CODEC_KEYS, { applicationNumber: no, fileName: 'result.pdf', content: simpleResultPdf([`EPGU ${no}`]) });
  await ctx.cases.startApplication(app);
  await toApproved(no);
  await ctx.cases.act(no, 'issueResult', { clerk: 'ivanova', document: ref });
  const result = await ctx.cases.result(no);

  expect(ctx.emulator.order(no)).toBeUndefined();
  expect(ctx.emulator.messages().filter((m) => m.content.includes(no) && m.content.includes('CreateOrdersRequest'))).toEqual([]);
  const state = await ctx.cases.state(no);
  const expected = state.elk.items.map((i) => i.elkStatus);
  expect(expected.length).toBeGreaterThan(1);
  expect(result.elkStatusesDelivered).toBe(expected.length);
  const answered = ctx.emulator.epguRequests().find((r) => r.requestClientId === requestClientId)!;
  expect(answered.statuses.map((s) => s.status)).toEqual(expected);
  expect(answered.statuses.at(-1)!.files.map((f) => f.sha256)).toEqual([ref.sha256]);
  const { rows } = await ctx.pool.query(`SELECT DISTINCT request_type FROM elk_outbox WHERE application_number = $1`, [no]);
  expect(rows.map((r) => r.request_type)).toEqual(['EpguStatusReply']);
});
