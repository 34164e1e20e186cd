/**
 * Loads, checks and compiles the refusal templates once (at worker start-up).
 *
 * Checks, all before the first letter: every catalog ground has its partial file and vice versa; every
 * template parses; every helper and partial it uses exists; every variable it uses is declared in the
 * schema of its data (layout context or the ground's facts), with optional values guarded by {{#if}};
 * and every template renders to well-formed document markup with synthetic data.
 * Compilation: isolated Handlebars environment, `strict`, `knownHelpersOnly`, prototype access left
 * at its secure default (no allowProto* options anywhere).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import {
  RefusalConfigError,
  RESERVED_TEMPLATE_NAMES,
  type CatalogService,
  type FactSpec,
  type FactValues,
  type GroundsCatalog,
} from './groundsCatalog';
import { markup, parseMarkup, type BlockType } from './documentModel';
import { addMonthsIso, addYearsIso, formatDateRu, formatNumberRu, isIsoDate, pluralFormRu, pluralRu } from './format';
import { checkTemplate, fieldNames, parseTemplate, shape, type HelperSignature, type Shape } from './templateCheck';

// --- layout context --------------------------------------------------------------------------------

export interface LayoutGround {
  number: number;
  code: string;
  title: string;
  /** «пункт 2.9.1 Административного регламента», «часть 13 статьи 51 …» */
  norms: string[];
  /** Rendered ground partial (document markup, block level). */
  explanation: string;
  /** Rendered remedy text (inline markup). */
  remedy: string;
  mayReapplyImmediately: boolean;
}

export interface LayoutContext {
  authority: { name: string; address: string; headTitle: string; headTitleDative: string };
  addressee: { nameDative: string; postalAddress?: string };
  applicationNumber: string;
  /** «заявления» / «запроса» */
  applicationGenitive: string;
  decisionDate: string;
  serviceName: string;
  /** «муниципальной услуги» / «государственной услуги» */
  serviceKindGenitive: string;
  regulation: { approvedBy: string };
  multipleGrounds: boolean;
  grounds: LayoutGround[];
  appeal: {
    higherAuthorityDative?: string;
    channels: string[];
    reviewWorkingDays: number;
    courtMonths: number;
    /** Last day to go to court if the decision was received on the decision date. */
    courtDeadline: string;
  };
  clerk: { name: string; position: string };
}

/** Schema the layout (and the appeal partial) are checked against; mirrors LayoutContext. */
export const LAYOUT_SHAPE: Shape = shape.object({
  authority: shape.object({ name: shape.scalar, address: shape.scalar, headTitle: shape.scalar, headTitleDative: shape.scalar }),
  addressee: shape.object({ nameDative: shape.scalar, postalAddress: shape.optional(shape.scalar) }),
  applicationNumber: shape.scalar,
  applicationGenitive: shape.scalar,
  decisionDate: shape.scalar,
  serviceName: shape.scalar,
  serviceKindGenitive: shape.scalar,
  regulation: shape.object({ approvedBy: shape.scalar }),
  multipleGrounds: shape.scalar,
  grounds: shape.list(
    shape.object({
      number: shape.scalar,
      code: shape.scalar,
      title: shape.scalar,
      norms: shape.list(shape.scalar),
      explanation: shape.scalar,
      remedy: shape.scalar,
      mayReapplyImmediately: shape.scalar,
    }),
  ),
  appeal: shape.object({
    higherAuthorityDative: shape.optional(shape.scalar),
    channels: shape.list(shape.scalar),
    reviewWorkingDays: shape.scalar,
    courtMonths: shape.scalar,
    courtDeadline: shape.scalar,
  }),
  clerk: shape.object({ name: shape.scalar, position: shape.scalar }),
});

export function factsShape(facts: readonly FactSpec[]): Shape {
  return shape.object(
    Object.fromEntries(
      facts.map((f) => {
        const s = f.kind === 'textList' ? shape.list(shape.scalar) : shape.scalar;
        return [f.name, f.required ? s : shape.optional(s)];
      }),
    ),
  );
}

// --- helpers ---------------------------------------------------------------------------------------

const STRUCTURE_HELPERS: Record<string, BlockType> = {
  letterhead: 'header',
  recipient: 'addressee',
  dateLine: 'date',
  docTitle: 'title',
  docSubtitle: 'subtitle',
  heading: 'h2',
  para: 'p',
  item: 'li',
  signature: 'sign',
};

