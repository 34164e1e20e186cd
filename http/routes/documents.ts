// The result document intake: the case system (or the clerk on their own case, the head in their department)
// uploads the document the applicant receives with «Услуга оказана»; it is stored sealed and only the
// reference {documentId, sha256} then travels in the issueResult action.
import { z } from 'zod';
import { DocumentValidationError, RESULT_DOCUMENT_MAX_BYTES, SIGNATURE_MAX_BYTES, storeResultDocument } from '../../documents';
import type { HttpApiDeps } from '../deps';
import { HttpProblem } from '../problem';
import type { RouteSpec } from '../routeSpec';
import { ApplicationNumberParams } from '../schemas';

/** Base64 length of n bytes (padded). */
const base64Length = (bytes: number) => 4 * Math.ceil(bytes / 3);
export const DOCUMENT_BASE64_MAX = base64Length(RESULT_DOCUMENT_MAX_BYTES);
export const SIGNATURE_BASE64_MAX = base64Length(SIGNATURE_MAX_BYTES);
// The whole body: both base64 fields at their maximum, the name and the JSON around them.
export const DOCUMENT_BODY_LIMIT = DOCUMENT_BASE64_MAX + SIGNATURE_BASE64_MAX + 64 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const base64Field = (max: number, what: string) =>
  z
    .string()
    .min(1, 'не может быть пустым (must not be empty)')
    // The length is checked first (and the body limit bounds it before parsing): the pattern runs on at most `max` characters.
    .max(max, `не более ${max} символов base64 (${what} at most ${max} base64 characters)`)
    .refine((s) => s.length > max || (s.length % 4 === 0 && BASE64.test(s)), 'ожидается base64 (RFC 4648, с выравниванием =) (standard padded base64 expected)');

export const ResultDocumentUploadSchema = z
  .object({
    fileName: z.string().min(1, 'не может быть пустым (must not be empty)').max(1000, 'не более 1000 символов (at most 1000 characters)').describe('Имя файла для заявителя, не более 108 символов; расширение .pdf или .xml по содержимому'),
    contentBase64: base64Field(DOCUMENT_BASE64_MAX, `document of at most ${RESULT_DOCUMENT_MAX_BYTES} bytes`).describe('Содержимое (PDF или XML) в base64, не более 10 МиБ'),
    signaturePkcs7Base64: base64Field(SIGNATURE_BASE64_MAX, `signature of at most ${SIGNATURE_MAX_BYTES} bytes`).optional().describe('Открепленная подпись PKCS#7 (DER) в base64'),
  })
  .strict();

export const StoredDocumentSchema = z.object({
  documentId: z.string(),
  sha256: z.string(),
  applicationNumber: z.string(),
  sizeBytes: z.number().int(),
});

// storeResultDocument names its own fields; the caller sent these.
const FIELD_OF: Record<string, string> = { content: 'contentBase64', signature: 'signaturePkcs7Base64', fileName: 'fileName', applicationNumber: 'applicationNumber' };

export function documentRoutes(deps: HttpApiDeps): RouteSpec[] {
  return [
    {
      method: 'POST',
      path: '/cases/{applicationNumber}/documents',
      operationId: 'uploadResultDocument',
      summary: 'Загрузить документ-результат (upload the result document)',
      description:
        'Stores the document sealed and answers its reference; pass `{documentId, sha256}` as `document` of issueResult. ' +
        'Type by content (PDF, XML), name at most 108 characters with the matching extension, at most 10 MiB; the same bytes for the same case give the same reference.',
      tag: 'documents',
      roles: ['caseSystem', 'clerk', 'head'],
      write: true,
      bodyLimit: DOCUMENT_BODY_LIMIT,
      params: ApplicationNumberParams,
      body: ResultDocumentUploadSchema,
      target: (p) => p.applicationNumber,
      responses: {
        201: { description: 'Документ сохранён (stored)', schema: StoredDocumentSchema },
        404: { description: 'Нет такого заявления (no such case)' },
        413: { description: 'Тело запроса больше допустимого (body too large)' },
      },
      async handler({ caller, params, body }) {
        const b = body as z.infer<typeof ResultDocumentUploadSchema>;
        await deps.access.authorize(caller, params.applicationNumber);
        const content = Buffer.from(b.contentBase64, 'base64');
        try {
          const ref = await storeResultDocument(deps.pool, deps.codecKeys, {
            applicationNumber: params.applicationNumber,
            fileName: b.fileName,
            content,
            ...(b.signaturePkcs7Base64 ? { signature: Buffer.from(b.signaturePkcs7Base64, 'base64') } : {}),
          });
          return { status: 201, body: { ...ref, applicationNumber: params.applicationNumber, sizeBytes: content.length } };
        } catch (err) {
          if (!(err instanceof DocumentValidationError)) throw err;
          const field = FIELD_OF[err.field] ?? err.field;
          const rule = err.message.slice(err.field.length + 2);
          throw new HttpProblem(400, 'validation', 'Документ не прошёл проверку (document rejected)', `${field}: ${rule}`, [{ field, rule }]);
        }
      },
    },
  ];
}
