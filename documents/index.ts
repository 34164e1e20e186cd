// Public entry of documents/: what other rooms use.
export { markResultDocumentDelivered, markResultDocumentIssued, readResultDocument, storeResultDocument } from './resultDocuments';
export { storageFileName } from './fileTypes';
