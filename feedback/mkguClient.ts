// HTTP client of the rating system ИАС МКГУ: registers served events and pulls pages of rates. Paths
// (`POST {base}/events`, `GET {base}/rates?after=`) follow the public description; the pull cursor and the
// status codes are UNCONFIRMED (see feedback/mkguXml.ts). Transport faults and 5xx are retryable; a 4xx is the
// service refusing the document and is not retried blindly.
import { BodyTooLargeError, readBoundedText } from '../security';
import { buildEventsXml, parseEventsAnswer, ServedEventXml } from './mkguXml';
import { MAX_BATCH_BYTES } from './ratingSchemas';

export class MkguError extends Error {
  override readonly name = 'MkguError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface MkguClientOptions {
  baseUrl: string;
  timeoutMs?: number;
}

async function readBounded(res: Response, limit: number): Promise<string> {
  try {
    return await readBoundedText(res, limit);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new MkguError(`ответ больше ${limit} байт / answer exceeds ${limit} bytes`, false, res.status);
    throw err;
  }
}

export class MkguClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  /** The rating system this client talks to: a pull cursor is meaningful only to the system that issued it. */
  get endpoint(): string {
    return this.base;
  }
  constructor(opts: MkguClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }

  private async call(path: string, init: RequestInit, limit: number): Promise<string> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new MkguError(`ИАС МКГУ недоступна / rating system unreachable: ${(err as Error).message}`, true);
    }
    const text = await readBounded(res, limit);
    if (res.status >= 500 || res.status === 429) throw new MkguError(`ИАС МКГУ: HTTP ${res.status}`, true, res.status);
    if (res.status >= 400) throw new MkguError(`ИАС МКГУ отклонила запрос / rejected: HTTP ${res.status}: ${text.slice(0, 500)}`, false, res.status);
    return text;
  }

  /** Registers served events; returns the package id. A repeated requestId is answered with the same package. */
  async registerEvents(events: ServedEventXml[]): Promise<string> {
    const xml = buildEventsXml(events);
    const answer = await this.call('/events', { method: 'POST', headers: { 'content-type': 'application/xml; charset=utf-8' }, body: xml }, 64 * 1024);
    return parseEventsAnswer(answer);
  }

  /** One page of rates after the cursor (raw XML: the intake validates and records it). */
  async fetchRates(after: string | undefined): Promise<string> {
    const q = after ? `?after=${encodeURIComponent(after)}` : '';
    return this.call(`/rates${q}`, { method: 'GET', headers: { accept: 'application/xml' } }, MAX_BATCH_BYTES);
  }
}
