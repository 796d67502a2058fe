import { Observable } from 'rxjs';
import { bodyTooLarge } from './api-request-error.js';
import type { HttpTransport } from './http-json.js';
import type { HttpReply } from './http-response-parser.js';

/** The part of a fetch `Response` this library reads; `cross-fetch`, node-fetch and Node's own fetch all fit. */
export interface FetchResponseLike {
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  readonly body: AsyncIterable<Uint8Array> | null;
  /** The whole body; used when its declared length is within the limit (cheaper than streaming it). */
  arrayBuffer?(): Promise<ArrayBuffer>;
}

/** The part of a fetch `init` this library passes. */
export interface FetchInitLike {
  readonly method: 'GET';
  readonly headers: Record<string, string>;
  readonly redirect: 'follow';
  readonly signal: AbortSignal;
}

/**
 * A fetch function, for {@link fetchTransport}: Node's global `fetch`, `cross-fetch`,
 * or a test double.
 *
 * @example
 * ```ts
 * const viaGlobal: FetchLike = (url, init) => fetch(url, init) as unknown as Promise<FetchResponseLike>;
 * ```
 */
export type FetchLike = (url: string, init: FetchInitLike) => Promise<FetchResponseLike>;

/**
 * Sends {@link httpJson}'s requests through a fetch implementation instead of the
 * built-in {@link KeepAliveHttp}: for runtimes or proxies that need one. The fetch
 * follows redirects itself; the body limit is enforced as it streams (a declared
 * length over it is refused before reading); unsubscribing aborts the request.
 * Connection reuse is up to that fetch.
 *
 * @example
 * ```ts
 * import crossFetch from 'cross-fetch';
 * const transport = fetchTransport(crossFetch as unknown as FetchLike);
 * httpJson({ url: 'http://127.0.0.1:14002/api/sno/', transport, timeoutMs: 10_000, maxBodyBytes: 1 << 22, scheduler: asyncScheduler });
 * ```
 */
export function fetchTransport(fetch: FetchLike): HttpTransport {
  return (url, headers, maxBodyBytes) =>
    new Observable<HttpReply>((subscriber) => {
      const controller = new AbortController();
      let settled = false;
      const exchange = async (): Promise<HttpReply> => {
        const response = await fetch(url.href, { method: 'GET', headers: { ...headers }, redirect: 'follow', signal: controller.signal });
        const body = await readBody(response, maxBodyBytes);
        return { status: response.status, statusText: response.statusText, location: response.headers.get('location'), body };
      };
      exchange().then(
        (reply) => {
          settled = true;
          subscriber.next(reply);
          subscriber.complete();
        },
        (error: unknown) => {
          settled = true;
          subscriber.error(error);
        },
      );
      // Aborting a finished exchange would only cost a DOMException (and may close a keep-alive socket).
      return () => settled || controller.abort();
    });
}

async function readBody(response: FetchResponseLike, maxBodyBytes: number): Promise<Buffer> {
  const length = response.headers.get('content-length');
  const declared = length === null ? Number.NaN : Number(length);
  if (declared > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
  if (declared >= 0 && response.arrayBuffer) {
    // A declared length within the limit: one read. (The fetch ends the body at that length.)
    const body = Buffer.from(await response.arrayBuffer());
    if (body.length > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
    return body;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks);
}
