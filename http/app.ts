// The HTTP API, built by a factory from its dependencies: Fastify with zod validation at the boundary,
// bearer tokens with roles, Idempotency-Key on every write, an audit row for every write and refusal,
// problem+json errors, body size, nesting and rate limits, /openapi.json and Swagger UI at /docs.
// Other parts (the clerk inbox, metrics) plug in through `extraPlugins`; they get the same dependencies.
import Fastify, { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Pool } from 'pg';
import type { Logger as PinoLogger } from 'pino';
import type { z } from 'zod';
import type { CaseClient } from '../client';
import type { CodecKeys } from '../codec';
import { createRatingIntake, type RatingIntake } from '../feedback';
import { TaskBoard } from '../escalation';
import { createLogger, maskPersonalData } from '../security';
import { problemsOf } from '../shared';
import { createAuditLog } from './audit';
import { AuthenticationProblem, Caller, TokenRegistry } from './auth';
import { rateLimitKey } from './rateLimitKey';
import { problemOf, RequestValidationError } from './errors';
import { fingerprint, IDEMPOTENCY_KEY_PATTERN, IdempotencyStore } from './idempotency';
import { MAX_JSON_DEPTH, parseJsonBody } from './jsonBody';
import { buildOpenApiDocument } from './openApiDocument';
import { HttpProblem, PROBLEM_CONTENT_TYPE } from './problem';
import type { HttpApiDeps, HttpApiPlugin, RatingRoute } from './deps';
import type { RouteSpec } from './routeSpec';
import { fastifyPath } from './routeSpec';
import { CaseAccess } from './caseAccess';
import { registerSwaggerUi } from './swaggerUi';
import { apiRoutes } from './routes';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
}

export interface HttpApiLimits {
  /** Largest request body accepted (bytes); checked by Fastify before parsing. */
  bodyBytes: number;
  /** Deepest JSON nesting accepted; checked on the raw text before parsing. */
  maxJsonDepth: number;
  /** Requests per caller (token, or address without one) per minute. */
  ratePerMinute: number;
}

// 256 KiB: an application with its applicant is under 4 KiB, refusal grounds with facts under 64 KiB.
export const DEFAULT_LIMITS: HttpApiLimits = { bodyBytes: 256 * 1024, maxJsonDepth: MAX_JSON_DEPTH, ratePerMinute: 1200 };

export interface HttpApiOptions {
  client: CaseClient;
  pool: Pool;
  auth: TokenRegistry;
  codecKeys: CodecKeys;
  department: string;
  limits?: Partial<HttpApiLimits>;
  extraPlugins?: HttpApiPlugin[];
  /** Public base URL written into the OpenAPI document's servers list. */
  publicUrl?: string;
  /** Where unexpected errors are logged (the masked logger of security/; stdout by default). */
  logger?: PinoLogger;
  /** The ratings intake (built from pool and codecKeys by default) and the router to the feedback workflows. */
  ratings?: { intake?: RatingIntake; routeRating?: RatingRoute; criticalThreshold?: number };
}

