/**
 * The emulated SMEV file storage behind the adapter: the adapter picks each AttachmentHeader's file up from its
 * exchange folder and stores it under the declared uuid. Strict like the real path: a missing file, a file over
 * the size limit, a missing or wrong hash, a path outside the exchange folder or a name over 108 characters are
 * refused before anything is stored; a uuid is bound to one content forever (same file again = no-op).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ATTACHMENT_FILE_NAME_MAX, AttachmentHeader, AttachmentHeaderListSchema } from '../smevAdapterWire';

export interface StoredFile {
  fsUuid: string;
  fileName: string;
  mimeType: string;
  size: number;
  sha256: string;
  bytes: Buffer;
  signaturePKCS7?: Buffer;
  storedAt: string;
}

/** A refusal with the SMEV fault code the real service uses for it. */
export class AttachmentFault extends Error {
  constructor(
    readonly code: 'AttachmentContentMiscoordination' | 'AttachmentSizeLimitExceeded' | 'InvalidContent',
    description: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(description);
  }
}

export class AttachmentStore {
  private readonly files = new Map<string, StoredFile>();

  constructor(
    readonly exchangeDir: string,
    readonly maxAttachmentBytes: number,
  ) {}

  get(fsUuid: string): StoredFile | undefined {
    return this.files.get(fsUuid);
  }

  all(): StoredFile[] {
    return [...this.files.values()];
  }

  clear(): void {
    this.files.clear();
  }

  /** Reads and checks every header of one message; stores nothing (see commit). */
  read(rawList: unknown, now: Date): StoredFile[] {
    if (rawList === undefined) return [];
    const parsed = AttachmentHeaderListSchema.safeParse(rawList);
    if (!parsed.success) {
      throw new AttachmentFault('InvalidContent', `AttachmentHeaderList: ${parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')}`);
    }
    const files = parsed.data.attachmentHeader.map((h) => this.readOne(h, now));
    const total = files.reduce((n, f) => n + f.size, 0);
    if (total > this.maxAttachmentBytes) {
      throw new AttachmentFault('AttachmentSizeLimitExceeded', `Суммарный размер вложений ${total} превышает ${this.maxAttachmentBytes} байт`, {
        permittedTotalAttachmentSize: this.maxAttachmentBytes,
        realTotalAttachmentSize: total,
      });
    }
    return files;
  }

  /** Stores checked files; an identical file under the same uuid is kept once. */
  commit(files: StoredFile[]): void {
    for (const f of files) if (!this.files.has(f.fsUuid)) this.files.set(f.fsUuid, f);
  }

  private readOne(h: AttachmentHeader, now: Date): StoredFile {
    const root = path.resolve(this.exchangeDir);
    const full = path.resolve(root, h.filePath);
    if (path.isAbsolute(h.filePath) || !full.startsWith(root + path.sep)) {
      throw new AttachmentFault('InvalidContent', `filePath must be relative to the adapter's exchange folder: ${h.filePath.slice(0, 200)}`);
    }
    const fileName = path.basename(full);
    if (fileName.length > ATTACHMENT_FILE_NAME_MAX) {
      throw new AttachmentFault('InvalidContent', `file name longer than ${ATTACHMENT_FILE_NAME_MAX} characters`);
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch {
      throw new AttachmentFault('AttachmentContentMiscoordination', `файл вложения не найден в каталоге обмена (attachment file not found): ${h.filePath.slice(0, 200)}`);
    }
    if (!stat.isFile()) throw new AttachmentFault('AttachmentContentMiscoordination', `not a regular file: ${h.filePath.slice(0, 200)}`);
    // Size is checked before the file is read.
    if (stat.size > this.maxAttachmentBytes) {
      throw new AttachmentFault('AttachmentSizeLimitExceeded', `Размер вложения ${stat.size} превышает ${this.maxAttachmentBytes} байт`, {
        permittedTotalAttachmentSize: this.maxAttachmentBytes,
        realTotalAttachmentSize: stat.size,
      });
    }
    const bytes = fs.readFileSync(full);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== h.hash) {
      throw new AttachmentFault('InvalidContent', `hash: SHA-256 of ${fileName} does not match the declared hash`);
    }
    const known = this.files.get(h.uuid);
    if (known && known.sha256 !== sha256) {
      throw new AttachmentFault('InvalidContent', `uuid ${h.uuid} is already bound to another file`);
    }
    return {
      fsUuid: h.uuid,
      fileName,
      mimeType: h.mimeType,
      size: bytes.length,
      sha256,
      bytes,
      ...(h.signaturePKCS7 ? { signaturePKCS7: Buffer.from(h.signaturePKCS7, 'base64') } : {}),
      storedAt: now.toISOString(),
    };
  }
}

export const FileViewSchema = z.object({ fsUuid: z.string(), fileName: z.string(), mimeType: z.string(), size: z.number(), sha256: z.string(), signed: z.boolean() });
export type FileView = z.infer<typeof FileViewSchema>;

export function fileView(f: StoredFile): FileView {
  return { fsUuid: f.fsUuid, fileName: f.fileName, mimeType: f.mimeType, size: f.size, sha256: f.sha256, signed: !!f.signaturePKCS7 };
}
