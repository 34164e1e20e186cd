/**
 * XSD validation of ЕЛК documents in-process with xmllint-wasm (libxml2 compiled to wasm), so it
 * runs the same on every host without a native libxml2. Each call runs in a short-lived worker
 * thread (that is how xmllint-wasm isolates Emscripten's exit); we cache the schema text and
 * bound how many workers run at once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateXML } from 'xmllint-wasm';

export const ELK_XSD_FILE_NAME = 'elk-status-1.0.2.xsd';
const MAX_VALIDATED_BYTES = 1024 * 1024;
const MAX_CONCURRENT_VALIDATIONS = 4;

export interface XsdValidationResult {
  valid: boolean;
  errors: string[];
}

/** Locates the vendored XSD both from sources (epgu/) and from compiled output (lib/epgu/). */
export function elkXsdPath(): string {
  const candidates = [
    path.join(__dirname, 'schemas', ELK_XSD_FILE_NAME),
    path.join(__dirname, '..', '..', 'epgu', 'schemas', ELK_XSD_FILE_NAME),
  ];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`ЕЛК XSD not found; looked in: ${candidates.join(', ')}`);
  return found;
}

let schemaText: string | undefined;
function elkSchema(): string {
  schemaText ??= fs.readFileSync(elkXsdPath(), 'utf8');
  return schemaText;
}

// Small counting semaphore: every validation costs a worker thread and ≥16 MiB of wasm memory.
let running = 0;
const waiting: (() => void)[] = [];
async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_VALIDATIONS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * Validates an XML document against the ЕЛК status XSD 1.0.2 (ElkOrderRequest or
 * ElkOrderResponse). Never throws for invalid input; errors carry libxml2's messages without
 * file/line prefixes. Rejects only if the validator itself cannot run.
 */
export async function validateAgainstElkXsd(xml: string): Promise<XsdValidationResult> {
  if (typeof xml !== 'string') return { valid: false, errors: ['document must be a string'] };
  if (Buffer.byteLength(xml, 'utf8') > MAX_VALIDATED_BYTES) {
    return { valid: false, errors: [`document exceeds ${MAX_VALIDATED_BYTES} bytes`] };
  }
  const schema = elkSchema();
  return withSlot(async () => {
    const res = await validateXML({
      xml: [{ fileName: 'message.xml', contents: xml }],
      schema: [{ fileName: ELK_XSD_FILE_NAME, contents: schema }],
    });
    const errors = res.errors.map((e) => e.message).filter((m) => m.length > 0);
    if (!res.valid && errors.length === 0) errors.push(res.rawOutput.trim() || 'document is not valid');
    return { valid: res.valid, errors };
  });
}
