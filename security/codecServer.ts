// Remote codec server for the Temporal UI and CLI (Temporal's codec server protocol): POST /decode and
// POST /encode take {payloads: [{metadata: {k: base64}, data: base64}]} and return the same shape. It lets
// an authorised operator read encrypted histories without the keys ever leaving this process. Listens on
// loopback by default, requires a bearer token (compared in constant time), caps the body size and allows
// CORS only for the configured UI origins.
import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';

export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** 0 picks a free port. */
  port: number;
  /** Loopback by default: exposing the decoder on a network is a deliberate deployment decision. */
  host?: string;
  /** Shared secret the UI/CLI sends as `Authorization: Bearer <token>`; at least 16 characters. */
  token: string;
  /** Browser origins of the Temporal UI allowed to call the server (e.g. http://localhost:8233). */
  allowedOrigins?: string[];
  bodyLimitBytes?: number;
}

export interface CodecServer {
  url: string;
  stop(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function fromJson(p: unknown, index: number): Payload {
  if (!p || typeof p !== 'object') throw new HttpError(400, `payloads[${index}]: ожидается объект (object expected)`);
  const { metadata, data } = p as JsonPayload;
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null)) {
    throw new HttpError(400, `payloads[${index}].metadata: ожидается объект (object expected)`);
  }
  if (data !== undefined && typeof data !== 'string') throw new HttpError(400, `payloads[${index}].data: ожидается base64 (base64 expected)`);
  const meta: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (typeof v !== 'string') throw new HttpError(400, `payloads[${index}].metadata.${k}: ожидается base64 (base64 expected)`);
    meta[k] = Buffer.from(v, 'base64');
  }
  return { metadata: meta, data: Buffer.from(data ?? '', 'base64') };
}

function toJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

export function startCodecServer(opts: CodecServerOptions): Promise<CodecServer> {
  if (!opts.token || opts.token.length < 16) throw new Error('Codec server token must be at least 16 characters');
  const host = opts.host ?? '127.0.0.1';
  const limit = opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const origins = new Set(opts.allowedOrigins ?? []);
  const expected = digest(`Bearer ${opts.token}`);

  function cors(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.setHeader('Vary', 'Origin');
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Access-Control-Max-Age', '600');
    }
  }

  function send(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
    res.end(text);
  }

  function authorised(req: http.IncomingMessage): boolean {
    // Hashing first gives equal-length buffers, so timingSafeEqual leaks neither content nor length.
    return timingSafeEqual(digest(req.headers.authorization ?? ''), expected);
  }

  function readBody(req: http.IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      req.on('data', (chunk: Buffer) => {
        if (failed) return;
        size += chunk.length;
        if (size > limit) {
          failed = true;
          chunks.length = 0;
          reject(new HttpError(413, `Тело запроса больше ${limit} байт (request body too large)`));
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => !failed && resolve(Buffer.concat(chunks)));
      req.on('error', (err) => !failed && reject(err));
    });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    cors(req, res);
    const path = new URL(req.url ?? '/', 'http://codec').pathname;
    const op = path === '/decode' ? 'decode' : path === '/encode' ? 'encode' : undefined;
    // Preflight carries no credentials by design; answering it reveals nothing.
    if (req.method === 'OPTIONS') {
      res.writeHead(op ? 204 : 404);
      res.end();
      return;
    }
    if (!op) throw new HttpError(404, 'Неизвестный путь; есть /decode и /encode (unknown path)');
    if (req.method !== 'POST') throw new HttpError(405, 'Ожидается POST (POST expected)');
    if (!authorised(req)) throw new HttpError(401, 'Требуется авторизация (Authorization: Bearer token required)');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) throw new HttpError(413, `Тело запроса больше ${limit} байт (request body too large)`);
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError(400, 'Тело запроса не JSON (body is not JSON)');
    }
    const list = (body as { payloads?: unknown })?.payloads;
    if (!Array.isArray(list)) throw new HttpError(400, 'payloads: ожидается массив (array expected)');
    const payloads = list.map(fromJson);
    let out: Payload[];
    try {
      out = op === 'decode' ? await opts.codec.decode(payloads) : await opts.codec.encode(payloads);
    } catch (err) {
      // The codec's messages name key ids and shapes, never payload contents.
      throw new HttpError(422, `Не удалось ${op === 'decode' ? 'расшифровать' : 'зашифровать'}: ${(err as Error).message}`);
    }
    send(res, 200, { payloads: out.map(toJson) });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof HttpError ? err.message : 'Внутренняя ошибка (internal error)';
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // After an early 401/413 the rest of the body is drained by Node and the connection closed.
      send(res, status, { message }, status === 413 || status === 401 ? { Connection: 'close' } : {});
      if (status === 413) req.resume();
    });
  });
  // A slow or endless upload must not hold the server.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${port}`,
        stop: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
