import type { Readable } from 'node:stream';
import type { FetchResponseLike } from './fetch-like.js';

/** The least a body of unknown length is given once it comes in more than one chunk; it doubles as the body grows, up to the limit. */
const FIRST_BUFFER_BYTES = 4 * 1024;

/**
 * Reads a response body as it arrives. A body that comes in one chunk (a health check's
 * dashboard, nearly always) is that chunk, neither copied nor given a buffer of its own;
 * from the second chunk on, each is copied into one buffer (exactly the declared length,
 * or doubling up to `maxBytes`), so that a body costs about its size in memory however
 * finely the peer cuts it (a chunk kept as it comes costs ~100 bytes of heap besides its
 * bytes: node-fetch's own `arrayBuffer()`, which gathers its `data` events, took ~190
 * bytes per byte of a body of 1-byte chunks).
 * Returns null, having stopped reading, as soon as the body is known to be over
 * `maxBytes` (a declared length over it is refused before reading); what is left
 * unread is the caller's to abort.
 *
 * A Node stream (node-fetch's body) is read through its events, anything else (a web
 * stream, any async iterable) with `for await`: an async iterator over a Node stream
 * is ~2 KB of garbage per body.
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
  const body = new BodyBuffer(Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined, maxBytes);
  if (response.body === null) return body.bytes();
  if (isNodeStream(response.body)) return readStream(response.body, body);
  for await (const chunk of response.body) if (!body.add(chunk)) return null;
  return body.bytes();
}

/** The chunks of one body, within its limit. */
class BodyBuffer {
  private first: Uint8Array | undefined;
  private buffer: Buffer | undefined;
  private size = 0;

  constructor(
    private readonly declared: number | undefined,
    private readonly maxBytes: number,
  ) {}

  /** False, keeping nothing more, when the chunk takes the body over the limit. */
  add(chunk: Uint8Array): boolean {
    const end = this.size + chunk.byteLength;
    if (end > this.maxBytes) return false;
    if (this.buffer === undefined && this.first === undefined) this.first = chunk;
    else {
      if (this.buffer === undefined) {
        const declared = this.declared ?? 0;
        this.buffer = Buffer.allocUnsafe(declared >= end ? declared : Math.min(this.maxBytes, Math.max(end, FIRST_BUFFER_BYTES)));
        this.buffer.set(this.first as Uint8Array, 0);
        this.first = undefined;
      } else if (end > this.buffer.length) this.buffer = grown(this.buffer, this.size, end, this.maxBytes);
      this.buffer.set(chunk, this.size);
    }
    this.size = end;
    return true;
  }

  bytes(): Buffer {
    if (this.buffer !== undefined) return this.buffer.subarray(0, this.size);
    return this.first === undefined ? Buffer.alloc(0) : Buffer.from(this.first.buffer, this.first.byteOffset, this.first.byteLength);
  }
}

/** A buffer of at least `needed` bytes (twice the old size if that is more, at most `maxBytes`) with the first `size` bytes of `buffer`. */
function grown(buffer: Buffer, size: number, needed: number, maxBytes: number): Buffer {
  const larger = Buffer.allocUnsafe(Math.min(maxBytes, Math.max(needed, buffer.length * 2)));
  buffer.copy(larger, 0, 0, size);
  return larger;
}

const CLOSED_EARLY = 'Response body closed before its end';

function isNodeStream(body: AsyncIterable<Uint8Array>): body is AsyncIterable<Uint8Array> & Readable {
  const stream = body as Partial<Readable>;
  return typeof stream.on === 'function' && typeof stream.removeListener === 'function' && typeof stream.destroy === 'function';
}

/**
 * The body through the stream's `data` events. Over the limit, or on an error, the stream
 * is destroyed (as `for await` leaving early does). The error listener stays on after the
 * read: a stream that fails later is nobody's to throw.
 */
function readStream(stream: Readable, body: BodyBuffer): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('close', onClose);
    };
    const onData = (chunk: Uint8Array): void => {
      if (body.add(chunk)) return;
      done();
      stream.destroy();
      resolve(null);
    };
    const onEnd = (): void => {
      done();
      resolve(body.bytes());
    };
    const onError = (error: Error): void => {
      done();
      stream.destroy();
      reject(error);
    };
    // Destroyed without an error (aborted by someone else): the body is not all there.
    const onClose = (): void => {
      done();
      reject(new Error(CLOSED_EARLY));
    };
    stream.on('error', onError);
    // It can have failed before anyone listened: the parser found a bad chunk in the bytes that brought the head.
    if (stream.errored) return onError(stream.errored);
    if (stream.destroyed) return onClose();
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onClose);
    // A 'data' listener does not restart a stream someone paused.
    stream.resume();
  });
}
