// Activities of the satisfaction loop, built by a factory that receives their dependencies (pool, the rating
// system's client, the SMS gateway, the calendar, the texts, the router into feedback workflows). Every write
// is idempotent by a key the workflow derives (application number, reaction id, purpose of an SMS), so a retry
// after a crash repeats nothing that was done.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { auditTask, auditTaskByKey, insertClerkTask, resolveClerkTasksByKey, scheduleRungs, type EscalationLadderInput } from '../escalation';
import { CalendarCoverageError, computeRegulatoryClock, localDateOf, type ProductionCalendar } from '../calendar';
import type { CodecKeys } from '../codec';
import { inTransaction } from '../db';
import { storageFileName, storeResultDocument } from '../documents';
import { renderPdf } from '../refusal';
import { ELK_BUSINESS_REJECTION, type ElkDeliveryRequest, type ElkDeliveryResult } from '../shared';
import type { Directory } from '../escalation';
import { openText, sealText } from '../security';
import type { ServiceRegistry } from '../services';
import type { FeedbackTexts } from './feedbackTexts';
import { answerMessageId, type EmailGateway } from './emailGateway';
import { sha256Hex } from './hash';
import { MkguClient, MkguError } from './mkguClient';
import type { RatingIntake } from './ratingIntake';
import { applicantContactSchema, type ApplicantContact, type RoutedRating, type ServedOutcome } from './ratingSchemas';
import { NO_SMSC, type SmsGateway } from './smsGateway';

/** The reaction's own ladder: a reminder to the head the working day before, the deputy and management at the term. */
export const REACTION_LADDER: EscalationLadderInput = [
  { rung: 'reaction:lastDay', at: { workingDaysBeforeDeadline: 1 }, notify: ['head'] },
  { rung: 'reaction:breach', at: { atDeadline: true }, notify: ['deputy', 'management'] },
];

export interface FeedbackDependencies {
  pool: Pool;
  keys: CodecKeys;
  /** null when no rating system is configured: served events are kept (sealed) and registered by no one. */
  mkgu: MkguClient | null;
  sms: SmsGateway;
  /** The relay for answers by e-mail; absent: answers go by the other channels only. */
  email?: EmailGateway | null;
  /** The ЕЛК status delivery (pushStatusToElk): the answer goes to the cabinet of an application with an ЕЛК order. */
  cabinet?: (req: ElkDeliveryRequest) => Promise<ElkDeliveryResult>;
  calendar: ProductionCalendar;
  timeZone: string;
  services: ServiceRegistry;
  directory: Directory;
  texts: FeedbackTexts;
  department: { inn: string; officeName?: string };
  intake: RatingIntake;
  /** Hands a stored rating to its application's feedback workflow (signal-with-start). */
  routeRating?: (rating: RoutedRating & { applicationNumber: string; serviceCode: string }) => Promise<void>;
}

export interface ReactionPlan {
  serviceTitle: string;
  deadline: string;
  dueDate: string;
  rungs: { rung: string; fireAt: string; notify: string[]; flagsOverdue: boolean }[];
}

const contactContext = (app: string) => `feedback_served_events.contact:${app}`;
const measureContext = (reactionId: string) => `feedback_reactions.measure:${reactionId}`;
const answerContext = (reactionId: string) => `feedback_answers.text:${reactionId}`;
const smsRecipientContext = (purpose: string) => `feedback_sms.recipient:${purpose}`;
const emailRecipientContext = (purpose: string) => `feedback_email.recipient:${purpose}`;

export type AnswerChannel = 'sms' | 'email' | 'cabinet';

/**
 * The cabinet's template for the answer. UNCONFIRMED: the mnemonic, its Param name and the attachment's
 * docTypeId are the project's; the real ones are registered (ЕСНСИ «ЕЛК.Шаблоны уведомлений», document types)
 * by the department with the portal's operator.
 */
