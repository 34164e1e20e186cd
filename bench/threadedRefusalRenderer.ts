// Experiment for the slow-workflow-task diagnosis: the same refusal renderer, but pdfmake runs in a worker
// thread, so a 0.2–1 s synchronous PDF render no longer stalls the event loop that also carries workflow
// activations (payload codec, hand-off to the workflow thread) and every other activity.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RefusalRenderer } from '../refusal';

const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
require('ts-node/register/transpile-only');
const { createRefusalRenderer } = require(workerData.root + '/refusal');
const { ProductionCalendar } = require(workerData.root + '/calendar/productionCalendar');
const calendar = new ProductionCalendar();
const renderer = createRefusalRenderer({ adjustCourtDeadline: (d) => calendar.workingDayOnOrAfter(d) });
parentPort.on('message', ({ id, input }) => {
  renderer.render(input).then(
    (letter) => parentPort.postMessage({ id, letter }),
    (err) => parentPort.postMessage({ id, error: { name: err.name, message: err.message } }),
  );
});
`;

export function createThreadedRefusalRenderer(base: RefusalRenderer): RefusalRenderer & { close(): Promise<number> } {
  const thread = new Worker(THREAD_CODE, { eval: true, workerData: { root: path.resolve(__dirname, '..') } });
  thread.unref();
  let next = 0;
  const pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  thread.on('message', ({ id, letter, error }) => {
    const p = pending.get(id)!;
    pending.delete(id);
    if (error) p.reject(Object.assign(new Error(error.message), { name: error.name }));
    else p.resolve({ ...letter, pdf: Buffer.from(letter.pdf) } as never);
  });
  return {
    catalog: base.catalog,
    templateVersion: base.templateVersion,
    validate: (input) => base.validate(input),
    renderDocument: (input) => base.renderDocument(input),
    async render(input) {
      // Validation stays here so a bad ground still throws RefusalValidationError (not retried by the workflow).
      base.validate(input);
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        thread.postMessage({ id, input });
      });
    },
    close: () => thread.terminate(),
  };
}
