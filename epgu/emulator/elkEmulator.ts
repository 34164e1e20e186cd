/**
 * The project's emulator of the ИС «Адаптер СМЭВ» REST interface for the ЕЛК status service
 * (and of ЕЛК behind it): validates each message against the ЕЛК XSD, dedups by clientId,
 * keeps orders with their status history, answers with real ЕЛК result codes, and can inject
 * transport faults. Wire format: see ../smevAdapterWire.ts.
 */
import * as fs from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { v1 as uuidv1 } from 'uuid';
import { z } from 'zod';
import { parseXsdDateTimeNs } from '../dateTime';
import {
  buildElkOrderResponse,
  ElkCreateOrderView,
  ElkOrderResponse,
  ElkResultCode,
  ElkStatusEntryView,
  ElkUpdateOrderView,
  parseElkOrderRequest,
} from '../elkStatusXml';
import { EpguStatusReplyView, parseDefaultEpguStatusReply } from '../epguStatusReply';
import {
  ALREADY_SENT_FAULT_CODE,
  ALREADY_SENT_HTTP_STATUS,
  FaultType,
  FindRequestBodySchema,
  GetRequestBodySchema,
  primaryContentXml,
  QueryResult,
  SendRequestBody,
  SendRequestBodySchema,
  SendResponseBody,
  SendResponseBodySchema,
} from '../smevAdapterWire';
import { AttachmentFault, AttachmentStore, FileView, fileView, StoredFile } from './attachmentStore';
import { validateAgainstElkXsd } from '../xsdValidator';

/** ЕЛК status codes from epgu-elk.md §2.1 (ЛК ЕПГУ status model); the default allow-list. */
export const DEFAULT_ELK_STATUS_CODES: readonly number[] = [
  -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 21, 22, 24, 25, 26, 29, 30, 31, 32, 33, 34, 35, 36, 37,
  38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 70, 80, 81, 82, 83, 84, 88,
  90, 101, 104,
];

const RESULT_MESSAGES: Record<number, string> = {
  [ElkResultCode.OK]: 'OK',
  [ElkResultCode.STATUS_NOT_FOUND]: 'Status not found',
  [ElkResultCode.INCORRECT_PARAMETERS]: 'Incorrect request parameters',
  [ElkResultCode.INCORRECT_SERVICE_TARGET]: 'Incorrect eServiceCode or serviceTargetCode',
  [ElkResultCode.ORDER_NOT_FOUND]: 'Order not found',
  [ElkResultCode.INCORRECT_ORDER_STATUS]: 'Incorrect order status specified',
  [ElkResultCode.ORDER_ALREADY_EXISTS]: 'Order already exists',
  [ElkResultCode.REQUEST_DATE_TOO_OLD]: 'Request date too old',
};

/** Adapter request bodies carry XML only (files travel through the exchange folder): 2 MiB is ample. */
const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Per-message attachment limit; SMEV's real figure is unconfirmed (epgu-elk.md §3.4), configurable. */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
const FUTURE_TOLERANCE_NS = 24n * 3600n * 1_000_000_000n;
const INVALID_CONTENT_PREFIX = 'SMEV-403: Бизнес-данные сообщения не соответствуют схеме, зарегистрированной в СМЭВ';

// ---------------------------------------------------------------------------------------------
// Public types

export interface ElkEmulatorOptions {
  /** 0 (default) = any free port. */
  port?: number;
  host?: '127.0.0.1' | string;
  /** If set, Create with another serviceTargetCode gets 13. */
  validServiceTargetCodes?: string[];
  /** Status codes ЕЛК accepts; others get 4. Default DEFAULT_ELK_STATUS_CODES. */
  allowedStatusCodes?: number[];
  /** requestDate older than this many years gets 38. Default 5. */
  maxRequestAgeYears?: number;
  /** Delay before a reply becomes visible to /find and /get. Default 0. */
  replyDelayMs?: number;
  /** Clock for business checks and timestamps (tests may pin it). */
  now?: () => Date;
  /** First elkOrderNumber handed out. */
  firstElkOrderNumber?: bigint;
  /** The adapter's exchange folder (AttachmentHeader.filePath is relative to it). Default: a new temp folder. */
  exchangeDir?: string;
  /** Largest total attachment size of one message. Default DEFAULT_MAX_ATTACHMENT_BYTES. */
  maxAttachmentBytes?: number;
  /** Largest request body. Default 2 MiB; larger bodies get 413. */
  maxBodyBytes?: number;
  /**
   * Token for the /__emulator/ control and inspection routes (header `authorization: Bearer <token>`).
   * Required when binding beyond loopback; on loopback without a token the routes are open to local tests.
   */
  controlToken?: string;
}

