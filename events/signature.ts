// Webhook signatures after the Standard Webhooks scheme (standardwebhooks.com), which receivers in Java, C#,
// PHP and Python have libraries for: HMAC-SHA256 over "<id>.<timestamp>.<body>", sent as "v1,<base64>".
// The timestamp bounds replay; the id is the idempotency key the receiver deduplicates on.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/** Five minutes either side, as Standard Webhooks recommends: a replayed request older than that is refused. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Longest signature header accepted before parsing: a few signatures (key rotation), not megabytes. */
const MAX_SIGNATURE_HEADER = 1024;

export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export function signedHeaders(secret: string, id: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    [SIGNATURE_HEADERS.id]: id,
    [SIGNATURE_HEADERS.timestamp]: String(timestampSeconds),
    [SIGNATURE_HEADERS.signature]: sign(secret, id, timestampSeconds, body),
    'idempotency-key': id,
  };
}

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

/**
 * What a receiver runs on each request (the raw body, before JSON parsing). Throws naming the header and the
 * rule that failed; returns the idempotency key on success.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  opts: { nowSeconds?: number; toleranceSeconds?: number } = {},
): { id: string; timestamp: number } {
  const one = (name: string): string => {
    const v = headers[name];
    const s = Array.isArray(v) ? v[0] : v;
    if (!s) throw new WebhookVerificationError(`${name}: header missing`);
    return s;
  };
  const id = one(SIGNATURE_HEADERS.id);
  const tsText = one(SIGNATURE_HEADERS.timestamp);
  const sigHeader = one(SIGNATURE_HEADERS.signature);
  if (sigHeader.length > MAX_SIGNATURE_HEADER) throw new WebhookVerificationError(`${SIGNATURE_HEADERS.signature}: longer than ${MAX_SIGNATURE_HEADER} characters`);
  if (!/^\d{1,12}$/.test(tsText)) throw new WebhookVerificationError(`${SIGNATURE_HEADERS.timestamp}: expected Unix seconds`);
  const timestamp = Number(tsText);
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - timestamp) > tolerance) throw new WebhookVerificationError(`${SIGNATURE_HEADERS.timestamp}: more than ${tolerance} s from now`);
  const expected = Buffer.from(sign(secret, id, timestamp, rawBody));
  // Several space-separated signatures are allowed so a receiver can rotate secrets.
  const ok = sigHeader.split(' ').some((candidate) => {
    const c = Buffer.from(candidate);
    return c.length === expected.length && timingSafeEqual(c, expected);
  });
  if (!ok) throw new WebhookVerificationError(`${SIGNATURE_HEADERS.signature}: no v1 signature matches the body`);
  return { id, timestamp };
}