export const CABINET_ANSWER_TEMPLATE = { messageType: 'FEEDBACK_ANSWER', textParam: 'answerText', docTypeId: 'ELK_FEEDBACK_ANSWER' } as const;
/** Outbox seq of cabinet answers: above any lifecycle status, so the two never share a row. */
export const CABINET_ANSWER_SEQ_BASE = 1000;

/**
 * Which channels an answer takes: every contact the applicant gave that the department can reach — SMS when
 * there is a phone and an SMSC, e-mail when there is an address and a relay. None: the answer cannot be sent.
 */
export function answerChannels(contact: ApplicantContact, reachable: { sms: boolean; email: boolean }): AnswerChannel[] {
  const out: AnswerChannel[] = [];
  if (contact.phone && reachable.sms) out.push('sms');
  if (contact.email && reachable.email) out.push('email');
  return out;
}

/** Heartbeats while a send is under way, so a worker that dies mid-send is noticed in seconds, not at the timeout. */
function keepAlive(): () => void {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return () => undefined; // called outside an activity (tests of the factory)
  }
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), 2000);
  return () => clearInterval(timer);
}

function formatRuDate(iso: string, timeZone: string): string {
  const [y, m, d] = localDateOf(new Date(iso), timeZone).split('-');
  return `${d}.${m}.${y}`;
}

