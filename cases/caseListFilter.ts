// What a case list may ask for, as zod schemas: one set of field rules for callers in code (typed values) and for
// callers with strings (the HTTP query string, the operator's flags), so both are refused alike, naming the field.
// Every string is bounded before any split, regex or date parse runs.
import { z } from 'zod';
import { boundedString, isoInstantSchema, isTerminal, plainString, STAGES, type Stage } from '../shared';

/** Orders of the list: the most urgent first (open cases), or by receipt (oldest or newest first). */
export const CASE_LIST_ORDERS = ['deadline', 'received', 'receivedDesc'] as const;
export type CaseListOrder = (typeof CASE_LIST_ORDERS)[number];

/** Rows per page: 50 unless asked; 500 at most, the inbox's own page bound (inbox/queries.ts PAGE_ROWS). */
export const CASE_LIST_DEFAULT_LIMIT = 50;
export const CASE_LIST_MAX_LIMIT = 500;
/** An opaque cursor is a few dozen characters; anything much longer was not made by us. */
export const CASE_LIST_CURSOR_MAX = 512;

const stageName = z.enum(STAGES, { message: `stage: одна из стадий ${STAGES.join(', ')} (one of the stages)` });
const stageList = z
  .array(stageName)
  .min(1, 'stage: хотя бы одна стадия (at least one stage)')
  .max(STAGES.length, `stage: не более ${STAGES.length} стадий (at most ${STAGES.length})`);
const stageListMessage = `stage: одна из стадий ${STAGES.join(', ')} или их список (one stage or a list of stages)`;
const flag = (field: string) => z.boolean({ message: `${field}: true или false (true or false)` });
// ISO 8601 allows year 0000; PostgreSQL's timestamptz input does not (a database error, not a field error).
const instant = (field: string) =>
  boundedString(field, 40)
    .pipe(isoInstantSchema)
    .refine((s) => !s.startsWith('0000'), `${field}: год от 0001 до 9999 (year 0001 to 9999)`);
const limit = z
  .number({ message: 'limit: ожидается число (number expected)' })
  .int('limit: целое число (integer)')
  .min(1, `limit: от 1 до ${CASE_LIST_MAX_LIMIT} (1 to ${CASE_LIST_MAX_LIMIT})`)
  .max(CASE_LIST_MAX_LIMIT, `limit: от 1 до ${CASE_LIST_MAX_LIMIT} (1 to ${CASE_LIST_MAX_LIMIT})`);
const cursor = boundedString('cursor', CASE_LIST_CURSOR_MAX).regex(/^[A-Za-z0-9_-]+$/, 'cursor: значение nextCursor из предыдущей страницы (nextCursor of the previous page)');
const order = z.enum(CASE_LIST_ORDERS, { message: `order: одно из ${CASE_LIST_ORDERS.join(', ')} (one of)` });
const unknownKeys = (what: string) => ({
  error: (issue: { code?: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys' ? `неизвестные ${what}: ${(issue.keys ?? []).join(', ')} (unknown ${what === 'параметры' ? 'parameters' : 'fields'})` : undefined,
});

/** The rules between fields, shared by both forms. */
function crossFieldRules(f: { clerk?: string; unassigned?: boolean; receivedFrom?: string; receivedTo?: string }, ctx: z.RefinementCtx): void {
  if (f.clerk !== undefined && f.unassigned === true) {
    ctx.addIssue({ code: 'custom', path: ['unassigned'], message: 'unassigned: нельзя вместе с clerk (not together with clerk)' });
  }
  if (f.receivedFrom !== undefined && f.receivedTo !== undefined && Date.parse(f.receivedFrom) >= Date.parse(f.receivedTo)) {
    ctx.addIssue({ code: 'custom', path: ['receivedTo'], message: 'receivedTo: позже receivedFrom (after receivedFrom)' });
  }
}

const filterFields = {
  /** One stage or several (any of them). */
  stage: z.union([stageName, stageList], { message: stageListMessage }).optional(),
  serviceCode: plainString('serviceCode', 64).optional(),
  /** The assigned clerk. */
  clerk: plainString('clerk', 100).optional(),
  /** true: no clerk assigned; false: some clerk assigned. */
  unassigned: flag('unassigned').optional(),
  /** true: open (not completed); false: completed; 'any': both. Default: true, or 'any' when a final stage is named. */
  open: z.union([flag('open'), z.literal('any')], { message: 'open: true, false или any (true, false or any)' }).optional(),
  /** true: flagged by the breach rung or past the deadline (before completion, for closed cases). */
  overdue: flag('overdue').optional(),
  /** Deadline before this instant (exclusive). */
  dueBefore: instant('dueBefore').optional(),
  /** Received at or after this instant. */
  receivedFrom: instant('receivedFrom').optional(),
  /** Received before this instant (exclusive). */
  receivedTo: instant('receivedTo').optional(),
};

export const CaseListFilterSchema = z
  .object(
    {
      ...filterFields,
      /** "Now" for overdue; default the current time. Tests and reports pass a fixed instant. */
      now: z.date().refine((d) => Number.isFinite(d.getTime()), 'now: некорректная дата (invalid date)').optional(),
    },
    unknownKeys('поля'),
  )
  .strict()
  .superRefine(crossFieldRules);
export type CaseListFilter = z.input<typeof CaseListFilterSchema>;

export const CaseListPageSchema = z
  .object({ limit: limit.optional(), cursor: cursor.optional(), order: order.optional() }, unknownKeys('поля'))
  .strict();
export type CaseListPage = z.input<typeof CaseListPageSchema>;

// The string forms: what a query string or a command line carries, turned into the typed values above.
const text = (field: string, max: number) => boundedString(field, max);
const boolText = (field: string) => z.enum(['true', 'false'], { message: `${field}: true или false (true or false)` }).transform((s) => s === 'true');
// 'underReview,registered' or a repeated parameter (stage=a&stage=b); each name bounded before the split.
const stageText = z
  .union([text('stage', 200), z.array(text('stage', 40)).max(STAGES.length, `stage: не более ${STAGES.length} стадий (at most ${STAGES.length})`)], {
    message: `stage: стадии через запятую, не длиннее 200 символов (comma-separated stages, at most 200 characters)`,
  })
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()))
  .pipe(stageList);

