import { ApiRequestError, bodyTooLarge } from './api-request-error.js';

/** One whole HTTP response, as a transport delivers it to {@link httpJson}. */
export interface HttpReply {
  readonly status: number;
  readonly statusText: string;
  /** The `Location` header, for redirects; null when absent. */
  readonly location: string | null;
  readonly body: Buffer;
}

/** Longest status line plus headers accepted (Node's own limit is 16 KiB). */
const MAX_HEAD_BYTES = 64 * 1024;
/** Longest chunk-size or trailer line accepted. */
const MAX_LINE_BYTES = 4 * 1024;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: ([^\r\n]*))?$/;
const CRLF = Buffer.from('\r\n');
/** A chunk size (hex), maybe with extensions after `;`, which are ignored. */
const CHUNK_SIZE = /^\s*([0-9a-fA-F]{1,8})\s*(?:;.*)?$/;
/** Lengths of the header names read: location, connection, content-length, transfer-encoding. */
const WANTED_HEADERS = new Set([8, 10, 14, 17]);
const HEAD_END = Buffer.from('\r\n\r\n');

type Phase = 'head' | 'fixed' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close' | 'done';

/**
 * An incremental parser of one HTTP/1.x response to a `GET`, fed with the bytes as they
 * arrive: it skips 1xx interim responses, reads bodies framed by `Content-Length`, by
 * `Transfer-Encoding: chunked` (trailers ignored) or by the connection closing, and
 * enforces a body limit as the bytes come (declared lengths are refused up front). A
 * reply that is not HTTP fails with an {@link ApiRequestError} of kind `transport`
 * (whatever answers is not a node API); a body over the limit with kind `body`.
 * `reusable` tells whether the connection may carry the next request.
 *
 * @example
 * ```ts
 * const parser = new HttpResponseParser(1 << 20);
 * parser.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}')); // { status: 200, body: <Buffer 7b 7d>, ... }
 * parser.reusable; // true
 * ```
 */
export class HttpResponseParser {
  private phase: Phase = 'head';
  /** Bytes received: those in [`offset`, `filled`) are unread (an offset rather than a slice per step). */
  private pending: Buffer = Buffer.alloc(0);
  private offset = 0;
  private filled = 0;
  /** `pending` is a buffer of ours with room after `filled` (else it is a received chunk). */
  private owned = false;
  /** Where the search for the current delimiter stopped without finding it. */
  private scanned = 0;
  private readonly parts: Buffer[] = [];
  private bodyBytes = 0;
  /** Body bytes still expected: of the whole body (`fixed`) or of the current chunk. */
  private remaining = 0;
  private status = 0;
  private statusText = '';
  private location: string | null = null;
  private keepAlive = false;
  private sawBytes = false;

  constructor(private readonly maxBodyBytes: number) {}

  /** True once any byte of the response arrived (a reused connection that closes before that may be retried). */
  get started(): boolean {
    return this.sawBytes;
  }

  /** True when the response is complete and the connection may carry another request. */
  get reusable(): boolean {
    return this.phase === 'done' && this.keepAlive && this.unread === 0;
  }

  /** Feeds received bytes; returns the response once it is complete. Throws an {@link ApiRequestError}. */
  push(chunk: Buffer): HttpReply | undefined {
    if (chunk.length === 0) return undefined;
    this.sawBytes = true;
    if (this.phase === 'done') {
      // Bytes after a complete response: nothing was asked for, so the connection is not trusted again.
      this.keepAlive = false;
      return undefined;
    }
    this.append(chunk);
    return this.advance();
  }

  private get unread(): number {
    return this.filled - this.offset;
  }

