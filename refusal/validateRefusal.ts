/**
 * Validation of a clerk's refusal (ground codes + facts) and of the whole letter input.
 * Every problem is reported at once, each with a path the clerk UI can highlight
 * (`grounds[1].facts.missingDocuments`) and a message in English (logs) and Russian (clerk).
 */
import { z } from 'zod';
import { FACT_ISSUE, type CatalogGround, type CatalogService, type FactValues, type GroundsCatalog } from './groundsCatalog';
import { isIsoDate, isPlainLine, isPlainText, pluralFormRu } from './format';

export type RefusalIssueCode =
  | (typeof FACT_ISSUE)[keyof typeof FACT_ISSUE]
  | 'unknown_field'
  | 'unknown_service'
  | 'no_grounds'
  | 'unknown_ground'
  | 'duplicate_ground'
  | 'invalid';

export interface RefusalIssue {
  /** e.g. `grounds[1].facts.missingDocuments` */
  readonly path: string;
  readonly code: RefusalIssueCode;
  readonly en: string;
  readonly ru: string;
}

/**
 * Thrown for any invalid refusal input. It is a business error: retrying cannot fix it, so the
 * workflow should treat `RefusalValidationError` as non-retryable and return the issues to the clerk.
 */
export class RefusalValidationError extends Error {
  override readonly name = 'RefusalValidationError';
  constructor(readonly issues: readonly RefusalIssue[]) {
    super(
      `Refusal is invalid / Отказ заполнен с ошибками:\n${issues.map((i) => `  ${i.path}: ${i.en} / ${i.ru}`).join('\n')}`,
    );
  }
}

export interface ValidatedGround {
  readonly code: string;
  readonly ground: CatalogGround;
  readonly facts: FactValues;
}
export interface ValidatedRefusal {
  readonly serviceCode: string;
  readonly service: CatalogService;
  readonly grounds: readonly ValidatedGround[];
}

// --- messages --------------------------------------------------------------------------------------

const count = (n: number, one: string, few: string, many: string) => `${n} ${pluralFormRu(n, one, few, many)}`;

function describe(code: RefusalIssueCode, issue: Partial<{ minimum: unknown; maximum: unknown }>): { en: string; ru: string } {
  const min = Number(issue.minimum);
  const max = Number(issue.maximum);
  switch (code) {
    case 'required':
      return { en: 'required', ru: 'обязательное поле' };
    case 'not_string':
      return { en: 'must be a string', ru: 'должно быть строкой' };
    case 'empty':
      return { en: 'must not be empty', ru: 'не заполнено' };
    case 'too_long':
      return { en: `too long (max ${max} characters)`, ru: `слишком длинное значение (не более ${count(max, 'символа', 'символов', 'символов')})` };
    case 'not_plain_text':
      return { en: 'must be plain text (control or reserved characters found)', ru: 'допускается только обычный текст без управляющих символов' };
    case 'not_date':
      return { en: 'must be a calendar date YYYY-MM-DD', ru: 'должно быть датой в формате ГГГГ-ММ-ДД' };
    case 'not_number':
      return { en: 'must be a number', ru: 'должно быть числом' };
    case 'not_integer':
      return { en: 'must be an integer', ru: 'должно быть целым числом' };
    case 'too_small':
      return { en: `must be at least ${min}`, ru: `должно быть не меньше ${min}` };
    case 'too_large':
      return { en: `must be at most ${max}`, ru: `должно быть не больше ${max}` };
    case 'not_list':
      return { en: 'must be a list', ru: 'должно быть списком' };
    case 'list_too_short':
      return { en: `needs at least ${min} item(s)`, ru: `укажите не менее ${count(min, 'значения', 'значений', 'значений')}` };
    case 'list_too_long':
      return { en: `at most ${max} item(s)`, ru: `допускается не более ${count(max, 'значения', 'значений', 'значений')}` };
    case 'not_object':
      return { en: 'must be an object', ru: 'должно быть объектом' };
    case 'unknown_field':
      return { en: 'unknown field', ru: 'неизвестное поле' };
    default:
      return { en: 'invalid value', ru: 'недопустимое значение' };
  }
}

const KNOWN_CODES = new Set<string>(Object.values(FACT_ISSUE));

