// RFC 9457 problem details: every error the HTTP API answers is one of these, naming the field and the rule.
import { z } from 'zod';
import type { FieldProblem } from '../shared';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export const ProblemSchema = z
  .object({
    type: z.string().describe('URI reference of the problem kind'),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), rule: z.string() })).optional().describe('each rejected field and the rule it broke'),
    requestId: z.string().optional(),
  });
export type Problem = z.infer<typeof ProblemSchema>;

/** The problem kinds of this API: their `type` URIs are stable, a client may switch on them. */
export const PROBLEM_TYPES = {
  validation: 'urn:case-lifecycle:problem:validation',
  malformed: 'urn:case-lifecycle:problem:malformed-request',
  unauthenticated: 'urn:case-lifecycle:problem:unauthenticated',
  forbidden: 'urn:case-lifecycle:problem:forbidden',
  notFound: 'urn:case-lifecycle:problem:not-found',
  conflict: 'urn:case-lifecycle:problem:conflict',
  idempotencyConflict: 'urn:case-lifecycle:problem:idempotency-key-reused',
  inProgress: 'urn:case-lifecycle:problem:request-in-progress',
  tooLarge: 'urn:case-lifecycle:problem:payload-too-large',
  unsupportedMediaType: 'urn:case-lifecycle:problem:unsupported-media-type',
  rateLimited: 'urn:case-lifecycle:problem:rate-limited',
  unavailable: 'urn:case-lifecycle:problem:temporarily-unavailable',
  internal: 'urn:case-lifecycle:problem:internal',
} as const;
export type ProblemKind = keyof typeof PROBLEM_TYPES;

/** Thrown anywhere in a route; the error handler turns it into problem+json. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly kind: ProblemKind,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldProblem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'HttpProblem';
  }

  toProblem(instance?: string, requestId?: string): Problem {
    return {
      type: PROBLEM_TYPES[this.kind],
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...(this.errors?.length ? { errors: this.errors } : {}),
      ...(requestId ? { requestId } : {}),
    };
  }
}
