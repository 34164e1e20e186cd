// Small hand-written validators for the workflow sandbox, where zod is not loaded: it made up 6.6 % of the
// worker's CPU (re-evaluated for every new workflow) and ~0.5 MiB of every cached case. They behave like the
// zod schemas they stand for (shared/clerkActions.ts builds those from the same limits and messages, and
// tests/hostile/guards.test.ts checks both agree on hostile input): same verdict, same normalised output
// (strings trimmed, unknown keys dropped), problems that name the field and the rule.
import type { FieldProblem } from './validationTypes';
import { checkBoundedString, checkPlainString } from './plainTextRules';

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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A free-text argument: its name in messages, its bound and, for text users see, the plain-text policy. */
export interface StringRule {
  field: string;
  max: number;
  /** shared/plainText.ts policy: one line or multi-line text (trimmed, NFC); absent: bounded only, untouched. */
  plain?: 'line' | 'text';
  /** Minimum length after trimming (plain only); 1 by default. */
  min?: number;
  /** A format checked after the bound (bounded strings only). */
  pattern?: { regex: RegExp; message: string };
}

export function str(rule: StringRule): Guard<string> {
  return (value, path, problems) => {
    const r = rule.plain
      ? checkPlainString(value, rule.field, rule.max, { min: rule.min, multiline: rule.plain === 'text' })
      : checkBoundedString(value, rule.field, rule.max);
    if (!r.ok) {
      problem(problems, path, r.rule);
      return undefined as never;
    }
    if (rule.pattern && !rule.pattern.regex.test(r.value)) problem(problems, path, rule.pattern.message);
    return r.value;
  };
}

/** The facts of a refusal ground: named values the grounds catalog checks; here only their names and sizes. */
export interface FactsRule {
  name: StringRule;
  maxFacts: readonly [number, string];
  /** characters per value and per list item */
  valueMax: readonly [number, string];
  listMax: readonly [number, string];
  /** a value that is neither string, number, boolean nor list of strings */
  type: string;
}

export function facts(rule: FactsRule): Guard<Record<string, unknown>> {
  const name = str(rule.name);
  return (value, path, problems) => {
    if (!isObject(value)) {
      problem(problems, path, EXPECTED.object);
      return undefined as never;
    }
    const before = problems.length;
    for (const key of Object.keys(value)) {
      const at = join(path, key);
      name(key, at, problems);
      const v = value[key];
      if (typeof v === 'string') {
        if (v.length > rule.valueMax[0]) problem(problems, at, rule.valueMax[1]);
      } else if (Array.isArray(v)) {
        if (v.length > rule.listMax[0]) problem(problems, at, rule.listMax[1]);
        else v.forEach((item, i) => {
          if (typeof item !== 'string') problem(problems, join(at, i), rule.type);
          else if (item.length > rule.valueMax[0]) problem(problems, join(at, i), rule.valueMax[1]);
        });
      } else if (v !== undefined && typeof v !== 'number' && typeof v !== 'boolean') {
        problem(problems, at, rule.type);
      }
    }
    if (problems.length === before && Object.keys(value).length > rule.maxFacts[0]) problem(problems, path, rule.maxFacts[1]);
    return value;
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

/** A value that may be left out: the default is used then (zod's `.default(...)`). */
export function withDefault<T>(g: Guard<T>, fallback: T): Guard<T> {
  return (value, path, problems) => (value === undefined ? fallback : g(value, path, problems));
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