function formatPath(base: string, p: ReadonlyArray<PropertyKey>): string {
  return p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), base);
}

/** Converts zod issues; `labelOf` gives the Russian label for the first path segment, if known. */
function fromZod(base: string, error: z.ZodError, labelOf: (key: string) => string | undefined): RefusalIssue[] {
  const out: RefusalIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const { en, ru } = describe('unknown_field', {});
        out.push({ path: formatPath(base, [...issue.path, key]), code: 'unknown_field', en, ru });
      }
      continue;
    }
    const code = (KNOWN_CODES.has(issue.message) ? issue.message : 'invalid') as RefusalIssueCode;
    const { en, ru } = describe(code, issue as Partial<{ minimum: unknown; maximum: unknown }>);
    const first = issue.path.find((k) => typeof k === 'string') as string | undefined;
    const label = first !== undefined ? labelOf(first) : undefined;
    out.push({ path: formatPath(base, issue.path), code, en, ru: label ? `«${label}»: ${ru}` : ru });
  }
  return out;
}

function issue(path: string, code: RefusalIssueCode, en: string, ru: string): RefusalIssue {
  return { path, code, en, ru };
}

// --- refusal (grounds + facts) ---------------------------------------------------------------------

/**
 * Checks ground codes and facts against the service's catalog. Throws RefusalValidationError listing
 * every problem: no grounds, unknown ground, duplicate ground, missing/malformed/unknown facts.
 */
export function validateRefusal(catalog: GroundsCatalog, serviceCode: string, refusal: unknown): ValidatedRefusal {
  const result = collectRefusal(catalog, serviceCode, refusal);
  if (result.issues.length) throw new RefusalValidationError(result.issues);
  return result.value as ValidatedRefusal;
}

