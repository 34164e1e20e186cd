// Structured JSON logs (pino) that never carry personal data in clear. Every message, every string field
// (at any depth), child bindings and error messages/stacks go through maskPersonalData; fields whose
// *name* says they hold identity (lastName, snils, passport, …) are replaced whole, because a name cannot
// be recognised by a pattern. Also adapts the logger to Temporal's Logger interface for Runtime.install.
import pino, { DestinationStream, Logger as PinoLogger } from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { TelemetryOptions } from '@temporalio/worker';

export const MASK = '***';

// Order matters: phones first (+7/8 and 10 digits would otherwise be half-eaten by the СНИЛС rule),
// then СНИЛС (11 digits), then passports (10 digits). Digit look-arounds keep longer numbers and
// hyphenated ids (2026-000123) and ISO dates intact.
const PHONE = /(?<![\d+])(?:\+7|8)[\s(-]{0,2}\d{3}[\s)-]{0,2}\d{3}[\s-]?\d{2}[\s-]?\d{2}(?!\d)/g;
const SNILS = /(?<!\d)\d{3}[- ]?\d{3}[- ]?\d{3}[- ]?\d{2}(?!\d)/g;
const PASSPORT = /(?<!\d)\d{2}\s?\d{2}\s?\d{6}(?!\d)/g;
// Bounded quantifiers keep every pattern linear: an unbounded local part
// made a 2 MB base64 run (an inline source map in a logged workflow bundle) take minutes.
const EMAIL_LOCAL = /[\p{L}\p{N}._%+-]{1,256}@(?=[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){0,8}\.\p{L}{2,24}(?![\p{L}\p{N}]))/gu;
/** Longer strings (bundled code, documents) are cut before masking: logs are not the place for them. */
export const MAX_LOGGED_STRING = 16 * 1024;

/** Field names whose values are personal data whatever they look like. Compared case-insensitively. */
const PERSONAL_KEYS = new Set(
  ['lastName', 'firstName', 'middleName', 'fio', 'fullName', 'snils', 'passport', 'series', 'postalAddress', 'phone', 'email', 'birthDate', 'inn']
    .map((k) => k.toLowerCase()),
);

/** Replaces СНИЛС, passport series+number, Russian phone numbers and e-mail local parts with ***. */
export function maskPersonalData(text: string): string {
  if (text.length > MAX_LOGGED_STRING) text = `${text.slice(0, MAX_LOGGED_STRING)}…[${text.length - MAX_LOGGED_STRING} more characters]`;
  return text
    .replace(PHONE, MASK)
    .replace(SNILS, MASK)
    .replace(PASSPORT, MASK)
    .replace(EMAIL_LOCAL, `${MASK}@`);
}

