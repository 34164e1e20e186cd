// Channels that deliver escalation tasks to people. A notifier only sends; failures are thrown so the
// calling activity records them and Temporal retries only what is still unsent.
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { z } from 'zod';
import type { Directory, RolePerson } from './directory';
import type { Role } from './roles';

export interface Recipient {
  role: Role;
  /** Clerk id, 'head', 'deputy', 'management:<n>', or null for an unassigned clerk. */
  id: string | null;
  name: string;
  /** The channel address: an e-mail address or a webhook URL. */
  address: string;
}

export interface NotificationMessage {
  to: Recipient;
  subject: string;
  text: string;
  html?: string;
  taskKey: string;
  link: string;
}

export interface Notifier {
  /** Channel name, stored in notifications.channel; unique among the notifiers of one worker. */
  name: string;
  /** This channel's address for a person, or undefined when the person cannot be reached through it. */
  addressOf(person: RolePerson, directory: Directory): string | undefined;
  send(msg: NotificationMessage): Promise<void>;
}

export const webhookNotifierConfigSchema = z
  .object({
    name: z.string().trim().min(1).default('webhook'),
    timeoutMs: z.number().int().positive().default(10_000),
    /** Extra headers, e.g. an Authorization token of the receiving system. */
    headers: z.record(z.string(), z.string()).default({}),
  })
  .strict();
export type WebhookNotifierConfig = z.input<typeof webhookNotifierConfigSchema>;

/** POSTs the task as JSON to the person's webhook, else the department's. */
export class WebhookNotifier implements Notifier {
  readonly name: string;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(config: WebhookNotifierConfig = {}) {
    const c = webhookNotifierConfigSchema.parse(config);
    this.name = c.name;
    this.timeoutMs = c.timeoutMs;
    this.headers = c.headers;
  }

  addressOf(person: RolePerson, directory: Directory): string | undefined {
    return person.webhookUrl ?? directory.webhookUrl;
  }

  async send(msg: NotificationMessage): Promise<void> {
    const body = JSON.stringify({
      taskKey: msg.taskKey,
      recipient: { role: msg.to.role, id: msg.to.id, name: msg.to.name },
      subject: msg.subject,
      text: msg.text,
      link: msg.link,
    });
    let res: Response;
    try {
      res = await fetch(msg.to.address, {
        method: 'POST',
        // The task key lets the receiver drop the duplicate that an at-least-once retry may produce.
        headers: { 'content-type': 'application/json; charset=utf-8', 'idempotency-key': msg.taskKey, ...this.headers },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      const why = e.name === 'TimeoutError' ? `нет ответа за ${this.timeoutMs} мс` : e.message;
      throw new Error(`Вебхук ${msg.to.address} недоступен / webhook failed: ${why}`);
    }
    const reply = await res.text().catch(() => '');
    if (!res.ok) {
      throw new Error(`Вебхук ${msg.to.address} ответил HTTP ${res.status} / webhook rejected: ${reply.slice(0, 200)}`);
    }
  }
}

export const smtpNotifierConfigSchema = z
  .object({
    name: z.string().trim().min(1).default('email'),
    host: z.string().trim().min(1),
    port: z.number().int().min(1).max(65535),
    /** true: TLS from the first byte (465); false: plain, upgraded by STARTTLS when the server offers it. */
    secure: z.boolean(),
    /** Sender, e.g. '"Контроль сроков" <noreply@dept.example.ru>'. */
    from: z.string().trim().min(3),
    auth: z.object({ user: z.string().min(1), pass: z.string() }).strict().optional(),
    requireTLS: z.boolean().default(false),
    timeoutMs: z.number().int().positive().default(30_000),
  })
  .strict();
export type SmtpNotifierConfig = z.input<typeof smtpNotifierConfigSchema>;

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);

/** Plain text as HTML: escaped, line breaks kept, the case link clickable. */
export function textToHtml(text: string, link: string): string {
  const escapedLink = escapeHtml(link);
  const body = escapeHtml(text)
    .split(escapedLink)
    .join(`<a href="${escapedLink}">${escapedLink}</a>`)
    .replace(/\n/g, '<br>\n');
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"></head><body>${body}</body></html>`;
}

export class SmtpNotifier implements Notifier {
  readonly name: string;
  private readonly from: string;
  private readonly transport: nodemailer.Transporter<SMTPTransport.SentMessageInfo>;

  constructor(config: SmtpNotifierConfig) {
    const c = smtpNotifierConfigSchema.parse(config);
    this.name = c.name;
    this.from = c.from;
    this.transport = nodemailer.createTransport({
      host: c.host,
      port: c.port,
      secure: c.secure,
      requireTLS: c.requireTLS,
      auth: c.auth,
      connectionTimeout: c.timeoutMs,
      greetingTimeout: c.timeoutMs,
      socketTimeout: c.timeoutMs,
    });
  }

  addressOf(person: RolePerson): string | undefined {
    return person.email;
  }

  async send(msg: NotificationMessage): Promise<void> {
    const info = await this.transport.sendMail({
      from: this.from,
      to: { name: msg.to.name, address: msg.to.address },
      subject: msg.subject,
      text: msg.text,
      html: msg.html ?? textToHtml(msg.text, msg.link),
      textEncoding: 'base64',
      headers: { 'X-Case-Task-Key': msg.taskKey },
    });
    // A server may accept the transaction yet refuse the only recipient.
    if (info.rejected.length > 0) {
      throw new Error(`SMTP-сервер отклонил адрес ${msg.to.address} / recipient rejected: ${info.response}`);
    }
  }

  close(): void {
    this.transport.close();
  }
}