export async function buildHttpApi(options: HttpApiOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const deps: HttpApiDeps = {
    client: options.client,
    pool: options.pool,
    auth: options.auth,
    audit: createAuditLog(options.pool),
    taskBoard: new TaskBoard(options.pool),
    access: new CaseAccess(options.client, options.pool, options.department),
    department: options.department,
    codecKeys: options.codecKeys,
    ratings: {
      intake: options.ratings?.intake ?? createRatingIntake({ pool: options.pool, keys: options.codecKeys, criticalThreshold: options.ratings?.criticalThreshold }),
      ...(options.ratings?.routeRating ? { routeRating: options.ratings.routeRating } : {}),
    },
  };
  const idempotency = new IdempotencyStore(options.pool, options.codecKeys);
  const routes: RouteSpec[] = apiRoutes(deps);
  const document = buildOpenApiDocument(routes, options.publicUrl);

  // Fastify's own request logging stays off (it would log URLs with application numbers at every request); the
  // unexpected errors the 500 answer refers to go to the masked logger, without request bodies.
  const log = options.logger ?? createLogger({ base: { component: 'http' } });
  const app = Fastify({
    logger: false,
    bodyLimit: limits.bodyBytes,
    // Application numbers are at most 36 characters; nothing legitimate needs a long path.
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    // Only the API's own header; a proxy in front sets the real address if it is trusted.
    trustProxy: false,
  });
  app.decorateRequest('caller', null);

  app.setValidatorCompiler(({ schema, httpPart }) => (data: unknown) => {
    const r = (schema as z.ZodType).safeParse(data ?? (httpPart === 'body' ? undefined : {}));
    return r.success ? { value: r.data } : { error: new RequestValidationError(httpPart ?? 'body', problemsOf(r.error)) };
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: limits.bodyBytes }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string, limits.maxJsonDepth));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const problem = problemOf(err);
    if (problem.status >= 500 && problem.kind === 'internal') {
      const e = err as Partial<Error> & { code?: unknown };
      // Name, message and stack, masked (security/logger.ts); the route pattern rather than the URL; no body.
      log.error(
        { err: { name: e.name, message: maskPersonalData(String(e.message ?? err)), code: e.code, stack: e.stack === undefined ? undefined : maskPersonalData(e.stack) }, method: req.method, route: req.routeOptions?.url },
        'internal error',
      );
    }
    void reply
      .code(problem.status)
      .headers(problem.headers)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problem.toProblem(req.url.split('?')[0], headerKey(req) ?? undefined)));
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(new HttpProblem(404, 'notFound', 'Нет такого адреса (no such route)', `${req.method} — неизвестный путь (unknown path)`).toProblem()));
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  await app.register(rateLimit, {
    global: true,
    max: limits.ratePerMinute,
    timeWindow: 60_000,
    keyGenerator: rateLimitKey(options.auth, (options.extraPlugins ?? []).flatMap((p) => (p.sessionCookie ? [p.sessionCookie] : []))),
    errorResponseBuilder: (_req, ctx) =>
      new HttpProblem(429, 'rateLimited', 'Слишком много запросов (rate limit exceeded)', `не более ${ctx.max} запросов в минуту; повторите через ${ctx.after} (at most ${ctx.max} per minute)`, undefined, {
        'retry-after': String(Math.ceil(ctx.ttl / 1000)),
      }),
  });

  registerSwaggerUi(app);
  app.get('/openapi.json', { config: { rateLimit: false } as never }, async (_req, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(document)));
  app.get('/health', async () => ({ status: 'ok' }));

  for (const spec of routes) registerRoute(app, spec, deps, idempotency);
  for (const extra of options.extraPlugins ?? []) await app.register(extra.plugin, { ...extra.options, api: deps });
  return app;
}

function headerKey(req: FastifyRequest): string | null {
  const v = req.headers['idempotency-key'];
  return typeof v === 'string' && IDEMPOTENCY_KEY_PATTERN.test(v) ? v : null;
}

