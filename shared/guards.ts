// Small hand-written validators for the workflow sandbox, where zod is not loaded: it made up 6.6 % of the
// worker's CPU (re-evaluated for every new workflow) and ~0.5 MiB of every cached case. They behave like the
// zod schemas they stand for (shared/clerkActions.ts builds those from the same limits and messages, and
// tests/hostile/guards.test.ts checks both agree on hostile input): same verdict, same normalised output
// (strings trimmed, unknown keys dropped), problems that name the field and the rule.
import type { FieldProblem } from './validationTypes';

export type Guard<T> = (value: unknown, path: string, problems: FieldProblem[]) => T;

/** Messages for the default rules (zod's own wording is not used in the sandbox). */
const EXPECTED = {
  string: 'ожидается текст (expected string)',
  number: 'ожидается число (expected number)',
  integer: 'ожидается целое число (expected integer)',
  array: 'ожидается список (expected array)',
  object: 'ожидается объект (expected object)',
};
const tooShort = (n: number) => `не менее ${n} (at least ${n})`;
const tooLong = (n: number) => `не более ${n} (at most ${n})`;

const join = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);
const problem = (problems: FieldProblem[], field: string, rule: string) => void problems.push({ field, rule });

export interface StringRule {
  /** Message when the value is not a string. */
  required?: string;
  trim?: boolean;
  min?: readonly [number, string?];
  max?: readonly [number, string?];
}

export function str(rule: StringRule): Guard<string> {
  return (value, path, problems) => {
    if (typeof value !== 'string') {
      problem(problems, path, rule.required ?? EXPECTED.string);
      return undefined as never;
    }
    const v = rule.trim ? value.trim() : value;
    if (rule.min && v.length < rule.min[0]) problem(problems, path, rule.min[1] ?? tooShort(rule.min[0]));
    if (rule.max && v.length > rule.max[0]) problem(problems, path, rule.max[1] ?? tooLong(rule.max[0]));
    return v;
  };
}

export function oneOf<const V extends readonly string[]>(values: V, message: string): Guard<V[number]> {
  return (value, path, problems) => {
    if (typeof value !== 'string' || !values.includes(value)) problem(problems, path, message);
    return value as V[number];
  };
}

export function int(rule: { min?: readonly [number, string?]; max?: readonly [number, string?] }): Guard<number> {
  return (value, path, problems) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problem(problems, path, EXPECTED.number);
      return undefined as never;
    }
    if (!Number.isSafeInteger(value)) problem(problems, path, EXPECTED.integer);
    if (rule.min && value < rule.min[0]) problem(problems, path, rule.min[1] ?? tooShort(rule.min[0]));
    if (rule.max && value > rule.max[0]) problem(problems, path, rule.max[1] ?? tooLong(rule.max[0]));
    return value;
  };
}

export function arrayOf<T>(item: Guard<T>, rule: { type?: string; min?: readonly [number, string?]; max?: readonly [number, string?] }): Guard<T[]> {
  return (value, path, problems) => {
    if (!Array.isArray(value)) {
      problem(problems, path, rule.type ?? EXPECTED.array);
      return undefined as never;
    }
    // Length first, as zod does: a list of the wrong length is not looked into.
    if (rule.min && value.length < rule.min[0]) problem(problems, path, rule.min[1] ?? tooShort(rule.min[0]));
    else if (rule.max && value.length > rule.max[0]) problem(problems, path, rule.max[1] ?? tooLong(rule.max[0]));
    else return value.map((v, i) => item(v, join(path, i), problems));
    return undefined as never;
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Any object with string keys (the facts of a refusal ground: the grounds catalog checks them). */
export const anyRecord: Guard<Record<string, unknown>> = (value, path, problems) => {
  if (!isObject(value)) {
    problem(problems, path, EXPECTED.object);
    return undefined as never;
  }
  return value;
};

export function optional<T>(g: Guard<T>): Guard<T | undefined> {
  return (value, path, problems) => (value === undefined ? undefined : g(value, path, problems));
}

type Shape = Record<string, Guard<unknown>>;
export type Infer<S extends Shape> = {
  [K in keyof S as undefined extends ReturnType<S[K]> ? never : K]: ReturnType<S[K]>;
} & {
  [K in keyof S as undefined extends ReturnType<S[K]> ? K : never]?: ReturnType<S[K]>;
};

/** An object with the given fields; other keys are dropped. `refine` runs only when every field passed. */
export function object<S extends Shape>(shape: S, refine?: (v: Infer<S>, add: (field: string, rule: string) => void) => void): Guard<Infer<S>> {
  return (value, path, problems) => {
    if (!isObject(value)) {
      problem(problems, path, EXPECTED.object);
      return undefined as never;
    }
    const before = problems.length;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) {
      const v = shape[key]!(value[key], join(path, key), problems);
      if (v !== undefined) out[key] = v;
    }
    if (refine && problems.length === before) refine(out as Infer<S>, (field, rule) => problem(problems, join(path, field), rule));
    return out as Infer<S>;
  };
}

/** Runs a guard at the top level: the normalised value, or the problems found. */
export function check<T>(guard: Guard<T>, value: unknown): { ok: true; value: T } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const out = guard(value, '', problems);
  return problems.length ? { ok: false, problems } : { ok: true, value: out };
}
