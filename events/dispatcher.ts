// Drains event_outbox to the case system's webhook, oldest first, one event at a time so the receiver sees
// each case's events in order. An event stays pending until the receiver answers 2xx: while the receiver is
// down the head event is retried with exponential backoff (capped) and nothing behind it is lost or reordered.
// A receiver that keeps refusing one event as malformed (4xx) gets it `rejectAfterAttempts` times; then the
// event is marked failed (visible in metrics and the table) so the rest can flow.
import type { Pool } from 'pg';
import { z } from 'zod';
import { signedHeaders } from './signature';

export const eventDispatcherConfigSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, message: 'url: ожидается http(s)-адрес вебхука (expected an http(s) URL)' }),
    /** Shared HMAC secret; 32+ characters so it cannot be guessed. */
    secret: z.string().min(32, { message: 'secret: не короче 32 символов (at least 32 characters)' }).max(512),
    timeoutMs: z.number().int().positive().max(120_000).default(10_000),
    pollMs: z.number().int().positive().max(60_000).default(1_000),
    batchSize: z.number().int().positive().max(1_000).default(100),
    backoffBaseMs: z.number().int().positive().default(1_000),
    backoffMaxMs: z.number().int().positive().default(300_000),
    rejectAfterAttempts: z.number().int().positive().default(10),
  })
  .strict();
export type EventDispatcherConfig = z.input<typeof eventDispatcherConfigSchema>;

export interface OutboundEvent {
  id: string;
  type: string;
  sequence: number;
  occurredAt: string;
  applicationNumber: string;
  data: Record<string, unknown>;
}

export interface DrainOutcome {
  delivered: number;
  retried: number;
  failed: number;
  /** false when another dispatcher holds the lock (it drains instead). */
  ran: boolean;
}

export interface DispatcherObserver {
  delivered?(e: OutboundEvent, latencyMs: number): void;
  attemptFailed?(e: OutboundEvent, reason: string): void;
}

interface Row {
  id: string;
  event_key: string;
  event_type: string;
  application_number: string;
  payload: Record<string, unknown>;
  created_at: Date;
  attempts: number;
  due: boolean;
}

/** Turns on the triggers that write event_outbox (migration 025); on from then on, across restarts. */
export async function enableEventPublishing(pool: Pool): Promise<void> {
  await pool.query('UPDATE event_publishing SET enabled = true, changed_at = now() WHERE NOT enabled');
}

/** One dispatcher drains at a time across processes: order is kept without coordinating leases. */
const DISPATCH_LOCK = 7_233_025;
const MAX_ERROR_TEXT = 500;

export function createEventDispatcher(deps: { pool: Pool; config: EventDispatcherConfig; now?: () => Date; observer?: DispatcherObserver }) {
  const config = eventDispatcherConfigSchema.parse(deps.config);
  const now = deps.now ?? (() => new Date());
  const { pool } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  const toEvent = (r: Row): OutboundEvent => ({
    id: r.event_key,
    type: r.event_type,
    sequence: Number(r.id),
    occurredAt: r.created_at.toISOString(),
    applicationNumber: r.application_number,
    data: r.payload,
  });

  async function send(e: OutboundEvent): Promise<{ ok: true } | { ok: false; permanent: boolean; reason: string }> {
    const body = JSON.stringify(e);
    const ts = Math.floor(now().getTime() / 1000);
    try {
      const res = await fetch(config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedHeaders(config.secret, e.id, ts, body) },
        body,
        signal: AbortSignal.timeout(config.timeoutMs),
        redirect: 'error',
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true };
      // 408, 409, 425, 429 and 5xx mean "later"; the other 4xx mean the receiver will not take this event.
      const permanent = res.status >= 400 && res.status < 500 && ![408, 409, 425, 429].includes(res.status);
      return { ok: false, permanent, reason: `HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, permanent: false, reason: (err as Error).message.slice(0, MAX_ERROR_TEXT) };
    }
  }

  function backoffMs(attempts: number): number {
    const exp = Math.min(config.backoffMaxMs, config.backoffBaseMs * 2 ** Math.min(attempts - 1, 30));
    // Jitter in the upper half: several departments' dispatchers do not hammer a recovering receiver in step.
    return Math.round(exp / 2 + (Math.random() * exp) / 2);
  }

  async function drainOnce(): Promise<DrainOutcome> {
    const out: DrainOutcome = { delivered: 0, retried: 0, failed: 0, ran: false };
    const lockClient = await pool.connect();
    try {
      const { rows: [lock] } = await lockClient.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [DISPATCH_LOCK]);
      if (!lock.ok) return out;
      out.ran = true;
      try {
        const { rows } = await pool.query<Row>(
          `SELECT id, event_key, event_type, application_number, payload, created_at, attempts, next_attempt_at <= now() AS due
             FROM event_outbox WHERE state = 'pending' ORDER BY id LIMIT $1`,
          [config.batchSize],
        );
        for (const r of rows) {
          if (!r.due) break; // the head is backing off: later events wait behind it to keep order
          const e = toEvent(r);
          const result = await send(e);
          const attempts = r.attempts + 1;
          if (result.ok) {
            await pool.query(`UPDATE event_outbox SET state = 'delivered', attempts = $2, delivered_at = now(), last_error = NULL WHERE id = $1`, [r.id, attempts]);
            deps.observer?.delivered?.(e, Date.now() - r.created_at.getTime());
            out.delivered++;
            continue;
          }
          deps.observer?.attemptFailed?.(e, result.reason);
          if (result.permanent && attempts >= config.rejectAfterAttempts) {
            await pool.query(`UPDATE event_outbox SET state = 'failed', attempts = $2, last_error = $3 WHERE id = $1`, [r.id, attempts, result.reason]);
            out.failed++;
            continue;
          }
          await pool.query(
            `UPDATE event_outbox SET attempts = $2, last_error = $3, next_attempt_at = now() + make_interval(secs => $4::double precision / 1000) WHERE id = $1`,
            [r.id, attempts, result.reason, backoffMs(attempts)],
          );
          out.retried++;
          break;
        }
      } finally {
        await lockClient.query('SELECT pg_advisory_unlock($1)', [DISPATCH_LOCK]);
      }
    } finally {
      lockClient.release();
    }
    return out;
  }

  function schedule(ms: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = drainOnce()
        .then((o) => schedule(o.delivered + o.failed >= config.batchSize ? 0 : config.pollMs))
        // A database outage: try again at the next poll; the outbox keeps everything.
        .catch(() => schedule(config.pollMs));
    }, ms);
  }

  return {
    config,
    drainOnce,
    /** Turns publishing on (a receiver exists now) and drains until stop(). */
    async start(): Promise<void> {
      if (!stopped) return;
      stopped = false;
      await enableEventPublishing(pool);
      schedule(0);
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

export type EventDispatcher = ReturnType<typeof createEventDispatcher>;