  private append(chunk: Buffer): void {
    const unread = this.unread;
    if (unread === 0) {
      this.pending = chunk;
      this.offset = 0;
      this.filled = chunk.length;
      this.owned = false;
      this.scanned = 0;
    } else if (this.owned && this.filled + chunk.length <= this.pending.length) {
      // Bytes before `filled` may be parts of the body: only the room after it is written.
      chunk.copy(this.pending, this.filled);
      this.filled += chunk.length;
    } else {
      // Room grows geometrically: a peer trickling a head byte by byte costs amortised
      // constant copying per byte, not a copy of everything so far on every byte.
      const grown = Buffer.allocUnsafe(Math.max(2 * (unread + chunk.length), 4096));
      this.pending.copy(grown, 0, this.offset, this.filled);
      chunk.copy(grown, unread);
      this.scanned = Math.max(0, this.scanned - this.offset);
      this.pending = grown;
      this.offset = 0;
      this.filled = unread + chunk.length;
      this.owned = true;
    }
  }

  /** Where `delimiter` starts among the unread bytes, or -1; never searches the same bytes twice. */
  private find(delimiter: Buffer): number {
    const from = Math.max(this.offset, this.scanned - (delimiter.length - 1));
    let found: number;
    if (this.owned) {
      // A buffer of ours holds stale bytes after `filled`: the search must stop there.
      const index = this.pending.subarray(from, this.filled).indexOf(delimiter);
      found = index === -1 ? -1 : from + index;
    } else {
      found = this.pending.indexOf(delimiter, from);
    }
    this.scanned = found === -1 ? this.filled : 0;
    return found;
  }

  /** The peer closed the connection: the response if closing ends it, else an {@link ApiRequestError}. */
  end(): HttpReply {
    if (this.phase === 'until-close') {
      this.keepAlive = false;
      return this.finish();
    }
    throw new ApiRequestError(
      this.phase === 'head' && !this.sawBytes
        ? 'Connection closed by the API before it answered'
        : 'Connection closed by the API before the response was complete',
      'transport',
    );
  }

  private advance(): HttpReply | undefined {
    for (;;) {
      switch (this.phase) {
        case 'head': {
          const headEnd = this.find(HEAD_END);
          if (headEnd === -1) {
            if (this.unread > MAX_HEAD_BYTES) throw malformed(`head larger than ${MAX_HEAD_BYTES} bytes`);
            return undefined;
          }
          if (headEnd - this.offset > MAX_HEAD_BYTES) throw malformed(`head larger than ${MAX_HEAD_BYTES} bytes`);
          const head = this.pending.toString('latin1', this.offset, headEnd);
          this.offset = headEnd + HEAD_END.length;
          this.readHead(head);
          break;
        }
        case 'fixed': {
          const taken = this.take(this.remaining);
          this.remaining -= taken;
          if (this.remaining > 0) return undefined;
          return this.finish();
        }
        case 'chunk-size': {
          const line = this.line();
          if (line === undefined) return undefined;
          const size = CHUNK_SIZE.exec(line);
          if (!size) throw malformed('bad chunk size');
          this.remaining = Number.parseInt(size[1] as string, 16);
          if (this.bodyBytes + this.remaining > this.maxBodyBytes) throw bodyTooLarge(this.maxBodyBytes);
          this.phase = this.remaining === 0 ? 'trailers' : 'chunk-data';
          break;
        }
        case 'chunk-data': {
          this.remaining -= this.take(this.remaining);
          if (this.remaining > 0) return undefined;
          this.phase = 'chunk-end';
          break;
        }
        case 'chunk-end': {
          if (this.unread < CRLF.length) return undefined;
          if (this.pending[this.offset] !== CRLF[0] || this.pending[this.offset + 1] !== CRLF[1]) throw malformed('chunk not followed by CRLF');
          this.offset += CRLF.length;
          this.phase = 'chunk-size';
          break;
        }
        case 'trailers': {
          const line = this.line();
          if (line === undefined) return undefined;
          if (line === '') return this.finish();
          break;
        }
        case 'until-close': {
          this.take(this.unread);
          return undefined;
        }
        case 'done':
          return undefined;
      }
    }
  }

