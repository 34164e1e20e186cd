// `npm start`: the worker plus everything it needs, started locally when nothing is configured, and a demo
// that sends a few dozen applications through their lifecycles while the portal misbehaves, then prints
// what each applicant's ЕПГУ cabinet received. The worker keeps running afterwards (Ctrl+C stops it);
// `npm start -- --exit` stops after the demo.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { readRefusalLetters } from '../activities';
import { CaseClient } from '../client';
import { ApplicationInput, ELK_STATUS_NAMES_RU, snilsWithChecksum as snils } from '../shared';
import { DEMO_PATHS, DemoPath, driveDemoPath } from './demoRoutes';
import { generateKeySpec, parseCodecKeys } from '../codec';
import { storeResultDocument } from '../documents';
import { startElkEmulator } from '../epgu';
import { checkCabinetFiles, simpleResultPdf } from './demoDocuments';
import { loadWorkerConfig } from '../worker';
import { createWorkerRuntime, ensureSchedules, runtimeOptionsFromConfig } from '../worker';
import { ROOT, startLocalPostgres, startLocalTemporal } from './localStack';
import { demoTokens, serveHttpApi } from '../worker';
import { DEFAULT_TEMPORAL_METRICS_ADDRESS, temporalMetricsAddress, temporalMetricsTelemetry } from '../metrics';
import { startMkguEmulator } from '../feedback';
import { startSmscEmulator } from '../feedback';
import { startSmtpEmulator } from '../feedback';
import { runFeedbackDemo } from './demoFeedback';

const DATA = path.join(ROOT, '.data/demo');
const say = (s: string) => process.stdout.write(`${s}\n`);

