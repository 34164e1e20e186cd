// pushStatusToElk: delivers one status of one application to the applicant's ЕПГУ cabinet through the SMEV adapter.
// SMEV rules (shared/reference/epgu-elk.md §3.2, §3.7): the message id (adapter clientId) is created and persisted
// before the first attempt and reused on every retry; "already sent" and "order already exists" are success;
// infrastructure faults are retried without limit by the activity's retry policy; content and business errors
// are not retried blindly — they become a task for the clerk.
//
// Files: the document that goes with a status (refusal letter, result document) is read from PostgreSQL,
// unsealed, placed in the adapter's exchange folder under an id derived from the case, the document and its
// hash, and sent in the same message as the status. Retries and crashes place the same file under the same id;
// the adapter's clientId dedup and the storage's one-content-per-id rule make it one file, one status.
import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { v5 as uuidv5 } from 'uuid';
import type { CodecKeys } from '../codec';
import { markResultDocumentDelivered, readResultDocument, storageFileName } from '../documents';
import { openBytes } from '../security';
import { type AdapterReply, ElkResultCode } from '../epgu';
import { ELK_BUSINESS_REJECTION, ElkAttachmentRef, ElkDeliveryRequest, ElkDeliveryResult, ElkRoute, RESULT_DOCUMENT_MISSING } from '../shared';
import { heartbeatingWhile } from './heartbeat';

/** AttachmentHeader of the adapter (filePath in its exchange folder) with the storage id, hash and type we state. */
export interface FileHeader {
  filePath: string;
  uuid: string;
  hash: string;
  mimeType: 'application/pdf' | 'application/xml' | 'application/pkcs7-signature';
  signaturePKCS7?: string;
}

/** A status message's reference to an uploaded file (ЕЛК attachment/FSuuid + docTypeId). */
export interface AttachedFile {
  fsUuid: string;
  docTypeId: string;
}

/** The request cannot be built as is (configuration or data): a clerk or the operator must act. */
export class ElkContentError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ElkContentError';
  }
}

/** The status channel: ЕЛК orders, or responses to ЕПГУ's request; wired from epgu/ (see activities/elkChannel.ts). */
export interface ElkChannel {
  buildXml(req: ElkDeliveryRequest, attachments: AttachedFile[]): string;
  /** Business content of a status answered to ЕПГУ (req.epgu set), from the service's payload builder. */
  buildEpguReply(req: ElkDeliveryRequest, attachments: AttachedFile[]): string;
  /** Places a file in the adapter's exchange folder (idempotent); returns its filePath. */
  placeFile(fsUuid: string, fileName: string, bytes: Buffer): Promise<string>;
  /** Removes a file whose delivery ЕЛК confirmed from the exchange folder. */
  removeFile(fsUuid: string): Promise<void>;
  validateXml(xml: string): Promise<{ valid: boolean; errors: string[] }>;
  send(clientId: string, xml: string, attachments: FileHeader[]): Promise<{ messageId: string; alreadySent: boolean }>;
  sendReply(clientId: string, replyToClientId: string, xml: string, attachments: FileHeader[]): Promise<{ messageId: string; alreadySent: boolean }>;
  findReply(clientId: string): Promise<AdapterReply | null>;
  /** True for errors worth retrying (network, 5xx, adapter system faults). */
  isTransient(err: unknown): boolean;
}

export interface ElkDeliveryOptions {
  /** How long one attempt waits for the adapter's reply before handing back to the retry policy. */
  replyWaitMs: number;
  /** Payload keys: letters and result documents are sealed with them in PostgreSQL. */
  keys: CodecKeys;
}

// Namespace of SMEV file storage ids (UUID v5 over application number, document and content hash).
const FILE_ID_NAMESPACE = '3b0c1f52-7a5e-5d21-8c3e-2f9d4b6a1e70';

/** Same document, same bytes → same id: a retry never uploads a second copy under a new id. */
export function attachmentFileId(applicationNumber: string, documentKey: string, sha256: string): string {
  return uuidv5(`${applicationNumber}\u0000${documentKey}\u0000${sha256}`, FILE_ID_NAMESPACE);
}

// Validation errors from libxml2 quote the offending value, which may be personal data: keep only the rule.
export function withoutQuotedValues(text: string): string {
  return text.replace(/'[^']*'/g, "'…'").replace(/"[^"]*"/g, '"…"').slice(0, 2000);
}

