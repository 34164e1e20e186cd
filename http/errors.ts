// Every failure a route can meet, as one RFC 9457 problem: validation names the field and the rule, a
// workflow's refusal becomes 409, a transient Temporal fault 503 with Retry-After, the unknown 500 (no details).
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { ClerkActionRejectedError, isTransient, TransientCaseError } from '../client';
import { TaskBoardError } from '../escalation';
import { FieldProblem, InputValidationError } from '../shared';
import { HttpProblem } from './problem';

/** What the zod validator compiler returns for a rejected params/querystring/body. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly part: string,
    readonly problems: FieldProblem[],
  ) {
    super(`${part}: ${problems.map((p) => `${p.field || '(root)'}: ${p.rule}`).join('; ')}`);
    this.name = 'RequestValidationError';
  }
}

const PART_RU: Record<string, string> = { body: 'тело запроса', params: 'путь', querystring: 'параметры запроса', headers: 'заголовки' };

export function problemOf(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof RequestValidationError) {
    const prefix = err.part === 'body' ? '' : `${err.part}.`;
    return new HttpProblem(400, 'validation', `Запрос не прошёл проверку: ${PART_RU[err.part] ?? err.part} (request validation failed)`, err.message, err.problems.map((p) => ({ field: prefix + (p.field || '(root)'), rule: p.rule })));
  }
  if (err instanceof InputValidationError) return new HttpProblem(400, 'validation', err.subject, err.message, err.problems);
  if (err instanceof ClerkActionRejectedError) return new HttpProblem(409, 'conflict', 'Действие недопустимо для заявления (action rejected by the case)', err.message);
  if (err instanceof TaskBoardError) {
    return /не найдена/.test(err.message) ? new HttpProblem(404, 'notFound', 'Задача не найдена (task not found)', err.message) : new HttpProblem(409, 'conflict', 'Действие с задачей недопустимо (task action rejected)', err.message);
  }
  if (err instanceof WorkflowNotFoundError) return new HttpProblem(404, 'notFound', 'Заявление не найдено (case not found)', 'нет заявления с таким номером (no case with this application number)');
  if (err instanceof WorkflowExecutionAlreadyStartedError) return new HttpProblem(409, 'conflict', 'Заявление с таким номером уже было (application number already used)', err.message);
  if (err instanceof TransientCaseError || isTransient(err)) {
    return new HttpProblem(503, 'unavailable', 'Сервис временно недоступен, повторите с тем же Idempotency-Key (temporarily unavailable; retry with the same Idempotency-Key)', err instanceof TransientCaseError ? err.message : 'Temporal не ответил вовремя (Temporal did not answer in time)', undefined, { 'retry-after': '2' });
  }
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 413) return new HttpProblem(413, 'tooLarge', 'Слишком большое тело запроса (payload too large)', e.message);
    if (e.statusCode === 415) return new HttpProblem(415, 'unsupportedMediaType', 'Ожидается application/json (unsupported media type)', e.message);
    if (e.statusCode === 429) return new HttpProblem(429, 'rateLimited', 'Слишком много запросов (rate limit exceeded)', e.message);
    return new HttpProblem(e.statusCode, 'malformed', 'Некорректный запрос (malformed request)', e.message?.slice(0, 300));
  }
  return new HttpProblem(500, 'internal', 'Внутренняя ошибка (internal error)', 'подробности в журнале сервера (see the server log)');
}
