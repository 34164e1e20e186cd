// Real sinks and a real database for the escalation tests: a PostgreSQL cluster per test file, an SMTP
// server and an HTTP server on 127.0.0.1 port 0, and a small MIME reader for what the SMTP sink received.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Client as PgClient, Pool } from 'pg';
import { SMTPServer } from 'smtp-server';
import { migrate } from '../../db/migrate';
import { ROOT, startLocalPostgres } from '../../scripts/localStack';

export interface TestDatabase {
  pool: Pool;
  stop(): Promise<void>;
}

/** A throwaway cluster under .data/escalation-test-pg/<name> with a fresh, migrated database. */
export async function startTestDatabase(name: string): Promise<TestDatabase> {
  const pg = await startLocalPostgres({ dataDir: path.join(ROOT, '.data/escalation-test-pg', `${name}-esc-pg`) });
  const admin = new PgClient({ connectionString: pg.url });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS escalation_test WITH (FORCE)');
  await admin.query('CREATE DATABASE escalation_test');
  await admin.end();
  const url = new URL(pg.url);
  url.pathname = '/escalation_test';
  const pool = new Pool({ connectionString: url.toString(), max: 5 });
  await migrate(pool);
  return {
    pool,
    async stop() {
      await pool.end();
      await pg.stop();
    },
  };
}

export interface ReceivedMail {
  envelopeTo: string[];
  raw: string;
}

export interface SmtpSink {
  port: number;
  messages: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        // Recorded before the 250 reply, so the message is here by the time sendMail resolves.
        messages.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
  status: number;
}

export interface HttpSink {
  base: string;
  requests: ReceivedRequest[];
  /** Status per path; 200 when unset. */
  statusFor: Map<string, number>;
  close(): Promise<void>;
}

export async function startHttpSink(): Promise<HttpSink> {
  const requests: ReceivedRequest[] = [];
  const statusFor = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = statusFor.get(req.url ?? '') ?? 200;
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      requests.push({ path: req.url ?? '', headers: req.headers, body, json, status });
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(status < 300 ? 'ok' : 'внутренняя ошибка');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    statusFor,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- minimal MIME reading (RFC 2045/2047) for messages produced by nodemailer ----

function splitHeadersBody(raw: string): { headers: Map<string, string>; body: string } {
  const sep = raw.indexOf('\r\n\r\n');
  const head = sep >= 0 ? raw.slice(0, sep) : raw;
  const body = sep >= 0 ? raw.slice(sep + 4) : '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return { headers, body };
}

function decodeQ(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === '_') bytes.push(0x20);
    else if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(ch.charCodeAt(0));
  }
  return Buffer.from(bytes);
}

/** Decodes RFC 2047 encoded words; whitespace between adjacent encoded words is dropped. */
export function decodeHeader(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _cs: string, enc: string, text: string) =>
      (enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQ(text)).toString('utf8'),
    );
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return decodeQ(body.replace(/=\r\n/g, '').replace(/_/g, '=5F')).toString('utf8');
    default:
      return body;
  }
}

export interface ParsedMail {
  headers: Map<string, string>;
  subject: string;
  to: string;
  text: string;
  html: string | null;
}

export function parseMail(raw: string): ParsedMail {
  const top = splitHeadersBody(raw);
  const parts: Array<{ headers: Map<string, string>; body: string }> = [];
  const collect = (p: { headers: Map<string, string>; body: string }) => {
    const ct = p.headers.get('content-type') ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(ct)?.[1];
    if (/^multipart\//i.test(ct) && boundary) {
      const chunks = p.body.split(`--${boundary}`).slice(1);
      for (const chunk of chunks) {
        if (chunk.startsWith('--')) break;
        collect(splitHeadersBody(chunk.replace(/^\r\n/, '')));
      }
    } else parts.push(p);
  };
  collect(top);
  const part = (type: string) => parts.find((p) => (p.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith(type));
  const text = part('text/plain');
  const html = part('text/html');
  return {
    headers: top.headers,
    subject: decodeHeader(top.headers.get('subject') ?? ''),
    to: decodeHeader(top.headers.get('to') ?? ''),
    text: text ? decodeBody(text.body, text.headers.get('content-transfer-encoding')) : '',
    html: html ? decodeBody(html.body, html.headers.get('content-transfer-encoding')) : null,
  };
}
