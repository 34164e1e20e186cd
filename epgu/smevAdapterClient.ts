/**
 * HTTP client of the ИС «Адаптер СМЭВ» REST interface for the ЕЛК status service.
 *
 * Idempotency: the caller creates the clientId (UUID v1), persists it before the first attempt
 * and reuses it on every retry. The adapter answers a repeated clientId with "already sent",
 * which this client reports as success ({alreadySent: true}), never as an error.
 */
import { readBoundedText } from '../security';
import { z } from 'zod';
import { ElkOrderResponse, ElkXmlError, parseElkOrderResponse } from './elkStatusXml';
import {
  OutgoingAttachmentHeader,
  ClientIdSchema,
  FaultReply,
  FaultReplySchema,
  FaultType,
  FindReplySchema,
  isAlreadySentCode,
  primaryContentXml,
  QueryResult,
  SendReplySchema,
} from './smevAdapterWire';

// Below the delivery activity's 10 s heartbeat timeout, so one stuck request never outlives its attempt.
const DEFAULT_REQUEST_TIMEOUT_MS = 8_000;
/** Replies larger than this are treated as broken (ELK replies are a few KiB). */
const MAX_REPLY_BYTES = 8 * 1024 * 1024;

export interface SmevErrorDetails {
  httpStatus?: number;
  faultType?: FaultType;
  code?: string;
  description?: string;
  cause?: unknown;
}

/** What the adapter, or the hop to it, said about a call that failed. */
abstract class SmevError extends Error {
  readonly httpStatus?: number;
  readonly faultType?: FaultType;
  readonly code?: string;
  constructor(name: string, message: string, details: SmevErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = name;
    this.httpStatus = details.httpStatus;
    this.faultType = details.faultType;
    this.code = details.code;
  }
}

/** Retryable: connection refused/reset, timeout, HTTP 5xx, SystemFault/SyncFault, malformed reply. */
export class SmevTransportError extends SmevError {
  readonly retryable = true as const;
  constructor(message: string, details: SmevErrorDetails = {}) {
    super('SmevTransportError', message, details);
  }
}

/** Not retryable as is: ValidationFault or HTTP 4xx (other than "already sent"). Fix the request first. */
export class SmevRejectedError extends SmevError {
  readonly retryable = false as const;
  readonly description?: string;
  constructor(message: string, details: SmevErrorDetails = {}) {
    super('SmevRejectedError', message, details);
    this.description = details.description;
  }
}

export type AdapterReply =
  /** ЕЛК answered (any result code, including business errors such as 11/34/28). */
  | { kind: 'elk'; response: ElkOrderResponse; messageId: string }
  /**
   * SMEV or the adapter refused the message (e.g. InvalidContent after XSD validation,
   * AccessDenied) or the provider sent rejects. Resending the same content will not help.
   */
  | { kind: 'rejected'; code: string; description: string; source: 'SERVER' | 'CLIENT' | 'PROVIDER'; messageId?: string };

export interface SmevAdapterClientOptions {
  /** e.g. http://localhost:7590/ws — endpoints are {baseUrl}/send, /find. */
  baseUrl: string;
  /** Registration code of our ИС in the adapter. */
  itSystem: string;
  /** Per HTTP request, including reading the body. Default 8 s (below the delivery heartbeat timeout). */
  requestTimeoutMs?: number;
  /**
   * How messagePrimaryContent is encoded on /send: `{any: xml}` (default, the adapter REST
   * convention) or the bare XML string.
   */
  primaryContentEncoding?: 'any' | 'string';
  /** Optional createGroupIdentity.frguServiceCode sent with every request (adapter needs it for transaction codes in some setups). */
  frguServiceCode?: string;
  /** Marks messages as test messages (RequestMetadata.testMessage). */
  testMessage?: boolean;
}

const OptionsSchema = z.object({
  baseUrl: z.string().url(),
  itSystem: z.string().min(1).max(50),
  requestTimeoutMs: z.number().int().positive().max(600_000).optional(),
  primaryContentEncoding: z.enum(['any', 'string']).optional(),
  frguServiceCode: z.string().min(1).max(20).optional(),
  testMessage: z.boolean().optional(),
});

interface HttpReply {
  status: number;
  text: string;
}

export class SmevAdapterClient {
  private readonly baseUrl: string;
  private readonly itSystem: string;
  private readonly timeoutMs: number;
  private readonly encoding: 'any' | 'string';
  private readonly frguServiceCode?: string;
  private readonly testMessage?: boolean;

  constructor(opts: SmevAdapterClientOptions) {
    const o = OptionsSchema.parse(opts);
    this.baseUrl = o.baseUrl.replace(/\/+$/, '');
    this.itSystem = o.itSystem;
    this.timeoutMs = o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.encoding = o.primaryContentEncoding ?? 'any';
    this.frguServiceCode = o.frguServiceCode;
    this.testMessage = o.testMessage;
  }

