/**
 * Pure renderer of a refusal letter («решение об отказе в предоставлении услуги»): text, HTML, PDF.
 * Called from an activity before the refusal status is pushed to the applicant's ЕПГУ cabinet.
 * Same input + same templateVersion ⇒ byte-identical output and contentHash (safe for retries).
 */
import { createHash } from 'node:crypto';
import { DEFAULT_CATALOG_DIR, loadGroundsCatalog, type FactValues, type GroundsCatalog } from './groundsCatalog';
import { parseMarkup, toHtmlDocument, toPdfContent, toPlainText, type Block, type PdfNode } from './documentModel';
import { addMonthsIso, formatDateRu, fullNameDative } from './format';
import { renderPdf, type PdfMetadata } from './pdf';
import { createTemplateRegistry, type LayoutContext, type TemplateRegistry } from './templateRegistry';
import { collectEnvelope, collectRefusal, RefusalValidationError, type ValidatedRefusal } from './validateRefusal';

export interface RefusalGroundInput {
  /** Ground code from the service's catalog, e.g. `missing-documents`. */
  code: string;
  /** Facts required by that ground (see the catalog's `facts`). */
  facts: Record<string, unknown>;
}

export interface RefusalLetterInput {
  serviceCode: string;
  applicationNumber: string;
  applicant: {
    lastName: string;
    firstName: string;
    middleName?: string;
    /** Optional hint for declension when the name alone is ambiguous. */
    gender?: 'male' | 'female';
    postalAddress?: string;
  };
  /** YYYY-MM-DD */
  decisionDate: string;
  clerk: { name: string; position: string };
  grounds: RefusalGroundInput[];
}

export interface RefusalLetter {
  text: string;
  /** Complete HTML5 document, UTF-8, all user data escaped. */
  html: string;
  /** PDF 1.3, A4, embedded Roboto subset; CreationDate = decision date. */
  pdf: Buffer;
  /**
   * sha256 (hex) over the three renditions, framed as
   * "refusal-letter/v1\0" + for each of text, html, pdf: name "\0" byteLength "\0" bytes
   * (text and html as UTF-8). Changes if any rendition changes; the framing prevents ambiguity.
   */
  contentHash: string;
  /** sha256 (hex) of each rendition alone, e.g. for storage integrity checks. */
  partHashes: { text: string; html: string; pdf: string };
  templateVersion: string;
  /** Ground codes in the order they appear in the letter (= input order). */
  groundCodes: string[];
}

export interface RefusalRendererOptions {
  catalogDir?: string;
  templatesDir?: string;
  /** Use an already loaded catalog instead of catalogDir. */
  catalog?: GroundsCatalog;
  /**
   * Moves a court deadline that falls on a non-working day to the next working day (КАС РФ ст. 93).
   * Without it the letter states the unshifted date, which is never later than the legal one, so an
   * applicant who follows the letter is always in time.
   */
  adjustCourtDeadline?: (isoDate: string) => string;
}

export interface RenderedDocument {
  text: string;
  html: string;
  blocks: Block[];
  title: string;
  refusal: ValidatedRefusal;
}

export interface RefusalRenderer {
  readonly catalog: GroundsCatalog;
  readonly templateVersion: string;
  /** Validates the whole input; throws RefusalValidationError with every problem found. */
  validate(input: unknown): { input: RefusalLetterInput; refusal: ValidatedRefusal };
  /** Text + HTML only (no PDF); cheap, for previews in the clerk UI. */
  renderDocument(input: unknown): RenderedDocument;
  render(input: unknown): Promise<RefusalLetter>;
}

const SERVICE_KIND_GENITIVE = { municipal: 'муниципальной услуги', state: 'государственной услуги' } as const;

