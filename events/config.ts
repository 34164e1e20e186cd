// Outbound events are on when the case system gives a webhook URL and a shared secret (environment).
import { z } from 'zod';
import { parseOrThrow } from '../shared';
import type { EventDispatcherConfig } from './dispatcher';

export const eventsEnvSchema = z
  .object({
    CASE_EVENTS_URL: z.url({ protocol: /^https?$/, message: 'ожидается http(s)-адрес вебхука (expected an http(s) URL)' }).optional(),
    CASE_EVENTS_SECRET: z.string().min(32, { message: 'не короче 32 символов (at least 32 characters)' }).max(512).optional(),
    CASE_EVENTS_MAX_BACKOFF_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
  })
  .refine((e) => !e.CASE_EVENTS_URL || e.CASE_EVENTS_SECRET, {
    message: 'обязателен вместе с CASE_EVENTS_URL (required with CASE_EVENTS_URL)',
    path: ['CASE_EVENTS_SECRET'],
  });

/** The dispatcher's configuration, or null when no receiver is configured. */
export function eventDispatcherConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EventDispatcherConfig | null {
  const pick = Object.fromEntries(['CASE_EVENTS_URL', 'CASE_EVENTS_SECRET', 'CASE_EVENTS_MAX_BACKOFF_MS'].map((k) => [k, env[k] || undefined]));
  const e = parseOrThrow(eventsEnvSchema, pick, 'Outbound events configuration');
  if (!e.CASE_EVENTS_URL) return null;
  return { url: e.CASE_EVENTS_URL, secret: e.CASE_EVENTS_SECRET!, backoffMaxMs: e.CASE_EVENTS_MAX_BACKOFF_MS };
}
