// An SMTP relay for tests and the demo, on the real `smtp-server` (nodemailer's authors). As strict as a relay:
// a size limit (SIZE advertised, 552 above it), addresses checked at MAIL FROM / RCPT TO (553), DATA refused
// without a recipient (503, the library's own rule). A message is kept only once its 250 reply has been sent on
// a live connection — a client that vanishes before the reply has handed nothing over (RFC 5321 §4.1.1.4, §6.1),
// which is what the worker-crash test relies on. Tests can hold the reply to DATA for chosen recipients.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface StoredEmail {
  from: string;
  to: string[];
  messageId: string;
  subject: string;
  /** The text part, decoded. */
  text: string;
  raw: string;
}

export interface SmtpEmulator {
  url: string;
  messages(): StoredEmail[];
  /** From now on the reply to DATA for these recipients waits for release() (or the client's disappearance). */
  holdRepliesFor(recipient: string): void;
  /** Messages whose reply is being held right now. */
  held(): number;
  release(): void;
  /** Messages received in full whose client closed the connection before the reply: not accepted, not kept. */
  abandoned(): number;
  stop(): Promise<void>;
}

/** Mailbox@domain as relays accept it: no spaces or controls, a dotted domain, RFC 5321 lengths (64 / 255 / 254). */
const ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@(?=.{1,255}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
export const SMTP_EMULATOR_MAX_BYTES = 10 * 1024 * 1024;

function refuse(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

function unfoldHeaders(head: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return headers;
}

const decodeWords = (v: string) =>
  v.replace(/(\?=)\s+(=\?)/g, '$1$2').replace(/=\?[^?]+\?([BbQq])\?([^?]*)\?=/g, (_m, enc: string, t: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(t, 'base64').toString('utf8') : Buffer.from(t.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );

/** Reads a single-part text message as nodemailer writes it (base64, quoted-printable or 7bit). */
export function readEmail(raw: string): { headers: Map<string, string>; subject: string; text: string } {
  const sep = raw.indexOf('\r\n\r\n');
  const headers = unfoldHeaders(sep >= 0 ? raw.slice(0, sep) : raw);
  const body = sep >= 0 ? raw.slice(sep + 4) : '';
  const enc = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const text =
    enc === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : enc === 'quoted-printable'
        ? Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
        : body;
  return { headers, subject: decodeWords(headers.get('subject') ?? ''), text: text.replace(/\r\n$/, '') };
}

export async function startSmtpEmulator(opts: { port?: number; maxBytes?: number } = {}): Promise<SmtpEmulator> {
  const stored: StoredEmail[] = [];
  const holdFor = new Set<string>();
  const waiting = new Map<string, () => void>(); // session id → wake the held reply
  const closed = new Set<string>();
  let abandoned = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: opts.maxBytes ?? SMTP_EMULATOR_MAX_BYTES,
    onMailFrom(address, _session, callback) {
      if (!ADDRESS.test(address.address)) return callback(refuse(553, `5.1.7 Bad sender address syntax: ${address.address.slice(0, 80)}`));
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (!ADDRESS.test(address.address)) return callback(refuse(553, `5.1.3 Bad recipient address syntax`));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        // Over the limit: the library answers 552 whatever this callback says; nothing is kept.
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded) return callback(refuse(552, 'Message exceeds fixed maximum message size'));
        const to = session.envelope.rcptTo.map((r) => r.address);
        if (to.some((a) => holdFor.has(a.toLowerCase()))) {
          await new Promise<void>((wake) => {
            waiting.set(session.id, wake);
            if (closed.has(session.id)) wake();
          });
          waiting.delete(session.id);
        }
        if (closed.has(session.id)) {
          abandoned++;
          return callback(refuse(451, 'connection lost before the reply'));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail = readEmail(raw);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        stored.push({ from, to, messageId: mail.headers.get('message-id') ?? '', subject: mail.subject, text: mail.text, raw });
        callback(null, 'OK: queued');
      });
    },
    onClose(session: SMTPServerSession) {
      closed.add(session.id);
      waiting.get(session.id)?.();
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  const release = () => {
    holdFor.clear();
    for (const wake of [...waiting.values()]) wake();
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages: () => [...stored],
    holdRepliesFor: (recipient) => void holdFor.add(recipient.toLowerCase()),
    held: () => waiting.size,
    release,
    abandoned: () => abandoned,
    stop: () =>
      new Promise<void>((resolve) => {
        release();
        server.close(() => resolve());
      }),
  };
}
