// `npm run http-load`: N applications (default 300) through full approvals over the HTTP API, concurrently,
// with the emulated portal down for OUTAGE seconds (default 60) once all are registered; then waits for every
// lifecycle to finish and prints figures (JSON). Starts its own Temporal dev server, PostgreSQL, emulator and worker.
//   npm run http-load -- --n 300 --concurrency 50 --outage 60
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { CaseClient } from '../client';
import { generateKeySpec, parseCodecKeys } from '../codec';
import { startElkEmulator } from '../epgu';
import { buildHttpApi } from '../http';
import { createRatingRouter } from '../feedback';
import { ApiToken, TokenRegistry } from '../http';
import { type ApplicationInput, snilsWithChecksum } from '../shared';
import { loadWorkerConfig } from '../worker';
import { createWorkerRuntime, runtimeOptionsFromConfig } from '../worker';
import { driveOverHttp } from './httpLoadDriver';
import { ROOT, startLocalPostgres, startLocalTemporal } from './localStack';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } } });
  const n = arg('n', 300);
  const concurrency = arg('concurrency', 50);
  const outageS = arg('outage', 60);
  const data = path.join(ROOT, '.data/http-load');
  fs.rmSync(data, { recursive: true, force: true });
  fs.mkdirSync(data, { recursive: true });
  const temporal = await startLocalTemporal({ dataDir: path.join(data, 'temporal') });
  const pg = await startLocalPostgres({ dataDir: path.join(data, 'pg') });
  const emulator = await startElkEmulator({ port: 0, host: '127.0.0.1' });
  const config = loadWorkerConfig({});
  const codecKeys = parseCodecKeys(generateKeySpec('load-1'));
  const options = runtimeOptionsFromConfig({ ...config, ELK_RETRY_MAX_INTERVAL_MS: 5000 }, codecKeys);
  const runtime = await createWorkerRuntime({ ...options, temporalAddress: temporal.address, databaseUrl: pg.url, smevAdapterUrl: emulator.url, smevExchangeDir: emulator.exchangeDir });
  const running = runtime.run();
  const cases = await CaseClient.connect({ address: temporal.address, codecKeys, services: runtime.services, taskQueue: options.taskQueue });
  const token = `load-case-system-${'x'.repeat(32)}`;
  const tokens: ApiToken[] = [{ token, role: 'caseSystem', subject: 'load-vis' }];
  // The limit is per token: one case system sends ~6 writes per application, so it is raised for this run.
  const app = await buildHttpApi({ client: cases, pool: runtime.pool, auth: new TokenRegistry(tokens, config.CASE_DEPARTMENT_ID), codecKeys, department: config.CASE_DEPARTMENT_ID, limits: { ratePerMinute: 100_000 }, ratings: { routeRating: createRatingRouter(cases.client, options.taskQueue) } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  const runId = new Date().toISOString().replace(/\D/g, '').slice(2, 12);
  const apps: ApplicationInput[] = Array.from({ length: n }, (_, i) => ({
    applicationNumber: `LOAD-${runId}-${String(i + 1).padStart(4, '0')}`,
    serviceCode: 'archive-certificate',
    channel: 'epgu',
    receivedAt: new Date().toISOString(),
    applicant: { kind: 'person', lastName: 'Нагрузкин', firstName: 'Тест', snils: snilsWithChecksum(300000000 + i * 7919) },
    assignedClerk: 'ivanova',
  }));
  let outageEndedAt = 0;
  const t0 = Date.now();
  const figures = await driveOverHttp({
    baseUrl,
    token,
    applications: apps,
    concurrency,
    onAllRegistered: () => {
      emulator.faults.set({ outage: true });
      process.stderr.write(`portal down for ${outageS} s\n`);
      setTimeout(() => {
        emulator.faults.set({ outage: false });
        outageEndedAt = Date.now();
        process.stderr.write('portal back\n');
      }, outageS * 1000);
    },
  });
  process.stderr.write(`HTTP phase done in ${figures.seconds.toFixed(1)} s; waiting for the lifecycles\n`);
  const results = await Promise.all(apps.map((a) => cases.result(a.applicationNumber)));
  const finishedAt = Date.now();
  const finished = results.filter((r) => r.outcome === 'resultIssued').length;
  let duplicateStatuses = 0;
  let statusesDelivered = 0;
  for (const a of apps) {
    const statuses = emulator.order(a.applicationNumber)?.history.map((h) => h.status) ?? [];
    statusesDelivered += statuses.length;
    duplicateStatuses += statuses.length - new Set(statuses).size;
  }
  const { rows } = await runtime.pool.query<{ actions: number }>(
    `SELECT count(*)::int AS actions FROM case_events WHERE application_number LIKE $1 AND action IN ('register','startReview','draftDecision:approve','approve','issueResult')`,
    [`LOAD-${runId}-%`],
  );
  const report = {
    applications: n,
    concurrency,
    outageSeconds: outageS,
    finished: `${finished}/${n}`,
    clerkActionsRecorded: rows[0].actions,
    clerkActionsExpected: n * 5,
    elkStatusesDelivered: statusesDelivered,
    duplicateElkStatuses: duplicateStatuses,
    http: figures,
    secondsToAllFinished: (finishedAt - t0) / 1000,
    secondsAfterPortalBack: outageEndedAt ? (finishedAt - outageEndedAt) / 1000 : null,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  await app.close();
  await runtime.shutdown();
  await running;
  await cases.client.connection.close();
  await emulator.stop();
  await temporal.stop();
  await pg.stop();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
