// The inbox's settings from the validated deployment configuration plus its own variables:
// CASE_INBOX_COOKIE_SECRET (32+ characters; without it a random one per process, so a restart only makes
// open forms ask for a reload) and CASE_INBOX_SECURE_COOKIES (default: on unless the API listens on loopback).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ProductionCalendar } from '../calendar';
import type { HttpApiPlugin } from '../http';
import { parseOrThrow } from '../shared';
import { createInboxPlugin } from './plugin';

const inboxEnvSchema = z.object({
  CASE_INBOX_COOKIE_SECRET: z.string().min(32, 'не короче 32 символов (at least 32 characters)').max(512).optional(),
  CASE_INBOX_SECURE_COOKIES: z.enum(['true', 'false'], { message: 'true или false' }).optional(),
});

/** The deployment settings the inbox reads (worker/config.ts validates them; the inbox does not import the worker). */
export interface InboxDeploymentSettings {
  CASE_REGIONAL_HOLIDAYS?: string;
  DEPARTMENT_TIME_ZONE: string;
  CASE_API_HOST: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function inboxPluginFromConfig(config: InboxDeploymentSettings, env: NodeJS.ProcessEnv = process.env): HttpApiPlugin {
  const e = parseOrThrow(inboxEnvSchema, { CASE_INBOX_COOKIE_SECRET: env.CASE_INBOX_COOKIE_SECRET || undefined, CASE_INBOX_SECURE_COOKIES: env.CASE_INBOX_SECURE_COOKIES || undefined }, 'Inbox configuration');
  const regionalHolidays = (config.CASE_REGIONAL_HOLIDAYS ?? '')
    .split(',')
    .filter(Boolean)
    .map((item) => ({ date: item.slice(0, 10), name: item.slice(11) || 'Региональный праздник' }));
  return createInboxPlugin({
    calendar: new ProductionCalendar({ regionalHolidays }),
    timeZone: config.DEPARTMENT_TIME_ZONE,
    cookieSecret: e.CASE_INBOX_COOKIE_SECRET ?? randomBytes(32).toString('base64url'),
    secureCookies: e.CASE_INBOX_SECURE_COOKIES ? e.CASE_INBOX_SECURE_COOKIES === 'true' : !LOOPBACK.has(config.CASE_API_HOST),
  });
}