/** Same checks without throwing (used to merge with other input issues). */
export function collectRefusal(
  catalog: GroundsCatalog,
  serviceCode: string,
  refusal: unknown,
): { value?: ValidatedRefusal; issues: RefusalIssue[] } {
  const issues: RefusalIssue[] = [];
  const service = typeof serviceCode === 'string' ? catalog.services.get(serviceCode) : undefined;
  if (!service) {
    const known = [...catalog.services.keys()].join(', ');
    // Not String(): an object without a usable toString would throw instead of being rejected.
    const shown = typeof serviceCode === 'string' ? serviceCode : typeof serviceCode;
    issues.push(issue('serviceCode', 'unknown_service', `unknown service "${shown}" (known: ${known})`, `услуга «${shown}» не найдена в каталоге оснований отказа`));
    return { issues };
  }
  const grounds = (refusal as { grounds?: unknown } | null | undefined)?.grounds;
  if (grounds === undefined || grounds === null || (Array.isArray(grounds) && grounds.length === 0)) {
    issues.push(issue('grounds', 'no_grounds', 'at least one ground is required', 'необходимо указать хотя бы одно основание отказа'));
    return { issues };
  }
  if (!Array.isArray(grounds)) {
    issues.push(issue('grounds', 'not_list', 'must be a list', 'должно быть списком оснований'));
    return { issues };
  }
  if (grounds.length > service.grounds.size) {
    // Cannot be valid (duplicates would be reported anyway); bounds the work for oversized input.
    issues.push(issue('grounds', 'list_too_long', `at most ${service.grounds.size} grounds for this service`, `для этой услуги предусмотрено не более ${service.grounds.size} оснований`));
    return { issues };
  }

  const validated: ValidatedGround[] = [];
  const seen = new Map<string, number>();
  grounds.forEach((raw: unknown, i: number) => {
    const base = `grounds[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      issues.push(issue(base, 'not_object', 'must be an object {code, facts}', 'должно содержать код основания и факты'));
      return;
    }
    const { code, facts, ...rest } = raw as { code?: unknown; facts?: unknown };
    for (const key of Object.keys(rest)) issues.push(issue(`${base}.${key}`, 'unknown_field', 'unknown field', 'неизвестное поле'));
    if (typeof code !== 'string' || code === '') {
      issues.push(issue(`${base}.code`, 'required', 'ground code is required', 'не указан код основания отказа'));
      return;
    }
    const ground = service.grounds.get(code);
    if (!ground) {
      issues.push(
        issue(`${base}.code`, 'unknown_ground', `unknown ground "${code}" for service "${serviceCode}"`, `основание «${code}» не предусмотрено для услуги «${service.definition.serviceName}»`),
      );
      return;
    }
    const earlier = seen.get(code);
    if (earlier !== undefined) {
      issues.push(issue(`${base}.code`, 'duplicate_ground', `duplicate ground "${code}" (already grounds[${earlier}])`, `основание «${ground.definition.title}» уже указано (grounds[${earlier}])`));
      return;
    }
    seen.set(code, i);
    const parsed = ground.factsSchema.safeParse(facts);
    if (!parsed.success) {
      const labels = new Map(ground.definition.facts.map((f) => [f.name, f.label]));
      issues.push(...fromZod(`${base}.facts`, parsed.error, (k) => labels.get(k)));
      return;
    }
    validated.push({ code, ground, facts: parsed.data });
  });
  return issues.length ? { issues } : { value: { serviceCode, service, grounds: validated }, issues };
}

// --- whole letter input ----------------------------------------------------------------------------

const typeError = (whenPresent: string) => (iss: { input?: unknown }) => (iss.input === undefined ? FACT_ISSUE.required : whenPresent);

const line = (max: number) =>
  z
    .string({ error: typeError(FACT_ISSUE.notString) })
    // Bounded before trimming or any regex (shared/plainText.ts); abort skips the later checks.
    .max(max * 2, { error: FACT_ISSUE.tooLong, abort: true })
    .trim()
    .min(1, { error: FACT_ISSUE.empty })
    .max(max, { error: FACT_ISSUE.tooLong, abort: true })
    .refine(isPlainLine, { error: FACT_ISSUE.notPlainText });

const obj = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape, { error: typeError(FACT_ISSUE.notObject) });

export const LetterEnvelopeSchema = obj({
  serviceCode: z.string({ error: typeError(FACT_ISSUE.notString) }),
  applicationNumber: line(64),
  applicant: obj({
    lastName: line(100),
    firstName: line(100),
    middleName: line(100).optional(),
    /** Helps lvovich with names whose gender it cannot infer (e.g. no patronymic). */
    gender: z.enum(['male', 'female'], { error: () => 'invalid' }).optional(),
    postalAddress: z
      .string({ error: typeError(FACT_ISSUE.notString) })
      .max(1000, { error: FACT_ISSUE.tooLong, abort: true })
      .trim()
      .min(1, { error: FACT_ISSUE.empty })
      .max(500, { error: FACT_ISSUE.tooLong, abort: true })
      .refine(isPlainText, { error: FACT_ISSUE.notPlainText })
      .optional(),
  }),
  decisionDate: z.string({ error: typeError(FACT_ISSUE.notDate) }).refine(isIsoDate, { error: FACT_ISSUE.notDate }),
  clerk: obj({ name: line(200), position: line(300) }),
  grounds: z.unknown(),
});

const ENVELOPE_LABELS: Record<string, string> = {
  serviceCode: 'Код услуги',
  applicationNumber: 'Номер заявления',
  applicant: 'Заявитель',
  decisionDate: 'Дата решения',
  clerk: 'Должностное лицо',
};
const NESTED_LABELS: Record<string, string> = {
  'applicant.lastName': 'Фамилия заявителя',
  'applicant.firstName': 'Имя заявителя',
  'applicant.middleName': 'Отчество заявителя',
  'applicant.gender': 'Пол заявителя',
  'applicant.postalAddress': 'Почтовый адрес заявителя',
  'clerk.name': 'ФИО должностного лица',
  'clerk.position': 'Должность',
};

export type LetterEnvelope = z.infer<typeof LetterEnvelopeSchema>;

export function collectEnvelope(input: unknown): { value?: LetterEnvelope; issues: RefusalIssue[] } {
  const parsed = LetterEnvelopeSchema.safeParse(input);
  if (parsed.success) return { value: parsed.data, issues: [] };
  const issues = fromZod('', parsed.error, () => undefined).map((i) => {
    const label = NESTED_LABELS[i.path] ?? ENVELOPE_LABELS[i.path];
    return label ? { ...i, ru: `«${label}»: ${i.ru}` } : i;
  });
  return { issues };
}