export const HELPER_SIGNATURES: Readonly<Record<string, HelperSignature>> = {
  ...Object.fromEntries(Object.keys(STRUCTURE_HELPERS).map((k) => [k, { block: true, params: [] }])),
  bold: { block: true, params: [] },
  br: { block: false, params: [] },
  formatDate: { block: false, params: ['scalar'] },
  formatNumber: { block: false, params: ['scalar'] },
  plural: { block: false, params: ['scalar', 'scalar', 'scalar', 'scalar'] },
  pluralForm: { block: false, params: ['scalar', 'scalar', 'scalar', 'scalar'] },
  add: { block: false, params: ['scalar', 'scalar'] },
  addMonths: { block: false, params: ['scalar', 'scalar'] },
  addYears: { block: false, params: ['scalar', 'scalar'] },
  join: { block: false, params: ['list', 'scalar'] },
  capitalize: { block: false, params: ['scalar'] },
};

type HelperOptions = Handlebars.HelperOptions;

function num(v: unknown, helper: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${helper}: expected a number, got ${JSON.stringify(v)}`);
  return v;
}
function str(v: unknown, helper: string): string {
  if (typeof v !== 'string') throw new TypeError(`${helper}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}
function date(v: unknown, helper: string): string {
  const s = str(v, helper);
  if (!isIsoDate(s)) throw new TypeError(`${helper}: expected a YYYY-MM-DD date, got ${JSON.stringify(v)}`);
  return s;
}

function createEnvironment(): typeof Handlebars {
  const env = Handlebars.create();
  // Not needed by any template and a way around the static checks (dynamic property access, console).
  env.unregisterHelper('lookup');
  env.unregisterHelper('log');
  for (const [name, type] of Object.entries(STRUCTURE_HELPERS)) {
    env.registerHelper(name, function (this: unknown, options: HelperOptions) {
      return markup.block(type, options.fn(this));
    });
  }
  env.registerHelper('bold', function (this: unknown, options: HelperOptions) {
    return markup.bold(options.fn(this));
  });
  env.registerHelper('br', () => markup.br);
  env.registerHelper('formatDate', (d: unknown) => formatDateRu(date(d, 'formatDate')));
  env.registerHelper('formatNumber', (n: unknown) => formatNumberRu(num(n, 'formatNumber')));
  env.registerHelper('plural', (n: unknown, one: unknown, few: unknown, many: unknown) =>
    pluralRu(num(n, 'plural'), str(one, 'plural'), str(few, 'plural'), str(many, 'plural')),
  );
  env.registerHelper('pluralForm', (n: unknown, one: unknown, few: unknown, many: unknown) =>
    pluralFormRu(num(n, 'pluralForm'), str(one, 'pluralForm'), str(few, 'pluralForm'), str(many, 'pluralForm')),
  );
  env.registerHelper('add', (a: unknown, b: unknown) => num(a, 'add') + num(b, 'add'));
  env.registerHelper('addMonths', (d: unknown, n: unknown) => addMonthsIso(date(d, 'addMonths'), num(n, 'addMonths')));
  env.registerHelper('addYears', (d: unknown, n: unknown) => addYearsIso(date(d, 'addYears'), num(n, 'addYears')));
  env.registerHelper('join', (list: unknown, sep: unknown) => {
    if (!Array.isArray(list)) throw new TypeError('join: expected a list');
    return list.map((x) => str(x, 'join')).join(str(sep, 'join'));
  });
  env.registerHelper('capitalize', (s: unknown) => {
    const v = str(s, 'capitalize');
    return v.charAt(0).toLocaleUpperCase('ru-RU') + v.slice(1);
  });
  return env;
}

const COMPILE_OPTIONS: CompileOptions = {
  strict: true,
  // Escaping is format-specific and happens when the document model is serialised (documentModel.ts).
  noEscape: true,
  knownHelpers: Object.fromEntries(Object.keys(HELPER_SIGNATURES).map((k) => [k, true])),
  knownHelpersOnly: true,
  preventIndent: true,
};

// --- registry --------------------------------------------------------------------------------------

export interface TemplateRegistryOptions {
  /** Directory holding layout.hbs, appeal.hbs and grounds/<serviceCode>/<groundCode>.hbs. */
  templatesDir?: string;
}

