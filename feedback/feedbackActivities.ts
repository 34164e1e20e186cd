// Activities of the satisfaction loop, built by a factory that receives their dependencies (pool, the rating
// system's client, the SMS gateway, the calendar, the texts, the router into feedback workflows). Every write
// is idempotent by a key the workflow derives (application number, reaction id, purpose of an SMS), so a retry
// after a crash repeats nothing that was done.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Pool } from 'pg';
import { auditTask, auditTaskByKey, insertClerkTask, resolveClerkTasksByKey, scheduleRungs, type EscalationLadderInput } from '../escalation';
import { CalendarCoverageError, computeRegulatoryClock, localDateOf, type ProductionCalendar } from '../calendar';
import type { CodecKeys } from '../codec';
import { inTransaction } from '../db';
import type { Directory } from '../escalation';
import { openText, sealText } from '../security';
import type { ServiceRegistry } from '../services';
import type { FeedbackTexts } from './feedbackTexts';
import { sha256Hex } from './hash';
import { MkguClient, MkguError } from './mkguClient';
import type { RatingIntake } from './ratingIntake';
import { applicantContactSchema, type ApplicantContact, type RoutedRating, type ServedOutcome } from './ratingSchemas';
import type { SmsGateway } from './smsGateway';

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
    async sendReactionAnswer(input: { reactionId: string; applicationNumber: string; serviceCode: string; at: string }): Promise<{ contentSha256: string; messageId: string | null; channel: 'sms' | 'none' }> {
      const existing = await pool.query<{ text_sealed: Buffer; content_sha256: string }>('SELECT text_sealed, content_sha256 FROM feedback_answers WHERE reaction_id = $1', [input.reactionId]);
      let text: string;
      let hash: string;
      if (existing.rows[0]) {
        text = openText(keys, existing.rows[0].text_sealed, answerContext(input.reactionId));
        hash = existing.rows[0].content_sha256;
      } else {
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
        text = rendered.text;
        hash = sha256Hex(text);
        await pool.query(
          `INSERT INTO feedback_answers (reaction_id, text_sealed, content_sha256, template_version) VALUES ($1, $2, $3, $4) ON CONFLICT (reaction_id) DO NOTHING`,
          [input.reactionId, sealText(keys, text, answerContext(input.reactionId)), hash, rendered.templateVersion],
        );
        // A concurrent attempt may have won the insert: send what is stored.
        const stored = (await pool.query<{ text_sealed: Buffer; content_sha256: string }>('SELECT text_sealed, content_sha256 FROM feedback_answers WHERE reaction_id = $1', [input.reactionId])).rows[0]!;
        text = openText(keys, stored.text_sealed, answerContext(input.reactionId));
        hash = stored.content_sha256;
      }
      const sent = await sendSmsOnce(`answer:${input.reactionId}`, 'answer', input.applicationNumber, text);
      if (sent.messageId === null) throw ApplicationFailure.nonRetryable('У заявителя нет телефона для ответа по SMS / no phone for the answer', 'NoAnswerChannel');
      await pool.query('UPDATE feedback_reactions SET answered_at = COALESCE(answered_at, $2) WHERE reaction_id = $1', [input.reactionId, input.at]);
      return { contentSha256: hash, messageId: sent.messageId, channel: 'sms' };
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