  private readHead(head: string): void {
    const statusEnd = head.indexOf('\r\n');
    const statusLine = STATUS_LINE.exec(statusEnd === -1 ? head : head.slice(0, statusEnd));
    if (!statusLine) throw malformed(`not an HTTP/1.x status line: ${JSON.stringify(head.slice(0, Math.min(40, statusEnd === -1 ? 40 : statusEnd)))}`);
    const status = Number(statusLine[2]);
    // Only the headers that frame the body or point elsewhere are read (no map of them all).
    let contentLength: string | undefined;
    let transferEncoding: string | undefined;
    let connection = '';
    let location: string | null = null;
    for (let at = statusEnd === -1 ? head.length : statusEnd + 2; at < head.length;) {
      const found = head.indexOf('\r\n', at);
      const lineEnd = found === -1 ? head.length : found;
      const colon = head.indexOf(':', at);
      if (colon <= at || colon > lineEnd) throw malformed('bad header line');
      const name = WANTED_HEADERS.has(colon - at) ? head.slice(at, colon).toLowerCase() : '';
      if (name !== '') {
        const value = head.slice(colon + 1, lineEnd).trim();
        if (name === 'content-length') contentLength = contentLength === undefined ? value : `${contentLength},${value}`;
        else if (name === 'transfer-encoding') transferEncoding = transferEncoding === undefined ? value : `${transferEncoding},${value}`;
        else if (name === 'connection') connection += `,${value.toLowerCase()}`;
        else if (name === 'location') location = value;
      }
      at = lineEnd + 2;
    }
    if (status >= 100 && status < 200) {
      if (status === 101) throw malformed('the API switched protocols');
      return; // An interim response (100 Continue, 103 Early Hints): the real one follows.
    }
    this.status = status;
    this.statusText = statusLine[3] ?? '';
    this.location = location;
    this.keepAlive = statusLine[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');

    if (status === 204 || status === 304) {
      this.phase = 'fixed';
      this.remaining = 0;
    } else if (transferEncoding !== undefined) {
      if (!/(?:^|,)\s*chunked\s*$/i.test(transferEncoding)) throw malformed(`unsupported transfer-encoding ${JSON.stringify(transferEncoding)}`);
      this.phase = 'chunk-size';
    } else if (contentLength !== undefined) {
      this.remaining = parseContentLength(contentLength);
      if (this.remaining > this.maxBodyBytes) throw bodyTooLarge(this.maxBodyBytes);
      this.phase = 'fixed';
    } else {
      this.phase = 'until-close';
      this.keepAlive = false;
    }
  }

  /** Moves up to `wanted` pending bytes into the body, checking the limit; returns how many. */
  private take(wanted: number): number {
    const taken = Math.min(wanted, this.unread);
    if (taken === 0) return 0;
    this.bodyBytes += taken;
    if (this.bodyBytes > this.maxBodyBytes) throw bodyTooLarge(this.maxBodyBytes);
    const whole = this.offset === 0 && taken === this.pending.length;
    this.parts.push(whole ? this.pending : this.pending.subarray(this.offset, this.offset + taken));
    this.offset += taken;
    return taken;
  }

  /** The next CRLF-terminated line (without it), or undefined until it is complete. */
  private line(): string | undefined {
    const lineEnd = this.find(CRLF);
    if (lineEnd === -1) {
      if (this.unread > MAX_LINE_BYTES) throw malformed('line too long');
      return undefined;
    }
    const line = this.pending.toString('latin1', this.offset, lineEnd);
    this.offset = lineEnd + CRLF.length;
    return line;
  }

  private finish(): HttpReply {
    this.phase = 'done';
    const body = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    return { status: this.status, statusText: this.statusText, location: this.location, body };
  }
}

/** Repeated `Content-Length` headers (or a list) must agree. */
function parseContentLength(value: string): number {
  const lengths = value.includes(',') ? new Set(value.split(',').map((length) => length.trim())) : new Set([value]);
  const [length] = lengths;
  if (lengths.size !== 1 || length === undefined || !/^\d{1,15}$/.test(length)) throw malformed('bad content-length');
  return Number(length);
}

function malformed(detail: string): ApiRequestError {
  return new ApiRequestError(`Malformed HTTP response (${detail})`, 'transport');
}
