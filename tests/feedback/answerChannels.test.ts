// The answer to a critical review on every channel the applicant gave: SMS over SMPP and e-mail over SMTP, each
// to the project's strict test servers, with real PostgreSQL. Sent once per channel however often the activity
// runs, with one Message-ID per answer; a relay's permanent refusal is recorded, not retried; no channel at
// all is an error that says why. The SMTP test server refuses what a relay refuses.
import nodemailer from 'nodemailer';
import { Pool } from 'pg';
import { answerChannels } from '../../feedback/feedbackActivities';
import { answerMessageId, SmtpEmailGateway } from '../../feedback/emailGateway';
import { SMTP_EMULATOR_MAX_BYTES } from '../../feedback/emulator/smtpEmulator';
import { sha256Hex } from '../../feedback/hash';
import { readStack, uniqueNumber, waitFor } from '../support/harness';
import { ANSWER_SENDER, insertClosedCase, startFeedbackParts } from './support';

let pool: Pool;
let parts: Awaited<ReturnType<typeof startFeedbackParts>>;

beforeAll(async () => {
  pool = new Pool({ connectionString: readStack().databaseUrl, max: 5 });
  parts = await startFeedbackParts(pool);
});
afterAll(async () => {
  await parts?.stop();
  await pool?.end();
});

const MEASURE = 'С исполнителем проведена беседа, выдача справок поставлена на ежедневный контроль';

/** A closed case with its served event (the applicant's contacts) and an open reaction with a recorded measure. */
async function reactionWithMeasure(contact: { phone?: string; email?: string }): Promise<{ no: string; reactionId: string }> {
  const no = uniqueNumber('FBM');
  await insertClosedCase(pool, no);
  await parts.activities.registerServedEvent({ applicationNumber: no, serviceCode: 'archive-certificate', outcome: 'resultIssued', servedAt: new Date().toISOString(), contact });
  const reactionId = `${no}:flag-1`;
  await parts.activities.openReaction({ reactionId, applicationNumber: no, serviceCode: 'archive-certificate', ratingId: null, trigger: 'flaggedComment', openedAt: new Date().toISOString(), termWorkingDays: 5 });
  await parts.activities.recordReactionMeasure({ reactionId, head: 'kuznetsov', measure: MEASURE, at: new Date().toISOString() });
  return { no, reactionId };
}
const answer = (no: string, reactionId: string) => parts.activities.sendReactionAnswer({ reactionId, applicationNumber: no, serviceCode: 'archive-certificate', at: new Date().toISOString() });

it('sends the answer once by SMS and once by e-mail, with one Message-ID per answer, however often the activity runs', async () => {
  const { no, reactionId } = await reactionWithMeasure({ phone: '+79165550101', email: 'petrov.ivan@mail.example.ru' });
  const first = await answer(no, reactionId);
  const again = await answer(no, reactionId);
  expect(first.channels).toEqual(['sms', 'email']);
  expect(again).toEqual(first);

  const mails = parts.smtp.messages().filter((m) => m.to.includes('petrov.ivan@mail.example.ru'));
  expect(mails).toHaveLength(1);
  const sms = parts.smsc.messages().filter((m) => m.to === '79165550101' && m.text.includes('Мы разобрались'));
  expect(sms).toHaveLength(1);
  // The same stored text on both channels: its hash is the answer's.
  expect(mails[0]!.text).toBe(sms[0]!.text);
  expect(sha256Hex(mails[0]!.text)).toBe(first.contentSha256);
  expect(mails[0]!.text).toContain(MEASURE);
  expect(mails[0]!.subject).toBe(`Ответ на ваш отзыв по заявлению № ${no}`);
  expect(mails[0]!.from).toBe('otvet@otdel.example.ru');
  expect(mails[0]!.messageId).toBe(answerMessageId(`answer:${reactionId}`, 'otdel.example.ru'));
  expect(mails[0]!.messageId).toMatch(/^<feedback\.[0-9a-f]{32}@otdel\.example\.ru>$/);

  const row = (await pool.query(`SELECT state, attempts, message_id, recipient_sealed, text_sha256 FROM feedback_email WHERE purpose_key = $1`, [`answer:${reactionId}`])).rows[0];
  expect(row).toMatchObject({ state: 'sent', attempts: 1, message_id: mails[0]!.messageId, text_sha256: first.contentSha256 });
  expect(Buffer.from(row.recipient_sealed).toString('latin1')).not.toContain('petrov.ivan');
  const stored = (await pool.query(`SELECT channels FROM feedback_answers WHERE reaction_id = $1`, [reactionId])).rows[0];
  expect(stored.channels).toEqual(['sms', 'email']);
  expect((await pool.query(`SELECT answered_at FROM feedback_reactions WHERE reaction_id = $1`, [reactionId])).rows[0].answered_at).not.toBeNull();
});

