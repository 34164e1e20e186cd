// Replies from other systems (SMEV adapter, rating system) are read with a byte bound before anything parses
// them: a declared length over the bound is refused unread, a streamed body is cut off as soon as it passes it.

export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number, readonly declared?: number) {
    super(declared !== undefined ? `reply of ${declared} bytes exceeds ${maxBytes}` : `reply exceeds ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The body as UTF-8 text, or BodyTooLargeError once it is known to be larger than maxBytes. */
export async function readBoundedText(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(maxBytes, declared);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}
