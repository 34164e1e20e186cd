// Column-level encryption for documents the plugin keeps in PostgreSQL (refusal letters name the applicant
// and their address): AES-256-GCM with the payload keys, the key id stored with the ciphertext so keys rotate
// like Temporal payloads, and the row's identity as associated data so a sealed value cannot be moved to
// another row or column unnoticed. A database reader without the keys sees only ciphertext.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { CodecKeys } from '../codec';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Layout: [key id length (1 byte)][key id (UTF-8)][iv (12)][ciphertext][tag (16)]. */
export function sealBytes(keys: CodecKeys, plain: Buffer, context: string): Buffer {
  const keyId = Buffer.from(keys.activeKeyId, 'utf8');
  if (keyId.length > 255) throw new Error('key id too long');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.keys[keys.activeKeyId], iv);
  cipher.setAAD(Buffer.from(`${keys.activeKeyId}\u0000${context}`, 'utf8'));
  return Buffer.concat([Buffer.from([keyId.length]), keyId, iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

export function openBytes(keys: CodecKeys, sealed: Buffer, context: string): Buffer {
  const idLength = sealed[0];
  const keyId = sealed.subarray(1, 1 + idLength).toString('utf8');
  const key = keys.keys[keyId];
  if (!key) throw new Error(`sealed value was encrypted with key "${keyId}", which is not loaded (add it to CASE_PAYLOAD_KEYS)`);
  const body = sealed.subarray(1 + idLength);
  if (body.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(`${keyId}\u0000${context}`, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  return Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]);
}

export const sealText = (keys: CodecKeys, text: string, context: string): Buffer => sealBytes(keys, Buffer.from(text, 'utf8'), context);
export const openText = (keys: CodecKeys, sealed: Buffer, context: string): string => openBytes(keys, sealed, context).toString('utf8');
