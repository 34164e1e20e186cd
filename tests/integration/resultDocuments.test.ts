// Needs PostgreSQL (the stack from globalSetup), hence in tests/integration.
// Intake of result documents: the type is decided by the bytes, the name must agree and stay within SMEV's
// 108 characters, sizes are bounded before anything looks inside, a signature must be a detached PKCS#7.
// Every refusal names the field; nothing is stored for a refused document (real PostgreSQL).
import { Pool } from 'pg';
import { checkFileName, detectDocumentType, DocumentValidationError, isDetachedPkcs7, RESULT_DOCUMENT_MAX_BYTES, storageFileName } from '../../documents/fileTypes';
import { readResultDocument, storeResultDocument } from '../../documents/resultDocuments';
import { simpleResultPdf } from '../../scripts/demoDocuments';
import { readStack, TEST_CODEC_KEYS, uniqueNumber } from '../support/harness';

const PDF = simpleResultPdf(['test']);
const XML = Buffer.from('\ufeff<?xml version="1.0"?><result/>', 'utf8');
const SIG = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]), Buffer.alloc(32)]);

let pool: Pool;
beforeAll(() => {
  pool = new Pool({ connectionString: readStack().databaseUrl, max: 2 });
});
afterAll(async () => {
  await pool?.end();
});

it('decides the type by magic bytes, not by name', () => {
  expect(detectDocumentType(PDF)).toBe('application/pdf');
  expect(detectDocumentType(XML)).toBe('application/xml');
  expect(detectDocumentType(Buffer.from('MZ\x90\x00 executable'))).toBeNull();
  expect(detectDocumentType(Buffer.from('plain text'))).toBeNull();
  expect(isDetachedPkcs7(SIG)).toBe(true);
  expect(isDetachedPkcs7(PDF)).toBe(false);
});

it('checks the file name: extension matching the content, plain, no folders, at most 108 characters', () => {
  expect(checkFileName(' Справка.pdf ', 'application/pdf')).toBe('Справка.pdf');
  const problems: [unknown, string][] = [
    ['result.xml', 'extension'],
    ['../result.pdf', 'folders'],
    ['a\u202Eb.pdf', 'folders'],
    [`${'я'.repeat(105)}.pdf`, '108'],
    ['x'.repeat(5_000_000), '108'],
    ['', 'empty'],
    [42, 'required'],
  ];
  for (const [name, rule] of problems) {
    const err = (() => {
      try {
        checkFileName(name, 'application/pdf');
        return null;
      } catch (e) {
        return e as DocumentValidationError;
      }
    })();
    expect(err).toBeInstanceOf(DocumentValidationError);
    expect(err!.field).toBe('fileName');
    expect(err!.message).toContain(rule);
  }
  expect(storageFileName(`otkaz_${'Д'.repeat(300)}`, '.pdf').length).toBeLessThanOrEqual(108);
});

it('stores a valid document once (sealed) and refuses bad ones naming the field, storing nothing', async () => {
  const no = uniqueNumber('DOC');
  const ref = await storeResultDocument(pool, TEST_CODEC_KEYS, { applicationNumber: no, fileName: 'result.xml', content: XML, signature: SIG });
  expect(await storeResultDocument(pool, TEST_CODEC_KEYS, { applicationNumber: no, fileName: 'other-name.xml', content: XML })).toEqual(ref);
  const back = await readResultDocument(pool, TEST_CODEC_KEYS, { applicationNumber: no, ...ref });
  expect(back).toMatchObject({ fileName: 'result.xml', mimeType: 'application/xml' });
  expect(back!.content.equals(XML)).toBe(true);
  expect(back!.signature!.equals(SIG)).toBe(true);
  expect(await readResultDocument(pool, TEST_CODEC_KEYS, { applicationNumber: no, documentId: ref.documentId, sha256: '0'.repeat(64) })).toBeNull();
  expect(await readResultDocument(pool, TEST_CODEC_KEYS, { applicationNumber: 'OTHER-CASE', ...ref })).toBeNull();

  const cases: [Parameters<typeof storeResultDocument>[2], string][] = [
    [{ applicationNumber: no, fileName: 'a.pdf', content: Buffer.from('not a pdf') }, 'content'],
    [{ applicationNumber: no, fileName: 'a.pdf', content: Buffer.alloc(0) }, 'content'],
    [{ applicationNumber: no, fileName: 'a.pdf', content: Buffer.concat([PDF, Buffer.alloc(RESULT_DOCUMENT_MAX_BYTES)]) }, 'content'],
    [{ applicationNumber: no, fileName: 'a.pdf', content: PDF, signature: Buffer.from('not a signature, just text') }, 'signature'],
    [{ applicationNumber: no, fileName: 'a.xml', content: PDF }, 'fileName'],
    [{ applicationNumber: 'x'.repeat(10_000), fileName: 'a.pdf', content: PDF }, 'applicationNumber'],
  ];
  for (const [intake, field] of cases) {
    await expect(storeResultDocument(pool, TEST_CODEC_KEYS, intake)).rejects.toMatchObject({ name: 'DocumentValidationError', field });
  }
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM result_documents WHERE application_number = $1', [no]);
  expect(rows[0].n).toBe(1);
});