  /**
   * Hands a message to the adapter. Resolves once the adapter accepted it (or had accepted it
   * earlier under the same clientId: alreadySent = true). Throws SmevTransportError (retry with
   * the same clientId) or SmevRejectedError (do not retry unchanged).
   */
  async send(req: { clientId: string; content: string; attachments?: OutgoingAttachmentHeader[] }): Promise<{ messageId: string; alreadySent: boolean }> {
    const clientId = this.checkClientId(req.clientId);
    const content = this.content(req.content, req.attachments);
    const body = {
      itSystem: this.itSystem,
      requestMessage: {
        messageType: 'RequestMessageType',
        requestMetadata: {
          clientId,
          ...(this.frguServiceCode ? { createGroupIdentity: { frguServiceCode: this.frguServiceCode } } : {}),
          ...(this.testMessage !== undefined ? { testMessage: this.testMessage } : {}),
        },
        requestContent: { content },
      },
    };
    return this.postSend(clientId, body);
  }

  /**
   * Sends our response to a request another system sent us (replyToClientId = that request's clientId), e.g.
   * a status of an application filed on ЕПГУ. Same idempotency rules as send().
   */
  async sendResponse(req: {
    clientId: string;
    replyToClientId: string;
    content: string;
    attachments?: OutgoingAttachmentHeader[];
  }): Promise<{ messageId: string; alreadySent: boolean }> {
    const clientId = this.checkClientId(req.clientId);
    const replyToClientId = this.checkClientId(req.replyToClientId);
    const body = {
      itSystem: this.itSystem,
      responseMessage: {
        messageType: 'ResponseMessageType',
        responseMetadata: { clientId, replyToClientId },
        responseContent: { content: this.content(req.content, req.attachments) },
      },
    };
    return this.postSend(clientId, body);
  }

  private content(xml: string, attachments: OutgoingAttachmentHeader[] | undefined): Record<string, unknown> {
    if (typeof xml !== 'string' || xml.length === 0) {
      throw new SmevRejectedError('send: content must be a non-empty XML string');
    }
    return {
      messagePrimaryContent: this.encoding === 'any' ? { any: xml } : xml,
      ...(attachments && attachments.length > 0 ? { attachmentHeaderList: { attachmentHeader: attachments } } : {}),
    };
  }

  private async postSend(clientId: string, body: unknown): Promise<{ messageId: string; alreadySent: boolean }> {
    const reply = await this.post('/send', body);
    if (isSuccess(reply.status)) {
      const parsed = parseJson(reply, SendReplySchema, '/send');
      return { messageId: parsed.messageId, alreadySent: false };
    }
    const fault = parseFault(reply);
    if (fault && isAlreadySentCode(fault.fault.code)) {
      // The first attempt got through (its answer was lost); that attempt's messageId is the truth.
      const messageId = fault.messageId ?? (await this.findRequestMessageId(clientId));
      return { messageId, alreadySent: true };
    }
    throw classifyFailure('/send', reply, fault);
  }

  /**
   * Looks up the reply to the request sent with this clientId. Returns null while there is no
   * final reply yet (status messages are skipped). Duplicated replies are tolerated: the first
   * final one wins.
   */
  async findResponse(clientId: string): Promise<AdapterReply | null> {
    const id = this.checkClientId(clientId);
    const results = await this.find(id, 'GET_RESPONSE_BY_REQUEST_CLIENTID');
    for (const r of results) {
      const reply = this.toAdapterReply(r, id);
      if (reply) return reply;
    }
    return null;
  }

  private toAdapterReply(r: QueryResult, clientId: string): AdapterReply | null {
    const m = r.message;
    const messageId = r.smevMetadata.messageId;
    switch (m.messageType) {
      case 'ResponseMessageType': {
        const replyTo = m.responseMetadata.replyToClientId;
        if (replyTo !== undefined && replyTo !== clientId) return null; // not ours; adapter filter glitch
        const content = m.responseContent;
        if (content.content) {
          let response: ElkOrderResponse;
          try {
            response = parseElkOrderResponse(primaryContentXml(content.content.messagePrimaryContent));
          } catch (e) {
            if (e instanceof ElkXmlError) {
              throw new SmevTransportError(`/find: reply content is not a valid ElkOrderResponse: ${e.message}`, { cause: e });
            }
            throw e;
          }
          return { kind: 'elk', response, messageId: messageId ?? '' };
        }
        if (content.rejects) {
          return {
            kind: 'rejected',
            code: content.rejects[0]!.code,
            description: content.rejects.map((x) => `${x.code}: ${x.description ?? ''}`).join('; '),
            source: 'PROVIDER',
            ...(messageId ? { messageId } : {}),
          };
        }
        return null; // business status: intermediate
      }
      case 'ErrorMessageType':
        return {
          kind: 'rejected',
          code: m.fault.code ?? 'UNKNOWN',
          description: m.fault.description ?? m.details ?? '',
          source: m.type,
          ...(messageId ? { messageId } : {}),
        };
      default:
        return null;
    }
  }

