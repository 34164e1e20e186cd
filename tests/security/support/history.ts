// Helpers for reading Temporal histories the way an insider with server access would: without the codec.
import { Client, Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** Every Payload message anywhere inside a proto object (event attributes, headers, search attributes, memo). */
export function collectPayloads(root: unknown): Payload[] {
  const found: Payload[] = [];
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object' || ArrayBuffer.isView(v)) return;
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && !ArrayBuffer.isView(o.metadata) && 'data' in o) {
      found.push(o as Payload);
      return;
    }
    for (const k of Object.keys(o)) walk(o[k]);
  };
  walk(root);
  return found;
}

const utf8 = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : '');

/** Everything a reader of the raw proto could see: its JSON, and every payload's bytes and metadata as UTF-8. */
export function rawText(message: { toJSON(): unknown }, payloads: Payload[]): string {
  const parts = [JSON.stringify(message.toJSON())];
  for (const p of payloads) {
    parts.push(utf8(p.data));
    for (const v of Object.values(p.metadata ?? {})) parts.push(utf8(v));
  }
  return parts.join('\n');
}

export async function plainClient(address: string): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection }), close: () => connection.close() };
}

export async function rawHistory(client: Client, workflowId: string): Promise<temporal.api.history.v1.History> {
  return temporal.api.history.v1.History.create(await client.workflow.getHandle(workflowId).fetchHistory());
}

export function keyIdOf(p: Payload): string | undefined {
  const id = p.metadata?.['encryption-key-id'];
  return id ? Buffer.from(id).toString('utf8') : undefined;
}

/** A СНИЛС in every way it may be written. */
export function snilsForms(snils: string): string[] {
  const d = snils.replace(/\D/g, '');
  const [a, b, c, e] = [d.slice(0, 3), d.slice(3, 6), d.slice(6, 9), d.slice(9)];
  return [`${a}-${b}-${c} ${e}`, `${a}-${b}-${c}-${e}`, `${a} ${b} ${c} ${e}`, d];
}
