// /metrics scraped over HTTP and parsed as Prometheus text: the product's figures reflect a real case run by
// a real worker (Temporal dev server, PostgreSQL, ЕЛК emulator), and the Temporal SDK's own metrics are there.
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createCaseRecordActivities } from '../../activities/caseRecords';
import { buildHttpApi } from '../../http/app';
import { TokenRegistry } from '../../http/auth';
import { createMetricsPlugin } from '../../metrics/plugin';
import { temporalMetricsAddress, temporalMetricsTelemetry } from '../../metrics/temporalRuntime';
import { createTestContext, sampleApplication, TEST_CODEC_KEYS, TestContext, waitFor } from '../support/harness';

const SCRAPE_TOKEN = 'metrics-scrape-token-0123456789abcdef';
let ctx: TestContext;
let app: FastifyInstance;
let base: string;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Sample { name: string; labels: Record<string, string>; value: number }

/** A strict reader of the text format: every line is a comment, blank, or `name{labels} value`. */
function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(-?(?:[0-9.e+-]+|NaN|\+Inf|-Inf))(?:\s+\d+)?$/;
  for (const l of text.split('\n')) {
    if (l === '' || l.startsWith('#')) continue;
    const m = line.exec(l);
    if (!m) throw new Error(`not a Prometheus sample line: ${l.slice(0, 200)}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);

beforeAll(async () => {
  const address = `127.0.0.1:${await freePort()}`;
  // Installed before anything else in this file, exactly as the worker does from CASE_TEMPORAL_METRICS_ADDRESS.
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { metrics: temporalMetricsTelemetry(temporalMetricsAddress({ CASE_TEMPORAL_METRICS_ADDRESS: address })!) } });
  ctx = await createTestContext('metrics');
  await ctx.startWorker();
  app = await buildHttpApi({
    client: ctx.cases,
    pool: ctx.pool,
    auth: new TokenRegistry([], 'department'),
    codecKeys: TEST_CODEC_KEYS,
    department: 'department',
    extraPlugins: [createMetricsPlugin({ temporalMetricsAddress: address, token: SCRAPE_TOKEN })],
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await ctx?.close();
});

test('the product figures and the Temporal SDK metrics are scraped and parsed', async () => {
  const appInput = sampleApplication();
  await ctx.cases.startApplication(appInput);
  await ctx.cases.act(appInput.applicationNumber, 'register', { clerk: 'ivanova' });
  await waitFor(async () => (await ctx.pool.query(`SELECT 1 FROM elk_outbox WHERE application_number = $1 AND state = 'delivered'`, [appInput.applicationNumber])).rowCount! >= 1);
  await createCaseRecordActivities(ctx.pool).openClerkTask({
    taskKey: `metrics-overdue-${process.pid}`, applicationNumber: appInput.applicationNumber, kind: 'stageTerm:registered', assigneeRole: 'clerk', assignee: 'ivanova', title: 'Срок стадии истёк', body: '—', dueAt: new Date(Date.now() - 3600_000).toISOString(),
  });

  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = parsePrometheus(await res.text());

  expect(value(samples, 'case_open_cases', { service_code: 'archive-certificate' })).toBeGreaterThanOrEqual(1);
  expect(value(samples, 'case_overdue_tasks')).toBeGreaterThanOrEqual(1);
  expect(value(samples, 'case_open_tasks', { kind: 'stageTerm', assignee_role: 'clerk' })).toBeGreaterThanOrEqual(1);
  expect(value(samples, 'case_elk_statuses_last_hour', { outcome: 'delivered' })).toBeGreaterThanOrEqual(1); // «registered» (an in-person application has no «received» status)
  expect(samples.some((s) => s.name === 'case_elk_delivery_latency_seconds' && s.labels.quantile === '0.95' && s.value >= 0)).toBe(true);
  expect(samples.some((s) => s.name === 'case_events_waiting' && s.labels.state === 'pending')).toBe(true);
  expect(samples.some((s) => s.name === 'process_resident_memory_bytes')).toBe(true);
  // The SDK's own: the worker polled and completed workflow tasks for the case above.
  const temporal = samples.filter((s) => s.name.startsWith('temporal_'));
  expect(temporal.length).toBeGreaterThan(10);
  expect(value(samples, 'temporal_workflow_task_execution_latency_count')).toBeGreaterThan(0);
});

test('without the scrape token /metrics answers 401', async () => {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toContain('Bearer');
});
