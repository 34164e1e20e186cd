// One route of the API, declared once: its zod schemas drive Fastify's validation and the OpenAPI document,
// its roles drive authorization, and `write` makes it idempotent (Idempotency-Key) and audited.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ApiRole, Caller } from './auth';

export interface RouteResponse {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json. */
  contentType?: string;
}

export interface RouteContext<P = Record<string, string>, Q = Record<string, unknown>, B = unknown> {
  caller: Caller;
  params: P;
  query: Q;
  body: B;
  /** The caller's Idempotency-Key, scoped to the caller: unique per caller, usable as a Temporal update id. */
  requestId: string | null;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteResult {
  status: number;
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RouteSpec {
  method: 'GET' | 'POST';
  /** OpenAPI-style path, e.g. /cases/{applicationNumber}/state. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  roles: readonly ApiRole[];
  write: boolean;
  /** Largest body of this route (bytes), when it differs from the API's default (documents). */
  bodyLimit?: number;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, RouteResponse>;
  /** The target (application number, task id) named in the audit. */
  target?: (params: Record<string, string>) => string;
  handler(ctx: RouteContext<any, any, any>): Promise<RouteResult>;
}

export const fastifyPath = (openApiPath: string): string => openApiPath.replace(/\{(\w+)\}/g, ':$1');
