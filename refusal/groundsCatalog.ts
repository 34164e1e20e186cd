/**
 * Refusal grounds catalog: per-service JSON configuration (refusal/catalog/<serviceCode>.json) that
 * departments edit. Validated with zod at load; fact descriptions are declarative JSON and are turned
 * into zod schemas here, so a department can change facts without touching code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { isIsoDate, isPlainLine, isPlainText } from './format';

/** Upper bound for any clerk-supplied fact string (a letter paragraph, not a document). */
export const MAX_FACT_LENGTH = 2000;
export const MAX_LIST_ITEMS = 50;

/** Names a fact may not take: they would be shadowed by template helpers or Handlebars keywords. */
export const RESERVED_TEMPLATE_NAMES: ReadonlySet<string> = new Set([
  'if', 'unless', 'each', 'with', 'lookup', 'log', 'this', 'else',
  'letterhead', 'recipient', 'dateLine', 'docTitle', 'docSubtitle', 'heading', 'para', 'item', 'signature',
  'bold', 'br', 'capitalize', 'formatDate', 'formatNumber', 'plural', 'pluralForm', 'add', 'addMonths', 'addYears', 'join',
]);

const catalogText = z.string().trim().min(1).max(4000).refine(isPlainText, 'must be plain text');
const catalogLine = z.string().trim().min(1).max(500).refine(isPlainLine, 'must be a single line of plain text');
const normNumber = z.string().regex(/^\d+(\.\d+)*$/, 'must look like 51 or 2.9.3');

export const LegalReferenceSchema = z.strictObject({
  /** Key into the service's `acts` dictionary. */
  act: z.string().min(1),
  article: normNumber.optional(),
  part: normNumber.optional(),
  point: normNumber.optional(),
});
export type LegalReference = z.infer<typeof LegalReferenceSchema>;

export const FACT_KINDS = ['text', 'textList', 'date', 'number'] as const;
export type FactKind = (typeof FACT_KINDS)[number];

export const FactSpecSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][A-Za-z0-9]{0,63}$/, 'must be a camelCase identifier'),
    kind: z.enum(FACT_KINDS),
    /** Russian label shown to the clerk and used in validation messages. */
    label: catalogLine,
    required: z.boolean(),
    /** text / textList items; defaults to MAX_FACT_LENGTH and cannot exceed it. */
    maxLength: z.number().int().min(1).max(MAX_FACT_LENGTH).optional(),
    /** textList only; defaults to 1. */
    minItems: z.number().int().min(1).max(MAX_LIST_ITEMS).optional(),
    /** textList only; defaults to MAX_LIST_ITEMS. */
    maxItems: z.number().int().min(1).max(MAX_LIST_ITEMS).optional(),
    /** number only. */
    integer: z.boolean().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .superRefine((f, ctx) => {
    if (RESERVED_TEMPLATE_NAMES.has(f.name)) ctx.addIssue({ code: 'custom', path: ['name'], message: `"${f.name}" is reserved` });
    const onlyFor = (key: keyof typeof f, kinds: FactKind[]) => {
      if (f[key] !== undefined && !kinds.includes(f.kind)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `only allowed for kind ${kinds.join('/')}` });
      }
    };
    onlyFor('maxLength', ['text', 'textList']);
    onlyFor('minItems', ['textList']);
    onlyFor('maxItems', ['textList']);
    onlyFor('integer', ['number']);
    onlyFor('min', ['number']);
    onlyFor('max', ['number']);
  });
export type FactSpec = z.infer<typeof FactSpecSchema>;

export const GroundSchema = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'must be kebab-case'),
  /** Point of the administrative regulation, numbers only («2.9.3»); rendered as «пункт 2.9.3 …». */
  regulationPoint: normNumber,
  legalBasis: z
    .union([LegalReferenceSchema, z.array(LegalReferenceSchema).min(1)])
    .transform((v): LegalReference[] => (Array.isArray(v) ? v : [v])),
  /** Short Russian name of the ground (heading of its section in the letter). */
  title: catalogLine,
  facts: z.array(FactSpecSchema).max(20),
  /** Handlebars text (inline, may use the ground's facts): what the applicant should do. */
  remedy: catalogText,
  mayReapplyImmediately: z.boolean(),
});
export type GroundDefinition = z.infer<typeof GroundSchema>;