it('answers by e-mail alone when the applicant left only an address', async () => {
  const { no, reactionId } = await reactionWithMeasure({ email: 'only.mail@mail.example.ru' });
  expect((await answer(no, reactionId)).channels).toEqual(['email']);
  expect(parts.smtp.messages().filter((m) => m.to.includes('only.mail@mail.example.ru'))).toHaveLength(1);
  expect(parts.smsc.messages().filter((m) => m.text.includes(no) && m.text.includes('Мы разобрались'))).toHaveLength(0);
});

it('records a relay refusing the address for good, and counts the answer sent by SMS', async () => {
  // Valid to the intake's rule (zod's e-mail pattern) but a local part over RFC 5321's 64 octets: relays refuse it.
  const long = `${'x'.repeat(70)}@mail.example.ru`;
  const { no, reactionId } = await reactionWithMeasure({ phone: '+79165550102', email: long });
  expect((await answer(no, reactionId)).channels).toEqual(['sms']);
  const row = (await pool.query(`SELECT state, attempts, last_error FROM feedback_email WHERE purpose_key = $1`, [`answer:${reactionId}`])).rows[0];
  expect(row).toMatchObject({ state: 'rejected', attempts: 1 });
  expect(row.last_error).toMatch(/^553 /);
  expect(row.last_error).not.toContain('xxxx');
  // A retry neither resends the SMS nor knocks on the relay again.
  expect((await answer(no, reactionId)).channels).toEqual(['sms']);
  expect((await pool.query(`SELECT attempts FROM feedback_email WHERE purpose_key = $1`, [`answer:${reactionId}`])).rows[0].attempts).toBe(1);
  expect(parts.smsc.messages().filter((m) => m.to === '79165550102')).toHaveLength(1);
});

it('refuses to send an answer that has nowhere to go, saying why', async () => {
  const { no, reactionId } = await reactionWithMeasure({});
  await expect(answer(no, reactionId)).rejects.toMatchObject({ type: 'NoAnswerChannel', nonRetryable: true, message: expect.stringContaining('ни телефона, ни e-mail') });
  expect((await pool.query(`SELECT answered_at FROM feedback_reactions WHERE reaction_id = $1`, [reactionId])).rows[0].answered_at).toBeNull();
  expect(answerChannels({ phone: '+79160000000', email: 'a@b.ru' }, { sms: false, email: true })).toEqual(['email']);
  expect(answerChannels({ phone: '+79160000000' }, { sms: true, email: true })).toEqual(['sms']);
});

