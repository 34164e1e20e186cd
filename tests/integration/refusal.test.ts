// A refusal is never issued without a stored, complete letter: the letter is rendered and stored when the
// clerk drafts the refusal, previewed and amended, and the ЕЛК status «Отказано» (4) goes out only after it,
// with the letter as its attachment — also when the worker dies in between.
import { spawnSync } from 'node:child_process';
import { ClerkActionRejectedError } from '../../client/caseClient';
import { InputValidationError } from '../../shared/validation';
import {
  createTestContext,
  killProcess,
  sampleApplication,
  startWorkerProcess,
  TestContext,
  TEST_CODEC_KEYS,
  waitFor,
} from '../support/harness';
import { readRefusalLetters } from '../../activities/refusalLetters';

const THREE_GROUNDS = [
  { code: 'missing-documents', facts: { missingDocuments: ['положительное заключение экспертизы проектной документации', 'результаты инженерных изысканий'] } },
  { code: 'gpzu-expired', facts: { gpzuNumber: 'РФ-50-2-01-0-00-2022-0345', gpzuIssuedAt: '2022-11-14', submittedAt: '2026-02-18' } },
  {
    code: 'gpzu-noncompliance',
    facts: { parameter: 'максимальный процент застройки', designValue: '62 %', permittedValue: 'не более 50 %' },
  },
];

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('refusal');
});
afterAll(async () => {
  await ctx?.close();
});

async function toReview(no: string) {
  await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
  await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
}

async function letterRows(no: string) {
  return (await readRefusalLetters(ctx.pool, TEST_CODEC_KEYS, no)).map((l) => ({
    letter_id: l.letterId,
    version: l.version,
    text: l.text,
    html: l.html,
    pdf: l.pdf,
    created_at: l.createdAt,
    issued_at: l.issuedAt,
  }));
}

