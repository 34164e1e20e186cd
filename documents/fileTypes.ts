// What a file handed to the applicant may be: PDF or XML (the result document), with an optional detached
// PKCS#7 signature. The type is decided by the bytes (magic numbers), never by the name the caller gave; the
// name must agree with it. Sizes are checked before anything looks inside the bytes.
import { ATTACHMENT_FILE_NAME_MAX } from '../epgu';
import { isPlainLine } from '../shared';

/** Largest result document accepted at intake. SMEV's per-message figure is unconfirmed (epgu-elk.md §3.4). */
export const RESULT_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024;
/** A detached CMS signature is a few KiB (certificate chain included); 64 KiB leaves room for long chains. */
export const SIGNATURE_MAX_BYTES = 64 * 1024;

export type DocumentMimeType = 'application/pdf' | 'application/xml';

export class DocumentValidationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'DocumentValidationError';
  }
}

const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
// OID 1.2.840.113549.1.7.2 (pkcs7-signedData), DER-encoded.
const SIGNED_DATA_OID = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);

export function detectDocumentType(bytes: Buffer): DocumentMimeType | null {
  if (bytes.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) return 'application/pdf';
  let head = bytes.subarray(0, 64);
  if (head.subarray(0, 3).equals(UTF8_BOM)) head = head.subarray(3);
  const text = head.toString('latin1').replace(/^[\t\n\r ]+/, '');
  if (text.startsWith('<?xml') || /^<[A-Za-z_]/.test(text)) return 'application/xml';
  return null;
}

/** A DER SEQUENCE whose content type is signedData, within its first bytes. */
export function isDetachedPkcs7(bytes: Buffer): boolean {
  return bytes.length > 16 && bytes[0] === 0x30 && bytes.subarray(0, 32).indexOf(SIGNED_DATA_OID) >= 0;
}

const EXTENSION_OF: Record<DocumentMimeType, string[]> = { 'application/pdf': ['.pdf'], 'application/xml': ['.xml'] };

/**
 * Checks the caller's file name: plain single line, no folders, at most 108 characters (SMEV file storage),
 * extension matching the detected type. Returns it trimmed.
 */
export function checkFileName(name: unknown, type: DocumentMimeType): string {
  if (typeof name !== 'string') throw new DocumentValidationError('fileName', 'обязательное текстовое поле (required text)');
  if (name.length > 1000) throw new DocumentValidationError('fileName', `не более ${ATTACHMENT_FILE_NAME_MAX} символов (at most ${ATTACHMENT_FILE_NAME_MAX} characters)`);
  const trimmed = name.trim();
  if (trimmed.length === 0) throw new DocumentValidationError('fileName', 'не может быть пустым (must not be empty)');
  if ([...trimmed].length > ATTACHMENT_FILE_NAME_MAX) {
    throw new DocumentValidationError('fileName', `не более ${ATTACHMENT_FILE_NAME_MAX} символов, ограничение СМЭВ (at most ${ATTACHMENT_FILE_NAME_MAX} characters, SMEV file storage rule)`);
  }
  if (!isPlainLine(trimmed) || /[\\/:*?"<>|]/.test(trimmed) || trimmed.startsWith('.')) {
    throw new DocumentValidationError('fileName', 'только имя файла без каталогов и служебных символов (plain file name, no folders or reserved characters)');
  }
  const ext = trimmed.slice(trimmed.lastIndexOf('.')).toLowerCase();
  if (!EXTENSION_OF[type].includes(ext)) {
    throw new DocumentValidationError('fileName', `расширение должно соответствовать содержимому: ${EXTENSION_OF[type].join(', ')} (extension must match the content type ${type})`);
  }
  return trimmed;
}

/**
 * A name for SMEV file storage derived from our own identifiers: ASCII letters, digits, dot, dash and underscore,
 * cut to 108 characters keeping the extension.
 */
export function storageFileName(base: string, ext: string): string {
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'document';
  return safe.slice(0, ATTACHMENT_FILE_NAME_MAX - ext.length) + ext;
}
