// Standalone worker entry point for a department's deployment:
//   TEMPORAL_ADDRESS, DATABASE_URL, SMEV_ADAPTER_URL, SMEV_EXCHANGE_DIR and CASE_PAYLOAD_KEYS are required; see README.
// A wrong or missing value stops start-up with a message naming the variable. `npm start` runs the
// local demo instead, starting whatever is not configured.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCodecKeys } from '../codec';
import { temporalMetricsAddress, temporalMetricsTelemetry } from '../metrics';
import { installMaskedRuntimeLogger, maskPersonalData } from '../security';
import { InputValidationError } from '../shared';
import { CaseClient } from '../client';
import { serveHttpApi } from './httpServer';
import { loadWorkerConfig } from './config';
import { deployedRuntimeOptions } from './deployedRuntimeOptions';
import { createWorkerRuntime, ensureSchedules } from './runtime';

/**
 * CASE_WORKFLOW_BUNDLE, else the bundle `npm run build` put beside the compiled worker (lib/workflow-bundle.js),
 * else none: the workflows are bundled at start-up (running from sources, or with CASE_WORKFLOW_STACK_TRACES=on:
 * the prebuilt bundle is made with stack traces off).
 */
function workflowBundlePath(stackTraces: 'on' | 'off'): string | undefined {
  if (process.env.CASE_WORKFLOW_BUNDLE) return process.env.CASE_WORKFLOW_BUNDLE;
  if (stackTraces === 'on') return undefined;
  const prebuilt = path.join(__dirname, '..', 'workflow-bundle.js');
  return !__filename.endsWith('.ts') && fs.existsSync(prebuilt) ? prebuilt : undefined;
}

async function main(): Promise<void> {
  // The configuration is checked first: a misconfigured worker stops naming its variables, before the runtime
  // below binds the metrics port (a port in use would otherwise hide what is wrong).
  const config = loadWorkerConfig();
  const missing: string[] = (['TEMPORAL_ADDRESS', 'DATABASE_URL', 'SMEV_ADAPTER_URL', 'SMEV_EXCHANGE_DIR', 'CASE_PAYLOAD_KEYS'] as const).filter((k) => !config[k]);
  // The HTTP API is served beside the worker unless switched off; without tokens nobody could call it.
  const apiEnabled = config.CASE_API_ENABLED === 'true' || (config.CASE_API_ENABLED === undefined && Boolean(config.CASE_API_TOKENS?.length));
  if (apiEnabled && !config.CASE_API_TOKENS?.length) missing.push('CASE_API_TOKENS');
  if (missing.length > 0) {
    throw new InputValidationError(
      'Ошибка конфигурации воркера (worker configuration)',
      missing.map((field) => ({
        field,
        rule:
          field === 'CASE_API_TOKENS'
            ? 'нужны токены HTTP API или CASE_API_ENABLED=false (tokens required while the HTTP API is enabled)'
            : 'обязательная переменная окружения (required; `npm start` runs a local demo without it)',
      })),
    );
  }
  // Masked JSON logs (СНИЛС, passport, phone, e-mail never reach a log line): CASE_LOG_LEVEL, CASE_LOG_FILE.
  // The SDK's Prometheus metrics on loopback; /metrics (metrics/plugin.ts) appends them to the product's.
  const metricsAddress = temporalMetricsAddress();
  installMaskedRuntimeLogger(process.env, metricsAddress ? temporalMetricsTelemetry(metricsAddress) : undefined);
  const runtime = await createWorkerRuntime({
    ...deployedRuntimeOptions(config),
    workflowBundlePath: workflowBundlePath(config.CASE_WORKFLOW_STACK_TRACES),
    // Under the least-privilege role (no DDL) migrations run separately: CASE_MIGRATE=false.
    migrate: config.CASE_MIGRATE === 'true',
  });
  if (config.CASE_WEEKLY_REPORT_SCHEDULE === 'true') {
    await ensureSchedules({
      temporalAddress: config.TEMPORAL_ADDRESS!,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.CASE_TASK_QUEUE,
      timeZone: config.DEPARTMENT_TIME_ZONE,
      codecKeys: parseCodecKeys(config.CASE_PAYLOAD_KEYS!, config.CASE_PAYLOAD_KEY_ACTIVE),
      ratingsPull: config.FEEDBACK_PULL_SCHEDULE === 'true' && Boolean(config.MKGU_URL),
    });
  }
  const codecKeys = parseCodecKeys(config.CASE_PAYLOAD_KEYS!, config.CASE_PAYLOAD_KEY_ACTIVE);
  const api = apiEnabled
    ? await serveHttpApi({
        config,
        tokens: config.CASE_API_TOKENS!,
        client: await CaseClient.connect({ address: config.TEMPORAL_ADDRESS!, namespace: config.TEMPORAL_NAMESPACE, codecKeys, services: runtime.services, taskQueue: config.CASE_TASK_QUEUE }),
        pool: runtime.pool,
        codecKeys,
      })
    : null;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void (api ? api.close() : Promise.resolve()).finally(() => runtime.shutdown()));
  process.stdout.write(`worker ready: task queue ${config.CASE_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}${api ? `; HTTP API on ${api.url}` : ''}\n`);
  await runtime.run();
}

main().catch((err) => {
  process.stderr.write(`${maskPersonalData(err instanceof Error ? err.message : String(err))}\n`);
  process.exit(1);
});