describe('the SMTP test server refuses what a relay refuses', () => {
  const send = (mail: nodemailer.SendMailOptions, envelope?: { from: string; to: string[] }) =>
    nodemailer
      .createTransport({ url: parts.smtp.url } as never)
      .sendMail({ from: 'otvet@otdel.example.ru', subject: 'x', text: 'x', ...mail, ...(envelope ? { envelope } : {}) })
      .then(
        () => null,
        (e: Error & { responseCode?: number }) => e.responseCode ?? e.message,
      );

  it('no recipient, a malformed address, an oversize message; and keeps what it accepted', async () => {
    const before = parts.smtp.messages().length;
    // No recipient: nodemailer itself refuses to start; the server refuses DATA without RCPT (checked raw below).
    expect(await send({ to: [] })).toBe('No recipients defined');
    expect(await send({ to: 'no-at-sign.example.ru' })).toBe('No recipients defined');
    // Unparsable: the library's own 501; parsable but not a mailbox (no dotted domain): the relay rule, 553.
    expect(await send({}, { from: 'otvet@otdel.example.ru', to: ['two@@example.ru'] })).toBe(501);
    expect(await send({}, { from: 'otvet@otdel.example.ru', to: ['user@nodot'] })).toBe(553);
    expect(await send({ to: 'big@mail.example.ru', text: 'я'.repeat(SMTP_EMULATOR_MAX_BYTES / 2 + 1024) })).toBe(552);
    expect(parts.smtp.messages().length).toBe(before);
    expect(await send({ to: 'fine@mail.example.ru', text: 'Проверка' })).toBeNull();
    const kept = parts.smtp.messages().slice(before);
    expect(kept.map((m) => [m.to, m.text])).toEqual([[['fine@mail.example.ru'], 'Проверка']]);
  });

  it('refuses DATA before any accepted recipient (raw SMTP dialogue)', async () => {
    const net = await import('node:net');
    const port = Number(new URL(parts.smtp.url).port);
    const replies = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      let got = '';
      const script = ['EHLO test.example.ru', 'MAIL FROM:<otvet@otdel.example.ru>', 'RCPT TO:<bad address@example.ru>', 'DATA', 'QUIT'];
      s.setTimeout(10_000, () => reject(new Error('SMTP dialogue timed out')));
      s.on('data', (d) => {
        got += d.toString();
        const lines = got.split('\r\n').filter((l) => /^\d{3} /.test(l)).length;
        if (lines > 0 && lines <= script.length) s.write(`${script[lines - 1]}\r\n`);
      });
      s.on('close', () => resolve(got));
      s.on('error', reject);
    });
    const codes = replies.split('\r\n').filter((l) => /^\d{3} /.test(l)).map((l) => l.slice(0, 3));
    // greeting, EHLO, MAIL, RCPT refused (the space makes the address malformed), DATA refused: no recipient.
    expect(codes.slice(0, 5)).toEqual(['220', '250', '250', codes[3], '503']);
    expect(['501', '553']).toContain(codes[3]);
  });

  it('sends through the gateway with the sender and Message-ID given', async () => {
    const gw = new SmtpEmailGateway({ url: parts.smtp.url, from: ANSWER_SENDER });
    await gw.send({ to: 'gw@mail.example.ru', subject: 'Тема', text: 'Текст', messageId: '<fixed.1@otdel.example.ru>' });
    await gw.close();
    const m = await waitFor(() => parts.smtp.messages().find((x) => x.to.includes('gw@mail.example.ru')));
    expect(m).toMatchObject({ subject: 'Тема', text: 'Текст', messageId: '<fixed.1@otdel.example.ru>' });
  });
});

it('gives up binding to an SMSC that accepts the connection and never answers (the stable smpp has no connect timeout)', async () => {
  const net = await import('node:net');
  const sockets: import('node:net').Socket[] = [];
  const silent = net.createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const { SmppSmsGateway } = await import('../../feedback/smsGateway');
  const gw = new SmppSmsGateway({ url: `smpp://127.0.0.1:${(silent.address() as import('node:net').AddressInfo).port}`, systemId: 'vis', password: 'x', sourceAddr: 'OTDEL', timeoutMs: 500 });
  try {
    await expect(gw.submit('79160000000', 'текст')).rejects.toThrow('SMPP: no bind within 500 ms');
    expect(sockets.length).toBe(1);
  } finally {
    await gw.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  }
});
