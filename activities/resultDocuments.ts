// issueResult carries only a reference to the result document (id + SHA-256); this activity checks that the case
// system stored exactly that document for this case, readable with our keys, before the status is queued.
import { ApplicationFailure } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { CodecKeys } from '../codec';
import { markResultDocumentIssued, readResultDocument } from '../documents';
import { RESULT_DOCUMENT_MISSING } from '../shared';

/** ЕСНСИ «ЕЛК.Типы документов (вложений)»: the value seen in real ЕЛК pushers (epgu-elk.md §1.1). */
export const RESULT_DOC_TYPE_ID = 'ELK_RESULT';

export function createResultDocumentActivities(deps: { pool: Pool; keys: CodecKeys }) {
  return {
    async attachResultDocument(input: { applicationNumber: string; documentId: string; sha256: string; clerk: string }): Promise<{
      kind: 'resultDocument';
      documentId: string;
      sha256: string;
      docTypeId: string;
    }> {
      const doc = await readResultDocument(deps.pool, deps.keys, input);
      if (!doc) {
        throw ApplicationFailure.create({
          type: RESULT_DOCUMENT_MISSING,
          message: `document: документ результата ${input.documentId} с указанным sha256 не сохранён для заявления ${input.applicationNumber} (no such result document for this case)`,
          nonRetryable: true,
        });
      }
      await markResultDocumentIssued(deps.pool, doc.documentId);
      return { kind: 'resultDocument', documentId: doc.documentId, sha256: doc.sha256, docTypeId: RESULT_DOC_TYPE_ID };
    },
  };
}
