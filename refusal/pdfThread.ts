// Worker-thread half of threadedRenderer.ts: only pdfmake's byte generation runs here, so dates, catalog and
// templates (main thread) cannot differ from the base renderer's.
import { parentPort, type TransferListItem } from 'node:worker_threads';
import type { PdfNode } from './documentModel';
import { renderPdf, type PdfMetadata } from './pdf';

export interface PdfThreadRequest {
  id: number;
  content: PdfNode[];
  meta: PdfMetadata;
}
export type PdfThreadReply = { id: number; pdf: Uint8Array } | { id: number; error: { name: string; message: string; stack?: string } };

if (!parentPort) throw new Error('refusal/pdfThread runs only as a worker thread (see threadedRenderer.ts)');
const port = parentPort;

port.on('message', ({ id, content, meta }: PdfThreadRequest) => {
  // Promise.resolve().then: renderPdf may also throw synchronously (bad date).
  Promise.resolve()
    .then(() => renderPdf(content, meta))
    .then(
      (pdf) => {
        // Hand the bytes over without a copy when the Buffer owns its whole ArrayBuffer (not a pool slice).
        const transfer: TransferListItem[] = pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength ? [pdf.buffer as ArrayBuffer] : [];
        port.postMessage({ id, pdf } satisfies PdfThreadReply, transfer);
      },
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        port.postMessage({ id, error: { name: e.name, message: e.message, stack: e.stack } } satisfies PdfThreadReply);
      },
    );
});