export function createFeedbackActivities(deps: FeedbackDependencies) {
  const { pool, keys } = deps;

  const APPLY_RECEIPT = `UPDATE feedback_sms s SET state = CASE WHEN r.stat = 'DELIVRD' THEN 'delivered' ELSE 'undeliverable' END, receipt_stat = r.stat, receipt_at = r.received_at
      FROM feedback_sms_receipts r WHERE r.message_id = s.message_id AND s.message_id = $1`;
  // A receipt may overtake the commit of its submit: it is kept first and applied by whichever comes second.
  deps.sms.onReceipt(async (r) => {
    await pool.query(`INSERT INTO feedback_sms_receipts (message_id, stat) VALUES ($1, $2) ON CONFLICT (message_id) DO NOTHING`, [r.messageId, r.stat.slice(0, 20)]);
    await pool.query(APPLY_RECEIPT, [r.messageId]);
  });

  async function contactOf(app: string): Promise<ApplicantContact> {
    const { rows } = await pool.query<{ contact_sealed: Buffer | null }>('SELECT contact_sealed FROM feedback_served_events WHERE application_number = $1', [app]);
    const sealed = rows[0]?.contact_sealed;
    return sealed ? applicantContactSchema.parse(JSON.parse(openText(keys, sealed, contactContext(app)))) : {};
  }

  /**
   * Sends one SMS per purpose. The row is locked for the submit and marked submitted in the same transaction,
   * so a retry after the submit was recorded sends nothing. SMPP has no idempotency key: a process that dies
   * between the SMSC's acceptance and the commit leaves the row pending and the retry submits again.
   */
  async function sendSmsOnce(purposeKey: string, kind: 'survey' | 'answer', app: string, text: string): Promise<{ messageId: string | null; sentNow: boolean }> {
    const contact = await contactOf(app);
    if (!contact.phone) return { messageId: null, sentNow: false };
    await pool.query(
      `INSERT INTO feedback_sms (purpose_key, application_number, kind, recipient_sealed, text_sha256) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (purpose_key) DO NOTHING`,
      [purposeKey, app, kind, sealText(keys, contact.phone, smsRecipientContext(purposeKey)), sha256Hex(text)],
    );
    return inTransaction(pool, async (c) => {
      const row = (await c.query<{ state: string; message_id: string | null; recipient_sealed: Buffer }>('SELECT state, message_id, recipient_sealed FROM feedback_sms WHERE purpose_key = $1 FOR UPDATE', [purposeKey])).rows[0]!;
      if (row.state !== 'pending') return { messageId: row.message_id, sentNow: false };
      const to = openText(keys, row.recipient_sealed, smsRecipientContext(purposeKey));
      try {
        const { messageId } = await deps.sms.submit(to, text);
        await c.query(`UPDATE feedback_sms SET state = 'submitted', message_id = $2, attempts = attempts + 1, submitted_at = now(), last_error = NULL WHERE purpose_key = $1`, [purposeKey, messageId]);
        await c.query(APPLY_RECEIPT, [messageId]);
        return { messageId, sentNow: true };
      } catch (err) {
        throw new Error(`SMS не отправлено / SMS not submitted (${purposeKey}): ${(err as Error).message}`);
      }
    });
  }

  /**
   * Sends one e-mail per purpose, like sendSmsOnce: row lock, send, commit. A relay that never sent its 250 has
   * accepted nothing, so a worker dying before the reply leaves a pending row and the retry sends the only copy.
   * Between the 250 and the commit (milliseconds) a crash makes the retry send again, with the same Message-ID.
   * A permanent refusal (5xx: bad or unknown address) is recorded and not retried.
   */
  async function sendEmailOnce(purposeKey: string, app: string, to: string, subject: string, text: string): Promise<{ state: 'sent' | 'rejected'; reason?: string }> {
    const gateway = deps.email!;
    await pool.query(
      `INSERT INTO feedback_email (purpose_key, application_number, kind, recipient_sealed, text_sha256, message_id) VALUES ($1, $2, 'answer', $3, $4, $5) ON CONFLICT (purpose_key) DO NOTHING`,
      [purposeKey, app, sealText(keys, to, emailRecipientContext(purposeKey)), sha256Hex(text), answerMessageId(purposeKey, gateway.domain)],
    );
    return inTransaction(pool, async (c) => {
      const row = (await c.query<{ state: string; message_id: string; recipient_sealed: Buffer; last_error: string | null }>('SELECT state, message_id, recipient_sealed, last_error FROM feedback_email WHERE purpose_key = $1 FOR UPDATE', [purposeKey])).rows[0]!;
      if (row.state === 'sent') return { state: 'sent' as const };
      if (row.state === 'rejected') return { state: 'rejected' as const, reason: row.last_error ?? '' };
      const address = openText(keys, row.recipient_sealed, emailRecipientContext(purposeKey));
      try {
        const { response } = await gateway.send({ to: address, subject, text, messageId: row.message_id });
        await c.query(`UPDATE feedback_email SET state = 'sent', attempts = attempts + 1, sent_at = now(), smtp_response = $2, last_error = NULL WHERE purpose_key = $1`, [purposeKey, response.slice(0, 500)]);
        return { state: 'sent' as const };
      } catch (err) {
        const e = err as Error & { responseCode?: number };
        // The relay's reply may quote the address: only the code and the reason's first words are kept.
        const reason = `${e.responseCode ?? ''} ${e.message.replace(/[^\s@<>]+@[^\s@<>]+/g, '<адрес>')}`.trim().slice(0, 300);
        if (e.responseCode !== undefined && e.responseCode >= 500) {
          await c.query(`UPDATE feedback_email SET state = 'rejected', attempts = attempts + 1, last_error = $2 WHERE purpose_key = $1`, [purposeKey, reason]);
          return { state: 'rejected' as const, reason };
        }
        throw new Error(`E-mail не отправлено / e-mail not sent (${purposeKey}): ${reason}`);
      }
    });
  }

  /** The answer's text, rendered and stored once (its hash and template version kept with it). */
  async function storedAnswer(input: { reactionId: string; applicationNumber: string; serviceCode: string; at: string }): Promise<{ text: string; hash: string }> {
    const existing = await pool.query<{ text_sealed: Buffer; content_sha256: string }>('SELECT text_sealed, content_sha256 FROM feedback_answers WHERE reaction_id = $1', [input.reactionId]);
    if (!existing.rows[0]) {
      const reaction = (await pool.query<{ measure_sealed: Buffer | null }>('SELECT measure_sealed FROM feedback_reactions WHERE reaction_id = $1', [input.reactionId])).rows[0];
      if (!reaction?.measure_sealed) throw ApplicationFailure.nonRetryable('Меры не зафиксированы: ответ не из чего составить / no measure recorded', 'NoMeasure');
      const measure = openText(keys, reaction.measure_sealed, measureContext(input.reactionId)).trim();
      const rendered = deps.texts.answer({
        serviceTitle: serviceTitle(input.serviceCode),
        applicationNumber: input.applicationNumber,
        measure: /[.!?]$/.test(measure) ? measure : `${measure}.`,
        headName: deps.directory.head.name,
        date: formatRuDate(input.at, deps.timeZone),
      });
      // A concurrent attempt may win the insert: what is stored is what is sent.
      await pool.query(
        `INSERT INTO feedback_answers (reaction_id, text_sealed, content_sha256, template_version) VALUES ($1, $2, $3, $4) ON CONFLICT (reaction_id) DO NOTHING`,
        [input.reactionId, sealText(keys, rendered.text, answerContext(input.reactionId)), sha256Hex(rendered.text), rendered.templateVersion],
      );
    }
    const stored = (await pool.query<{ text_sealed: Buffer; content_sha256: string }>('SELECT text_sealed, content_sha256 FROM feedback_answers WHERE reaction_id = $1', [input.reactionId])).rows[0]!;
    return { text: openText(keys, stored.text_sealed, answerContext(input.reactionId)), hash: stored.content_sha256 };
  }

  /**
   * Renders the answer once and sends it once on each of its channels (answerChannels): SMS first — the one
   * channel without an idempotency key, so its commit is not held behind a slow relay — then e-mail, then the
   * cabinet when the application has an ЕЛК order. Each channel has its own row, so a retry after a crash sends
   * only what was not committed.
   */
  async function answerOnce(input: { reactionId: string; applicationNumber: string; serviceCode: string; at: string }): Promise<{ contentSha256: string; channels: AnswerChannel[] }> {
    const { text, hash } = await storedAnswer(input);
    const contact = await contactOf(input.applicationNumber);
    const channels = answerChannels(contact, { sms: deps.sms !== NO_SMSC, email: !!deps.email });
    const sent: AnswerChannel[] = [];
    const refused: string[] = [];
    for (const channel of channels) {
      if (channel === 'sms') {
        await sendSmsOnce(`answer:${input.reactionId}`, 'answer', input.applicationNumber, text);
        sent.push('sms');
      } else {
        const subject = deps.texts.answerSubject({ applicationNumber: input.applicationNumber }).text;
        const r = await sendEmailOnce(`answer:${input.reactionId}`, input.applicationNumber, contact.email!, subject, text);
        if (r.state === 'sent') sent.push('email');
        else refused.push(`e-mail: ${r.reason}`);
      }
    }
    const cabinet = await answerToCabinet(input, text);
    if (cabinet === 'sent') sent.push('cabinet');
    else if (cabinet !== 'none') refused.push(`ЕЛК: ${cabinet}`);
    if (channels.length === 0 && cabinet === 'none') {
      const why = !contact.phone && !contact.email ? 'заявитель не оставил ни телефона, ни e-mail, а у заявления нет заказа в ЕЛК' : 'для оставленных контактов не настроены SMSC / SMTP, а у заявления нет заказа в ЕЛК';
      throw ApplicationFailure.nonRetryable(`Ответ заявителю отправить некуда: ${why} / no channel for the answer`, 'NoAnswerChannel');
    }
    if (sent.length === 0) throw ApplicationFailure.nonRetryable(`Ответ заявителю не принят ни одним каналом / no channel accepted the answer: ${refused.join('; ')}`, 'AnswerRefused');
    await pool.query('UPDATE feedback_answers SET channels = $2 WHERE reaction_id = $1', [input.reactionId, sent]);
    await pool.query('UPDATE feedback_reactions SET answered_at = COALESCE(answered_at, $2) WHERE reaction_id = $1', [input.reactionId, input.at]);
    return { contentSha256: hash, channels: sent };
  }

  /**
   * The answer as a status entry of the application's ЕЛК order: the order's last delivered status again, with
   * the answer in a template Param (ЕЛК 1.0.2 has no comment). Only for orders this department created (not for
   * applications filed on ЕПГУ, whose statuses are responses to ЕПГУ's request). Once per reaction: the outbox
   * row (its own seq, kept in feedback_cabinet_answers) and the SMEV clientId derived from it.
   */
  async function answerToCabinet(input: { reactionId: string; applicationNumber: string; at: string }, text: string): Promise<'none' | 'sent' | string> {
    if (!deps.cabinet) return 'none';
    const app = input.applicationNumber;
    const last = (
      await pool.query<{ elk_status: number; stage: string; channel: string; service_code: string; received_at: Date }>(
        `SELECT o.elk_status, o.stage, a.channel, a.service_code, a.received_at FROM elk_outbox o JOIN applications a USING (application_number)
          WHERE o.application_number = $1 AND o.state = 'delivered' AND o.request_type IN ('CreateOrdersRequest', 'UpdateOrdersRequest') AND o.seq < $2
          ORDER BY o.seq DESC LIMIT 1`,
        [app, CABINET_ANSWER_SEQ_BASE],
      )
    ).rows[0];
    if (!last) return 'none';
    await pool.query(
      `INSERT INTO feedback_cabinet_answers (reaction_id, application_number, seq, elk_status, status_date)
       SELECT $1, $2, $3 + COALESCE((SELECT count(*) FROM feedback_cabinet_answers WHERE application_number = $2), 0), $4, $5
       ON CONFLICT (reaction_id) DO NOTHING`,
      [input.reactionId, app, CABINET_ANSWER_SEQ_BASE, last.elk_status, input.at],
    );
    const row = (await pool.query<{ seq: number; elk_status: number; status_date: Date }>('SELECT seq, elk_status, status_date FROM feedback_cabinet_answers WHERE reaction_id = $1', [input.reactionId])).rows[0]!;
    const service = deps.services.get(last.service_code);
    // The answer also as a PDF, through the exchange folder like result documents. Same text and date on every
    // attempt, so the same bytes: stored once (by hash) and placed under the same file id.
    const pdf = await renderPdf(
      [
        { text: `Ответ на отзыв по заявлению № ${app}`, fontSize: 13, bold: true, margin: [0, 0, 0, 12] },
        { text, margin: [0, 0, 0, 12] },
      ],
      { title: `Ответ на отзыв по заявлению № ${app}`, author: deps.directory.head.name, subject: 'Ответ заявителю о принятых мерах', date: localDateOf(row.status_date, deps.timeZone) },
    );
    const document = await storeResultDocument(pool, keys, { applicationNumber: app, fileName: storageFileName(`otvet_${app}`, '.pdf'), content: pdf });
    try {
      await deps.cabinet({
        applicationNumber: app,
        seq: row.seq,
        stage: last.stage as ElkDeliveryRequest['stage'],
        elkStatus: row.elk_status,
        statusDate: row.status_date.toISOString(),
        requestType: 'UpdateOrdersRequest',
        serviceTargetCode: service?.serviceTargetCode ?? last.service_code,
        channel: last.channel as ElkDeliveryRequest['channel'],
        receivedAt: last.received_at.toISOString(),
        // An update carries no applicant block: the order already has it.
        applicant: undefined as unknown as ElkDeliveryRequest['applicant'],
        messageType: CABINET_ANSWER_TEMPLATE.messageType,
        params: [{ name: CABINET_ANSWER_TEMPLATE.textParam, value: text }],
        attachment: { kind: 'resultDocument', documentId: document.documentId, sha256: document.sha256, docTypeId: CABINET_ANSWER_TEMPLATE.docTypeId },
      });
      return 'sent';
    } catch (err) {
      // The portal refused the entry for good (business or content error): the other channels still count.
      if (err instanceof ApplicationFailure && err.type === ELK_BUSINESS_REJECTION) return err.message.slice(0, 300);
      throw err;
    }
  }

  function plan(openedAt: string, termWorkingDays: number): Omit<ReactionPlan, 'serviceTitle'> {
    try {
      const input = { startedAt: openedAt, term: { amount: termWorkingDays, unit: 'workingDays' as const }, timeZone: deps.timeZone, suspensions: [], extensions: [] };
      const clock = computeRegulatoryClock(input, deps.calendar);
      const rungs = scheduleRungs(input, clock, REACTION_LADDER, deps.calendar);
      return { deadline: clock.deadline!, dueDate: clock.dueDate!, rungs };
    } catch (err) {
      if (err instanceof CalendarCoverageError) throw ApplicationFailure.retryable(err.message, 'CalendarCoverageError');
      throw err;
    }
  }

  const serviceTitle = (code: string) => deps.services.get(code)?.title ?? code;

  return {
    /** Registers the fact of service with ИАС МКГУ once per application (request id kept across retries). */
    async registerServedEvent(input: { applicationNumber: string; serviceCode: string; outcome: ServedOutcome; servedAt: string; contact: ApplicantContact }): Promise<{ packageId: string | null }> {
      const contact = applicantContactSchema.parse(input.contact);
      await pool.query(
        `INSERT INTO feedback_served_events (application_number, service_code, outcome, served_at, request_id, contact_sealed)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (application_number) DO NOTHING`,
        [input.applicationNumber, input.serviceCode, input.outcome, input.servedAt, randomUUID(), sealText(keys, JSON.stringify(contact), contactContext(input.applicationNumber))],
      );
      const row = (await pool.query('SELECT request_id, package_id, served_at, outcome FROM feedback_served_events WHERE application_number = $1', [input.applicationNumber])).rows[0];
      if (row.package_id) return { packageId: row.package_id };
      // Without a phone or e-mail the rating system cannot invite the applicant: nothing to register.
      if (!contact.phone && !contact.email) return { packageId: null };
      if (!deps.mkgu) {
        await pool.query('UPDATE feedback_served_events SET last_error = $2 WHERE application_number = $1', [input.applicationNumber, 'ИАС МКГУ не настроена (MKGU_URL)']);
        return { packageId: null };
      }
      const service = deps.services.get(input.serviceCode);
      try {
        const packageId = await deps.mkgu.registerEvents([
          {
            requestId: row.request_id,
            applicationNumber: input.applicationNumber,
            serviceId: service?.serviceTargetCode ?? input.serviceCode,
            procedureId: input.serviceCode,
            authorityInn: deps.department.inn,
            ...(deps.department.officeName ? { officeName: deps.department.officeName } : {}),
            servedAt: (row.served_at as Date).toISOString(),
            outcome: row.outcome,
            ...(contact.phone ? { phone: contact.phone } : {}),
            ...(contact.email ? { email: contact.email } : {}),
          },
        ]);
        await pool.query('UPDATE feedback_served_events SET package_id = $2, registered_at = now(), attempts = attempts + 1, last_error = NULL WHERE application_number = $1', [input.applicationNumber, packageId]);
        return { packageId };
      } catch (err) {
        const message = (err as Error).message;
        await pool.query('UPDATE feedback_served_events SET attempts = attempts + 1, last_error = $2 WHERE application_number = $1', [input.applicationNumber, message.slice(0, 2000)]);
        if (err instanceof MkguError && !err.retryable) throw ApplicationFailure.nonRetryable(message, 'MkguRejected');
        throw err;
      }
    },

    /** Opens the reaction: its term in working days, the rungs, and the head's task. Idempotent by reaction id. */
    async openReaction(input: { reactionId: string; applicationNumber: string; serviceCode: string; ratingId: number | null; trigger: 'lowRating' | 'flaggedComment'; openedAt: string; termWorkingDays: number }): Promise<ReactionPlan> {
      const p = plan(input.openedAt, input.termWorkingDays);
      await inTransaction(pool, async (c) => {
        const r = await c.query(
          `INSERT INTO feedback_reactions (reaction_id, application_number, service_code, rating_id, trigger, opened_at, term_working_days, due_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (reaction_id) DO NOTHING`,
          [input.reactionId, input.applicationNumber, input.serviceCode, input.ratingId, input.trigger, input.openedAt, input.termWorkingDays, p.deadline],
        );
        if (r.rowCount !== 1) return;
        const why = input.trigger === 'lowRating' ? 'низкая оценка' : 'отзыв отмечен сотрудником как критический';
        const taskId = await insertClerkTask(c, {
          taskKey: `reaction:${input.reactionId}`,
          applicationNumber: input.applicationNumber,
          kind: 'feedbackReaction',
          assigneeRole: 'head',
          assignee: deps.directory.head.name,
          title: `Критический отзыв по заявлению ${input.applicationNumber}: примите меры и ответьте заявителю`,
          body: `Услуга «${serviceTitle(input.serviceCode)}». Причина: ${why}. Зафиксируйте принятые меры и отправьте ответ заявителю до ${formatRuDate(p.deadline, deps.timeZone)} (${input.termWorkingDays} раб. дн.). Отзыв закрывается только после записи мер и отправки ответа.`,
          dueAt: p.deadline,
        });
        if (taskId) await auditTask(c, taskId, 'system', 'created', `реакция ${input.reactionId}`);
      });
      return { ...p, serviceTitle: serviceTitle(input.serviceCode) };
    },

    /** The follow-up survey SMS (seed 001 1.1): once per reaction. */
    async sendFollowUpSurvey(input: { reactionId: string; applicationNumber: string; serviceCode: string; dueAt: string }): Promise<{ messageId: string | null }> {
      const { text } = deps.texts.survey({ serviceTitle: serviceTitle(input.serviceCode), applicationNumber: input.applicationNumber, dueDate: formatRuDate(input.dueAt, deps.timeZone) });
      const r = await sendSmsOnce(`survey:${input.reactionId}`, 'survey', input.applicationNumber, text);
      return { messageId: r.messageId };
    },

    async recordReactionMeasure(input: { reactionId: string; head: string; measure: string; at: string }): Promise<void> {
      await pool.query('UPDATE feedback_reactions SET measure_sealed = $2, measure_by = $3, measure_at = $4 WHERE reaction_id = $1', [
        input.reactionId,
        sealText(keys, input.measure, measureContext(input.reactionId)),
        input.head,
        input.at,
      ]);
      await auditTaskByKey(pool, `reaction:${input.reactionId}`, input.head, 'measureRecorded', 'меры зафиксированы');
    },

    /**
     * Renders the answer once (the first rendering, its hash and template version are kept) and sends it once.
     * Returns the hash so the workflow can show it; the text stays sealed in PostgreSQL.
     */
    async sendReactionAnswer(input: { reactionId: string; applicationNumber: string; serviceCode: string; at: string }): Promise<{ contentSha256: string; channels: AnswerChannel[] }> {
      const stop = keepAlive();
      try {
        return await answerOnce(input);
      } finally {
        stop();
      }
    },

    /** Closes the reaction; the database checks the same rule the workflow's validator does. */
    async closeReaction(input: { reactionId: string; head: string; at: string; deadline: string; applicationNumber: string }): Promise<void> {
      await inTransaction(pool, async (c) => {
        const r = (await c.query('SELECT measure_sealed IS NOT NULL AS measured, answered_at FROM feedback_reactions WHERE reaction_id = $1 FOR UPDATE', [input.reactionId])).rows[0];
        if (!r?.measured || !r.answered_at) throw ApplicationFailure.nonRetryable('Закрыть нельзя: нет мер или ответ не отправлен / cannot close without a measure and a sent answer', 'ReactionIncomplete');
        await c.query(`UPDATE feedback_reactions SET state = 'closed', closed_at = COALESCE(closed_at, $2), closed_by = COALESCE(closed_by, $3) WHERE reaction_id = $1`, [input.reactionId, input.at, input.head]);
        // The reaction's own task and the escalation tasks of its deadline (keys esc:<case>:<deadline>:reaction:…).
        await resolveClerkTasksByKey(c, {
          taskKey: `reaction:${input.reactionId}`,
          keyPrefix: `esc:${input.applicationNumber}:${new Date(input.deadline).toISOString()}:reaction:`,
          actor: input.head,
          resolution: 'Ответ заявителю отправлен',
          detail: 'реакция закрыта',
        });
      });
    },

    async markReactionOverdue(input: { reactionId: string }): Promise<void> {
      await pool.query('UPDATE feedback_reactions SET overdue = true WHERE reaction_id = $1', [input.reactionId]);
    },

    /** Pulls pages of rates from ИАС МКГУ after the stored cursor, takes them in, and routes new ratings. */
    async pullRatingsFromMkgu(input: { maxPages?: number } = {}): Promise<{ pages: number; accepted: number; duplicates: number; quarantined: number; rejectedPages: number; routed: number }> {
      const out = { pages: 0, accepted: 0, duplicates: 0, quarantined: 0, rejectedPages: 0, routed: 0 };
      for (let i = 0; i < (input.maxPages ?? 20); i++) {
        if (!deps.mkgu) break;
        // The cursor belongs to the rating system that issued it: another endpoint (a test system, a moved
        // production address) starts from its own, and re-read pages only count as duplicates.
        const cursorKey = `mkgu ${deps.mkgu.endpoint}`;
        const cursor = (await pool.query<{ cursor: string }>(`SELECT cursor FROM feedback_pull_cursor WHERE source = $1`, [cursorKey])).rows[0]?.cursor;
        let xml: string;
        try {
          xml = await deps.mkgu.fetchRates(cursor);
        } catch (err) {
          if (err instanceof MkguError && !err.retryable) throw ApplicationFailure.nonRetryable(err.message, 'MkguRejected');
          throw err;
        }
        const r = await deps.intake.ingestXml('mkgu', xml);
        out.pages++;
        if (r.rejected) {
          // The page stays unacknowledged (the cursor does not move): it is recorded with its reason for the operator.
          out.rejectedPages++;
          break;
        }
        out.accepted += r.accepted;
        out.duplicates += r.duplicates;
        out.quarantined += r.quarantined;
        if (!r.next || r.next === cursor) break;
        await pool.query(`INSERT INTO feedback_pull_cursor (source, cursor) VALUES ($2, $1) ON CONFLICT (source) DO UPDATE SET cursor = $1, updated_at = now()`, [r.next, cursorKey]);
        if (r.accepted + r.duplicates + r.quarantined === 0) break;
      }
      out.routed = (await routePending()).routed;
      return out;
    },

    /** Hands stored, not yet routed ratings to their feedback workflows (also after a crash mid-way). */
    routeRatings: () => routePending(),
  };

  async function routePending(): Promise<{ routed: number }> {
    if (!deps.routeRating) return { routed: 0 };
    let routed = 0;
    for (const rating of await deps.intake.unrouted()) {
      await deps.routeRating(rating);
      await deps.intake.markRouted(rating.ratingId);
      routed++;
    }
    return { routed };
  }
}

export type FeedbackActivities = ReturnType<typeof createFeedbackActivities>;
