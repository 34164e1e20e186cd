// GET /metrics in the Prometheus text format: the product's figures (PostgreSQL), this process's Node.js
// figures, and the Temporal SDK's metrics from the Core exporter. Optionally behind a bearer token
// (CASE_METRICS_TOKEN) when the API port is reachable from outside the monitoring network.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics } from 'prom-client';
import type { HttpApiDeps, HttpApiPlugin } from '../http';
import { createProductMetrics, type ProductMetrics } from './productMetrics';
import { fetchTemporalMetrics } from './temporalRuntime';

export interface MetricsConfig {
  /** Core's exporter address (null: no Temporal SDK metrics in this process). */
  temporalMetricsAddress: string | null;
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token?: string;
  /** A registry of the caller's (tests, or a process serving several apps). */
  metrics?: ProductMetrics;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function createMetricsPlugin(config: MetricsConfig): HttpApiPlugin {
  async function plugin(app: FastifyInstance, opts: { api: HttpApiDeps }) {
    const metrics = config.metrics ?? createProductMetrics({ pool: opts.api.pool });
    collectDefaultMetrics({ register: metrics.registry });
    const expected = config.token ? digest(`Bearer ${config.token}`) : null;
    app.get('/metrics', { config: { rateLimit: false } as never }, async (req, reply) => {
      if (expected) {
        const presented = digest(typeof req.headers.authorization === 'string' ? req.headers.authorization : '');
        if (!timingSafeEqual(presented, expected)) return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').type('text/plain; charset=utf-8').send('unauthorized\n');
      }
      const [own, temporal] = await Promise.all([metrics.registry.metrics(), config.temporalMetricsAddress ? fetchTemporalMetrics(config.temporalMetricsAddress) : Promise.resolve('')]);
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(`${own}\n${temporal}`);
    });
  }
  return { plugin: plugin as unknown as HttpApiPlugin['plugin'] };
}
