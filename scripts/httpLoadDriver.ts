// Drives applications through a full approval over the HTTP API as a well-behaved case system would: every
// write with its own Idempotency-Key, retried with the same key after a 503, a 429 or a lost connection
// (bounded), so a retry never acts twice. Used by tests/http/idempotency.test.ts (small) and scripts/httpLoad.ts (300).
import { randomUUID } from 'node:crypto';
import type { ApplicationInput } from '../shared';

export interface HttpLoadOptions {
  baseUrl: string;
  token: string;
  applications: ApplicationInput[];
  concurrency: number;
  /** Attempts per request in all (default 60), with a pause of retryPauseMs (default 1000) or Retry-After. */
  attempts?: number;
  retryPauseMs?: number;
  /** Called once after every application is registered (e.g. to take the portal down). */
  onAllRegistered?: () => void | Promise<void>;
}

export interface HttpLoadFigures {
  applications: number;
  requests: number;
  retries: number;
  /** Answers by status: what the case system saw, retries included. */
  statuses: Record<string, number>;
  failed: { applicationNumber: string; step: string; status: number | string }[];
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  seconds: number;
}

const STEPS: { name: string; path: (n: string) => string; body: Record<string, unknown> }[] = [
  { name: 'register', path: (n) => `/cases/${encodeURIComponent(n)}/actions/register`, body: { clerk: 'ivanova' } },
  { name: 'startReview', path: (n) => `/cases/${encodeURIComponent(n)}/actions/start-review`, body: { clerk: 'ivanova' } },
  { name: 'draftDecision', path: (n) => `/cases/${encodeURIComponent(n)}/actions/draft-decision`, body: { clerk: 'ivanova', outcome: 'approve' } },
  { name: 'approve', path: (n) => `/cases/${encodeURIComponent(n)}/actions/approve`, body: { clerk: 'head' } },
  { name: 'issueResult', path: (n) => `/cases/${encodeURIComponent(n)}/actions/issue-result`, body: { clerk: 'ivanova' } },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);

export async function driveOverHttp(opts: HttpLoadOptions): Promise<HttpLoadFigures> {
  const attempts = opts.attempts ?? 60;
  const pause = opts.retryPauseMs ?? 1000;
  const figures: HttpLoadFigures = { applications: opts.applications.length, requests: 0, retries: 0, statuses: {}, failed: [], latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 }, seconds: 0 };
  const latencies: number[] = [];
  const began = Date.now();

  /** One write, retried with the same key until it gets a final answer. */
  const write = async (path: string, body: unknown): Promise<{ status: number | string }> => {
    const key = randomUUID();
    for (let n = 1; ; n++) {
      figures.requests++;
      const t0 = Date.now();
      let status: number | string;
      let retryAfter = pause;
      try {
        const res = await fetch(opts.baseUrl + path, {
          method: 'POST',
          headers: { authorization: `Bearer ${opts.token}`, 'idempotency-key': key, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(90_000),
        });
        await res.arrayBuffer();
        status = res.status;
        const ra = Number(res.headers.get('retry-after'));
        if (ra > 0) retryAfter = Math.min(ra * 1000, 10_000);
      } catch (err) {
        status = (err as Error).name;
      }
      latencies.push(Date.now() - t0);
      figures.statuses[status] = (figures.statuses[status] ?? 0) + 1;
      const transient = status === 503 || status === 429 || typeof status === 'string';
      if (!transient || n >= attempts) return { status };
      figures.retries++;
      await sleep(retryAfter);
    }
  };

  const queue = [...opts.applications];
  const phase = async (each: (app: ApplicationInput) => Promise<void>) => {
    const items = [...queue];
    await Promise.all(
      Array.from({ length: Math.min(opts.concurrency, items.length) }, async () => {
        for (let app = items.shift(); app; app = items.shift()) await each(app);
      }),
    );
  };
  const step = async (app: ApplicationInput, name: string, path: string, body: unknown) => {
    const r = await write(path, body);
    if (r.status !== 200 && r.status !== 201) figures.failed.push({ applicationNumber: app.applicationNumber, step: name, status: r.status });
  };
  await phase(async (app) => {
    await step(app, 'start', '/applications', app);
    await step(app, STEPS[0].name, STEPS[0].path(app.applicationNumber), STEPS[0].body);
  });
  await opts.onAllRegistered?.();
  await phase(async (app) => {
    for (const s of STEPS.slice(1)) await step(app, s.name, s.path(app.applicationNumber), s.body);
  });
  latencies.sort((a, b) => a - b);
  figures.latencyMs = { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), p99: quantile(latencies, 0.99), max: latencies[latencies.length - 1] ?? 0 };
  figures.seconds = (Date.now() - began) / 1000;
  return figures;
}