/** Deep copy with every string masked and personal fields replaced; Errors become plain objects. */
export function maskDeep(value: unknown, seen: WeakSet<object> = new WeakSet(), depth = 0): unknown {
  if (typeof value === 'string') return maskPersonalData(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  // Log fields are plain data; class instances (connections, workers, proto roots) can be huge graphs,
  // and walking them made one log line cost minutes. Errors, dates and byte arrays are handled below.
  if (depth > MAX_DEPTH) return '[…]';
  const proto = Object.getPrototypeOf(value);
  const plain = proto === Object.prototype || proto === null || Array.isArray(value);
  if (!plain && !(value instanceof Error) && !(value instanceof Date) && !(value instanceof Map) && !ArrayBuffer.isView(value)) {
    return `[${value.constructor?.name ?? 'object'}]`;
  }
  seen.add(value);
  if (value instanceof Error) {
    // pino would print an Error outside `err` as {} and inside `err` unmasked: normalise and mask here.
    const out: Record<string, unknown> = { type: value.name, message: maskPersonalData(value.message) };
    if (value.stack) out.stack = maskPersonalData(value.stack);
    if (value.cause !== undefined) out.cause = maskDeep(value.cause, seen, depth + 1);
    for (const [k, v] of Object.entries(value)) if (!(k in out)) out[k] = maskField(k, v, seen, depth + 1);
    return out;
  }
  if (value instanceof Date) return value;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.slice(0, MAX_ARRAY).map((v) => maskDeep(v, seen, depth + 1));
  if (value instanceof Map) return maskDeep(Object.fromEntries(value), seen, depth + 1);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskField(k, v, seen, depth + 1);
  return out;
}

const MAX_DEPTH = 10;
const MAX_ARRAY = 200;

function maskField(key: string, value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (PERSONAL_KEYS.has(key.toLowerCase()) && value !== undefined && value !== null) return MASK;
  return maskDeep(value, seen, depth);
}

export interface CreateLoggerOptions {
  level?: pino.LevelWithSilent;
  /** A file path (written synchronously, so nothing is lost on exit) or a pino destination; stdout by default. */
  destination?: string | DestinationStream;
  /** Static fields on every line (service name, worker id). Masked like everything else. */
  base?: Record<string, unknown>;
}

export function createLogger(opts: CreateLoggerOptions = {}): PinoLogger {
  const destination =
    typeof opts.destination === 'string'
      ? pino.destination({ dest: opts.destination, sync: true, mkdir: true })
      : opts.destination ?? pino.destination({ dest: 1, sync: true });
  const logger = pino(
    {
      level: opts.level ?? 'info',
      base: (maskDeep(opts.base ?? {}) as Record<string, unknown>),
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => maskDeep(bindings) as Record<string, unknown>,
        // Catches fields that reached pino without passing logMethod (e.g. mixins).
        log: (object) => maskDeep(object) as Record<string, unknown>,
      },
      hooks: {
        // Masks the message and its format arguments before pino interpolates them.
        logMethod(args, method) {
          return method.apply(this, args.map((a) => maskDeep(a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
  return withMaskedChildren(logger);
}

// pino serialises child bindings once, outside formatters.log: mask them when the child is made.
function withMaskedChildren(logger: PinoLogger): PinoLogger {
  const child = logger.child.bind(logger) as unknown as (bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => PinoLogger;
  const masked = (bindings: pino.Bindings, options?: pino.ChildLoggerOptions): PinoLogger =>
    withMaskedChildren(child(maskDeep(bindings) as pino.Bindings, options));
  logger.child = masked as unknown as PinoLogger['child'];
  return logger;
}

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Temporal's Logger interface over a pino logger, for Runtime.install({ logger }). */
export function temporalLoggerFrom(logger: PinoLogger): TemporalLogger {
  const emit = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const method = LEVELS[level] ?? 'info';
    if (meta && Object.keys(meta).length > 0) logger[method](meta as object, message);
    else logger[method](message);
  };
  return {
    log: emit,
    trace: (m, meta) => emit('TRACE', m, meta),
    debug: (m, meta) => emit('DEBUG', m, meta),
    info: (m, meta) => emit('INFO', m, meta),
    warn: (m, meta) => emit('WARN', m, meta),
    error: (m, meta) => emit('ERROR', m, meta),
  };
}

let installed: TemporalLogger | undefined;

/**
 * Installs the masking logger as the Temporal Runtime logger (SDK, worker, activity and workflow logs, and
 * Core's native logs forwarded at WARN). Environment: CASE_LOG_LEVEL (trace…error, default info) and
 * CASE_LOG_FILE (default stdout). Must run before any Worker or NativeConnection is created; a second
 * call in the same process is a no-op. `metrics` is the SDK's metrics exporter, installed with the same Runtime
 * (the caller builds it from metrics/, which this room does not import).
 */
export function installMaskedRuntimeLogger(env: NodeJS.ProcessEnv = process.env, metrics?: TelemetryOptions['metrics']): TemporalLogger {
  if (installed) return installed;
  const level = (env.CASE_LOG_LEVEL || 'info').toLowerCase();
  if (!['trace', 'debug', 'info', 'warn', 'error'].includes(level)) {
    throw new Error('CASE_LOG_LEVEL: ожидается trace, debug, info, warn или error (expected trace|debug|info|warn|error)');
  }
  const logger = temporalLoggerFrom(createLogger({ level: level as pino.Level, destination: env.CASE_LOG_FILE || undefined }));
  // Required lazily so that code using only the masking functions does not load the native worker.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Runtime, makeTelemetryFilterString } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  Runtime.install({
    logger,
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(metrics ? { metrics } : {}),
    },
  });
  installed = logger;
  return logger;
}
