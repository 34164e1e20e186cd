// The OpenAPI 3.1 document, generated from the same zod schemas Fastify validates with (z.toJSONSchema,
// JSON Schema 2020-12 as OpenAPI 3.1 uses). Committed as http/openapi.json for teams that generate clients.
import { z } from 'zod';
import { API_ROLE_LABELS_RU, API_ROLES } from './auth';
import { ProblemSchema } from './problem';
import type { RouteSpec } from './routeSpec';

export const API_VERSION = '1.0.0';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
}

const problemRef = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemRef } } });

function isOptional(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success;
}

export function buildOpenApiDocument(routes: readonly RouteSpec[], publicUrl?: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const parameters: Json[] = [];
    for (const [name, s] of Object.entries(r.params?.shape ?? {})) parameters.push({ name, in: 'path', required: true, schema: jsonSchema(s as z.ZodType, 'input') });
    for (const [name, s] of Object.entries(r.query?.shape ?? {})) {
      parameters.push({ name, in: 'query', required: !isOptional(s as z.ZodType), schema: jsonSchema(s as z.ZodType, 'input') });
    }
    if (r.write) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        description: 'Идентификатор запроса: повтор с тем же ключом возвращает первый ответ и ничего не меняет (request id: a repeat returns the first answer)',
        schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
      });
    }
    const responses: Record<string, Json> = {};
    for (const [status, resp] of Object.entries(r.responses)) {
      responses[status] = Number(status) >= 400
        ? problemResponse(resp.description)
        : resp.schema
        ? { description: resp.description, content: { [resp.contentType ?? 'application/json']: { schema: jsonSchema(resp.schema, 'output') } } }
        : resp.contentType
          ? { description: resp.description, content: { [resp.contentType]: { schema: { type: 'string' } } } }
          : { description: resp.description };
    }
    if (r.params || r.query || r.body || r.write) responses['400'] ??= problemResponse('Запрос не прошёл проверку: поле и правило в errors (validation failed: field and rule in errors)');
    responses['401'] = problemResponse('Нет токена, неизвестный или просроченный токен (missing, unknown or expired token)');
    responses['403'] = problemResponse('Роль или заявление не те (role not allowed, or case not yours)');
    if (r.body) {
      responses['413'] = problemResponse('Тело запроса слишком велико (body too large)');
      responses['415'] = problemResponse('Ожидается application/json (JSON expected)');
    }
    if (r.write) responses['422'] = problemResponse('Idempotency-Key уже использован для другого запроса (key reused for another request)');
    responses['429'] = problemResponse('Превышен лимит запросов (rate limited)');
    responses['503'] ??= problemResponse('Temporal временно недоступен: повторите с тем же Idempotency-Key (retry with the same key)');
    responses['500'] = problemResponse('Внутренняя ошибка (internal error)');
    const op: Json = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      'x-roles': r.roles,
      security: [{ bearerAuth: [] }],
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: !isOptional(r.body), content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } } : {}),
      responses,
    };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Case lifecycle API (заявления, статусы ЕЛК, сроки)',
      version: API_VERSION,
      description:
        'HTTP API of case-lifecycle-temporal for department case systems (ВИС). Every write needs an Idempotency-Key; errors are ' +
        'application/problem+json (RFC 9457) naming the field and the rule. Roles: ' +
        API_ROLES.map((r) => `${r} — ${API_ROLE_LABELS_RU[r]}`).join('; ') +
        '.',
    },
    ...(publicUrl ? { servers: [{ url: publicUrl }] } : {}),
    paths,
    components: {
      schemas: { Problem: jsonSchema(ProblemSchema, 'output') },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'Токен из CASE_API_TOKENS (token from CASE_API_TOKENS)' } },
    },
  };
}
