/** Public API of the refusal-letter module. */
export {
  renderRefusalLetter,
  createRefusalRenderer,
  getDefaultRefusalRenderer,
  type RefusalLetterInput,
  type RefusalGroundInput,
  type RefusalLetter,
  type RefusalRenderer,
  type RefusalRendererOptions,
  type RenderedDocument,
} from './renderRefusalLetter';
export {
  validateRefusal,
  RefusalValidationError,
  type RefusalIssue,
  type RefusalIssueCode,
  type ValidatedRefusal,
  type ValidatedGround,
} from './validateRefusal';
export {
  loadGroundsCatalog,
  parseServiceCatalog,
  getService,
  getGround,
  formatLegalReference,
  formatLegalReferences,
  buildFactsSchema,
  RefusalConfigError,
  DEFAULT_CATALOG_DIR,
  MAX_FACT_LENGTH,
  type GroundsCatalog,
  type CatalogService,
  type CatalogGround,
  type ServiceCatalog,
  type GroundDefinition,
  type FactSpec,
  type FactKind,
  type FactValue,
  type FactValues,
  type LegalReference,
} from './groundsCatalog';
export { createThreadedRefusalRenderer, type ThreadedRefusalRenderer, type ThreadedRefusalRendererOptions } from './threadedRenderer';
export { createTemplateRegistry, type TemplateRegistry, type LayoutContext } from './templateRegistry';
export { formatDateRu, pluralRu, pluralFormRu, addMonthsIso, fullNameDative } from './format';
export { renderPdf, type PdfMetadata } from './pdf';