export const CaseListQuerySchema = z
  .object(
    {
      stage: stageText.optional().describe(`стадия или несколько через запятую (one stage or several, comma-separated): ${STAGES.join(', ')}`),
      serviceCode: filterFields.serviceCode,
      clerk: filterFields.clerk,
      unassigned: boolText('unassigned').optional().describe('true — без исполнителя, false — с исполнителем (no clerk / some clerk)'),
      open: z
        .enum(['true', 'false', 'any'], { message: 'open: true, false или any (true, false or any)' })
        .transform((s) => (s === 'any' ? ('any' as const) : s === 'true'))
        .optional()
        .describe('true — открытые (по умолчанию), false — завершённые, any — все; если названа окончательная стадия, по умолчанию any (open, completed or any; any by default when a final stage is named)'),
      overdue: boolText('overdue').optional().describe('true — отмечено просроченным или срок прошёл (flagged or past the deadline)'),
      dueBefore: filterFields.dueBefore.describe('срок раньше этого момента, ISO 8601 с часовым поясом (deadline before, exclusive)'),
      receivedFrom: filterFields.receivedFrom.describe('поступило не раньше, ISO 8601 с часовым поясом (received at or after)'),
      receivedTo: filterFields.receivedTo.describe('поступило раньше, ISO 8601 с часовым поясом (received before, exclusive)'),
      limit: text('limit', 4)
        .regex(/^\d+$/, `limit: целое число от 1 до ${CASE_LIST_MAX_LIMIT} (integer 1 to ${CASE_LIST_MAX_LIMIT})`)
        .transform(Number)
        .pipe(limit)
        .optional()
        .describe(`строк на странице, 1–${CASE_LIST_MAX_LIMIT}, по умолчанию ${CASE_LIST_DEFAULT_LIMIT} (rows per page)`),
      cursor: cursor.optional().describe('nextCursor предыдущей страницы (nextCursor of the previous page)'),
      order: order.optional().describe('deadline — ближайший срок первым (по умолчанию), received — по поступлению, receivedDesc — новые первыми'),
    },
    unknownKeys('параметры'),
  )
  .strict()
  .superRefine(crossFieldRules);
export type CaseListQuery = z.output<typeof CaseListQuerySchema>;

/** Splits a parsed query into the filter and the page. */
export function caseListRequestOf(q: CaseListQuery): { filter: CaseListFilter; page: CaseListPage } {
  const { limit: l, cursor: c, order: o, ...filter } = q;
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return { filter: defined(filter), page: defined({ limit: l, cursor: c, order: o }) };
}

/** Whether the list is of open cases, completed ones or both, with the default applied. */
export function openStateOf(open: boolean | 'any' | undefined, stages: readonly Stage[] | undefined): boolean | 'any' {
  if (open !== undefined) return open;
  // A final stage named names completed cases: `stage=refused` lists refusals, not nothing. Open stages stay
  // "open" (the same rows, and the partial indexes of open cases serve them).
  return stages?.some(isTerminal) ? 'any' : true;
}
