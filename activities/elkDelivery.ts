// pushStatusToElk: delivers one status of one application to the applicant's ЕПГУ cabinet through the SMEV adapter.
// SMEV rules (shared/reference/epgu-elk.md §3.2, §3.7): the message id (adapter clientId) is created and persisted
// before the first attempt and reused on every retry; "already sent" and "order already exists" are success;
// infrastructure faults are retried without limit by the activity's retry policy; content and business errors
// are not retried blindly — they become a task for the clerk.
import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { v5 as uuidv5 } from 'uuid';
import { ELK_BUSINESS_REJECTION, ElkDeliveryRequest, ElkDeliveryResult } from '../shared/lifecycle';
import { heartbeatingWhile } from './heartbeat';

/** A reply of the adapter to a message, as the activity needs it. */
export type ElkReply =
  | { kind: 'elk'; orderStatus: number; message: string; elkOrderNumber?: string }
  | { kind: 'rejected'; code: string; description: string };

/** The transport and message format, wired from epgu/ (see activities/index.ts). */
export interface ElkChannel {
  buildXml(req: ElkDeliveryRequest): string;
  validateXml(xml: string): Promise<{ valid: boolean; errors: string[] }>;
  send(clientId: string, xml: string): Promise<{ messageId: string; alreadySent: boolean }>;
  findReply(clientId: string): Promise<ElkReply | null>;
  /** True for errors worth retrying (network, 5xx, adapter system faults). */
  isTransient(err: unknown): boolean;
}

export interface ElkDeliveryOptions {
  /** How long one attempt waits for the adapter's reply before handing back to the retry policy. */
  replyWaitMs: number;
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

export function createElkDeliveryActivities(pool: Pool, channel: ElkChannel, options: ElkDeliveryOptions) {
  async function note(req: ElkDeliveryRequest, attempt: number, outcome: string, detail: string | null): Promise<void> {
    await pool.query(
      `INSERT INTO elk_delivery_attempts (application_number, seq, attempt, outcome, detail) VALUES ($1, $2, $3, $4, $5)`,
      [req.applicationNumber, req.seq, attempt, outcome, detail === null ? null : withoutQuotedValues(detail)],
    );
  }

  async function claimOutboxRow(req: ElkDeliveryRequest, payloadSha256: string): Promise<OutboxRow> {
    // The clientId is derived from (application, seq, generation), so even a commit lost in a database crash
    // cannot make a retry send the same status under a new id. A status the portal rejected is sent again
    // only on the clerk's request, as a new generation: the old clientId is bound to the old reply.
    // One statement creates the row or counts the attempt (the benchmark counts PostgreSQL writes per status).
    const { rows } = await pool.query<OutboxRow>(
      `INSERT INTO elk_outbox AS o (application_number, seq, client_id, request_type, stage, elk_status, status_date, attempts, payload_sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)
       ON CONFLICT (application_number, seq) DO UPDATE SET
         client_id = CASE WHEN o.state = 'rejected' AND o.client_id <> EXCLUDED.client_id THEN EXCLUDED.client_id ELSE o.client_id END,
         state = CASE WHEN o.state = 'rejected' AND o.client_id <> EXCLUDED.client_id THEN 'pending' ELSE o.state END,
         attempts = CASE WHEN o.state IN ('delivered', 'skipped') THEN o.attempts ELSE o.attempts + 1 END,
         payload_sha256 = CASE WHEN o.state IN ('delivered', 'skipped') THEN o.payload_sha256 ELSE EXCLUDED.payload_sha256 END
       RETURNING client_id, state, attempts, elk_order_number, reply_code`,
      [req.applicationNumber, req.seq, elkClientId(req), req.requestType, req.stage, req.elkStatus, req.statusDate, payloadSha256],
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
    // The message is built and checked before the row is claimed, so the claim also records its hash.
    const xml = channel.buildXml(req);
    const row = await claimOutboxRow(req, createHash('sha256').update(xml).digest('hex'));
    if (row.state === 'delivered' || row.state === 'skipped') {
      return { clientId: row.client_id, replyCode: row.reply_code ?? 0, elkOrderNumber: row.elk_order_number ?? undefined, alreadyDelivered: true };
    }
    const attempt = row.attempts;
    const validation = await heartbeatingWhile(channel.validateXml(xml));
    if (!validation.valid) return reject(req, attempt, 'InvalidContent', validation.errors.join('; '));

    let sent: { messageId: string; alreadySent: boolean };
    try {
      // Heartbeats during the send: a portal slower than the heartbeat timeout must not look like a dead worker
      // (the retry would overlap this attempt and send again).
      sent = await heartbeatingWhile(channel.send(row.client_id, xml));
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

    // The adapter answers asynchronously: poll by clientId, backing off, heartbeating so a dead worker is noticed.
    let reply: ElkReply | null = null;
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

    const accepted = reply.orderStatus === 0 || (req.requestType === 'CreateOrdersRequest' && reply.orderStatus === 34);
    if (!accepted) return reject(req, attempt, reply.orderStatus, reply.message);
    const marked = await pool.query(
      `UPDATE elk_outbox SET state = 'delivered', reply_code = $3, reply_message = $4, elk_order_number = $5,
              delivered_at = COALESCE(delivered_at, now())
       WHERE application_number = $1 AND seq = $2`,
      [req.applicationNumber, req.seq, reply.orderStatus, reply.message.slice(0, 500), reply.elkOrderNumber ?? null],
    );
    if (marked.rowCount !== 1) {
      // The outbox row vanished (a database restored or crashed without durable commits): record it again.
      // The retry re-sends under the same clientId, which the adapter answers with "already sent".
      throw ApplicationFailure.retryable('ЕЛК outbox row missing after delivery; recording again', 'ElkOutboxRowLost');
    }
    // One attempt row per attempt, with its final outcome (a re-send the adapter knew is noted in detail).
    await note(req, attempt, reply.orderStatus === 34 ? 'delivered-order-existed' : 'delivered', sent.alreadySent ? 'already sent under this clientId' : null);
    return { clientId: row.client_id, replyCode: reply.orderStatus, elkOrderNumber: reply.elkOrderNumber, alreadyDelivered: false };
  }

  return { pushStatusToElk };
}