export const ServiceCatalogSchema = z
  .strictObject({
    serviceCode: z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/),
    serviceName: catalogLine,
    serviceKind: z.enum(['state', 'municipal']),
    /** Genitive of what the applicant filed, after «рассмотрения Вашего …»: «заявления», «запроса». */
    applicationGenitive: z.string().regex(/^[а-яё]+( [а-яё]+)*$/u, 'lowercase Russian words'),
    /** Free-form note for editors (e.g. where the texts were taken from); not rendered. */
    note: z.string().optional(),
    regulation: z.strictObject({
      /** Instrumental case, follows «утверждённым …»: «постановлением администрации … от … № …». */
      approvedBy: catalogLine,
    }),
    authority: z.strictObject({
      name: catalogLine,
      address: catalogLine,
      /** Nominative: «Глава городского округа …». */
      headTitle: catalogLine,
      /** Dative, follows «подав жалобу …»: «главе городского округа …». */
      headTitleDative: catalogLine,
    }),
    /** Legal acts cited by the grounds, keyed by a short id; `genitive` follows «статьи 51 …». */
    acts: z.record(z.string().regex(/^[a-z0-9-]+$/), z.strictObject({ genitive: catalogLine })),
    appeal: z.strictObject({
      /** Dative; a higher authority that also accepts complaints, if any. */
      higherAuthorityDative: catalogLine.optional(),
      /** Ways to file a complaint, one list item each (ЕПГУ, МФЦ, post, in person…), no final punctuation. */
      channels: z.array(catalogLine).min(1),
      /** 210-ФЗ ст. 11.2 ч. 6: 15 working days unless a special law sets otherwise. */
      reviewWorkingDays: z.number().int().min(1).max(30),
      /** КАС РФ ст. 219 ч. 1: three months. */
      courtMonths: z.number().int().min(1).max(12),
    }),
    grounds: z.array(GroundSchema).min(1),
  })
  .superRefine((svc, ctx) => {
    if (!('regulation' in svc.acts)) {
      // Every ground cites its point of the administrative regulation through this entry.
      ctx.addIssue({ code: 'custom', path: ['acts'], message: 'the "regulation" act (administrative regulation) is required' });
    }
    const codes = new Set<string>();
    svc.grounds.forEach((g, i) => {
      if (codes.has(g.code)) ctx.addIssue({ code: 'custom', path: ['grounds', i, 'code'], message: `duplicate ground code "${g.code}"` });
      codes.add(g.code);
      const names = new Set<string>();
      g.facts.forEach((f, j) => {
        if (names.has(f.name)) ctx.addIssue({ code: 'custom', path: ['grounds', i, 'facts', j, 'name'], message: `duplicate fact "${f.name}"` });
        names.add(f.name);
      });
      g.legalBasis.forEach((ref, j) => {
        if (!(ref.act in svc.acts)) {
          ctx.addIssue({ code: 'custom', path: ['grounds', i, 'legalBasis', j, 'act'], message: `unknown act "${ref.act}"` });
        }
      });
    });
  });
export type ServiceCatalog = z.infer<typeof ServiceCatalogSchema>;

/** A loaded service with derived, ready-to-use data. */
export interface CatalogService {
  readonly definition: ServiceCatalog;
  readonly grounds: ReadonlyMap<string, CatalogGround>;
}
export interface CatalogGround {
  readonly definition: GroundDefinition;
  /** zod schema of this ground's facts, built from `definition.facts`. */
  readonly factsSchema: z.ZodType<FactValues>;
  /**
   * The ground's norms, regulation point first, one string per run of references to the same act:
   * [«пункт 2.9.2 Административного регламента», «часть 13 статьи 51, пункт 2 части 7 статьи 51 Градостроительного кодекса …»].
   */
  readonly norms: readonly string[];
}
export type FactValue = string | string[] | number;
export type FactValues = Record<string, FactValue>;