  private async findRequestMessageId(clientId: string): Promise<string> {
    const results = await this.find(clientId, 'GET_REQUEST_BY_REQUEST_CLIENTID');
    const id = results.find((r) => r.message.messageType === 'RequestMessageType')?.smevMetadata.messageId;
    if (!id) {
      throw new SmevTransportError(`/send: adapter reports clientId ${clientId} as already sent but /find does not know its messageId yet`);
    }
    return id;
  }

  private async find(clientId: string, criteria: string): Promise<QueryResult[]> {
    const body = {
      itSystem: this.itSystem,
      specificQuery: { messageClientIdCriteria: { clientId, clientIdCriteria: criteria } },
    };
    const reply = await this.post('/find', body);
    if (!isSuccess(reply.status)) throw classifyFailure('/find', reply, parseFault(reply));
    return parseJson(reply, FindReplySchema, '/find').queryResult;
  }

  private checkClientId(clientId: string): string {
    const res = ClientIdSchema.safeParse(clientId);
    if (!res.success) throw new SmevRejectedError(`invalid clientId: ${res.error.issues.map((i) => i.message).join('; ')}`);
    return res.data;
  }

  private async post(path: string, body: unknown): Promise<HttpReply> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
        body: JSON.stringify(body),
        signal,
      });
    } catch (e) {
      throw new SmevTransportError(`${path}: ${describeNetworkError(e, this.timeoutMs)}`, { cause: e });
    }
    try {
      return { status: res.status, text: await readBoundedText(res, MAX_REPLY_BYTES) };
    } catch (e) {
      throw new SmevTransportError(`${path}: failed to read reply body: ${describeNetworkError(e, this.timeoutMs)}`, {
        httpStatus: res.status,
        cause: e,
      });
    }
  }
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function parseJson<S extends z.ZodType>(reply: HttpReply, schema: S, path: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(reply.text);
  } catch (e) {
    throw new SmevTransportError(`${path}: reply body is not JSON (HTTP ${reply.status})`, { httpStatus: reply.status, cause: e });
  }
  const res = schema.safeParse(json);
  if (!res.success) {
    const why = res.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new SmevTransportError(`${path}: unexpected reply body: ${why}`, { httpStatus: reply.status, cause: res.error });
  }
  return res.data;
}

function parseFault(reply: HttpReply): FaultReply | undefined {
  try {
    const res = FaultReplySchema.safeParse(JSON.parse(reply.text));
    return res.success ? res.data : undefined;
  } catch {
    return undefined;
  }
}

function classifyFailure(path: string, reply: HttpReply, fault: FaultReply | undefined): Error {
  const status = reply.status;
  const faultType = fault?.fault.type;
  const code = fault?.fault.code;
  const description = fault?.fault.description;
  const summary = `${path}: HTTP ${status}${faultType ? ` ${faultType}` : ''}${code ? ` [${code}]` : ''}${
    description ? `: ${description}` : ''
  }`;
  const details: SmevErrorDetails = { httpStatus: status, faultType, code, description };
  // SystemFault/SyncFault: the adapter says "retry without limit", whatever the HTTP status.
  // 408/429 are transient by definition.
  if (status >= 500 || status === 408 || status === 429 || faultType === 'SystemFault' || faultType === 'SyncFault') {
    return new SmevTransportError(summary, details);
  }
  if (status >= 400) return new SmevRejectedError(summary, details);
  // 1xx/3xx are not part of the adapter's protocol: treat as a broken hop (proxy), retry.
  return new SmevTransportError(summary, details);
}

// Duck-typed on purpose: fetch errors may come from another realm (e.g. under jest), where
// `instanceof Error` is false.
interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

function describeNetworkError(e: unknown, timeoutMs: number): string {
  if (typeof e !== 'object' || e === null) return String(e);
  const err = e as ErrorLike;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const message = typeof err.message === 'string' ? err.message : String(e);
  if (typeof err.cause === 'object' && err.cause !== null) {
    const cause = err.cause as ErrorLike;
    const code = typeof cause.code === 'string' ? `${cause.code}: ` : '';
    return `${message} (${code}${typeof cause.message === 'string' ? cause.message : String(cause)})`;
  }
  return message;
}