// Namespace of this plugin's SMEV adapter clientIds (UUID v5 over application number, seq and generation).
const CLIENT_ID_NAMESPACE = '8f6a3c2e-4b1d-5e7f-9a0b-1c2d3e4f5a6b';

export function elkClientId(req: Pick<ElkDeliveryRequest, 'applicationNumber' | 'seq' | 'generation'>): string {
  return uuidv5(`${req.applicationNumber}\u0000${req.seq}\u0000${req.generation ?? 0}`, CLIENT_ID_NAMESPACE);
}

interface OutboxRow {
  client_id: string;
  state: string;
  attempts: number;
  elk_order_number: string | null;
  reply_code: number | null;
}

interface LoadedDocument {
  key: string;
  fileName: string;
  mimeType: 'application/pdf' | 'application/xml';
  bytes: Buffer;
  signature?: Buffer;
}

export function createElkDeliveryActivities(pool: Pool, channel: ElkChannel, options: ElkDeliveryOptions) {
  async function loadDocument(applicationNumber: string, ref: ElkAttachmentRef): Promise<LoadedDocument> {
    if (ref.kind === 'resultDocument') {
      const doc = await readResultDocument(pool, options.keys, { applicationNumber, documentId: ref.documentId, sha256: ref.sha256 });
      if (!doc) throw new ElkContentError(RESULT_DOCUMENT_MISSING, `result document ${ref.documentId} is not stored for ${applicationNumber}`);
      return {
        key: `result:${doc.documentId}`,
        fileName: doc.fileName,
        mimeType: doc.mimeType,
        bytes: doc.content,
        ...(doc.signature ? { signature: doc.signature } : {}),
      };
    }
    const letterId = ref.kind === 'refusalLetter' ? ref.letterId : ref.fsUuid;
    const { rows } = await pool.query(`SELECT version, pdf_sealed FROM refusal_letters WHERE application_number = $1 AND letter_id = $2`, [applicationNumber, letterId]);
    if (!rows[0]) throw new ElkContentError('RefusalLetterMissing', `refusal letter ${letterId} is not stored for ${applicationNumber}`);
    const pdf = openBytes(options.keys, rows[0].pdf_sealed, `refusal_letters:${applicationNumber}:${rows[0].version}:pdf`);
    return { key: `refusal:${letterId}`, fileName: storageFileName(`otkaz_${applicationNumber}_v${rows[0].version}`, '.pdf'), mimeType: 'application/pdf', bytes: pdf };
  }

  /** Places the status's document in the exchange folder; returns the header and the ЕЛК reference. */
  async function prepareAttachment(req: ElkDeliveryRequest): Promise<{ header: FileHeader; file: AttachedFile } | null> {
    if (!req.attachment) return null;
    const doc = await loadDocument(req.applicationNumber, req.attachment);
    const hash = createHash('sha256').update(doc.bytes).digest('hex');
    const fsUuid = attachmentFileId(req.applicationNumber, doc.key, hash);
    const filePath = await channel.placeFile(fsUuid, doc.fileName, doc.bytes);
    return {
      header: { filePath, uuid: fsUuid, hash, mimeType: doc.mimeType, ...(doc.signature ? { signaturePKCS7: doc.signature.toString('base64') } : {}) },
      file: { fsUuid, docTypeId: req.attachment.docTypeId },
    };
  }

  async function note(req: ElkDeliveryRequest, attempt: number, outcome: string, detail: string | null): Promise<void> {
    await pool.query(
      `INSERT INTO elk_delivery_attempts (application_number, seq, attempt, outcome, detail) VALUES ($1, $2, $3, $4, $5)`,
      [req.applicationNumber, req.seq, attempt, outcome, detail === null ? null : withoutQuotedValues(detail)],
    );
  }

  async function claimOutboxRow(req: ElkDeliveryRequest, payloadSha256: string, route: ElkRoute, fsUuid: string | null): Promise<OutboxRow> {
    // The clientId is derived from (application, seq, generation), so even a commit lost in a database crash
    // cannot make a retry send the same status under a new id. A status the portal rejected is sent again
    // only on the clerk's request, as a new generation: the old clientId is bound to the old reply.
    // One statement creates the row or counts the attempt (the benchmark counts PostgreSQL writes per status).
    const { rows } = await pool.query<OutboxRow>(
      `INSERT INTO elk_outbox AS o (application_number, seq, client_id, request_type, stage, elk_status, status_date, attempts, payload_sha256, attachment_fs_uuid)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9)
       ON CONFLICT (application_number, seq) DO UPDATE SET
         client_id = CASE WHEN o.state = 'rejected' AND o.client_id <> EXCLUDED.client_id THEN EXCLUDED.client_id ELSE o.client_id END,
         state = CASE WHEN o.state = 'rejected' AND o.client_id <> EXCLUDED.client_id THEN 'pending' ELSE o.state END,
         attempts = CASE WHEN o.state IN ('delivered', 'skipped') THEN o.attempts ELSE o.attempts + 1 END,
         payload_sha256 = CASE WHEN o.state IN ('delivered', 'skipped') THEN o.payload_sha256 ELSE EXCLUDED.payload_sha256 END
       RETURNING client_id, state, attempts, elk_order_number, reply_code`,
      [req.applicationNumber, req.seq, elkClientId(req), route === 'elk' ? req.requestType : 'EpguStatusReply', req.stage, req.elkStatus, req.statusDate, payloadSha256, fsUuid],
    );
    return rows[0];
  }

  async function reject(req: ElkDeliveryRequest, attempt: number, code: number | string, message: string): Promise<never> {
    await pool.query(
      `UPDATE elk_outbox SET state = 'rejected', reply_code = $3, reply_message = $4 WHERE application_number = $1 AND seq = $2`,
      [req.applicationNumber, req.seq, typeof code === 'number' ? code : null, withoutQuotedValues(`${code}: ${message}`).slice(0, 500)],
    );
    await note(req, attempt, 'rejected', `${code}: ${message}`);
    throw ApplicationFailure.create({
      type: ELK_BUSINESS_REJECTION,
      message: `ЕЛК отклонил статус (ELK rejected status) ${req.elkStatus}: ${code} ${withoutQuotedValues(message)}`,
      details: [{ code, message: withoutQuotedValues(message) }],
      nonRetryable: true,
    });
  }

  async function pushStatusToElk(req: ElkDeliveryRequest): Promise<ElkDeliveryResult> {
    const ctx = Context.current();
    // Filed on ЕПГУ: the order is already in the cabinet; answer ЕПГУ's request instead of creating another.
    const route: ElkRoute = req.channel === 'epgu' && req.epgu ? 'epguReply' : 'elk';
    // The message is built and checked before the row is claimed, so the claim also records its hash.
    let xml: string;
    let attachment: Awaited<ReturnType<typeof prepareAttachment>>;
    try {
      attachment = await prepareAttachment(req);
      const files = attachment ? [attachment.file] : [];
      xml = route === 'elk' ? channel.buildXml(req, files) : channel.buildEpguReply(req, files);
    } catch (err) {
      if (!(err instanceof ElkContentError)) throw err;
      throw ApplicationFailure.create({
        type: ELK_BUSINESS_REJECTION,
        message: `Статус ${req.elkStatus} не может быть сформирован (status cannot be built): ${err.message}`,
        details: [{ code: err.code, message: err.message }],
        nonRetryable: true,
      });
    }
    const row = await claimOutboxRow(req, createHash('sha256').update(xml).digest('hex'), route, attachment?.file.fsUuid ?? null);
    if (row.state === 'delivered' || row.state === 'skipped') {
      return { clientId: row.client_id, replyCode: row.reply_code ?? 0, elkOrderNumber: row.elk_order_number ?? undefined, alreadyDelivered: true, route };
    }
    const attempt = row.attempts;
    if (route === 'elk') {
      const validation = await heartbeatingWhile(channel.validateXml(xml));
      if (!validation.valid) return reject(req, attempt, 'InvalidContent', validation.errors.join('; '));
    }
    const headers = attachment ? [attachment.header] : [];

    let sent: { messageId: string; alreadySent: boolean };
    try {
      // Heartbeats during the send: a portal slower than the heartbeat timeout must not look like a dead worker
      // (the retry would overlap this attempt and send again).
      sent = await heartbeatingWhile(
        route === 'elk' ? channel.send(row.client_id, xml, headers) : channel.sendReply(row.client_id, req.epgu!.requestClientId, xml, headers),
      );
    } catch (err) {
      if (channel.isTransient(err)) {
        await note(req, attempt, 'transport-error', (err as Error).message);
        throw err;
      }
      return reject(req, attempt, (err as { code?: string }).code ?? 'AdapterRejected', (err as Error).message);
    }
    await pool.query(
      `UPDATE elk_outbox SET state = CASE WHEN state = 'pending' THEN 'sent' ELSE state END,
              message_id = COALESCE(message_id, $3), first_sent_at = COALESCE(first_sent_at, now())
       WHERE application_number = $1 AND seq = $2`,
      [req.applicationNumber, req.seq, sent.messageId],
    );
    if (route === 'epguReply') {
      // A response has no business reply: the adapter's acceptance is delivery (its content was checked on send).
      await markDelivered(req, 0, 'accepted by the adapter', null, attachment?.file.fsUuid);
      await note(req, attempt, 'delivered', sent.alreadySent ? 'already sent under this clientId' : null);
      return { clientId: row.client_id, replyCode: 0, alreadyDelivered: false, route, ...(attachment ? { fsUuid: attachment.file.fsUuid } : {}) };
    }

    // The adapter answers asynchronously: poll by clientId, backing off, heartbeating so a dead worker is noticed.
    let reply: AdapterReply | null = null;
    const until = Date.now() + options.replyWaitMs;
    for (let wait = 25; ; wait = Math.min(wait * 2, 1000)) {
      ctx.heartbeat();
      try {
        reply = await heartbeatingWhile(channel.findReply(row.client_id));
      } catch (err) {
        if (!channel.isTransient(err)) throw err;
        await note(req, attempt, 'transport-error', (err as Error).message);
        throw err;
      }
      if (reply || Date.now() >= until) break;
      await ctx.sleep(wait);
    }
    if (!reply) {
      await note(req, attempt, 'reply-pending', null);
      throw ApplicationFailure.retryable('ЕЛК reply not received yet (ответ ЕЛК ещё не получен)', 'ElkReplyPending');
    }
    if (reply.kind === 'rejected') return reject(req, attempt, reply.code, reply.description);

    // One status per message, so one order in the reply (the adapter client's schema requires at least one).
    const order = reply.response.orders[0]!;
    const elkOrderNumber = order.elkOrderNumber || undefined;
    const orderExisted = req.requestType === 'CreateOrdersRequest' && order.status === ElkResultCode.ORDER_ALREADY_EXISTS;
    if (order.status !== ElkResultCode.OK && !orderExisted) return reject(req, attempt, order.status, order.message);
    await markDelivered(req, order.status, order.message, elkOrderNumber ?? null, attachment?.file.fsUuid);
    // ЕЛК answered, so SMEV has the file: the applicant's document does not stay in clear in the exchange folder.
    // (A response to ЕПГУ has no such confirmation; its file stays for the adapter — see docs/channels.md.)
    if (attachment) await channel.removeFile(attachment.file.fsUuid);
    // One attempt row per attempt, with its final outcome (a re-send the adapter knew is noted in detail).
    await note(req, attempt, orderExisted ? 'delivered-order-existed' : 'delivered', sent.alreadySent ? 'already sent under this clientId' : null);
    return {
      clientId: row.client_id,
      replyCode: order.status,
      elkOrderNumber,
      alreadyDelivered: false,
      route,
      ...(attachment ? { fsUuid: attachment.file.fsUuid } : {}),
    };
  }

  async function markDelivered(req: ElkDeliveryRequest, code: number, message: string, elkOrderNumber: string | null, fsUuid: string | undefined): Promise<void> {
    const marked = await pool.query(
      `UPDATE elk_outbox SET state = 'delivered', reply_code = $3, reply_message = $4, elk_order_number = $5,
              delivered_at = COALESCE(delivered_at, now())
       WHERE application_number = $1 AND seq = $2`,
      [req.applicationNumber, req.seq, code, message.slice(0, 500), elkOrderNumber],
    );
    if (marked.rowCount !== 1) {
      // The outbox row vanished (a database restored or crashed without durable commits): record it again.
      // The retry re-sends under the same clientId, which the adapter answers with "already sent".
      throw ApplicationFailure.retryable('ЕЛК outbox row missing after delivery; recording again', 'ElkOutboxRowLost');
    }
    if (fsUuid && req.attachment?.kind === 'resultDocument') {
      await markResultDocumentDelivered(pool, { documentId: req.attachment.documentId, applicationNumber: req.applicationNumber, fsUuid });
    }
  }

  /** The clerk chose to skip a status the portal rejected: the row says so, a delivered one stays delivered. */
  async function markElkStatusSkipped(t: { applicationNumber: string; seq: number }): Promise<void> {
    await pool.query(`UPDATE elk_outbox SET state = 'skipped' WHERE application_number = $1 AND seq = $2 AND state <> 'delivered'`, [t.applicationNumber, t.seq]);
  }

  return { pushStatusToElk, markElkStatusSkipped };
}
