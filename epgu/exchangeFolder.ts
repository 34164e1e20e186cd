// Files for the SMEV adapter go into its exchange folder; AttachmentHeader.filePath names them relative to it
// (smev-service-adapter.xsd, epgu-elk.md §3.5). Layout {fsUuid}/{fileName}: one folder per file id, so a retry
// finds its own earlier file and the same file is never placed twice under two names.
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ATTACHMENT_FILE_NAME_MAX } from './smevAdapterWire';

/**
 * Removes a delivered file from the exchange folder: the folder holds applicants' documents in clear for the
 * adapter, so they stay no longer than needed. Missing is fine (removed earlier).
 */
export async function removeFromExchangeFolder(exchangeDir: string, fsUuid: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/.test(fsUuid)) throw new Error('fsUuid must be a UUID');
  await fs.rm(path.join(exchangeDir, fsUuid), { recursive: true, force: true });
}

/** Writes the file atomically (temp file + rename) unless an identical one is there; returns filePath. */
export async function placeInExchangeFolder(exchangeDir: string, fsUuid: string, fileName: string, bytes: Buffer): Promise<string> {
  if (!/^[0-9a-f-]{36}$/.test(fsUuid)) throw new Error('fsUuid must be a UUID');
  if (fileName.length === 0 || [...fileName].length > ATTACHMENT_FILE_NAME_MAX || fileName.includes('/') || fileName.includes('\\') || fileName.startsWith('.')) {
    throw new Error(`attachment file name must be 1..${ATTACHMENT_FILE_NAME_MAX} characters without folders`);
  }
  const folder = path.join(exchangeDir, fsUuid);
  const target = path.join(folder, fileName);
  const relative = `${fsUuid}/${fileName}`;
  const sha = createHash('sha256').update(bytes).digest('hex');
  try {
    const existing = await fs.readFile(target);
    if (createHash('sha256').update(existing).digest('hex') === sha) return relative;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await fs.mkdir(folder, { recursive: true });
  const temp = path.join(folder, `.${randomUUID()}.part`);
  await fs.writeFile(temp, bytes, { mode: 0o640 });
  await fs.rename(temp, target);
  return relative;
}
