// AES-256-GCM payload codec: every workflow input, activity argument, result, signal and update payload is
// encrypted before it reaches the Temporal server, so applicant data (СНИЛС, names, addresses) never sits in
// history in clear. The key id travels in the payload metadata; old keys stay loadable, so keys rotate
// without breaking running workflows.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface CodecKeys {
  /** Key id used to encrypt new payloads. */
  activeKeyId: string;
  /** Every key that may have encrypted a payload still in history: id → 32-byte key. */
  keys: Record<string, Buffer>;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly active: { id: string; key: Buffer };

  constructor(private readonly keys: CodecKeys) {
    const key = keys.keys[keys.activeKeyId];
    if (!key) throw new Error(`Active payload key "${keys.activeKeyId}" is not among the loaded keys`);
    for (const [id, k] of Object.entries(keys.keys)) {
      if (k.length !== 32) throw new Error(`Payload key "${id}" must be 32 bytes (AES-256), got ${k.length}`);
    }
    this.active = { id: keys.activeKeyId, key };
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.active.key, iv);
      // The key id is authenticated too: a payload cannot be re-labelled to another key.
      cipher.setAAD(textEncoder.encode(this.active.id));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: textEncoder.encode(ENCODING),
          [KEY_ID_METADATA]: textEncoder.encode(this.active.id),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || textDecoder.decode(encoding) !== ENCODING) return payload;
      const idBytes = payload.metadata?.[KEY_ID_METADATA];
      if (!idBytes) throw new Error('Encrypted payload has no key id');
      const keyId = textDecoder.decode(idBytes);
      const key = this.keys.keys[keyId];
      if (!key) throw new Error(`Payload was encrypted with key "${keyId}", which is not loaded (add it to CASE_PAYLOAD_KEYS)`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error('Encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(textEncoder.encode(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/**
 * Parses keys from configuration: "id1:base64key,id2:base64key". The active key is the one named by
 * `activeKeyId`, or the first listed.
 */
export function parseCodecKeys(spec: string, activeKeyId?: string): CodecKeys {
  const keys: Record<string, Buffer> = {};
  const ids: string[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const sep = part.indexOf(':');
    if (sep <= 0) throw new Error('CASE_PAYLOAD_KEYS: expected "keyId:base64Key[,keyId:base64Key…]"');
    const id = part.slice(0, sep);
    const key = Buffer.from(part.slice(sep + 1), 'base64');
    if (key.length !== 32) throw new Error(`CASE_PAYLOAD_KEYS: key "${id}" must decode to 32 bytes, got ${key.length}`);
    keys[id] = key;
    ids.push(id);
  }
  if (ids.length === 0) throw new Error('CASE_PAYLOAD_KEYS: no keys given');
  const active = activeKeyId ?? ids[0];
  if (!keys[active]) throw new Error(`CASE_PAYLOAD_KEY_ACTIVE: key "${active}" is not in CASE_PAYLOAD_KEYS`);
  return { activeKeyId: active, keys };
}

export function generateKeySpec(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
