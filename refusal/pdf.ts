/**
 * PDF output via pdfmake (pure JS, server side) with the Roboto fonts bundled in pdfmake's vfs_fonts.js,
 * so Cyrillic glyphs are embedded (subset + ToUnicode, extractable by pdftotext) without any download.
 * Deterministic: pdfkit's only time-dependent inputs are CreationDate/ModDate and the file ID derived
 * from the info dictionary; we pin both dates to the decision date, so equal input ⇒ equal bytes.
 */
import { parseIsoDate } from './format';
import type { PdfNode } from './documentModel';

interface PdfKitDocument {
  on(event: 'data', cb: (chunk: Buffer) => void): void;
  on(event: 'end', cb: () => void): void;
  on(event: 'error', cb: (e: Error) => void): void;
  end(): void;
}
interface PdfPrinter {
  createPdfKitDocument(definition: Record<string, unknown>): PdfKitDocument;
}
type PdfPrinterCtor = new (fonts: Record<string, Record<string, Buffer>>) => PdfPrinter;

let printer: PdfPrinter | undefined;

function getPrinter(): PdfPrinter {
  if (!printer) {
    // No @types/pdfmake in the project; the two calls used here are typed locally above.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Printer = require('pdfmake') as PdfPrinterCtor;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const vfs = require('pdfmake/build/vfs_fonts.js') as Record<string, string>;
    const font = (file: string) => Buffer.from(vfs[file], 'base64');
    printer = new Printer({
      Roboto: {
        normal: font('Roboto-Regular.ttf'),
        bold: font('Roboto-Medium.ttf'),
        italics: font('Roboto-Italic.ttf'),
        bolditalics: font('Roboto-MediumItalic.ttf'),
      },
    });
  }
  return printer;
}

export interface PdfMetadata {
  title: string;
  author: string;
  subject: string;
  /** YYYY-MM-DD; becomes CreationDate/ModDate (00:00 UTC). */
  date: string;
}

export function renderPdf(content: PdfNode[], meta: PdfMetadata): Promise<Buffer> {
  const when = parseIsoDate(meta.date);
  if (!when) throw new TypeError(`renderPdf: bad date ${meta.date}`);
  const doc = getPrinter().createPdfKitDocument({
    info: { title: meta.title, author: meta.author, subject: meta.subject, creator: 'case-lifecycle-temporal', producer: 'pdfmake', creationDate: when, modDate: when },
    language: 'ru-RU',
    pageSize: 'A4',
    pageMargins: [70, 50, 50, 50],
    defaultStyle: { font: 'Roboto', fontSize: 11, lineHeight: 1.2 },
    content,
  });
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