export const FaultStateSchema = z.object({
  /** Added before every adapter request is handled. */
  latencyMs: z.number().int().min(0).max(600_000),
  /** The next n /send calls fail with HTTP 503 SystemFault and are not applied. */
  failNextSends: z.number().int().min(0),
  /** The next n /send calls are accepted and applied, then the socket is destroyed without an answer. */
  dropConnectionAfterAccept: z.number().int().min(0),
  /** /find lists every reply twice. */
  duplicateReplies: z.boolean(),
  /** Every adapter request fails (503 SystemFault, or connection reset) until cleared. */
  outage: z.boolean(),
  outageMode: z.enum(['503', 'reset']),
  /**
   * The next /send is refused with this code: 'async' (default) = accepted, then a rejection
   * ErrorMessage is the reply; 'sync' = HTTP 400 ValidationFault right away.
   */
  rejectNext: z
    .object({ code: z.string().min(1).max(50), description: z.string().optional(), mode: z.enum(['async', 'sync']).optional() })
    .nullable(),
  replyDelayMs: z.number().int().min(0).max(3_600_000),
});
export type FaultState = z.infer<typeof FaultStateSchema>;
export const FaultPatchSchema = FaultStateSchema.partial().strict();
export type FaultPatch = z.infer<typeof FaultPatchSchema>;

export interface FaultController {
  get(): FaultState;
  /** Merges the patch into the current fault state and returns the result. */
  set(patch: FaultPatch): FaultState;
  /** Clears all faults (keeps the configured replyDelayMs). */
  clear(): FaultState;
}

/** A status as the portal applied it: the entry as sent, plus when and by which message. */
export interface HistoryEntryView extends ElkStatusEntryView {
  /** Emulator-wide monotonic counter: total order of application across all orders. */
  seq: number;
  /** Wall clock (emulator clock) when the entry was applied. */
  receivedAt: string;
  /** clientId of the message that carried the entry. */
  clientId: string;
}

export interface OrderView {
  orderNumber: string;
  elkOrderNumber: string;
  senderInn: string;
  senderKpp?: string;
  serviceTargetCode: string;
  userSelectedRegion: string;
  requestDate: string;
  applicant: ElkCreateOrderView['applicant'];
  officeInfo: Record<string, string>;
  env: string;
  history: HistoryEntryView[];
}

export type MessageOutcome = 'applied' | 'invalidContent' | 'rejected';

export interface ReceivedMessage {
  seq: number;
  clientId: string;
  messageId: string;
  itSystem: string;
  receivedAt: string;
  content: string;
  outcome: MessageOutcome;
  validationErrors: string[];
  requestKind?: 'create' | 'update';
  /** Top-level ElkOrderResponse code when outcome = applied. */
  responseCode?: number;
}

/** A status as the applicant's cabinet shows it, with its files. */
export interface CabinetStatusView {
  seq: number;
  status: number;
  statusDate: string;
  clientId: string;
  files: (FileView & { docTypeId: string })[];
}

/** What the applicant's cabinet shows for one order: a ЕЛК order, or an order filed on ЕПГУ. */
export interface CabinetView {
  orderNumber: string;
  origin: 'elk' | 'epgu';
  statuses: CabinetStatusView[];
}

/** An application filed on ЕПГУ: the original request our statuses answer (replyToClientId). */
export interface EpguRequestView {
  requestClientId: string;
  orderId: string;
  /** Responses applied, in order. */
  statuses: CabinetStatusView[];
}

export interface ElkEmulator {
  /** Adapter base URL: POST {url}/send, {url}/find, {url}/get ({url}/ws/... works too). */
  readonly url: string;
  readonly port: number;
  /** The adapter's exchange folder: the worker writes attachment files here. */
  readonly exchangeDir: string;
  files(): FileView[];
  /** Bytes and metadata of a stored file. */
  file(fsUuid: string): StoredFile | undefined;
  cabinet(orderNumber: string): CabinetView | undefined;
  /** Simulates ЕПГУ sending us an application: later statuses must reply to requestClientId. */
  registerEpguRequest(req: { requestClientId: string; orderId: string }): void;
  epguRequests(): EpguRequestView[];
  stop(): Promise<void>;
  readonly faults: FaultController;
  orders(): OrderView[];
  order(orderNumber: string): OrderView | undefined;
  messages(): ReceivedMessage[];
  /** Forgets orders, messages, clientIds and faults. */
  reset(): void;
}

// ---------------------------------------------------------------------------------------------
// Implementation

interface StoredReply {
  availableAtMs: number;
  result: QueryResult;
  responseClientId?: string;
}

interface ClientIdEntry {
  messageId: string;
  itSystem: string;
  requestMessage?: SendRequestBody['requestMessage'];
  responseMessage?: SendResponseBody['responseMessage'];
  reply?: StoredReply;
}

interface StoredOrder extends OrderView {
  lastStatusNs: bigint;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly faultType: FaultType,
    readonly code: string,
    description: string,
  ) {
    super(description);
  }
}

function defaultFaults(replyDelayMs: number): FaultState {
  return {
    latencyMs: 0,
    failNextSends: 0,
    dropConnectionAfterAccept: 0,
    duplicateReplies: false,
    outage: false,
    outageMode: '503',
    rejectNext: null,
    replyDelayMs,
  };
}

