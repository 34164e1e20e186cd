import { z } from 'zod';
import type { FieldProblem } from './validationTypes';

export type { FieldProblem } from './validationTypes';

/** Bad input at a boundary. The message names every field and rule, in Russian then English. */
export class InputValidationError extends Error {
  override readonly name = 'InputValidationError';
  constructor(
    readonly subject: string,
    readonly problems: FieldProblem[],
  ) {
    super(`${subject}: ${problems.map((p) => `${p.field || '(root)'}: ${p.rule}`).join('; ')}`);
  }
}

export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

export function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: fieldPath(issue.path), rule: issue.message }));
}

/** Parses `input` with `schema` or throws InputValidationError naming the fields. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, subject: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InputValidationError(subject, problemsOf(result.error));
  return result.data;
}