export interface TemplateRegistry {
  /** sha256 (hex) over every template file and every catalog file, by relative path. */
  readonly templateVersion: string;
  /** Layout → document markup (parse with parseMarkup). */
  renderLayout(context: LayoutContext): string;
  /** Ground partial → block-level document markup. */
  renderExplanation(serviceCode: string, groundCode: string, facts: FactValues): string;
  /** Remedy text → inline document markup. */
  renderRemedy(serviceCode: string, groundCode: string, facts: FactValues): string;
}

/** Finds templates/refusal next to the sources, also when running from the compiled lib/ folder. */
export function defaultTemplatesDir(): string {
  const candidates = [path.resolve(__dirname, '..', 'templates', 'refusal'), path.resolve(__dirname, '..', '..', 'templates', 'refusal')];
  return candidates.find((c) => fs.existsSync(path.join(c, 'layout.hbs'))) ?? candidates[0];
}

type Compiled = (context: unknown) => string;

export function createTemplateRegistry(catalog: GroundsCatalog, options: TemplateRegistryOptions = {}): TemplateRegistry {
  const dir = options.templatesDir ?? defaultTemplatesDir();
  const problems: string[] = [];
  const env = createEnvironment();
  const read = (rel: string): string | null => {
    const full = path.join(dir, rel);
    if (!fs.existsSync(full)) {
      problems.push(`${rel}: template file is missing (${full})`);
      return null;
    }
    return fs.readFileSync(full, 'utf8');
  };
  const compile = (source: string): Compiled => env.compile(source, COMPILE_OPTIONS) as Compiled;

  // Helper names must not shadow data: with knownHelpersOnly {{title}} would call a helper "title".
  for (const clash of [...fieldNames(LAYOUT_SHAPE)].filter((n) => RESERVED_TEMPLATE_NAMES.has(n))) {
    problems.push(`layout schema field "${clash}" collides with a helper name`);
  }

  // Layout + appeal partial.
  const layoutSrc = read('layout.hbs');
  const appealSrc = read('appeal.hbs');
  const layoutParsed = layoutSrc === null ? null : parseTemplate('layout.hbs', layoutSrc);
  const appealParsed = appealSrc === null ? null : parseTemplate('appeal.hbs', appealSrc);
  problems.push(...(layoutParsed?.problems ?? []), ...(appealParsed?.problems ?? []));
  if (layoutParsed?.ast && appealParsed?.ast) {
    problems.push(
      ...checkTemplate('layout.hbs', layoutParsed.ast, LAYOUT_SHAPE, {
        helpers: HELPER_SIGNATURES,
        partials: { appeal: appealParsed.ast },
      }),
    );
  }

  // Ground partials and remedies, and the file ↔ catalog correspondence.
  const explanations = new Map<string, Compiled>();
  const remedies = new Map<string, Compiled>();
  const key = (s: string, g: string) => `${s}/${g}`;
  for (const [serviceCode, service] of catalog.services) {
    for (const [groundCode, ground] of service.grounds) {
      const rel = path.join('grounds', serviceCode, `${groundCode}.hbs`);
      const factShape = factsShape(ground.definition.facts);
      const src = read(rel);
      if (src !== null) {
        const parsed = parseTemplate(rel, src);
        problems.push(...parsed.problems);
        if (parsed.ast) problems.push(...checkTemplate(rel, parsed.ast, factShape, { helpers: HELPER_SIGNATURES, partials: {} }));
        explanations.set(key(serviceCode, groundCode), compile(src));
      }
      const remedyName = `catalog ${serviceCode}.json grounds[${groundCode}].remedy`;
      const parsedRemedy = parseTemplate(remedyName, ground.definition.remedy);
      problems.push(...parsedRemedy.problems);
      if (parsedRemedy.ast) problems.push(...checkTemplate(remedyName, parsedRemedy.ast, factShape, { helpers: HELPER_SIGNATURES, partials: {} }));
      remedies.set(key(serviceCode, groundCode), compile(ground.definition.remedy));
    }
  }
  const groundsDir = path.join(dir, 'grounds');
  if (fs.existsSync(groundsDir)) {
    for (const serviceDir of fs.readdirSync(groundsDir)) {
      const service = catalog.services.get(serviceDir);
      for (const file of fs.readdirSync(path.join(groundsDir, serviceDir))) {
        const code = file.replace(/\.hbs$/, '');
        if (!service || !service.grounds.has(code)) problems.push(`grounds/${serviceDir}/${file}: no such ground in the catalog (orphan template)`);
      }
    }
  }
  if (problems.length) throw new RefusalConfigError(problems);

  // Compile now (Handlebars compiles lazily on first call) and prove every template renders to
  // well-formed markup, with all optional facts present and with all of them absent.
  env.registerPartial('appeal', compile(appealSrc as string));
  const layout = compile(layoutSrc as string);
  const registry: TemplateRegistry = {
    templateVersion: computeTemplateVersion(dir, catalog),
    renderLayout: (context) => layout(context),
    renderExplanation: (serviceCode, groundCode, facts) => lookup(explanations, serviceCode, groundCode)(facts),
    renderRemedy: (serviceCode, groundCode, facts) => lookup(remedies, serviceCode, groundCode)(facts),
  };
  for (const [serviceCode, service] of catalog.services) {
    for (const withOptional of [true, false]) {
      try {
        parseMarkup(registry.renderLayout(sampleLayoutContext(registry, serviceCode, service, withOptional)));
      } catch (e) {
        problems.push(`${serviceCode} (sample render${withOptional ? '' : ' without optional data'}): ${(e as Error).message}`);
      }
    }
  }
  if (problems.length) throw new RefusalConfigError(problems);
  return registry;
}