export interface GroundsCatalog {
  readonly services: ReadonlyMap<string, CatalogService>;
  /** Absolute paths of the JSON files the catalog was loaded from (feeds templateVersion). */
  readonly sourceFiles: readonly string[];
}

export class RefusalConfigError extends Error {
  override readonly name = 'RefusalConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Refusal letter configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

// --- legal references ----------------------------------------------------------------------------

/**
 * Renders one reference with the first component in the nominative and the rest in the genitive:
 * {act:grk, article:51, part:13, point:2} → «пункт 2 части 13 статьи 51 Градостроительного кодекса …».
 */
export function formatLegalReference(ref: LegalReference, acts: ServiceCatalog['acts']): string {
  return formatLegalReferences([ref], acts)[0];
}

/**
 * Renders references, naming each act once for a run of references to the same act, as Russian legal
 * writing does: «часть 13 статьи 51, часть 7 статьи 51 Градостроительного кодекса Российской Федерации».
 */
export function formatLegalReferences(refs: readonly LegalReference[], acts: ServiceCatalog['acts']): string[] {
  const out: string[] = [];
  let run: string[] = [];
  let runAct: string | undefined;
  const flush = () => {
    if (runAct === undefined) return;
    const act = acts[runAct];
    if (!act) throw new RefusalConfigError([`unknown act "${runAct}"`]);
    out.push(run.length ? `${run.join(', ')} ${act.genitive}` : act.genitive);
    run = [];
  };
  const seen = new Set<string>();
  for (const ref of refs) {
    const id = JSON.stringify([ref.act, ref.article, ref.part, ref.point]);
    if (seen.has(id)) continue;
    seen.add(id);
    if (ref.act !== runAct) {
      flush();
      runAct = ref.act;
    }
    const units: Array<[string, string, string | undefined]> = [
      ['пункт', 'пункта', ref.point],
      ['часть', 'части', ref.part],
      ['статья', 'статьи', ref.article],
    ];
    const words: string[] = [];
    for (const [nominative, genitive, value] of units) {
      if (value !== undefined) words.push(`${words.length === 0 ? nominative : genitive} ${value}`);
    }
    if (words.length) run.push(words.join(' '));
  }
  flush();
  return out;
}

// --- facts → zod ---------------------------------------------------------------------------------

/**
 * Issue messages are stable codes; validateRefusal.ts turns them into Russian + English text using the
 * fact's label and limits, so the messages stay consistent for every department's catalog.
 */
export const FACT_ISSUE = {
  required: 'required',
  notString: 'not_string',
  empty: 'empty',
  tooLong: 'too_long',
  notPlainText: 'not_plain_text',
  notDate: 'not_date',
  notNumber: 'not_number',
  notInteger: 'not_integer',
  tooSmall: 'too_small',
  tooLarge: 'too_large',
  notList: 'not_list',
  listTooShort: 'list_too_short',
  listTooLong: 'list_too_long',
  notObject: 'not_object',
} as const;

const typeError = (whenPresent: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? FACT_ISSUE.required : whenPresent;

function textSchema(maxLength: number): z.ZodType<string> {
  return z
    .string({ error: typeError(FACT_ISSUE.notString) })
    // Bounded before trimming or any regex (shared/plainText.ts); abort skips the later checks.
    .max(maxLength * 2, { error: FACT_ISSUE.tooLong, abort: true })
    .trim()
    .min(1, { error: FACT_ISSUE.empty })
    .max(maxLength, { error: FACT_ISSUE.tooLong, abort: true })
    .refine(isPlainText, { error: FACT_ISSUE.notPlainText });
}

export function buildFactSchema(spec: FactSpec): z.ZodType<FactValue> {
  let schema: z.ZodType<FactValue>;
  switch (spec.kind) {
    case 'text':
      schema = textSchema(spec.maxLength ?? MAX_FACT_LENGTH);
      break;
    case 'textList':
      schema = z
        .array(
          // Templates punctuate list items themselves («…;» / «….»); a clerk's own trailing mark would double it.
          textSchema(spec.maxLength ?? MAX_FACT_LENGTH)
            .transform((s) => s.replace(/[.;,]+$/u, '').trimEnd())
            .pipe(z.string().min(1, { error: FACT_ISSUE.empty })),
          { error: typeError(FACT_ISSUE.notList) },
        )
        .min(spec.minItems ?? 1, { error: FACT_ISSUE.listTooShort })
        .max(spec.maxItems ?? MAX_LIST_ITEMS, { error: FACT_ISSUE.listTooLong });
      break;
    case 'date':
      schema = z.string({ error: typeError(FACT_ISSUE.notDate) }).refine(isIsoDate, { error: FACT_ISSUE.notDate });
      break;
    case 'number': {
      let n = z.number({ error: typeError(FACT_ISSUE.notNumber) });
      if (spec.integer) n = n.int({ error: FACT_ISSUE.notInteger });
      if (spec.min !== undefined) n = n.min(spec.min, { error: FACT_ISSUE.tooSmall });
      if (spec.max !== undefined) n = n.max(spec.max, { error: FACT_ISSUE.tooLarge });
      schema = n;
      break;
    }
  }
  return spec.required ? schema : schema.optional() as z.ZodType<FactValue>;
}

export function buildFactsSchema(specs: readonly FactSpec[]): z.ZodType<FactValues> {
  const shape: Record<string, z.ZodType<FactValue>> = {};
  for (const spec of specs) shape[spec.name] = buildFactSchema(spec);
  // Strict: a misspelt fact name from the clerk UI must fail loudly, not vanish from the letter.
  return z.strictObject(shape, { error: typeError(FACT_ISSUE.notObject) }) as unknown as z.ZodType<FactValues>;
}

// --- loading -------------------------------------------------------------------------------------

function formatZodPath(p: ReadonlyArray<PropertyKey>): string {
  return p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

export function parseServiceCatalog(json: unknown, source: string): CatalogService {
  const parsed = ServiceCatalogSchema.safeParse(json);
  if (!parsed.success) {
    throw new RefusalConfigError(parsed.error.issues.map((i) => `${source}: ${formatZodPath(i.path) || '(root)'}: ${i.message}`));
  }
  const definition = parsed.data;
  const grounds = new Map<string, CatalogGround>();
  for (const g of definition.grounds) {
    grounds.set(g.code, {
      definition: g,
      factsSchema: buildFactsSchema(g.facts),
      norms: formatLegalReferences([{ act: 'regulation', point: g.regulationPoint }, ...g.legalBasis], definition.acts),
    });
  }
  return { definition, grounds };
}

export const DEFAULT_CATALOG_DIR = path.join(__dirname, 'catalog');

/** Loads every `<serviceCode>.json` in `dir`; the file name must equal the serviceCode inside. */
export function loadGroundsCatalog(dir: string = DEFAULT_CATALOG_DIR): GroundsCatalog {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new RefusalConfigError([`${dir}: no service catalogs (*.json)`]);
  const services = new Map<string, CatalogService>();
  const problems: string[] = [];
  for (const file of files) {
    const full = path.join(dir, file);
    try {
      const service = parseServiceCatalog(JSON.parse(fs.readFileSync(full, 'utf8')), file);
      const expected = file.slice(0, -'.json'.length);
      if (service.definition.serviceCode !== expected) {
        problems.push(`${file}: serviceCode "${service.definition.serviceCode}" does not match the file name`);
      }
      services.set(service.definition.serviceCode, service);
    } catch (e) {
      if (e instanceof RefusalConfigError) problems.push(...e.problems);
      else problems.push(`${file}: ${(e as Error).message}`);
    }
  }
  if (problems.length) throw new RefusalConfigError(problems);
  return { services, sourceFiles: files.map((f) => path.join(dir, f)) };
}

export function getService(catalog: GroundsCatalog, serviceCode: string): CatalogService | undefined {
  return catalog.services.get(serviceCode);
}

export function getGround(catalog: GroundsCatalog, serviceCode: string, groundCode: string): CatalogGround | undefined {
  return getService(catalog, serviceCode)?.grounds.get(groundCode);
}
