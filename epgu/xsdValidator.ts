/**
 * XSD validation of ЕЛК documents with libxml2. Where Debian's xmllint (libxml2-utils) is installed it
 * runs as a child process (a few milliseconds, off the event loop that also runs workflow tasks);
 * elsewhere xmllint-wasm (libxml2 compiled to wasm) runs in-process: the same checks, but each call
 * starts a worker thread and compiles the module (~100+ ms), so it is the fallback, not the default.
 */
import { execFile } from 'node:child_process';
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
  const native = nativeXmllint();
  return native ? withSlot(() => validateNative(native, xml)) : validateWasm(xml);
}

let nativePath: string | null | undefined;
/** XMLLINT_PATH, else /usr/bin/xmllint; XMLLINT_PATH=wasm forces the in-process validator. */
function nativeXmllint(): string | null {
  if (nativePath !== undefined) return nativePath;
  const configured = process.env.XMLLINT_PATH;
  if (configured === 'wasm') return (nativePath = null);
  const candidate = configured || '/usr/bin/xmllint';
  nativePath = fs.existsSync(candidate) ? candidate : null;
  return nativePath;
}

function validateNative(bin: string, xml: string): Promise<XsdValidationResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(bin, ['--noout', '--nonet', '--schema', elkXsdPath(), '-'], { timeout: 30_000, maxBuffer: 1024 * 1024 }, (err, _stdout, stderr) => {
      // Exit 0: valid; 3 or 4: invalid document or schema validation failed; anything else: xmllint did not run.
      const code: unknown = err ? (err as { code?: unknown }).code : 0;
      if (code === 0) return resolve({ valid: true, errors: [] });
      if (code === 1 || code === 3 || code === 4) {
        const errors = stderr
          .split('\n')
          .map((l) => l.replace(/^-:\d+: /, '').trim())
          .filter((l) => l.length > 0 && !/^- fails to validate$/.test(l));
        return resolve({ valid: false, errors: errors.length ? errors : ['document is not valid'] });
      }
      reject(new Error(`xmllint failed to run: ${stderr || String(err)}`));
    });
    child.stdin!.end(xml);
  });
}

function validateWasm(xml: string): Promise<XsdValidationResult> {
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
