/**
 * Refusal renderer whose pdfmake step runs in a worker thread. A letter's PDF takes 0.2–1 s of synchronous CPU;
 * on the main thread that stalls the event loop carrying workflow activations and ЕЛК delivery.
 *
 * Split: validation, the court deadline (production calendar) and the document model stay on the main thread
 * (base.renderDocument), so errors and dates are exactly the base renderer's; the thread only turns the pdfmake
 * definition into bytes (refusal/pdfThread.ts). The letter is assembled and hashed here, as base.render does.
 */
import * as path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { PdfThreadReply, PdfThreadRequest } from './pdfThread';
import { assembleRefusalLetter, pdfRequestOf, type RefusalLetter, type RefusalLetterInput, type RefusalRenderer } from './renderRefusalLetter';

export interface ThreadedRefusalRendererOptions {
  /** Called with every thread started (a fresh one after a crash); for tests and monitoring. */
  onThreadStart?: (thread: Worker) => void;
}

export type ThreadedRefusalRenderer = RefusalRenderer & {
  /** Terminates the thread; renders in flight and later ones reject. */
  close(): Promise<void>;
};

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve(pdf: Buffer): void; reject(err: Error): void }>;
}

// Require hooks are per thread: under ts-node / ts-jest the thread needs its own ts-node to load the .ts
// sources (unless a preload inherited via execArgv already installed one); compiled JS loads directly.
const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (!require.extensions['.ts']) require(workerData.tsNode).register({ transpileOnly: true, projectSearchDir: workerData.projectDir });
require(workerData.entry);
`;

function threadSource(): { code: string; options: WorkerOptions } {
  if (!__filename.endsWith('.ts')) return { code: path.join(__dirname, 'pdfThread.js'), options: {} };
  // Resolved now, so a missing ts-node stops start-up instead of failing the first refusal.
  const workerData = { tsNode: require.resolve('ts-node'), projectDir: path.resolve(__dirname, '..'), entry: path.join(__dirname, 'pdfThread.ts') };
  return { code: TS_BOOTSTRAP, options: { eval: true, workerData } };
}

export function createThreadedRefusalRenderer(base: RefusalRenderer, options: ThreadedRefusalRendererOptions = {}): ThreadedRefusalRenderer {
  const source = threadSource();
  let current: Slot | undefined;
  let closed = false;
  let nextId = 0;

  const fail = (slot: Slot, err: Error) => {
    if (current === slot) current = undefined; // the next render starts a fresh thread
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
  };

  const start = (): Slot => {
    const worker = new Worker(source.code, source.options);
    // An idle thread never keeps the process alive; it is ref'ed only while a render is in flight (see send).
    worker.unref();
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (reply: PdfThreadReply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if ('error' in reply) {
        const err = new Error(reply.error.message);
        err.name = reply.error.name;
        if (reply.error.stack) err.stack = reply.error.stack;
        p.reject(err);
      } else {
        p.resolve(Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength));
      }
    });
    worker.on('error', (err) => fail(slot, err));
    worker.on('exit', (code) => fail(slot, new Error(`refusal PDF thread exited with code ${code}`)));
    current = slot;
    options.onThreadStart?.(worker);
    return slot;
  };

  const send = (request: Omit<PdfThreadRequest, 'id'>) =>
    new Promise<Buffer>((resolve, reject) => {
      if (closed) throw new Error('refusal renderer is closed');
      const slot = current ?? start();
      const id = nextId++;
      // Ref'ed while busy: a script awaiting a letter must not exit under it.
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve, reject });
      try {
        slot.worker.postMessage({ id, ...request } satisfies PdfThreadRequest);
      } catch (err) {
        slot.pending.delete(id);
        if (slot.pending.size === 0) slot.worker.unref();
        throw err;
      }
    });

  return {
    catalog: base.catalog,
    templateVersion: base.templateVersion,
    validate: (input) => base.validate(input),
    renderDocument: (input) => base.renderDocument(input),
    async render(raw: unknown): Promise<RefusalLetter> {
      // Validates first: a bad ground rejects with the base renderer's RefusalValidationError (never retried).
      const doc = base.renderDocument(raw);
      const pdf = await send(pdfRequestOf(doc, (raw as RefusalLetterInput).decisionDate));
      return assembleRefusalLetter(doc, pdf, base.templateVersion);
    },
    async close() {
      closed = true;
      const slot = current;
      if (!slot) return;
      fail(slot, new Error('refusal renderer is closed'));
      await slot.worker.terminate();
    },
  };
}
