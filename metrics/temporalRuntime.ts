// The Temporal SDK's own metrics (workflow/activity task latencies, slots, polls, cache, sticky queue) come from
// the Core runtime's Prometheus exporter, bound to loopback; /metrics appends them to the product's figures so
// one scrape target carries both. The exporter binds a port, so it is on only where CASE_TEMPORAL_METRICS_ADDRESS
// names one (the demo uses DEFAULT_TEMPORAL_METRICS_ADDRESS): two workers on one host must not race for one port.
import { z } from 'zod';

export const DEFAULT_TEMPORAL_METRICS_ADDRESS = '127.0.0.1:9464';
/** Core's exporter answers in milliseconds; a stuck exporter must not hold the scrape. */
const FETCH_TIMEOUT_MS = 2_000;
/** Core's text for one worker is tens of KiB; anything far larger is not metrics. */
const MAX_TEXT_BYTES = 4 * 1024 * 1024;

const addressSchema = z
  .string()
  .regex(/^(off|[A-Za-z0-9.-]+:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5})$/, 'CASE_TEMPORAL_METRICS_ADDRESS: host:port или off (host:port or off)');

/** The exporter's bind address from the environment, or null when unset or off. */
export function temporalMetricsAddress(env: NodeJS.ProcessEnv = process.env): string | null {
  const r = addressSchema.safeParse(env.CASE_TEMPORAL_METRICS_ADDRESS || 'off');
  if (!r.success) throw new Error(r.error.issues[0].message);
  const v = r.data;
  return v === 'off' ? null : v;
}

/** The `telemetryOptions.metrics` part of Runtime.install for that address. */
export function temporalMetricsTelemetry(bindAddress: string) {
  return { prometheus: { bindAddress } };
}

/** Core's exposition text, or a comment saying why it is missing (the product's figures still go out). */
export async function fetchTemporalMetrics(bindAddress: string): Promise<string> {
  try {
    const res = await fetch(`http://${bindAddress}/metrics`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    const text = await res.text();
    if (!res.ok) return `# temporal sdk metrics unavailable: HTTP ${res.status}\n`;
    if (text.length > MAX_TEXT_BYTES) return '# temporal sdk metrics unavailable: answer too large\n';
    return text.endsWith('\n') ? text : `${text}\n`;
  } catch (err) {
    return `# temporal sdk metrics unavailable: ${(err as Error).name}\n`;
  }
}