describe('with an in-process worker', () => {
  let worker: Awaited<ReturnType<TestContext['startWorker']>>;
  beforeAll(async () => {
    worker = await ctx.startWorker();
  });
  afterAll(async () => {
    await worker.shutdown();
    await worker.running;
  });

  it('drafts a three-ground letter, lets the clerk preview and amend it, and sends status 4 with the letter attached', async () => {
    const app = sampleApplication({ serviceCode: 'construction-permit' });
    const no = app.applicationNumber;
    await ctx.cases.startApplication(app);
    await toReview(no);
    await ctx.cases.act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'refuse', grounds: THREE_GROUNDS.slice(0, 2) });
    const first = await ctx.client.workflow.getHandle(no).query<{ version: number; text: string } | null>('refusalDraft');
    expect(first?.version).toBe(1);
    expect(first?.text).not.toContain('максимальный процент застройки');

    await ctx.cases.act(no, 'amendRefusal', { clerk: 'ivanova', grounds: THREE_GROUNDS });
    const draft = await ctx.client.workflow.getHandle(no).query<{ version: number; text: string; groundCodes: string[] } | null>('refusalDraft');
    expect(draft?.version).toBe(2);
    expect(draft?.groundCodes).toEqual(['missing-documents', 'gpzu-expired', 'gpzu-noncompliance']);
    // Every norm, fact and remedy, then the appeal section with concrete deadlines.
    for (const needle of ['2.9.1', '2.9.2', '2.9.3', 'статьи 51 Градостроительного кодекса', 'результаты инженерных изысканий', 'РФ-50-2-01-0-00-2022-0345', '62 %', 'Петрову Ивану Сергеевичу', '15 рабочих дней', '210-ФЗ']) {
      expect(draft?.text).toContain(needle);
    }
    expect(draft?.text).toMatch(/не позднее \d{1,2} [а-я]+ \d{4} г\./);
    expect(ctx.emulator.order(no)!.history.map((h) => h.status)).not.toContain(4);

    await ctx.cases.act(no, 'refuse', { clerk: 'head-smirnov' });
    expect(await ctx.cases.result(no)).toMatchObject({ outcome: 'refused' });
    const history = ctx.emulator.order(no)!.history;
    expect(history.map((h) => h.status)).toEqual([6, 4]);
    const letters = await letterRows(no);
    expect(letters).toHaveLength(2);
    const issued = letters[1];
    expect(issued.issued_at).not.toBeNull();
    // FSuuid is the id of the file actually uploaded, and that file is the issued letter's PDF.
    const [attached] = history[1].attachments;
    expect(history[1].attachments).toHaveLength(1);
    expect(attached.docTypeId).toBe('ELK_RESULT');
    expect(ctx.emulator.file(attached.fsUuid!)!.bytes.equals(issued.pdf)).toBe(true);
    // The stored PDF carries the same sentences in Cyrillic.
    const pdfText = spawnSync('pdftotext', ['-raw', '-', '-'], { input: issued.pdf }).stdout.toString('utf8');
    expect(pdfText).toContain('Петрову Ивану Сергеевичу');
    expect(pdfText).toContain('результаты инженерных изысканий');
    // At rest the letter is ciphertext: a database reader without the keys does not see the applicant.
    const { rows: raw } = await ctx.pool.query('SELECT text_sealed, html_sealed, pdf_sealed FROM refusal_letters WHERE application_number = $1', [no]);
    for (const r of raw) {
      for (const column of [r.text_sealed, r.html_sealed, r.pdf_sealed]) {
        expect(column.toString('utf8')).not.toContain('Петров');
        expect(column.toString('latin1')).not.toContain('%PDF');
      }
    }
  });

  it('rejects invalid refusals with a message naming the problem; the case stays in review and nothing goes to ЕЛК', async () => {
    const app = sampleApplication({ serviceCode: 'construction-permit' });
    const no = app.applicationNumber;
    await ctx.cases.startApplication(app);
    await toReview(no);

    const noGrounds = await ctx.cases.act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'refuse' }).catch((e) => e);
    expect(noGrounds).toBeInstanceOf(InputValidationError);
    expect(noGrounds.message).toContain('grounds: для отказа нужно хотя бы одно основание');

    const unknown = await ctx.cases
      .act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'refuse', grounds: [{ code: 'bad-weather', facts: {} }] })
      .catch((e) => e);
    expect(unknown).toBeInstanceOf(ClerkActionRejectedError);
    expect(unknown.message).toContain('grounds[0].code');

    const missingFacts = await ctx.cases
      .act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'refuse', grounds: [{ code: 'missing-documents', facts: {} }] })
      .catch((e) => e);
    expect(missingFacts).toBeInstanceOf(ClerkActionRejectedError);
    expect(missingFacts.message).toContain('grounds[0].facts.missingDocuments');

    const state = await ctx.cases.state(no);
    expect(state.stage).toBe('underReview');
    expect(await letterRows(no)).toHaveLength(0);

    // A fact with markup is escaped in the HTML letter, never a tag.
    await ctx.cases.act(no, 'draftDecision', {
      clerk: 'ivanova',
      outcome: 'refuse',
      grounds: [{ code: 'land-use-mismatch', facts: { plannedObject: '<script>alert(1)</script>', permittedUse: 'ИЖС' } }],
    });
    const [letter] = await letterRows(no);
    expect(letter.html).not.toContain('<script>alert(1)</script>');
    expect(letter.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    await ctx.cases.applicantCancelled(no);
    await ctx.cases.result(no);
    expect(ctx.emulator.order(no)!.history.map((h) => h.status)).toEqual([6, 10]);
  });
});

it('stores the letter before the refusal status reaches ЕЛК, also when the worker is killed between the two', async () => {
  const first = await startWorkerProcess(ctx);
  const app = sampleApplication({ serviceCode: 'construction-permit' });
  const no = app.applicationNumber;
  await ctx.cases.startApplication(app);
  await toReview(no);
  await ctx.cases.act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'refuse', grounds: THREE_GROUNDS });
  // The portal is down: the refusal is decided, the status is queued, and the worker dies before sending it.
  ctx.emulator.faults.set({ outage: true });
  await ctx.cases.act(no, 'refuse', { clerk: 'head-smirnov' });
  await killProcess(first, 'SIGKILL');
  ctx.emulator.faults.set({ outage: false });

  const second = await startWorkerProcess(ctx);
  try {
    await ctx.cases.result(no);
    const refusal = await waitFor(() => ctx.emulator.order(no)?.history.find((h) => h.status === 4));
    const [letter] = await letterRows(no);
    expect(letter.issued_at).not.toBeNull();
    expect(letter.created_at.getTime()).toBeLessThanOrEqual(Date.parse(refusal.receivedAt));
    expect(letter.issued_at!.getTime()).toBeLessThanOrEqual(Date.parse(refusal.receivedAt));
    expect(refusal.attachments).toHaveLength(1);
    expect(ctx.emulator.file(refusal.attachments[0].fsUuid!)!.bytes.equals(letter.pdf)).toBe(true);
  } finally {
    await killProcess(second, 'SIGTERM');
  }
});
