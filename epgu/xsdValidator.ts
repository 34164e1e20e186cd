/**
 * XSD validation of ЕЛК documents with libxml2, in the first of these that is available:
 *  1. elk-xsd-host (epgu/xsdHost/elkXsdHost.c, built by scripts/ensure-tools.sh into .tools/bin): one
 *     long-lived process that compiled the schema once and validates document after document (~1–2 ms
 *     CPU each instead of ~7 ms, 4.3–4.6 of which went to parsing the schema again for every status);
 *  2. Debian's xmllint (libxml2-utils), one run per document, started from a small host process: spawning
 *     from the ~1 GiB worker blocks its event loop while the kernel copies the address space;
 *  3. xmllint-wasm (libxml2 compiled to wasm) in-process: the same checks, but each call starts a worker
 *     thread and compiles the module (~100+ ms), so it is the last resort.
 * All three use libxml2 with the same options (no network, no entities, no DTD) and the same 1 MiB limit.
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
  const persistent = persistentHostBinary();
  if (persistent) return withSlot(() => validatePersistent(persistent, xml));
  const native = nativeXmllint();
  return native ? withSlot(() => validateNative(native, xml)) : validateWasm(xml);
}

/** Which libxml2 validator this process uses (see the top of this file). */
export function xsdValidatorKind(): 'elk-xsd-host' | 'xmllint' | 'wasm' {
  return persistentHostBinary() ? 'elk-xsd-host' : nativeXmllint() ? 'xmllint' : 'wasm';
}

// ---- 1. elk-xsd-host: the schema compiled once ----
export const ELK_XSD_HOST_BINARY = 'elk-xsd-host';
const REPLY_TIMEOUT_MS = 30_000;

let persistentPath: string | null | undefined;
/** ELK_XSD_HOST (a path, or `off`), else .tools/bin/elk-xsd-host from sources (epgu/) or compiled output (lib/epgu/). */
function persistentHostBinary(): string | null {
  if (persistentPath !== undefined) return persistentPath;
  const configured = process.env.ELK_XSD_HOST;
  if (configured === 'off') return (persistentPath = null);
  const candidates = configured
    ? [configured]
    : [path.join(__dirname, '..', '.tools', 'bin', ELK_XSD_HOST_BINARY), path.join(__dirname, '..', '..', '.tools', 'bin', ELK_XSD_HOST_BINARY)];
  persistentPath = candidates.find((p) => fs.existsSync(p)) ?? null;
  return persistentPath;
}

interface PendingValidation {
  resolve(r: XsdValidationResult): void;
  reject(e: Error): void;
}

/** One elk-xsd-host process: requests are written in order and answered in order. */
class PersistentXsdHost {
  readonly child: ChildProcess;
  private readonly pending: PendingValidation[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  dead = false;

  constructor(bin: string, private readonly onDead: (h: PersistentXsdHost) => void) {
    this.child = spawn(bin, [elkXsdPath()], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    this.child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
    this.child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stdin!.on('error', () => undefined);
    this.child.on('error', (err) => this.fail(err));
    this.child.on('exit', (code, signal) => this.fail(new Error(`elk-xsd-host exited (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ''}`)));
    this.idle();
  }

  validate(xml: string): Promise<XsdValidationResult> {
    return new Promise((resolve, reject) => {
      if (this.dead) return reject(new Error('elk-xsd-host is not running'));
      if (this.pending.length === 0) this.busy();
      this.pending.push({ resolve, reject });
      const body = Buffer.from(xml, 'utf8');
      const head = Buffer.alloc(4);
      head.writeUInt32BE(body.length);
      this.child.stdin!.write(Buffer.concat([head, body]));
      this.armTimer();
    });
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    if (!this.ready) {
      if (this.buffered[0] !== 0x52 /* R */) return this.fail(new Error('elk-xsd-host: unexpected greeting'));
      this.ready = true;
      this.buffered = this.buffered.subarray(1);
    }
    while (this.buffered.length >= 5) {
      const len = this.buffered.readUInt32BE(1);
      if (this.buffered.length < 5 + len) break;
      const invalid = this.buffered[0] !== 0;
      const text = this.buffered.subarray(5, 5 + len).toString('utf8');
      this.buffered = this.buffered.subarray(5 + len);
      const done = this.pending.shift();
      if (!invalid) done?.resolve({ valid: true, errors: [] });
      else done?.resolve({ valid: false, errors: text.split('\n').filter((l) => l.length > 0) });
    }
    if (this.pending.length === 0) this.idle();
    else this.armTimer();
  }

  /** A hung validator (it should answer in milliseconds) is killed; the next validation starts a new one. */
  private armTimer(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fail(new Error(`elk-xsd-host did not answer within ${REPLY_TIMEOUT_MS} ms`));
      this.child.kill('SIGKILL');
    }, REPLY_TIMEOUT_MS);
    this.timer.unref();
  }

  // An idle host never keeps the process alive; a pending validation does.
  private idle(): void {
    clearTimeout(this.timer);
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
  }

  private busy(): void {
    this.child.ref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { ref?: () => void } | null)?.ref?.();
  }

  fail(err: Error): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.timer);
    this.onDead(this);
    for (const p of this.pending.splice(0)) p.reject(err);
    this.idle();
  }
}

let persistentHost: PersistentXsdHost | undefined;

function validatePersistent(bin: string, xml: string): Promise<XsdValidationResult> {
  if (!persistentHost || persistentHost.dead) {
    persistentHost = new PersistentXsdHost(bin, (h) => {
      if (persistentHost === h) persistentHost = undefined;
    });
  }
  return persistentHost.validate(xml);
}

// ---- 2. xmllint, one run per document ----

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

/** Process id of the running validator process (elk-xsd-host or the xmllint host), if any. */
export function xmllintHostPid(): number | undefined {
  return persistentHost?.child.pid ?? host?.child.pid;
}

/** Stops the validator process (tests, orderly shutdown); the next validation starts a new one. */
export function stopXmllintHost(): void {
  const stopping = host;
  host = undefined;
  stopping?.child.kill();
  const persistent = persistentHost;
  persistentHost = undefined;
  persistent?.child.kill();
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

// ---- 3. xmllint-wasm in-process ----
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
