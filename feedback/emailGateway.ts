// E-mail to applicants (the answer to a critical review) through the department's SMTP relay, with nodemailer,
// the field's standard client. Each message carries a Message-ID derived from its purpose (one answer = one
// id), so the copy a retry may send after a lost reply is recognisable as the same message by the recipient's
// mail system; the send itself is made once by the activity's row lock (feedback/feedbackActivities.ts).
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { sha256Hex } from './hash';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  /** RFC 5322 Message-ID with angle brackets; see answerMessageId. */
  messageId: string;
}

export interface EmailGateway {
  /** The domain the Message-IDs are made in (the sender's). */
  readonly domain: string;
  /** Resolves once the relay has accepted the message for its recipient (250 after DATA). */
  send(mail: OutgoingEmail): Promise<{ response: string }>;
  close(): Promise<void>;
}

export interface SmtpEmailOptions {
  /** smtp://[user:pass@]host:port or smtps://… (TLS from the first byte). */
  url: string;
  /** Sender, e.g. '"Отдел предоставления услуг" <otvet@dept.example.ru>'. */
  from: string;
  timeoutMs?: number;
}

/** The domain of a sender such as '"Name" <box@domain>' or 'box@domain'. */
export function senderDomain(from: string): string {
  const m = /@([A-Za-z0-9.-]{1,253})>?\s*$/.exec(from.slice(0, 400));
  if (!m) throw new Error('FEEDBACK_EMAIL_FROM: адрес отправителя box@domain (sender address expected)');
  return m[1]!.toLowerCase();
}

/** One Message-ID per purpose (e.g. answer:<reaction id>): the same on every attempt, never reused for another. */
export function answerMessageId(purposeKey: string, domain: string): string {
  return `<feedback.${sha256Hex(purposeKey).slice(0, 32)}@${domain}>`;
}

export class SmtpEmailGateway implements EmailGateway {
  readonly domain: string;
  private readonly transport: nodemailer.Transporter<SMTPTransport.SentMessageInfo>;

  constructor(private readonly opts: SmtpEmailOptions) {
    this.domain = senderDomain(opts.from);
    const t = opts.timeoutMs ?? 30_000;
    const u = new URL(opts.url);
    this.transport = nodemailer.createTransport({
      host: u.hostname,
      port: Number(u.port) || (u.protocol === 'smtps:' ? 465 : 25),
      secure: u.protocol === 'smtps:',
      ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
      connectionTimeout: t,
      greetingTimeout: t,
      socketTimeout: t,
    });
  }

  async send(mail: OutgoingEmail): Promise<{ response: string }> {
    const info = await this.transport.sendMail({
      from: this.opts.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      messageId: mail.messageId,
      textEncoding: 'base64',
    });
    // A relay may accept the transaction yet refuse the only recipient.
    if (info.rejected.length > 0 || info.accepted.length === 0) throw new Error(`SMTP: адрес получателя отклонён / recipient rejected: ${info.response}`);
    return { response: info.response };
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/** Without a relay no e-mail can be sent: the answer goes by the other channels. */
export const NO_EMAIL: EmailGateway = {
  domain: 'localhost',
  send: async () => {
    throw new Error('SMTP для ответов заявителям не настроен (FEEDBACK_SMTP_URL) / no SMTP relay configured');
  },
  close: async () => undefined,
};