export function createRefusalRenderer(options: RefusalRendererOptions = {}): RefusalRenderer {
  const catalog = options.catalog ?? loadGroundsCatalog(options.catalogDir ?? DEFAULT_CATALOG_DIR);
  const registry: TemplateRegistry = createTemplateRegistry(catalog, { templatesDir: options.templatesDir });

  const validate = (input: unknown) => {
    const envelope = collectEnvelope(input);
    const serviceCode = (input as { serviceCode?: unknown } | null)?.serviceCode;
    const refusal = collectRefusal(catalog, serviceCode as string, input);
    const issues = [...envelope.issues.filter((i) => i.path !== 'serviceCode'), ...refusal.issues];
    if (issues.length || !envelope.value || !refusal.value) throw new RefusalValidationError(issues);
    return { input: envelope.value as unknown as RefusalLetterInput, refusal: refusal.value };
  };

  const renderDocument = (raw: unknown): RenderedDocument => {
    const { input, refusal } = validate(raw);
    const def = refusal.service.definition;
    let courtDeadline = addMonthsIso(input.decisionDate, def.appeal.courtMonths);
    if (options.adjustCourtDeadline) courtDeadline = options.adjustCourtDeadline(courtDeadline);

    const context: LayoutContext = {
      authority: { ...def.authority },
      addressee: {
        nameDative: fullNameDative(input.applicant),
        // Absent optional keys are omitted, not set to undefined, so strict mode still guards them.
        ...(input.applicant.postalAddress ? { postalAddress: input.applicant.postalAddress } : {}),
      },
      applicationNumber: input.applicationNumber,
      applicationGenitive: def.applicationGenitive,
      decisionDate: input.decisionDate,
      serviceName: def.serviceName,
      serviceKindGenitive: SERVICE_KIND_GENITIVE[def.serviceKind],
      regulation: { ...def.regulation },
      multipleGrounds: refusal.grounds.length > 1,
      grounds: refusal.grounds.map((g, i) => ({
        number: i + 1,
        code: g.code,
        title: g.ground.definition.title,
        norms: [...g.ground.norms],
        explanation: registry.renderExplanation(refusal.serviceCode, g.code, g.facts as FactValues),
        remedy: registry.renderRemedy(refusal.serviceCode, g.code, g.facts as FactValues),
        mayReapplyImmediately: g.ground.definition.mayReapplyImmediately,
      })),
      appeal: {
        ...(def.appeal.higherAuthorityDative ? { higherAuthorityDative: def.appeal.higherAuthorityDative } : {}),
        channels: [...def.appeal.channels],
        reviewWorkingDays: def.appeal.reviewWorkingDays,
        courtMonths: def.appeal.courtMonths,
        courtDeadline,
      },
      clerk: { ...input.clerk },
    };
    const blocks = parseMarkup(registry.renderLayout(context));
    const title = `Решение об отказе в предоставлении услуги «${def.serviceName}» по заявлению № ${input.applicationNumber} от ${formatDateRu(input.decisionDate)}`;
    return { text: toPlainText(blocks), html: toHtmlDocument(blocks, title), blocks, title, refusal };
  };

  return {
    catalog,
    templateVersion: registry.templateVersion,
    validate,
    renderDocument,
    async render(raw: unknown): Promise<RefusalLetter> {
      const doc = renderDocument(raw);
      const { content, meta } = pdfRequestOf(doc, (raw as RefusalLetterInput).decisionDate);
      return assembleRefusalLetter(doc, await renderPdf(content, meta), registry.templateVersion);
    },
  };
}

/** pdfmake's input for a rendered document; plain data, so it can be posted to a worker thread. */
export interface PdfRequest {
  content: PdfNode[];
  meta: PdfMetadata;
}

export function pdfRequestOf(doc: RenderedDocument, decisionDate: string): PdfRequest {
  const def = doc.refusal.service.definition;
  return {
    content: toPdfContent(doc.blocks),
    meta: { title: doc.title, author: def.authority.name, subject: def.serviceName, date: decisionDate },
  };
}

/** The letter from its three renditions, hashed as documented on RefusalLetter. */
export function assembleRefusalLetter(doc: RenderedDocument, pdf: Buffer, templateVersion: string): RefusalLetter {
  const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  const h = createHash('sha256').update('refusal-letter/v1\0');
  for (const [name, bytes] of [['text', Buffer.from(doc.text, 'utf8')], ['html', Buffer.from(doc.html, 'utf8')], ['pdf', pdf]] as const) {
    h.update(`${name}\0${bytes.length}\0`);
    h.update(bytes);
  }
  return {
    text: doc.text,
    html: doc.html,
    pdf,
    contentHash: h.digest('hex'),
    partHashes: { text: sha(doc.text), html: sha(doc.html), pdf: sha(pdf) },
    templateVersion,
    groundCodes: doc.refusal.grounds.map((g) => g.code),
  };
}

let defaultRenderer: RefusalRenderer | undefined;

/**
 * Shipped catalog + templates, loaded and checked on first use. Call it once at worker start-up so a
 * broken template or catalog stops the worker instead of failing the first refusal.
 */
export function getDefaultRefusalRenderer(): RefusalRenderer {
  defaultRenderer ??= createRefusalRenderer();
  return defaultRenderer;
}

export function renderRefusalLetter(input: RefusalLetterInput, renderer: RefusalRenderer = getDefaultRefusalRenderer()): Promise<RefusalLetter> {
  return renderer.render(input);
}