function registerRoute(app: FastifyInstance, spec: RouteSpec, deps: HttpApiDeps, idempotency: IdempotencyStore): void {
  const auditRefusal = async (req: FastifyRequest, problem: HttpProblem, caller: Caller | null, presentedTokenId: string | null) => {
    await deps.audit.record({
      actorRole: caller?.role ?? 'anonymous',
      actorSubject: caller?.subject ?? null,
      tokenId: caller?.tokenId ?? presentedTokenId,
      operation: spec.operationId,
      method: req.method,
      target: spec.target && req.params ? safeTarget(spec, req.params as Record<string, string>) : null,
      requestId: headerKey(req),
      outcome: 'refused',
      status: problem.status,
      reason: problem.title,
    });
  };

  app.route({
    method: spec.method,
    url: fastifyPath(spec.path),
    ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
    schema: {
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { querystring: spec.query } : {}),
      ...(spec.body ? { body: spec.body } : {}),
    },
    // Before the body is even parsed: an unknown caller learns nothing about validation. Not in onRequest: the
    // rate limit's hook runs there after the route's own, and a refused caller must count against a bucket too
    // (each refusal writes an audit row).
    preParsing: async (req) => {
      let caller: Caller;
      try {
        caller = deps.auth.authenticate(req.headers.authorization);
      } catch (err) {
        const problem = problemOf(err);
        await auditRefusal(req, problem, null, err instanceof AuthenticationProblem ? err.presentedTokenId : null);
        throw problem;
      }
      if (!spec.roles.includes(caller.role)) {
        const problem = new HttpProblem(403, 'forbidden', 'Недостаточно прав (forbidden)', `роль ${caller.role} не может выполнять ${spec.operationId} (role not allowed)`);
        await auditRefusal(req, problem, caller, null);
        throw problem;
      }
      req.caller = caller;
    },
    handler: async (req, reply) => {
      const caller = req.caller!;
      const params = (req.params ?? {}) as Record<string, string>;
      const target = spec.target ? spec.target(params) : null;
      let requestId: string | null = null;
      let scope = '';
      if (spec.write) {
        const key = req.headers['idempotency-key'];
        if (typeof key !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
          const problem = new HttpProblem(400, 'validation', 'Нужен заголовок Idempotency-Key (Idempotency-Key required)', 'каждая запись несёт ключ запроса (every write carries a request id)', [
            { field: 'header.Idempotency-Key', rule: '1–128 символов A-Z a-z 0-9 . _ : - (1-128 of A-Za-z0-9._:-)' },
          ]);
          await auditRefusal(req, problem, caller, null);
          throw problem;
        }
        scope = `${caller.role}:${caller.subject}`;
        requestId = `${scope}:${key}`;
        const state = await idempotency.begin(scope, key, spec.operationId, fingerprint(spec.operationId, JSON.stringify(params), req.body));
        if (state.state === 'mismatch') {
          const problem = new HttpProblem(422, 'idempotencyConflict', 'Idempotency-Key уже использован для другого запроса (key reused with a different request)', `ключ уже выдан для ${state.operation} (key belongs to another request)`, [
            { field: 'header.Idempotency-Key', rule: 'новый ключ для нового запроса (a new key for a new request)' },
          ]);
          await auditRefusal(req, problem, caller, null);
          throw problem;
        }
        if (state.state === 'done') {
          await deps.audit.record({ actorRole: caller.role, actorSubject: caller.subject, tokenId: caller.tokenId, operation: spec.operationId, method: req.method, target, requestId: key, outcome: 'replayed', status: state.status, reason: null });
          const isProblem = state.status >= 400;
          return reply
            .code(state.status)
            .header('idempotent-replayed', 'true')
            .header('content-type', isProblem ? PROBLEM_CONTENT_TYPE : 'application/json; charset=utf-8')
            .send(JSON.stringify(state.body));
        }
      }
      try {
        const result = await spec.handler({ caller, params, query: req.query, body: req.body, requestId, request: req, reply });
        if (spec.write) {
          await idempotency.complete(scope, req.headers['idempotency-key'] as string, result.status, result.body);
          await deps.audit.record({ actorRole: caller.role, actorSubject: caller.subject, tokenId: caller.tokenId, operation: spec.operationId, method: req.method, target, requestId: headerKey(req), outcome: 'done', status: result.status, reason: null });
        }
        const contentType = result.contentType ?? 'application/json; charset=utf-8';
        return reply
          .code(result.status)
          .headers(result.headers ?? {})
          .header('content-type', contentType)
          .send(contentType.startsWith('application/json') ? JSON.stringify(result.body) : result.body);
      } catch (err) {
        const problem = problemOf(err);
        if (spec.write || problem.status === 403) {
          const outcome = problem.status === 403 ? 'refused' : problem.status >= 500 ? 'failed' : 'rejected';
          await deps.audit.record({ actorRole: caller.role, actorSubject: caller.subject, tokenId: caller.tokenId, operation: spec.operationId, method: req.method, target, requestId: headerKey(req), outcome, status: problem.status, reason: problem.title });
          // The case's own refusal is final for this request; anything else may go otherwise on a retry.
          if (spec.write && problem.status === 409) await idempotency.complete(scope, req.headers['idempotency-key'] as string, 409, problem.toProblem(req.url.split('?')[0], headerKey(req) ?? undefined));
        }
        throw problem;
      }
    },
  });
}

function safeTarget(spec: RouteSpec, params: Record<string, string>): string | null {
  try {
    return spec.target!(params)?.slice(0, 200) ?? null;
  } catch {
    return null;
  }
}
