import type { FetchResponseLike } from './fetch-like.js';

/** The first buffer of a body whose length is not declared; it doubles as the body grows, up to the limit. */
const FIRST_BUFFER_BYTES = 16 * 1024;

/**
 * Reads a response body as it arrives, copying each chunk into one buffer (exactly the
 * declared length, or doubling up to `maxBytes`), so that a body costs about its size
 * in memory however finely the peer cuts it (a chunk kept as it comes costs ~100 bytes
 * of heap besides its bytes: node-fetch's own `arrayBuffer()`, which gathers its `data`
 * events, took ~190 bytes per byte of a body of 1-byte chunks).
 * Returns null, having stopped reading, as soon as the body is known to be over
 * `maxBytes` (a declared length over it is refused before reading); what is left
 * unread is the caller's to abort.
 *
 * @example
 * ```ts
 * const body = await readBody(await fetch(url, init), 1 << 20);
 * if (body === null) controller.abort(); // over 1 MiB: the connection goes
 * ```
 */
export async function readBody(response: FetchResponseLike, maxBytes: number): Promise<Buffer | null> {
  const length = response.headers.get('content-length');
  const declared = length === null ? Number.NaN : Number(length);
  if (declared > maxBytes) return null;
  let buffer: Buffer = Buffer.allocUnsafe(Number.isSafeInteger(declared) && declared >= 0 ? declared : Math.min(maxBytes, FIRST_BUFFER_BYTES));
  let size = 0;
  if (response.body === null) return buffer.subarray(0, 0);
  for await (const chunk of response.body) {
    const end = size + chunk.byteLength;
    if (end > maxBytes) return null;
    if (end > buffer.length) buffer = grown(buffer, size, end, maxBytes);
    buffer.set(chunk, size);
    size = end;
  }
  return buffer.subarray(0, size);
}

/** A buffer of at least `needed` bytes (twice the old size if that is more, at most `maxBytes`) with the first `size` bytes of `buffer`. */
function grown(buffer: Buffer, size: number, needed: number, maxBytes: number): Buffer {
  const larger = Buffer.allocUnsafe(Math.min(maxBytes, Math.max(needed, buffer.length * 2)));
  buffer.copy(larger, 0, 0, size);
  return larger;
}