function demoKeys(): string {
  const file = path.join(DATA, 'payload-keys');
  if (!fs.existsSync(file)) fs.writeFileSync(file, generateKeySpec('demo-1'), { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}


const PEOPLE = [
  ['Иванов', 'Пётр', 'Алексеевич'], ['Смирнова', 'Анна', 'Викторовна'], ['Кузнецов', 'Дмитрий', 'Олегович'],
  ['Попова', 'Елена', 'Игоревна'], ['Соколов', 'Артём', 'Ильич'], ['Лебедева', 'Ольга', 'Павловна'],
];
async function main(): Promise<void> {
  // One process on the newcomer's machine: the SDK's exporter gets the default port unless told otherwise.
  process.env.CASE_TEMPORAL_METRICS_ADDRESS ??= DEFAULT_TEMPORAL_METRICS_ADDRESS;
  // The demo narrates what happens; the SDK's own retry warnings (expected during the outage) stay quiet.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} },
      // The SDK's Prometheus metrics, appended to /metrics (CASE_TEMPORAL_METRICS_ADDRESS=off turns them off).
      ...(temporalMetricsAddress() ? { metrics: temporalMetricsTelemetry(temporalMetricsAddress()!) } : {}),
    },
  });
  const exitAfterDemo = process.argv.includes('--exit') || process.env.CASE_DEMO_EXIT === '1';
  const count = Number(process.env.CASE_DEMO_APPLICATIONS ?? 36);
  fs.mkdirSync(DATA, { recursive: true });
  const config = loadWorkerConfig();

  const temporal = config.TEMPORAL_ADDRESS ? null : await startLocalTemporal({ dataDir: path.join(DATA, 'temporal') });
  const pg = config.DATABASE_URL ? null : await startLocalPostgres({ dataDir: path.join(DATA, 'pg') });
  const emulator = config.SMEV_ADAPTER_URL ? null : await startElkEmulator({ port: 0, host: '127.0.0.1', exchangeDir: path.join(DATA, 'smev-exchange') });
  if (!emulator && !config.SMEV_EXCHANGE_DIR) throw new Error('SMEV_EXCHANGE_DIR: обязательна вместе с SMEV_ADAPTER_URL (the adapter exchange folder is required with SMEV_ADAPTER_URL)');
  const temporalAddress = config.TEMPORAL_ADDRESS ?? temporal!.address;
  const databaseUrl = config.DATABASE_URL ?? pg!.url;
  const smevAdapterUrl = config.SMEV_ADAPTER_URL ?? emulator!.url;
  say(`Temporal:   ${temporalAddress}${temporal ? ' (local dev server, started now)' : ''}`);
  say(`PostgreSQL: ${databaseUrl.replace(/\/\/[^@]*@/, '//…@')}${pg ? ' (throwaway cluster, started now)' : ''}`);
  say(`ЕЛК/СМЭВ:   ${smevAdapterUrl}${emulator ? ' (project emulator of the SMEV adapter)' : ''}`);
  const smevExchangeDir = config.SMEV_EXCHANGE_DIR ?? emulator!.exchangeDir;
  say(`Files:      ${smevExchangeDir} (adapter exchange folder)`);

  const codecKeys = parseCodecKeys(config.CASE_PAYLOAD_KEYS ?? demoKeys(), config.CASE_PAYLOAD_KEY_ACTIVE);
  const options = runtimeOptionsFromConfig(
    {
      ...config,
      ELK_RETRY_MAX_INTERVAL_MS: emulator ? 1000 : config.ELK_RETRY_MAX_INTERVAL_MS,
      // Placeholder codes for the emulator only: real ones come from ЕСНСИ 7213 (only inPerson = 4 is confirmed).
      ELK_APPLICATION_ACCEPTANCE: config.ELK_APPLICATION_ACCEPTANCE ?? (emulator ? { mfc: 91, post: 92, departmentSite: 93 } : undefined),
    },
    codecKeys,
  );
  // The rating system and the SMS centre, emulated when not configured (satisfaction loop).
  const mkgu = config.MKGU_URL ? null : await startMkguEmulator();
  const smsc = config.SMPP_URL ? null : await startSmscEmulator({ systemId: 'demo', password: 'demo' });
  if (mkgu) options.feedback = { ...options.feedback, mkguUrl: mkgu.url };
  if (smsc) options.feedback = { ...options.feedback, smpp: { url: smsc.url, systemId: 'demo', password: 'demo', sourceAddr: 'OTDEL' } };
  // The department's relay for answers to applicants by e-mail, emulated when not configured.
  const smtp = config.FEEDBACK_SMTP_URL ? null : await startSmtpEmulator();
  if (smtp) options.feedback = { ...options.feedback, email: { url: smtp.url, from: '"Отдел предоставления услуг (демо)" <otvet@demo.example.ru>' } };
  const runtime = await createWorkerRuntime({ ...options, temporalAddress, databaseUrl, smevAdapterUrl, smevExchangeDir });
  const running = runtime.run();
  say(`Worker:     task queue ${options.taskQueue}\n`);
  const cases = await CaseClient.connect({ address: temporalAddress, namespace: options.namespace, codecKeys, services: runtime.services, taskQueue: options.taskQueue });
  // The HTTP API beside the worker; demo tokens (one per role) unless CASE_API_TOKENS is set.
  const api =
    config.CASE_API_ENABLED !== 'false'
      ? await (async () => {
          const { tokens, file } = config.CASE_API_TOKENS?.length ? { tokens: config.CASE_API_TOKENS, file: 'CASE_API_TOKENS' } : demoTokens(DATA);
          const served = await serveHttpApi({ config, tokens, client: cases, pool: runtime.pool, codecKeys });
          say(`HTTP API:   ${served.url}  (OpenAPI ${served.url}/openapi.json, Swagger UI ${served.url}/docs; tokens: ${path.relative(process.cwd(), file) || file})`);
          say(`Inbox:      ${served.url}/inbox  (log in with a clerk's or the head's token from that file); metrics: ${served.url}/metrics\n`);
          return served;
        })()
      : null;

  const runId = new Date().toISOString().replace(/\D/g, '').slice(2, 12);
  const apps = Array.from({ length: count }, (_, i): [ApplicationInput, DemoPath] => {
    const [lastName, firstName, middleName] = PEOPLE[i % PEOPLE.length];
    return [
      {
        applicationNumber: `DEMO-${runId}-${String(i + 1).padStart(3, '0')}`,
        serviceCode: DEMO_PATHS[i % DEMO_PATHS.length] === 'refuse' || i % 2 ? 'construction-permit' : 'archive-certificate',
        channel: (['epgu', 'mfc', 'inPerson'] as const)[i % 3],
        receivedAt: new Date().toISOString(),
        applicant: { kind: 'person', lastName, firstName, middleName, snils: snils(200000000 + i * 7919), phone: `+7916${String(1000000 + i * 7919).slice(-7)}`, email: `applicant${i + 1}@mail.example.ru` },
        assignedClerk: ['ivanova', 'petrov', 'sidorova'][i % 3],
        // Filed on ЕПГУ: the order and the SMEV request it came in (the emulator plays ЕПГУ's side below).
        ...(i % 3 === 0 ? { epgu: { orderId: String(5_000_000_000 + Number(runId) % 1_000_000 * 100 + i), requestClientId: `epgu-${runId}-${i + 1}` } } : {}),
      },
      DEMO_PATHS[i % DEMO_PATHS.length],
    ];
  });

  say(`Sending ${count} applications through their lifecycles…`);
  if (emulator) {
    // Show resilience: the portal drops some connections after accepting, and goes down for a while.
    emulator.faults.set({ dropConnectionAfterAccept: 3 });
    setTimeout(() => {
      say('  ! portal outage begins (clerks keep working; statuses wait in order)');
      emulator.faults.set({ outage: true });
      setTimeout(() => {
        emulator.faults.set({ outage: false });
        say('  ! portal is back: queued statuses are being delivered');
      }, 3000);
    }, 1500);
  }
  for (const [app] of apps) if (app.epgu) emulator?.registerEpguRequest({ requestClientId: app.epgu.requestClientId, orderId: app.epgu.orderId });
  const resultDocument = async (no: string) =>
    storeResultDocument(runtime.pool, codecKeys, {
      applicationNumber: no,
      fileName: `Выписка_${no}.pdf`,
      content: simpleResultPdf([`Result of application ${no}`, 'Archive certificate (demo result document)']),
    });
  const started = Date.now();
  await Promise.all(apps.map(([app, route]) => driveDemoPath(cases, app, route, resultDocument)));
  const results = await Promise.all(apps.map(([app]) => cases.result(app.applicationNumber)));
  const seconds = (Date.now() - started) / 1000;

  say(`\nWhat each applicant's ЕПГУ cabinet received (${seconds.toFixed(1)} s):`);
  for (const [[app, route], result] of apps.map((a, i) => [a, results[i]] as const)) {
    // ЕПГУ-origin cases are answered to ЕПГУ's request (no ЕЛК order of ours); the rest are ЕЛК orders.
    const cabinet = emulator?.cabinet(app.epgu ? app.epgu.orderId : app.applicationNumber);
    const statuses = cabinet
      ? cabinet.statuses.map((h) => `${h.status} ${ELK_STATUS_NAMES_RU[h.status] ?? ''}${h.files.map((f) => ` [${f.fileName}]`).join('')}`.trim())
      : [`${result.elkStatusesDelivered} delivered`];
    say(`  ${app.applicationNumber}  ${(app.epgu ? 'ЕПГУ' : app.channel).padEnd(14)} ${route.padEnd(11)} → ${result.outcome.padEnd(12)} ${statuses.join(' → ')}`);
  }
  if (emulator) {
    const files = emulator.files();
    say(`\nFiles in the emulated SMEV file storage: ${files.length} (GET ${emulator.url}/__emulator/files/{FSuuid}, GET ${emulator.url}/__emulator/cabinet/{orderNumber})`);
    // Checked, not just shown: one PDF per refusal naming the application and every ground's norm; one document per result.
    const problems = checkCabinetFiles(emulator, apps.map(([app], i) => ({ app, outcome: results[i].outcome })));
    say(problems.length === 0 ? '  ✓ every refusal has exactly one letter PDF (number and norms in its text), every result its document' : problems.map((p) => `  ✗ ${p}`).join('\n'));
    if (problems.length > 0) process.exitCode = 1;
  }
  const { rows } = await runtime.pool.query(
    `SELECT count(*)::int AS statuses, count(DISTINCT application_number)::int AS applications,
            (SELECT count(*)::int FROM elk_delivery_attempts a JOIN elk_outbox o USING (application_number, seq)
              WHERE o.application_number LIKE $1 AND a.outcome <> 'delivered') AS retries
       FROM elk_outbox WHERE application_number LIKE $1 AND state = 'delivered'`,
    [`DEMO-${runId}-%`],
  );
  say(`\nOutbox (PostgreSQL): ${rows[0].statuses} statuses delivered for ${rows[0].applications} applications, ${rows[0].retries} retried attempts recorded.`);
  say(`Per application: SELECT * FROM elk_outbox WHERE application_number = '${apps[0][0].applicationNumber}' ORDER BY seq;`);
  const refused = apps.find(([, route]) => route === 'refuse');
  if (refused) {
    const letters = await readRefusalLetters(runtime.pool, codecKeys, refused[0].applicationNumber);
    const issued = letters.find((l) => l.issuedAt);
    say(`\nRefusal letter sent with status 4 for ${refused[0].applicationNumber} (first lines; text, HTML and PDF are sealed in refusal_letters):`);
    for (const line of String(issued?.text ?? '').split('\n').filter((l) => l.trim()).slice(0, 14)) say(`  | ${line}`);
  }

  if (mkgu && smsc) {
    const finished = apps.filter((_, i) => results[i]!.outcome !== 'cancelled').map(([app]) => app.applicationNumber);
    await runFeedbackDemo({ runtime, client: cases.client, mkgu, smsc, smtp, applications: finished, timeZone: options.department.timeZone, say });
  }

  // The weekly compliance report management receives on Mondays; here for the current week, demo included.
  const nextMonday = new Date(Date.now() + ((8 - new Date().getUTCDay()) % 7 || 7) * 86_400_000).toISOString();
  const report = await runtime.reportActivities.produceWeeklyComplianceReport({ runAt: nextMonday });
  say(`\nWeekly compliance report (${report.periodStart} … ${report.periodEnd}): ${report.path}`);
  say(`  received ${report.total.received}, completed ${report.total.completed}, on time ${report.total.onTimePercent ?? '—'} %`);
  if (config.CASE_WEEKLY_REPORT_SCHEDULE === 'true') {
    await ensureSchedules({ temporalAddress, namespace: options.namespace, taskQueue: options.taskQueue, timeZone: options.department.timeZone, codecKeys });
    say('  Schedule "weekly-compliance-report": Mondays 09:00 (next working day when Monday is a day off).');
  }

  const stop = async () => {
    await api?.close();
    await runtime.shutdown();
    await running;
    await cases.client.connection.close();
    await emulator?.stop();
    await smsc?.stop();
    await smtp?.stop();
    await mkgu?.stop();
    await temporal?.stop();
    await pg?.stop();
  };
  if (exitAfterDemo) {
    await stop();
    return;
  }
  say('\nThe worker keeps running for your own applications (see README). Ctrl+C stops it and the local services.');
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await stop();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
