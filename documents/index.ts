// Public entry of documents/: what other rooms use.
export { markResultDocumentDelivered, markResultDocumentIssued, readResultDocument, storeResultDocument } from './resultDocuments';
export { DocumentValidationError, RESULT_DOCUMENT_MAX_BYTES, SIGNATURE_MAX_BYTES, storageFileName } from './fileTypes';