class EmulatorState {
  readonly clientIds = new Map<string, ClientIdEntry>();
  readonly orders = new Map<string, StoredOrder>();
  readonly elkIndex = new Map<string, string>();
  readonly messages: ReceivedMessage[] = [];
  readonly getQueue: { itSystem: string; clientId: string }[] = [];
  readonly responseClientIds = new Map<string, string>();
  readonly epguRequests = new Map<string, EpguRequestView>();
  faults: FaultState;
  seq = 0;
  nextElk: bigint;
  // Messages are applied strictly one after another, in arrival order.
  chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly opts: Required<Pick<ElkEmulatorOptions, 'maxRequestAgeYears' | 'replyDelayMs' | 'firstElkOrderNumber'>> &
      Pick<ElkEmulatorOptions, 'validServiceTargetCodes'> & { allowedStatusCodes: Set<number>; now: () => Date },
    readonly files: AttachmentStore,
  ) {
    this.faults = defaultFaults(opts.replyDelayMs);
    this.nextElk = opts.firstElkOrderNumber;
  }

  reset(): void {
    this.clientIds.clear();
    this.orders.clear();
    this.elkIndex.clear();
    this.messages.length = 0;
    this.getQueue.length = 0;
    this.responseClientIds.clear();
    this.epguRequests.clear();
    this.files.clear();
    this.faults = defaultFaults(this.opts.replyDelayMs);
  }

  /**
   * Checks a response to an ЕПГУ request before it is accepted (a response has no business reply, so every
   * refusal is synchronous): known request, the default payload (the only one the emulator understands), the same
   * ЕПГУ order, a later statusDate than the last one, and every FSuuid uploaded (now or before).
   */
  checkResponse(m: SendResponseBody['responseMessage'], attached: StoredFile[]): EpguStatusReplyView {
    const target = this.epguRequests.get(m.responseMetadata.replyToClientId);
    if (!target) {
      throw new HttpError(400, 'ValidationFault', 'RequestIsNotFound', `Запрос, на который отправлен ответ, не найден (replyToClientId ${m.responseMetadata.replyToClientId})`);
    }
    let view: EpguStatusReplyView;
    try {
      view = parseDefaultEpguStatusReply(primaryContentXml(m.responseContent.content.messagePrimaryContent));
    } catch (e) {
      throw new HttpError(400, 'ValidationFault', 'InvalidContent', `${INVALID_CONTENT_PREFIX}: ${(e as Error).message}`);
    }
    if (view.orderId !== target.orderId) throw new HttpError(400, 'ValidationFault', 'InvalidContent', 'orderId does not match the original request');
    const ns = parseXsdDateTimeNs(view.statusDate);
    const last = target.statuses.at(-1);
    if (ns === undefined || (last && ns <= parseXsdDateTimeNs(last.statusDate)!)) {
      throw new HttpError(400, 'ValidationFault', 'InvalidContent', 'statusDate must be a dateTime later than the previous status');
    }
    const missing = view.attachments.find((a) => !this.files.get(a.fsUuid) && !attached.some((f) => f.fsUuid === a.fsUuid));
    if (missing) {
      throw new HttpError(400, 'ValidationFault', 'AttachmentContentMiscoordination', `Вложение не найдено в файловом хранилище (FSuuid without an uploaded file): ${missing.fsUuid}`);
    }
    return view;
  }

  /** Applies one accepted, checked response to an ЕПГУ request (the status channel of applications filed on ЕПГУ). */
  processResponse(clientId: string, entry: ClientIdEntry, receivedAt: string, view: EpguStatusReplyView): void {
    const m = entry.responseMessage!;
    const content = primaryContentXml(m.responseContent.content.messagePrimaryContent);
    this.messages.push({
      seq: ++this.seq, clientId, messageId: entry.messageId, itSystem: entry.itSystem, receivedAt, content, outcome: 'applied', validationErrors: [],
    });
    const target = this.epguRequests.get(m.responseMetadata.replyToClientId)!;
    target.statuses.push({
      seq: ++this.seq,
      status: view.status,
      statusDate: view.statusDate,
      clientId,
      files: view.attachments.map((a) => ({ ...fileView(this.files.get(a.fsUuid)!), docTypeId: a.docTypeId })),
    });
  }

  /** FSuuids of a ЕЛК message that reference no uploaded file. */
  private danglingAttachments(view: ReturnType<typeof parseElkOrderRequest>): string[] {
    const entries = view.kind === 'create' ? view.orders.flatMap((o) => o.statusHistory) : view.orders.flatMap((o) => o.statusHistory ?? []);
    return entries.flatMap((e) => e.attachments.map((a) => a.fsUuid)).filter((id): id is string => id !== undefined && !this.files.get(id));
  }

  cabinet(orderNumber: string): CabinetView | undefined {
    const order = this.orders.get(orderNumber);
    if (order) {
      return {
        orderNumber,
        origin: 'elk',
        statuses: order.history.map((h) => ({
          seq: h.seq,
          status: h.status,
          statusDate: h.statusDate,
          clientId: h.clientId,
          files: h.attachments.flatMap((a) => {
            const f = a.fsUuid ? this.files.get(a.fsUuid) : undefined;
            return f ? [{ ...fileView(f), docTypeId: a.docTypeId }] : [];
          }),
        })),
      };
    }
    const epgu = [...this.epguRequests.values()].find((r) => r.orderId === orderNumber);
    return epgu ? { orderNumber, origin: 'epgu', statuses: structuredClone(epgu.statuses) } : undefined;
  }

  now(): Date {
    return this.opts.now();
  }

  /** Validates and applies one accepted message; stores its reply. */
  async process(clientId: string, entry: ClientIdEntry, receivedAt: string): Promise<void> {
    const content = primaryContentXml(entry.requestMessage!.requestContent.content.messagePrimaryContent);
    const msg: ReceivedMessage = {
      seq: ++this.seq,
      clientId,
      messageId: entry.messageId,
      itSystem: entry.itSystem,
      receivedAt,
      content,
      outcome: 'applied',
      validationErrors: [],
    };
    this.messages.push(msg);

    const reject = this.faults.rejectNext;
    if (reject) {
      this.faults = { ...this.faults, rejectNext: null };
      msg.outcome = 'rejected';
      this.storeReply(clientId, entry, this.errorResult(clientId, entry, reject.code, reject.description ?? `Rejected: ${reject.code}`));
      return;
    }

    const validation = await validateAgainstElkXsd(content);
    let view: ReturnType<typeof parseElkOrderRequest> | undefined;
    let errors = validation.errors;
    if (validation.valid) {
      try {
        view = parseElkOrderRequest(content);
      } catch (e) {
        errors = [(e as Error).message];
      }
    }
    const dangling = view ? this.danglingAttachments(view) : [];
    if (view && dangling.length > 0) {
      // Real SMEV: an attachment reference without its file is a miscoordinated message, dropped whole.
      msg.outcome = 'rejected';
      msg.validationErrors = [`FSuuid without an uploaded file: ${dangling.join(', ')}`];
      this.storeReply(
        clientId,
        entry,
        this.errorResult(clientId, entry, 'AttachmentContentMiscoordination', `Вложение не найдено в файловом хранилище (FSuuid without an uploaded file): ${dangling.join(', ')}`),
      );
      return;
    }
    if (!view) {
      msg.outcome = 'invalidContent';
      msg.validationErrors = errors;
      this.storeReply(clientId, entry, this.errorResult(clientId, entry, 'InvalidContent', `${INVALID_CONTENT_PREFIX}: ${errors.join('; ')}`));
      return;
    }

    msg.requestKind = view.kind;
    const response = view.kind === 'create' ? this.applyCreate(view.env, view.orders, clientId) : this.applyUpdate(view.orders, clientId);
    msg.responseCode = response.code;
    const responseClientId = uuidv1();
    this.storeReply(
      clientId,
      entry,
      {
        smevMetadata: this.replyMetadata(entry),
        message: {
          messageType: 'ResponseMessageType',
          responseMetadata: { clientId: responseClientId, replyToClientId: clientId },
          responseContent: { content: { messagePrimaryContent: { any: buildElkOrderResponse(response) } } },
        },
      },
      responseClientId,
    );
  }

  private replyMetadata(entry: ClientIdEntry): QueryResult['smevMetadata'] {
    return {
      messageId: uuidv1(),
      originalMessageId: entry.messageId,
      referenceMessageId: entry.messageId,
      transactionCode: `emulator-${entry.messageId}`,
    };
  }

  private errorResult(clientId: string, entry: ClientIdEntry, code: string, description: string): QueryResult {
    return {
      smevMetadata: this.replyMetadata(entry),
      message: {
        messageType: 'ErrorMessageType',
        statusMetadata: { clientId: uuidv1(), originalClientId: clientId },
        status: 'ERROR',
        details: description,
        timestamp: this.now().toISOString(),
        type: 'SERVER',
        fault: { code, description },
      },
    };
  }

  private storeReply(clientId: string, entry: ClientIdEntry, result: QueryResult, responseClientId?: string): void {
    entry.reply = { availableAtMs: Date.now() + this.faults.replyDelayMs, result, responseClientId };
    if (responseClientId) this.responseClientIds.set(responseClientId, clientId);
    this.getQueue.push({ itSystem: entry.itSystem, clientId });
  }

  private nowNs(): bigint {
    return BigInt(this.now().getTime()) * 1_000_000n;
  }

  private checkStatuses(entries: ElkStatusEntryView[], lastNs: bigint | undefined): number {
    let prev = lastNs;
    for (const s of entries) {
      if (!this.opts.allowedStatusCodes.has(s.status)) return ElkResultCode.STATUS_NOT_FOUND;
      const ns = parseXsdDateTimeNs(s.statusDate);
      if (ns === undefined || ns > this.nowNs() + FUTURE_TOLERANCE_NS) return ElkResultCode.INCORRECT_PARAMETERS;
      if (prev !== undefined && ns <= prev) return ElkResultCode.INCORRECT_ORDER_STATUS;
      prev = ns;
    }
    return ElkResultCode.OK;
  }

  private historyEntries(entries: ElkStatusEntryView[], clientId: string): HistoryEntryView[] {
    return entries.map((s) => ({ ...structuredClone(s), seq: ++this.seq, receivedAt: this.now().toISOString(), clientId }));
  }

  private applyCreate(env: string, orders: ElkCreateOrderView[], clientId: string): ElkOrderResponse {
    const results = orders.map((o) => {
      const code = this.createCode(o);
      const out = { orderNumber: o.orderNumber, status: code, message: RESULT_MESSAGES[code]! };
      if (code !== ElkResultCode.OK) return out;
      const elkOrderNumber = String(this.nextElk++);
      const history = this.historyEntries(o.statusHistory, clientId);
      this.orders.set(o.orderNumber, {
        orderNumber: o.orderNumber,
        elkOrderNumber,
        senderInn: o.senderInn,
        ...(o.senderKpp !== undefined ? { senderKpp: o.senderKpp } : {}),
        serviceTargetCode: o.serviceTargetCode,
        userSelectedRegion: o.userSelectedRegion,
        requestDate: o.requestDate,
        applicant: structuredClone(o.applicant),
        officeInfo: { ...o.officeInfo },
        env,
        history,
        lastStatusNs: parseXsdDateTimeNs(o.statusHistory[o.statusHistory.length - 1]!.statusDate)!,
      });
      this.elkIndex.set(elkOrderNumber, o.orderNumber);
      return { ...out, elkOrderNumber };
    });
    return this.response('create', results);
  }

  private createCode(o: ElkCreateOrderView): number {
    const targets = this.opts.validServiceTargetCodes;
    if (targets && !targets.includes(o.serviceTargetCode)) return ElkResultCode.INCORRECT_SERVICE_TARGET;
    const requestNs = parseXsdDateTimeNs(o.requestDate);
    if (requestNs === undefined) return ElkResultCode.INCORRECT_PARAMETERS;
    const oldest = new Date(this.now().getTime());
    oldest.setUTCFullYear(oldest.getUTCFullYear() - this.opts.maxRequestAgeYears);
    if (requestNs < BigInt(oldest.getTime()) * 1_000_000n) return ElkResultCode.REQUEST_DATE_TOO_OLD;
    if (requestNs > this.nowNs() + FUTURE_TOLERANCE_NS) return ElkResultCode.INCORRECT_PARAMETERS;
    const statusCode = this.checkStatuses(o.statusHistory, undefined);
    if (statusCode !== ElkResultCode.OK) return statusCode;
    if (this.orders.has(o.orderNumber)) return ElkResultCode.ORDER_ALREADY_EXISTS;
    return ElkResultCode.OK;
  }

  private applyUpdate(orders: ElkUpdateOrderView[], clientId: string): ElkOrderResponse {
    const results = orders.map((u) => {
      const key = u.orderNumber ?? (u.elkOrderNumber !== undefined ? this.elkIndex.get(u.elkOrderNumber) : undefined);
      const order = key !== undefined ? this.orders.get(key) : undefined;
      const base = {
        ...(u.orderNumber !== undefined ? { orderNumber: u.orderNumber } : {}),
        // Update replies require elkOrderNumber; echo what we know (0 when the order is unknown).
        elkOrderNumber: order?.elkOrderNumber ?? u.elkOrderNumber ?? '0',
      };
      // An order belongs to the organisation that created it.
      if (!order || order.senderInn !== u.senderInn) {
        return { ...base, status: ElkResultCode.ORDER_NOT_FOUND, message: RESULT_MESSAGES[ElkResultCode.ORDER_NOT_FOUND]! };
      }
      const statuses = u.statusHistory;
      const code = statuses ? this.checkStatuses(statuses, order.lastStatusNs) : ElkResultCode.INCORRECT_PARAMETERS;
      if (code === ElkResultCode.OK && statuses) {
        order.history.push(...this.historyEntries(statuses, clientId));
        order.lastStatusNs = parseXsdDateTimeNs(statuses[statuses.length - 1]!.statusDate)!;
      }
      return { ...base, orderNumber: order.orderNumber, status: code, message: RESULT_MESSAGES[code]! };
    });
    return this.response('update', results);
  }

  private response(kind: 'create' | 'update', orders: ElkOrderResponse['orders']): ElkOrderResponse {
    const ok = orders.every((o) => o.status === ElkResultCode.OK);
    return {
      kind,
      code: ok ? ElkResultCode.OK : ElkResultCode.COMPLETED_WITH_ERRORS,
      message: ok ? 'OK' : 'Completed with errors',
      orders,
    };
  }

  orderView(o: StoredOrder): OrderView {
    const { lastStatusNs: _omit, ...view } = o;
    return structuredClone(view);
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendFault(res: http.ServerResponse, e: HttpError, extra: Record<string, unknown> = {}): void {
  sendJson(res, e.status, { fault: { type: e.faultType, code: e.code, description: e.message }, ...extra });
}

/**
 * Reads the body up to maxBytes. Over the limit (declared or streamed) it stops reading and fails with 413; the
 * connection is closed after the answer, so the rest of a huge upload is never buffered.
 */
function readBody(req: http.IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = () => new HttpError(413, 'ValidationFault', 'RequestTooLarge', `request body exceeds ${maxBytes} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (err) {
        req.pause();
        reject(err);
      } else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) return finish(tooLarge());
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish(null));
    req.once('error', (e) => finish(e));
    req.once('aborted', () => finish(new Error('request aborted')));
  });
}

async function readJsonValue(req: http.IncomingMessage, maxBytes: number): Promise<unknown> {
  const text = await readBody(req, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'ValidationFault', 'MalformedRequest', 'request body is not JSON');
  }
}

function parseWith<S extends z.ZodType>(json: unknown, schema: S): z.output<S> {
  const res = schema.safeParse(json);
  if (!res.success) {
    const why = res.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new HttpError(400, 'ValidationFault', 'MalformedRequest', why);
  }
  return res.data;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const RegisterEpguRequestSchema = z.object({
  requestClientId: z.string().min(1).max(50).regex(/^[0-9A-Za-z-]+$/),
  orderId: z.string().min(1).max(50),
}).strict();

/** Starts the emulator on 127.0.0.1 (by default on a free port). */
export async function startElkEmulator(options: ElkEmulatorOptions = {}): Promise<ElkEmulator> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host) && !options.controlToken) {
    // Control routes can reset state and read applicants' files: never reachable from the network without a token.
    throw new Error(`refusing to bind the emulator to ${host} without a control token (set controlToken / --control-token)`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const exchangeDir = options.exchangeDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'smev-exchange-'));
  fs.mkdirSync(exchangeDir, { recursive: true });
  const files = new AttachmentStore(exchangeDir, options.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES);
  const state = new EmulatorState(
    {
      maxRequestAgeYears: options.maxRequestAgeYears ?? 5,
      replyDelayMs: options.replyDelayMs ?? 0,
      firstElkOrderNumber: options.firstElkOrderNumber ?? 4654266659n,
      validServiceTargetCodes: options.validServiceTargetCodes,
      allowedStatusCodes: new Set(options.allowedStatusCodes ?? DEFAULT_ELK_STATUS_CODES),
      now: options.now ?? (() => new Date()),
    },
    files,
  );
  const readJson = async <S extends z.ZodType>(req: http.IncomingMessage, schema: S): Promise<z.output<S>> =>
    parseWith(await readJsonValue(req, maxBodyBytes), schema);

  const faults: FaultController = {
    get: () => ({ ...state.faults, rejectNext: state.faults.rejectNext && { ...state.faults.rejectNext } }),
    set: (patch) => {
      const p = FaultPatchSchema.parse(patch);
      state.faults = FaultStateSchema.parse({ ...state.faults, ...p });
      return faults.get();
    },
    clear: () => {
      state.faults = defaultFaults(state.faults.replyDelayMs);
      return faults.get();
    },
  };

  /** Sync refusal of a message's attachments, in the shape of the SMEV fault. */
  function readAttachments(list: unknown): StoredFile[] {
    try {
      return files.read(list, state.now());
    } catch (e) {
      if (e instanceof AttachmentFault) throw Object.assign(new HttpError(400, 'ValidationFault', e.code, e.message), { extra: e.extra });
      throw e;
    }
  }

  async function handleSend(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const json = await readJsonValue(req, maxBodyBytes);
    const isResponse = typeof json === 'object' && json !== null && 'responseMessage' in json;
    const request = isResponse ? undefined : parseWith(json, SendRequestBodySchema);
    const response = isResponse ? parseWith(json, SendResponseBodySchema) : undefined;
    const itSystem = (request ?? response)!.itSystem;
    if (state.faults.failNextSends > 0) {
      state.faults = { ...state.faults, failNextSends: state.faults.failNextSends - 1 };
      throw new HttpError(503, 'SystemFault', 'SMEVFailure', 'Emulated adapter failure; retry');
    }
    const clientId = request ? request.requestMessage.requestMetadata.clientId : response!.responseMessage.responseMetadata.clientId;
    const known = state.clientIds.get(clientId);
    if (known) {
      // Never apply twice; tell the caller which messageId the first send got.
      sendFault(
        res,
        new HttpError(ALREADY_SENT_HTTP_STATUS, 'ValidationFault', ALREADY_SENT_FAULT_CODE, `Message with clientId ${clientId} was already sent`),
        { messageId: known.messageId },
      );
      return;
    }
    const reject = state.faults.rejectNext;
    if (reject && reject.mode === 'sync') {
      state.faults = { ...state.faults, rejectNext: null };
      throw new HttpError(400, 'ValidationFault', reject.code, reject.description ?? `Rejected: ${reject.code}`);
    }
    const content = request ? request.requestMessage.requestContent.content : response!.responseMessage.responseContent.content;
    const attached = readAttachments(content.attachmentHeaderList);
    const responseView = response ? state.checkResponse(response.responseMessage, attached) : undefined;
    // Reserve the clientId before any await so a concurrent duplicate sees it.
    const entry: ClientIdEntry = {
      messageId: uuidv1(),
      itSystem,
      ...(request ? { requestMessage: request.requestMessage } : { responseMessage: response!.responseMessage }),
    };
    state.clientIds.set(clientId, entry);
    // The adapter has taken the files to file storage: they stay, whatever happens to the message.
    files.commit(attached);
    const receivedAt = state.now().toISOString();
    const processing = state.chain.then(() =>
      request ? state.process(clientId, entry, receivedAt) : state.processResponse(clientId, entry, receivedAt, responseView!),
    );
    state.chain = processing.catch(() => undefined);
    try {
      await processing;
    } catch (e) {
      // Nothing was applied (validation itself failed): forget the clientId so a retry is processed.
      state.clientIds.delete(clientId);
      throw e;
    }

    if (state.faults.dropConnectionAfterAccept > 0) {
      state.faults = { ...state.faults, dropConnectionAfterAccept: state.faults.dropConnectionAfterAccept - 1 };
      req.socket?.destroy();
      return;
    }
    sendJson(res, 200, { itSystem, messageId: entry.messageId });
  }

  function visible(reply: StoredReply | undefined): reply is StoredReply {
    return !!reply && reply.availableAtMs <= Date.now();
  }

  async function handleFind(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readJson(req, FindRequestBodySchema);
    const q = body.specificQuery;
    let results: QueryResult[] = [];
    if (q.messageClientIdCriteria) {
      const { clientId, clientIdCriteria } = q.messageClientIdCriteria;
      if (clientIdCriteria === 'GET_REQUEST_BY_REQUEST_CLIENTID') {
        const entry = state.clientIds.get(clientId);
        if (entry?.requestMessage) {
          results = [{ smevMetadata: { messageId: entry.messageId }, message: { ...entry.requestMessage, messageType: 'RequestMessageType' } }];
        }
      } else {
        const requestClientId = clientIdCriteria === 'GET_RESPONSE_BY_REQUEST_CLIENTID' ? clientId : state.responseClientIds.get(clientId);
        const reply = requestClientId !== undefined ? state.clientIds.get(requestClientId)?.reply : undefined;
        if (visible(reply)) results = [reply.result];
      }
    } else if (q.messageIntervalCriteria) {
      const from = Date.parse(q.messageIntervalCriteria.from);
      const to = q.messageIntervalCriteria.to ? Date.parse(q.messageIntervalCriteria.to) : Infinity;
      if (!Number.isFinite(from) || Number.isNaN(to)) throw new HttpError(400, 'ValidationFault', 'MalformedRequest', 'bad interval');
      for (const entry of state.clientIds.values()) {
        if (entry.itSystem === body.itSystem && visible(entry.reply) && entry.reply.availableAtMs >= from && entry.reply.availableAtMs <= to) {
          results.push(entry.reply.result);
        }
      }
    }
    if (state.faults.duplicateReplies) results = results.flatMap((r) => [r, r]);
    sendJson(res, 200, { queryResult: results });
  }

  async function handleGet(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readJson(req, GetRequestBodySchema);
    if (body.specificQuery?.messageTypeCriteria === 'REQUEST') {
      sendJson(res, 200, { queryResult: null }); // nobody sends requests to us here
      return;
    }
    const idx = state.getQueue.findIndex((q) => q.itSystem === body.itSystem && visible(state.clientIds.get(q.clientId)?.reply));
    if (idx < 0) {
      sendJson(res, 200, { queryResult: null });
      return;
    }
    const [item] = state.getQueue.splice(idx, 1);
    sendJson(res, 200, { queryResult: state.clientIds.get(item!.clientId)!.reply!.result });
  }

  function authorized(req: http.IncomingMessage): boolean {
    if (!options.controlToken) return true; // loopback only (checked at start)
    const header = req.headers.authorization ?? '';
    const expected = `Bearer ${options.controlToken}`;
    return header.length === expected.length && timingSafeEqual(Buffer.from(header), Buffer.from(expected));
  }

  function pathParam(pathname: string, prefix: string): string | null {
    try {
      return decodeURIComponent(pathname.slice(prefix.length));
    } catch {
      return null;
    }
  }

  async function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (!authorized(req)) {
      res.setHeader('www-authenticate', 'Bearer');
      return sendJson(res, 401, { error: 'control token required (authorization: Bearer <token>)' });
    }
    if (pathname === '/__emulator/faults' && method === 'GET') return sendJson(res, 200, faults.get());
    if (pathname === '/__emulator/faults' && method === 'POST') {
      const patch = await readJson(req, FaultPatchSchema);
      return sendJson(res, 200, faults.set(patch));
    }
    if (pathname === '/__emulator/reset' && method === 'POST') {
      await readBody(req, maxBodyBytes);
      state.reset();
      return sendJson(res, 200, { ok: true });
    }
    if (pathname === '/__emulator/epgu-requests' && method === 'POST') {
      const r = await readJson(req, RegisterEpguRequestSchema);
      emulator.registerEpguRequest(r);
      return sendJson(res, 200, { ok: true });
    }
    if (pathname === '/__emulator/epgu-requests' && method === 'GET') return sendJson(res, 200, emulator.epguRequests());
    if (pathname === '/__emulator/orders' && method === 'GET') return sendJson(res, 200, emulator.orders());
    if (pathname.startsWith('/__emulator/orders/') && method === 'GET') {
      const orderNumber = pathParam(pathname, '/__emulator/orders/');
      if (orderNumber === null) return sendJson(res, 400, { error: 'bad order number encoding' });
      const o = emulator.order(orderNumber);
      return o ? sendJson(res, 200, o) : sendJson(res, 404, { error: `order ${orderNumber} not found` });
    }
    if (pathname.startsWith('/__emulator/cabinet/') && method === 'GET') {
      const orderNumber = pathParam(pathname, '/__emulator/cabinet/');
      if (orderNumber === null) return sendJson(res, 400, { error: 'bad order number encoding' });
      const c = emulator.cabinet(orderNumber);
      return c ? sendJson(res, 200, c) : sendJson(res, 404, { error: `order ${orderNumber} not found` });
    }
    if (pathname === '/__emulator/files' && method === 'GET') return sendJson(res, 200, emulator.files());
    if (pathname.startsWith('/__emulator/files/') && method === 'GET') {
      const id = pathParam(pathname, '/__emulator/files/');
      const f = id === null ? undefined : files.get(id);
      if (!f) return sendJson(res, 404, { error: 'file not found' });
      res.writeHead(200, {
        'content-type': f.mimeType,
        'content-length': f.bytes.length,
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(f.fileName)}`,
        'x-content-sha256': f.sha256,
      });
      res.end(f.bytes);
      return;
    }
    if (pathname === '/__emulator/messages' && method === 'GET') return sendJson(res, 200, emulator.messages());
    sendJson(res, 404, { error: 'unknown emulator endpoint' });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://emulator').pathname;
    // Control endpoints ignore injected faults so a test can always clear an outage.
    if (pathname.startsWith('/__emulator/')) return handleAdmin(req, res, pathname);

    if (state.faults.outage) {
      if (state.faults.outageMode === 'reset') {
        req.socket?.destroy();
        return;
      }
      await readBody(req, maxBodyBytes).catch(() => undefined);
      throw new HttpError(503, 'SystemFault', 'SMEVFailure', 'Emulated outage');
    }
    if (state.faults.latencyMs > 0) await delay(state.faults.latencyMs);
    if (req.method !== 'POST') throw new HttpError(405, 'ValidationFault', 'MethodNotAllowed', 'use POST');
    // Real adapters are usually configured as http://host:7590/ws; accept that prefix too.
    const endpoint = pathname.startsWith('/ws/') ? pathname.slice(3) : pathname;
    switch (endpoint) {
      case '/send':
        return handleSend(req, res);
      case '/find':
        return handleFind(req, res);
      case '/get':
        return handleGet(req, res);
      default:
        sendJson(res, 404, { fault: { type: 'ValidationFault', code: 'NotFound', description: `no endpoint ${pathname}` } });
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res)
      .catch((e: unknown) => {
        if (res.headersSent || !req.socket || req.socket.destroyed) return;
        if (e instanceof HttpError) {
          // A refused upload is not read to its end: close the connection once the answer is out.
          if (e.status === 413) res.setHeader('connection', 'close');
          return sendFault(res, e, (e as HttpError & { extra?: Record<string, unknown> }).extra ?? {});
        }
        sendFault(res, new HttpError(500, 'SystemFault', 'InternalError', (e as Error)?.message ?? String(e)));
      })
      // Whatever goes wrong with one request, the process hosting the emulator (the demo's worker) keeps running.
      .catch(() => req.socket?.destroy());
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const emulator: ElkEmulator = {
    url: `http://${urlHost}:${port}`,
    port,
    exchangeDir,
    faults,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    orders: () => [...state.orders.values()].map((o) => state.orderView(o)),
    order: (orderNumber) => {
      const o = state.orders.get(orderNumber);
      return o ? state.orderView(o) : undefined;
    },
    messages: () => structuredClone(state.messages),
    reset: () => state.reset(),
    files: () => files.all().map(fileView),
    file: (fsUuid) => files.get(fsUuid),
    cabinet: (orderNumber) => state.cabinet(orderNumber),
    registerEpguRequest: (r) => {
      const { requestClientId, orderId } = RegisterEpguRequestSchema.parse(r);
      if (!state.epguRequests.has(requestClientId)) state.epguRequests.set(requestClientId, { requestClientId, orderId, statuses: [] });
    },
    epguRequests: () => structuredClone([...state.epguRequests.values()]),
  };
  return emulator;
}