function lookup(map: Map<string, Compiled>, serviceCode: string, groundCode: string): Compiled {
  const t = map.get(`${serviceCode}/${groundCode}`);
  if (!t) throw new RefusalConfigError([`no template for ground ${serviceCode}/${groundCode}`]);
  return t;
}

export function sampleFacts(facts: readonly FactSpec[], withOptional: boolean): FactValues {
  const out: FactValues = {};
  for (const f of facts) {
    if (!f.required && !withOptional) continue;
    out[f.name] =
      f.kind === 'textList' ? ['образец'] : f.kind === 'date' ? '2026-01-15' : f.kind === 'number' ? (f.min ?? 1) : 'образец';
  }
  return out;
}

function sampleLayoutContext(registry: TemplateRegistry, serviceCode: string, service: CatalogService, withOptional: boolean): LayoutContext {
  const def = service.definition;
  return {
    authority: { ...def.authority },
    addressee: withOptional ? { nameDative: 'Образцову Ивану', postalAddress: 'адрес' } : { nameDative: 'Образцову Ивану' },
    applicationNumber: '1',
    applicationGenitive: def.applicationGenitive,
    decisionDate: '2026-01-15',
    serviceName: def.serviceName,
    serviceKindGenitive: 'услуги',
    regulation: { ...def.regulation },
    multipleGrounds: service.grounds.size > 1,
    grounds: [...service.grounds.values()].map((g, i) => {
      const facts = sampleFacts(g.definition.facts, withOptional);
      return {
        number: i + 1,
        code: g.definition.code,
        title: g.definition.title,
        norms: [...g.norms],
        explanation: registry.renderExplanation(serviceCode, g.definition.code, facts),
        remedy: registry.renderRemedy(serviceCode, g.definition.code, facts),
        mayReapplyImmediately: g.definition.mayReapplyImmediately,
      };
    }),
    appeal: {
      ...(withOptional ? { higherAuthorityDative: 'вышестоящему органу' } : {}),
      channels: [...def.appeal.channels],
      reviewWorkingDays: def.appeal.reviewWorkingDays,
      courtMonths: def.appeal.courtMonths,
      courtDeadline: '2026-04-15',
    },
    clerk: { name: 'И. И. Образцов', position: 'специалист' },
  };
}

/** Content hash of all template files and catalog files (relative paths + bytes, sorted). */
export function computeTemplateVersion(templatesDir: string, catalog: GroundsCatalog): string {
  const entries: Array<[string, Buffer]> = [];
  const walk = (dir: string, rel: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      if (fs.statSync(full).isDirectory()) walk(full, r);
      else if (name.endsWith('.hbs')) entries.push([`templates/${r}`, fs.readFileSync(full)]);
    }
  };
  walk(templatesDir, '');
  for (const file of catalog.sourceFiles) entries.push([`catalog/${path.basename(file)}`, fs.readFileSync(file)]);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const h = createHash('sha256');
  for (const [name, bytes] of entries) {
    // Length-prefixed so that moving bytes between files always changes the hash.
    h.update(`${name}\0${bytes.length}\0`);
    h.update(bytes);
  }
  return h.digest('hex');
}
