/**
 * XSD validation of ЕЛК documents with libxml2. Where Debian's xmllint (libxml2-utils) is installed it
 * runs as a child process (a few milliseconds, off the event loop that also runs workflow tasks);
 * elsewhere xmllint-wasm (libxml2 compiled to wasm) runs in-process: the same checks, but each call
 * starts a worker thread and compiles the module (~100+ ms), so it is the fallback, not the default.
 *
 * xmllint is started by a small long-lived host process, not by the worker itself: spawning a child
 * blocks the spawning thread while the kernel copies its address space, and the worker's is ~1 GiB
 * (the benchmark profile showed a quarter of the worker's main-thread time in ChildProcess.spawn).
 */
import { ChildProcess, spawn } from 'node:child_process';
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

// The host: plain JavaScript (no TypeScript loader in a 40 MiB process), one xmllint per request.
const HOST_CODE = `
const { execFile } = require('node:child_process');
process.on('message', ({ id, bin, args, xml }) => {
  const child = execFile(bin, args, { timeout: 30000, maxBuffer: 1048576 }, (err, _stdout, stderr) => {
    const code = err ? (typeof err.code === 'number' ? err.code : String(err.code || err.signal || err.message)) : 0;
    process.send({ id, code, stderr: String(stderr) });
  });
  child.stdin.on('error', () => {});
  child.stdin.end(xml);
});
process.on('disconnect', () => process.exit(0));
`;

interface HostReply {
  id: number;
  code: number | string;
  stderr: string;
}

let host: { child: ChildProcess; pending: Map<number, (r: HostReply | Error) => void> } | undefined;
let nextRequest = 0;

function xmllintHost(): NonNullable<typeof host> {
  if (host && host.child.connected && !host.child.killed) return host;
  const child = spawn(process.execPath, ['-e', HOST_CODE], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const current = { child, pending: new Map<number, (r: HostReply | Error) => void>() };
  const idle = () => {
    // An idle host never keeps the process alive; a pending validation does (see run).
    child.unref();
    child.channel?.unref();
  };
  idle();
  child.on('message', (reply: HostReply) => {
    const done = current.pending.get(reply.id);
    current.pending.delete(reply.id);
    if (current.pending.size === 0) idle();
    done?.(reply);
  });
  const fail = (err: Error) => {
    if (host === current) host = undefined; // the next validation starts a fresh host
    for (const done of current.pending.values()) done(err);
    current.pending.clear();
  };
  child.on('error', fail);
  child.on('exit', (code, signal) => fail(new Error(`xmllint host exited (${signal ?? code})`)));
  host = current;
  return current;
}

function runInHost(bin: string, args: string[], xml: string): Promise<HostReply> {
  return new Promise((resolve, reject) => {
    const h = xmllintHost();
    const id = nextRequest++;
    if (h.pending.size === 0) {
      h.child.ref();
      h.child.channel?.ref();
    }
    h.pending.set(id, (r) => (r instanceof Error ? reject(r) : resolve(r)));
    h.child.send({ id, bin, args, xml }, (err) => {
      if (!err) return;
      h.pending.delete(id);
      reject(err);
    });
  });
}

/** Process id of the running xmllint host, if any (the benchmark reads its CPU time from /proc). */
export function xmllintHostPid(): number | undefined {
  return host?.child.pid;
}

/** Stops the xmllint host (tests, orderly shutdown); the next validation starts a new one. */
export function stopXmllintHost(): void {
  const stopping = host;
  host = undefined;
  stopping?.child.kill();
}

async function validateNative(bin: string, xml: string): Promise<XsdValidationResult> {
  const { code, stderr } = await runInHost(bin, ['--noout', '--nonet', '--schema', elkXsdPath(), '-'], xml);
  // Exit 0: valid; 1, 3 or 4: invalid document or schema validation failed; anything else: xmllint did not run.
  if (code === 0) return { valid: true, errors: [] };
  if (code === 1 || code === 3 || code === 4) {
    const errors = stderr
      .split('\n')
      .map((l) => l.replace(/^-:\d+: /, '').trim())
      .filter((l) => l.length > 0 && !/^- fails to validate$/.test(l));
    return { valid: false, errors: errors.length ? errors : ['document is not valid'] };
  }
  throw new Error(`xmllint failed to run: ${stderr || String(code)}`);
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
