// Worker configuration from the environment, validated with zod: a wrong value stops start-up with a
// message naming the variable and the rule. Nothing here is personal data.
import { z } from 'zod';
import { isValidTimeZone } from '../calendar';
import { InputValidationError, problemsOf } from '../shared';
import { ApiTokenListSchema } from '../http';

const ianaZone = z.string().refine(isValidTimeZone, 'ожидается часовой пояс IANA, например Europe/Moscow (IANA time zone)');

const url = (what: string) => z.string().url(`${what}: ожидается URL (URL expected)`);

export const WorkerConfigSchema = z.object({
  TEMPORAL_ADDRESS: z.string().regex(/^[\w.-]+:\d+$/, 'ожидается host:port (host:port expected)').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  CASE_TASK_QUEUE: z.string().min(1).default('case-lifecycle'),
  DATABASE_URL: url('DATABASE_URL').optional(),
  SMEV_ADAPTER_URL: url('SMEV_ADAPTER_URL').optional(),
  SMEV_IT_SYSTEM: z.string().min(1).max(100).default('CASE_LIFECYCLE'),
  // The adapter's exchange folder (shared with the adapter): attachment files are placed here.
  SMEV_EXCHANGE_DIR: z.string().min(1).max(1024).optional(),
  // ЕСНСИ 7213 «ЕЛК.Канал приема заявления» codes per channel, e.g. "mfc=2,post=3,departmentSite=5" (inPerson=4 by default).
  ELK_APPLICATION_ACCEPTANCE: z
    .string()
    .max(200)
    .regex(/^((epgu|mfc|inPerson|post|departmentSite)=\d{1,4})(,(epgu|mfc|inPerson|post|departmentSite)=\d{1,4})*$/, 'канал=код через запятую, например mfc=2,post=3 (channel=code, comma-separated)')
    .transform((v) => Object.fromEntries(v.split(',').map((p) => { const [k, c] = p.split('='); return [k!, Number(c)]; })) as Partial<Record<'epgu' | 'mfc' | 'inPerson' | 'post' | 'departmentSite', number>>)
    .optional(),
  ELK_ENV: z.enum(['EPGU', 'SVCDEV'], { message: 'EPGU (продуктив) или SVCDEV (тест) (EPGU | SVCDEV)' }).default('SVCDEV'),
  DEPARTMENT_INN: z.string().regex(/^\d{10}$/, 'ИНН ведомства: 10 цифр (10 digits)').default('7701234564'),
  DEPARTMENT_KPP: z.string().regex(/^\d{9}$/, 'КПП ведомства: 9 цифр (9 digits)').optional(),
  DEPARTMENT_TIME_ZONE: ianaZone.default('Europe/Moscow'),
  DEPARTMENT_OKTMO: z.string().regex(/^\d{1,8}$/, 'ОКТМО: до 8 цифр (up to 8 digits)').default('45000000'),
  DEPARTMENT_OFFICE_NAME: z.string().min(1).max(1024).optional(),
  CASE_PAYLOAD_KEYS: z.string().min(1).optional(),
  CASE_PAYLOAD_KEY_ACTIVE: z.string().min(1).optional(),
  CASE_SERVICES_DIR: z.string().min(1).optional(),
  // Not below the retry policy's initial interval (500 ms): Temporal rejects maximumInterval < initialInterval.
  ELK_RETRY_MAX_INTERVAL_MS: z.coerce.number().int().min(500).max(3_600_000).default(60_000),
  CASE_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error'], { message: 'trace, debug, info, warn или error' }).default('info'),
  CASE_LOG_FILE: z.string().min(1).optional(),
  CASE_MIGRATE: z.enum(['true', 'false'], { message: 'true или false' }).default('true'),
  CASE_DEPARTMENT_ID: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'латиница, цифры и дефис (a-z, 0-9, -)').default('department'),
  CASE_DEPARTMENT_NAME: z.string().min(1).max(300).default('Администрация муниципального образования (демо)'),
  CASE_REPORTS_DIR: z.string().min(1).default('.data/reports'),
  CASE_WEEKLY_REPORT_SCHEDULE: z.enum(['true', 'false'], { message: 'true или false' }).default('true'),
  CASE_LINK_BASE: url('CASE_LINK_BASE').default('http://localhost:8080/cases'),
  CASE_DIRECTORY_FILE: z.string().min(1).optional(),
  CASE_WEBHOOK_ENABLED: z.enum(['true', 'false'], { message: 'true или false' }).default('true'),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(25),
  SMTP_SECURE: z.enum(['true', 'false'], { message: 'true или false' }).default('false'),
  SMTP_FROM: z.string().min(3).default('"Контроль сроков" <noreply@localhost>'),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().optional(),
  CASE_REGIONAL_HOLIDAYS: z
    .string()
    .refine(
      (v) =>
        v.split(',').every((item) => {
          const m = /^(\d{4})-(\d{2})-(\d{2})(:.+)?$/.exec(item.trim());
          if (!m) return false;
          const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
          return d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
        }),
      'список ГГГГ-ММ-ДД:название через запятую, существующие даты (YYYY-MM-DD:name,…)',
    )
    .optional(),
  // Fallback: 'off' renders refusal PDFs on the main event loop (as before the render thread).
  CASE_REFUSAL_RENDER_THREAD: z.enum(['on', 'off'], { message: 'on или off' }).default('on'),
  // 'on' only while investigating a stuck case: the stack-trace query then shows where each case waits, at ~20 %
  // more workflow-thread CPU (docs/performance.md). 'on' bundles at start-up instead of using the prebuilt bundle.
  CASE_WORKFLOW_STACK_TRACES: z.enum(['on', 'off'], { message: 'on или off' }).default('off'),
  CASE_CODEC_SERVER_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  // Satisfaction loop: the rating system (ИАС МКГУ), the SMSC for surveys and answers, the critical threshold.
  MKGU_URL: url('MKGU_URL').optional(),
  SMPP_URL: z.string().regex(/^smpps?:\/\/[\w.-]+(:\d+)?$/, 'ожидается smpp://host:port (smpp://host:port expected)').optional(),
  SMPP_SYSTEM_ID: z.string().min(1).max(15, 'SMPP system_id: не более 15 символов (at most 15)').default('case-lifecycle'),
  SMPP_PASSWORD: z.string().max(8, 'SMPP password: не более 8 символов (at most 8)').optional(),
  SMPP_SOURCE_ADDR: z.string().min(1).max(11, 'отправитель SMS: не более 11 символов (at most 11)').default('GOSUSLUGI'),
  // Answers to applicants by e-mail: the department's relay (smtp://[user:pass@]host:port, smtps:// for TLS).
  FEEDBACK_SMTP_URL: z.string().max(500).regex(/^smtps?:\/\/([^\s@/]+@)?[\w.-]+(:\d{1,5})?\/?$/, 'ожидается smtp://[user:pass@]host:port или smtps://… (smtp URL expected)').optional(),
  FEEDBACK_EMAIL_FROM: z
    .string()
    .max(300)
    .regex(/^[^\r\n]*<?[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}>?$/, 'отправитель: "Имя" <box@domain> или box@domain (sender address expected)')
    .default('"Обратная связь" <otvet@localhost.localdomain>'),
  FEEDBACK_CRITICAL_THRESHOLD: z.coerce.number().int().min(1).max(5).default(3),
  FEEDBACK_PULL_SCHEDULE: z.enum(['true', 'false'], { message: 'true или false' }).default('true'),
  CASE_CODEC_SERVER_TOKEN: z.string().min(16, 'не короче 16 символов (at least 16 characters)').optional(),
  // HTTP API: tokens as a JSON array [{ token, role, subject, department?, expiresAt? }] (see docs/http-api.md).
  CASE_API_TOKENS: z
    .string()
    .transform((v, ctx) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'ожидается JSON-массив токенов (JSON array of tokens expected)' });
        return z.NEVER;
      }
    })
    .pipe(ApiTokenListSchema)
    .optional(),
  CASE_API_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  CASE_API_HOST: z.string().min(1).default('127.0.0.1'),
  // Unset: the API is served when CASE_API_TOKENS is set (npm start: always, with demo tokens).
  CASE_API_ENABLED: z.enum(['true', 'false'], { message: 'true или false' }).optional(),
  CASE_API_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(1200),
  CASE_API_BODY_LIMIT: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
});
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const picked = Object.fromEntries(Object.keys(WorkerConfigSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const result = WorkerConfigSchema.safeParse(picked);
  if (!result.success) throw new InputValidationError('Ошибка конфигурации воркера (worker configuration)', problemsOf(result.error));
  return result.data;
}
