// Plain types of input validation, shared by the zod boundary (validation.ts) and the workflow's guards
// (guards.ts), which must not load zod.

/** One rejected field: where it is and which rule it broke. Never carries the rejected value (it may be PII). */
export interface FieldProblem {
  field: string;
  rule: string;
}
