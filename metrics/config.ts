// /metrics settings: CASE_METRICS_TOKEN (optional bearer token for scrapes, 32+ characters) and the Temporal
// Core exporter address (CASE_TEMPORAL_METRICS_ADDRESS, see temporalRuntime.ts).
import { z } from 'zod';
import type { HttpApiPlugin } from '../http';
import { parseOrThrow } from '../shared';
import { createMetricsPlugin } from './plugin';
import { temporalMetricsAddress } from './temporalRuntime';

const metricsEnvSchema = z.object({
  CASE_METRICS_TOKEN: z.string().min(32, 'не короче 32 символов (at least 32 characters)').max(256).optional(),
});

export function metricsPluginFromEnv(env: NodeJS.ProcessEnv = process.env): HttpApiPlugin {
  const e = parseOrThrow(metricsEnvSchema, { CASE_METRICS_TOKEN: env.CASE_METRICS_TOKEN || undefined }, 'Metrics configuration');
  return createMetricsPlugin({ temporalMetricsAddress: temporalMetricsAddress(env), ...(e.CASE_METRICS_TOKEN ? { token: e.CASE_METRICS_TOKEN } : {}) });
}
