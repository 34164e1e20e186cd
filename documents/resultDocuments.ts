// The home of result documents: the case system stores the document the applicant receives with «Услуга оказана»
// here (storeResultDocument), gets {documentId, sha256} back and passes only that reference in the issueResult
// Update — the bytes never enter Temporal history. Stored sealed (security/sealedColumns.ts) like refusal letters.
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { v4 as uuidv4 } from 'uuid';
import type { CodecKeys } from '../codec';
import { openBytes, sealBytes } from '../security';
import { ApplicationNumberSchema } from '../shared';
import {
  checkFileName,
  detectDocumentType,
  DocumentMimeType,
  DocumentValidationError,
  isDetachedPkcs7,
  RESULT_DOCUMENT_MAX_BYTES,
  SIGNATURE_MAX_BYTES,
} from './fileTypes';

export interface ResultDocumentIntake {
  applicationNumber: string;
  /** The name the applicant sees; its extension must match the content (PDF or XML). */
  fileName: string;
  content: Buffer;
  /** Detached PKCS#7 (DER) signature made by the department's certified crypto provider, if any. */
  signature?: Buffer;
}

export interface ResultDocumentRef {
  documentId: string;
  sha256: string;
}

export interface StoredResultDocument extends ResultDocumentRef {
  applicationNumber: string;
  fileName: string;
  mimeType: DocumentMimeType;
  content: Buffer;
  signature?: Buffer;
}

const sealContext = (documentId: string, part: 'content' | 'signature') => `result_documents:${documentId}:${part}`;

/** Validates and stores a result document; storing the same bytes again for the case returns the same reference. */
export async function storeResultDocument(pool: Pool, keys: CodecKeys, intake: ResultDocumentIntake): Promise<ResultDocumentRef> {
  const number = ApplicationNumberSchema.safeParse(intake.applicationNumber);
  if (!number.success) throw new DocumentValidationError('applicationNumber', number.error.issues[0]!.message);
  if (!Buffer.isBuffer(intake.content) || intake.content.length === 0) throw new DocumentValidationError('content', 'пустой файл (empty file)');
  if (intake.content.length > RESULT_DOCUMENT_MAX_BYTES) {
    throw new DocumentValidationError('content', `не более ${RESULT_DOCUMENT_MAX_BYTES} байт (at most ${RESULT_DOCUMENT_MAX_BYTES} bytes)`);
  }
  const mimeType = detectDocumentType(intake.content);
  if (!mimeType) throw new DocumentValidationError('content', 'ожидается PDF или XML, определяется по содержимому (PDF or XML expected, by magic bytes)');
  const fileName = checkFileName(intake.fileName, mimeType);
  if (intake.signature !== undefined) {
    if (!Buffer.isBuffer(intake.signature) || intake.signature.length > SIGNATURE_MAX_BYTES) {
      throw new DocumentValidationError('signature', `не более ${SIGNATURE_MAX_BYTES} байт (at most ${SIGNATURE_MAX_BYTES} bytes)`);
    }
    if (!isDetachedPkcs7(intake.signature)) throw new DocumentValidationError('signature', 'ожидается открепленная подпись PKCS#7 в DER (detached PKCS#7 signedData, DER)');
  }
  const sha256 = createHash('sha256').update(intake.content).digest('hex');
  const documentId = uuidv4();
  await pool.query(
    `INSERT INTO result_documents (document_id, application_number, file_name, mime_type, size_bytes, sha256, content_sealed, signature_sealed)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (application_number, sha256) DO NOTHING`,
    [
      documentId,
      intake.applicationNumber,
      fileName,
      mimeType,
      intake.content.length,
      sha256,
      sealBytes(keys, intake.content, sealContext(documentId, 'content')),
      intake.signature ? sealBytes(keys, intake.signature, sealContext(documentId, 'signature')) : null,
    ],
  );
  const { rows } = await pool.query(`SELECT document_id FROM result_documents WHERE application_number = $1 AND sha256 = $2`, [intake.applicationNumber, sha256]);
  return { documentId: rows[0].document_id, sha256 };
}

/** Reads and unseals a stored document of this case; null if there is none with this id and hash. */
export async function readResultDocument(pool: Pool, keys: CodecKeys, ref: ResultDocumentRef & { applicationNumber: string }): Promise<StoredResultDocument | null> {
  const { rows } = await pool.query(
    `SELECT document_id, application_number, file_name, mime_type, sha256, content_sealed, signature_sealed
       FROM result_documents WHERE document_id = $1 AND application_number = $2 AND sha256 = $3`,
    [ref.documentId, ref.applicationNumber, ref.sha256],
  );
  const r = rows[0];
  if (!r) return null;
  const content = openBytes(keys, r.content_sealed, sealContext(r.document_id, 'content'));
  // Integrity at rest: what we send is what the case system stored.
  if (createHash('sha256').update(content).digest('hex') !== r.sha256) throw new Error(`result document ${r.document_id}: content does not match its hash`);
  return {
    documentId: r.document_id,
    sha256: r.sha256,
    applicationNumber: r.application_number,
    fileName: r.file_name,
    mimeType: r.mime_type,
    content,
    ...(r.signature_sealed ? { signature: openBytes(keys, r.signature_sealed, sealContext(r.document_id, 'signature')) } : {}),
  };
}

/** The ЕЛК accepted the document with the status: its file id there (the delivery activity calls this). */
export async function markResultDocumentDelivered(pool: Pool, ref: { documentId: string; applicationNumber: string; fsUuid: string }): Promise<void> {
  await pool.query(
    `UPDATE result_documents SET delivered_fs_uuid = $3, delivered_at = COALESCE(delivered_at, now()) WHERE document_id = $1 AND application_number = $2`,
    [ref.documentId, ref.applicationNumber, ref.fsUuid],
  );
}

/** The clerk issued the result with this document: the first issue time is kept. */
export async function markResultDocumentIssued(pool: Pool, documentId: string): Promise<void> {
  await pool.query(`UPDATE result_documents SET issued_at = COALESCE(issued_at, clock_timestamp()) WHERE document_id = $1`, [documentId]);
}
