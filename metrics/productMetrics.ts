// The product's own figures for Prometheus, read from PostgreSQL at scrape time so they are the same whichever
// process (worker, API, several of each) serves /metrics. Windowed figures ("last hour") use indexed ranges
// (migration 026); open-case and open-task figures use the partial indexes of open rows.
import type { Pool } from 'pg';
import { Gauge, Registry } from 'prom-client';

export function createProductMetrics(deps: { pool: Pool; registry?: Registry }) {
  const registry = deps.registry ?? new Registry();
  const { pool } = deps;
  const q = async <T extends Record<string, unknown>>(sql: string): Promise<T[]> => (await pool.query<T>(sql)).rows;
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => Promise<void>) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        await collect(this);
      },
    });

  gauge('case_open_cases', 'Open applications (not finished), by service', ['service_code'], async (g) => {
    for (const r of await q<{ service_code: string; n: number }>(`SELECT service_code, count(*)::int AS n FROM applications WHERE completed_at IS NULL GROUP BY 1`)) g.set({ service_code: r.service_code }, r.n);
  });
  gauge('case_overdue_cases', 'Open applications past their regulatory deadline, by service', ['service_code'], async (g) => {
    for (const r of await q<{ service_code: string; n: number }>(
      `SELECT service_code, count(*)::int AS n FROM applications WHERE completed_at IS NULL AND (overdue OR deadline < now()) GROUP BY 1`,
    )) g.set({ service_code: r.service_code }, r.n);
  });
  gauge('case_open_tasks', 'Open tasks for people, by kind family and addressee role', ['kind', 'assignee_role'], async (g) => {
    for (const r of await q<{ kind: string; assignee_role: string; n: number }>(
      `SELECT split_part(kind, ':', 1) AS kind, assignee_role, count(*)::int AS n FROM clerk_tasks WHERE resolved_at IS NULL GROUP BY 1, 2`,
    )) g.set({ kind: r.kind, assignee_role: r.assignee_role }, r.n);
  });
  gauge('case_overdue_tasks', 'Open tasks past their due time', [], async (g) => {
    const [r] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM clerk_tasks WHERE resolved_at IS NULL AND due_at < now()`);
    g.set(r.n);
  });
  gauge('case_escalations_last_24h', 'Escalation rungs fired in the last 24 hours, by rung', ['rung'], async (g) => {
    for (const r of await q<{ rung: string; n: number }>(`SELECT rung, count(*)::int AS n FROM escalations WHERE fired_at > now() - interval '24 hours' GROUP BY 1`)) g.set({ rung: r.rung }, r.n);
  });
  gauge('case_elk_statuses_waiting', 'ЕЛК statuses not yet delivered, by state (rejected: waiting for a clerk)', ['state'], async (g) => {
    for (const s of ['pending', 'sent', 'rejected']) g.set({ state: s }, 0);
    for (const r of await q<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM elk_outbox WHERE state IN ('pending', 'sent', 'rejected') GROUP BY 1`)) g.set({ state: r.state }, r.n);
  });
  gauge('case_elk_oldest_waiting_seconds', 'Age of the oldest ЕЛК status not yet delivered (0 when none)', [], async (g) => {
    const [r] = await q<{ s: number | null }>(`SELECT extract(epoch FROM now() - min(created_at))::float8 AS s FROM elk_outbox WHERE state IN ('pending', 'sent', 'rejected')`);
    g.set(r.s ?? 0);
  });
  gauge('case_elk_statuses_last_hour', 'ЕЛК statuses in the last hour: delivered, and attempts by outcome', ['outcome'], async (g) => {
    const [d] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM elk_outbox WHERE delivered_at > now() - interval '1 hour'`);
    g.set({ outcome: 'delivered' }, d.n);
    for (const r of await q<{ outcome: string; n: number }>(`SELECT outcome, count(*)::int AS n FROM elk_delivery_attempts WHERE at > now() - interval '1 hour' AND outcome <> 'delivered' GROUP BY 1`)) {
      g.set({ outcome: r.outcome }, r.n);
    }
  });
  gauge('case_elk_delivery_latency_seconds', 'Time from queueing a status to its delivery, over statuses delivered in the last hour', ['quantile'], async (g) => {
    const [r] = await q<{ p50: number | null; p95: number | null; p99: number | null }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY s) AS p95, percentile_cont(0.99) WITHIN GROUP (ORDER BY s) AS p99
         FROM (SELECT extract(epoch FROM delivered_at - created_at)::float8 AS s FROM elk_outbox WHERE delivered_at > now() - interval '1 hour') x`,
    );
    if (r.p50 !== null) for (const [k, v] of [['0.5', r.p50], ['0.95', r.p95], ['0.99', r.p99]] as const) g.set({ quantile: k }, v ?? 0);
  });
  gauge('case_events_waiting', 'Outbound events not delivered to the case system, by state (failed: refused by the receiver)', ['state'], async (g) => {
    const [p] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM event_outbox WHERE state = 'pending'`);
    const [f] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM event_outbox WHERE state = 'failed'`);
    g.set({ state: 'pending' }, p.n);
    g.set({ state: 'failed' }, f.n);
  });
  gauge('case_events_oldest_pending_seconds', 'Age of the oldest outbound event still pending (0 when none)', [], async (g) => {
    const [r] = await q<{ s: number | null }>(`SELECT extract(epoch FROM now() - min(created_at))::float8 AS s FROM event_outbox WHERE state = 'pending'`);
    g.set(r.s ?? 0);
  });

  return { registry };
}

export type ProductMetrics = ReturnType<typeof createProductMetrics>;
