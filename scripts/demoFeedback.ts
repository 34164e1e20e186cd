// The satisfaction loop in the demo: finished cases get ratings from the emulated rating system, one critical;
// the reaction runs (survey SMS to the SMPP test centre, the head's measure, the answer), and the week's
// satisfaction figures are printed.
import type { Client } from '@temporalio/client';
import type { MkguEmulator } from '../feedback';
import type { SmscEmulator } from '../feedback';
import type { SmtpEmulator } from '../feedback';
import { feedbackWorkflowId } from '../feedback';
import { previousWeek } from '../reports';
import { loadSatisfactionFigures } from '../reports';
import { renderSatisfactionText } from '../reports';
import type { WorkerRuntime } from '../worker';
import { feedbackQueries, feedbackUpdates } from '../workflows';

const mask = (phone: string) => phone.replace(/\d(?=\d{2})/g, '•');
const maskEmail = (address: string) => address.replace(/^(.).*(@.*)$/, '$1•••$2');

async function until<T>(probe: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error('demo: condition not reached in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function runFeedbackDemo(opts: { runtime: WorkerRuntime; client: Client; mkgu: MkguEmulator; smsc: SmscEmulator; smtp: SmtpEmulator | null; applications: string[]; timeZone: string; say: (s: string) => void }): Promise<void> {
  const { runtime, client, mkgu, smsc, say } = opts;
  const rated = opts.applications.slice(0, 6);
  await until(async () => mkgu.events().filter((e) => rated.includes(e.applicationNumber)).length === rated.length || null);
  say(`\nSatisfaction loop: ${mkgu.events().length} served events registered with the emulated ИАС МКГУ; ratings come back for ${rated.length} cases.`);
  const now = new Date().toISOString();
  const values: Record<string, number>[] = [
    { '2.1': 5, '2.3': 5, '2.7': 5 },
    { '2.1': 5, '2.3': 4 },
    { '2.1': 2, '2.3': 3, '2.7': 2 },
    { '2.1': 4, '2.6': 5, '2.8': 5 },
    { '2.1': 5, '2.8': 5, '2.9': 4 },
    { '2.1': 5 },
  ];
  mkgu.queueRates(rated.map((no, i) => ({ externalId: `${no}-rate`, applicationNumber: no, ratedAt: now, criteria: values[i % values.length]!, ...(i === 2 ? { comment: 'Срок нарушен, никто не предупредил' } : {}) })));
  // The same page again (the rating system repeats itself): counted once.
  mkgu.queueRates(rated.slice(0, 2).map((no, i) => ({ externalId: `${no}-rate`, applicationNumber: no, ratedAt: now, criteria: values[i]! })));
  const pulled = await runtime.feedbackActivities.pullRatingsFromMkgu({});
  say(`  pulled: ${pulled.accepted} new, ${pulled.duplicates} duplicates, ${pulled.quarantined} quarantined; routed ${pulled.routed} into feedback workflows`);

  const critical = rated[2]!;
  const handle = client.workflow.getHandle(feedbackWorkflowId(critical));
  const state = await until(async () => {
    const s = await handle.query(feedbackQueries.state).catch(() => null);
    return s?.reactions[0]?.deadline ? s : null;
  });
  const reaction = state.reactions[0]!;
  say(`  critical review on ${critical}: reaction opened, head's term until ${reaction.deadline} (5 working days)`);
  const survey = await until(async () => smsc.messages().find((m) => m.text.includes(critical) && m.text.includes('Ответьте')) ?? null);
  say(`  survey SMS via SMPP to ${mask(survey.to)}: «${survey.text.slice(0, 90)}…»`);
  const rejected = await handle.executeUpdate(feedbackUpdates.closeReaction, { args: [{ reactionId: reaction.reactionId, head: 'head' }] }).then(
    () => 'accepted?!',
    (e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
  );
  say(`  closing without a measure: rejected — ${rejected}`);
  await handle.executeUpdate(feedbackUpdates.recordMeasure, { args: [{ reactionId: reaction.reactionId, head: 'head', measure: 'С исполнителем проведена беседа, выдача результатов по услуге поставлена на ежедневный контроль' }] });
  const answered = await handle.executeUpdate(feedbackUpdates.sendAnswer, { args: [{ reactionId: reaction.reactionId, head: 'head' }] });
  const answer = smsc.messages().find((m) => m.text.includes(critical) && m.text.includes('Мы разобрались'))!;
  say(`  answer to the applicant (sha256 ${answered.answerSha256!.slice(0, 16)}…): «${answer.text}»`);
  const mail = opts.smtp?.messages().find((m) => m.subject.includes(critical));
  if (mail) say(`  the same answer by e-mail to ${maskEmail(mail.to[0]!)}: «${mail.subject}», Message-ID ${mail.messageId}`);
  await handle.executeUpdate(feedbackUpdates.closeReaction, { args: [{ reactionId: reaction.reactionId, head: 'head' }] });
  const { rows } = await runtime.pool.query(`SELECT kind, state FROM feedback_sms WHERE application_number = $1 ORDER BY id`, [critical]);
  const mails = await runtime.pool.query(`SELECT kind, state FROM feedback_email WHERE application_number = $1 ORDER BY id`, [critical]);
  const channels = (await runtime.pool.query(`SELECT channels FROM feedback_answers WHERE reaction_id = $1`, [reaction.reactionId])).rows[0]?.channels as string[] | undefined;
  say(`  the answer took: ${(channels ?? []).join(', ')} (the cabinet when the application has an ЕЛК order the department created)`);
  say(`  on record: SMS ${rows.map((r) => `${r.kind} ${r.state}`).join(', ')}; e-mail ${mails.rows.map((r) => `${r.kind} ${r.state}`).join(', ') || '—'}; reaction closed`);

  const thisWeek = previousWeek(new Date(Date.now() + 7 * 86_400_000), opts.timeZone);
  say('');
  say(renderSatisfactionText(await loadSatisfactionFigures(runtime.pool, { ...thisWeek, timeZone: opts.timeZone, weeksOfHistory: 4 }), Object.fromEntries(runtime.services.codes().map((c) => [c, runtime.services.get(c)!.title]))).replace(/^/gm, '  '));
}
