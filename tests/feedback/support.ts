// Wiring for the satisfaction-loop tests: the rating-system emulator over HTTP, the SMSC emulator over SMPP,
// real PostgreSQL, and the feedback activities built exactly as the worker builds them.
import { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { ProductionCalendar } from '../../calendar/productionCalendar';
import { parseDirectory } from '../../escalation/directory';
import { startMkguEmulator } from '../../feedback/emulator/mkguEmulator';
import { startSmscEmulator } from '../../feedback/emulator/smscEmulator';
import { startSmtpEmulator } from '../../feedback/emulator/smtpEmulator';
import { SmtpEmailGateway } from '../../feedback/emailGateway';
import { createFeedbackActivities } from '../../feedback/feedbackActivities';
import { createFeedbackTexts } from '../../feedback/feedbackTexts';
import { MkguClient } from '../../feedback/mkguClient';
import { createRatingIntake } from '../../feedback/ratingIntake';
import { createRatingRouter } from '../../feedback/ratingRouter';
import { SmppSmsGateway } from '../../feedback/smsGateway';
import { ServiceRegistry } from '../../services/registry';
import { TEST_CODEC_KEYS, TEST_DEPARTMENT } from '../support/harness';

export const ANSWER_SENDER = '"Отдел предоставления услуг" <otvet@otdel.example.ru>';
export const SMPP_CREDENTIALS = { systemId: 'vis', password: 'secret1' };
export const TEST_DIRECTORY = parseDirectory({
  clerks: { ivanova: { name: 'Иванова Анна Сергеевна' } },
  head: { name: 'Кузнецов Олег Петрович' },
  deputy: { name: 'Смирнова Елена Андреевна' },
  management: [{ name: 'Волков Сергей Николаевич' }],
});

export async function startFeedbackParts(pool: Pool, opts: { client?: Client; taskQueue?: string; calendar?: ProductionCalendar } = {}) {
  const mkgu = await startMkguEmulator({ pageSize: 50 });
  const smsc = await startSmscEmulator(SMPP_CREDENTIALS);
  const sms = new SmppSmsGateway({ url: smsc.url, ...SMPP_CREDENTIALS, sourceAddr: 'OTDEL' });
  const smtp = await startSmtpEmulator();
  const email = new SmtpEmailGateway({ url: smtp.url, from: ANSWER_SENDER, timeoutMs: 10_000 });
  const intake = createRatingIntake({ pool, keys: TEST_CODEC_KEYS });
  const services = ServiceRegistry.load();
  const activities = createFeedbackActivities({
    pool,
    keys: TEST_CODEC_KEYS,
    mkgu: new MkguClient({ baseUrl: mkgu.url, timeoutMs: 5000 }),
    sms,
    email,
    calendar: opts.calendar ?? new ProductionCalendar(),
    timeZone: TEST_DEPARTMENT.timeZone,
    services,
    directory: TEST_DIRECTORY,
    texts: createFeedbackTexts(),
    department: { inn: TEST_DEPARTMENT.senderInn, officeName: TEST_DEPARTMENT.officeName },
    intake,
    ...(opts.client && opts.taskQueue ? { routeRating: createRatingRouter(opts.client, opts.taskQueue) } : {}),
  });
  return {
    mkgu,
    smsc,
    sms,
    smtp,
    email,
    intake,
    services,
    activities,
    async stop() {
      await sms.close();
      await email.close();
      await smtp.stop();
      await smsc.stop();
      await mkgu.stop();
    },
  };
}

/** A closed case as the lifecycle leaves it in PostgreSQL (the intake matches ratings against it). */
export async function insertClosedCase(
  pool: Pool,
  no: string,
  opts: { serviceCode?: string; outcome?: 'resultIssued' | 'refused' | 'cancelled'; completedAt?: string; deadline?: string; overdue?: boolean } = {},
): Promise<void> {
  await pool.query(
    `INSERT INTO applications (application_number, service_code, channel, received_at, stage, outcome, completed_at, deadline, overdue)
     VALUES ($1, $2, 'epgu', $3, $4, $4, $5, $6, $7) ON CONFLICT (application_number) DO NOTHING`,
    [
      no,
      opts.serviceCode ?? 'archive-certificate',
      '2026-11-02T09:00:00+03:00',
      opts.outcome ?? 'resultIssued',
      opts.completedAt ?? '2026-11-20T12:00:00+03:00',
      opts.deadline ?? '2026-11-30T18:00:00+03:00',
      opts.overdue ?? false,
    ],
  );
}
