import { Observable, type SchedulerLike } from 'rxjs';
import { requireText } from '../validate.js';
import { describeSocketError } from './tcp-connection.js';

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
  /** node-fetch's connection pool; other implementations ignore it. */
  readonly agent?: unknown;
}

/**
 * A fetch function: `cross-fetch` by default, injectable for tests or other runtimes.
 *
 * @example
 * ```ts
 * const viaGlobal: FetchLike = (url, init) => fetch(url, init) as unknown as Promise<FetchResponseLike>;
 * ```
 */
export type FetchLike = (url: string, init: FetchInitLike) => Promise<FetchResponseLike>;

/** How a request failed: this decides whether the API counts as down (SPEC §3.3). */
export type ApiFailureKind = 'timeout' | 'transport' | 'http' | 'body';

/**
 * One failed request to a node API. `marksUnavailable` is true for failures that mean
 * the API is down (5xx, timeout, transport error) and false for those that fail only
 * that query (4xx, a body that is not the expected JSON).
 *
 * @example
 * ```ts
 * client.satellite(id).subscribe({
 *   error: (e) => e instanceof ApiRequestError && e.status === 404 && console.log('no such satellite'),
 * });
 * ```
 */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(
    message: string,
    readonly kind: ApiFailureKind,
    /** The HTTP status, for `kind: 'http'`. */
    readonly status: number | null = null,
  ) {
    super(message);
  }

  get marksUnavailable(): boolean {
    return this.kind === 'timeout' || this.kind === 'transport' || (this.status !== null && this.status >= 500);
  }
}

/** Options of {@link httpJson}. */
export interface HttpJsonRequest {
  /** The URL, without credentials (pass them as an `authorization` header). */
  readonly url: string;
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly scheduler: SchedulerLike;
  readonly headers?: Record<string, string>;
  readonly agent?: unknown;
}

/**
 * One `GET` of a JSON document as a cold Observable: it emits the parsed body of a
 * 2xx response and completes, or errors with an {@link ApiRequestError}. The timeout
 * (on `scheduler`, so virtual in tests) covers the whole exchange, body included;
 * redirects are followed; a body over `maxBodyBytes` is cut off and rejected;
 * unsubscribing aborts the request.
 *
 * @example
 * ```ts
 * httpJson({ url: 'http://127.0.0.1:14002/api/sno/', fetch, timeoutMs: 10_000, maxBodyBytes: 1 << 22, scheduler: asyncScheduler })
 *   .subscribe((body) => console.log(body));
 * ```
 */
export function httpJson(request: HttpJsonRequest): Observable<unknown> {
  return new Observable<unknown>((subscriber) => {
    const controller = new AbortController();
    let timedOut = false;
    let settled = false;
    const timeout = request.scheduler.schedule(() => {
      timedOut = true;
      controller.abort();
    }, request.timeoutMs);

    const exchange = async (): Promise<unknown> => {
      const response = await request.fetch(request.url, {
        method: 'GET',
        headers: { accept: 'application/json', ...request.headers },
        redirect: 'follow',
        signal: controller.signal,
        ...(request.agent !== undefined && { agent: request.agent }),
      });
      if (response.status < 200 || response.status > 299) {
        throw new ApiRequestError(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, 'http', response.status);
      }
      return parseJson(await readBody(response, request.maxBodyBytes));
    };

    exchange().then(
      (body) => {
        settled = true;
        timeout.unsubscribe();
        subscriber.next(body);
        subscriber.complete();
      },
      (error: unknown) => {
        settled = true;
        timeout.unsubscribe();
        subscriber.error(timedOut ? new ApiRequestError(`Connection timeout (no response within ${request.timeoutMs} ms)`, 'timeout') : toRequestError(error));
      },
    );

    return () => {
      timeout.unsubscribe();
      // Aborting a finished exchange would only cost a DOMException (and may close a keep-alive socket).
      if (!settled) controller.abort();
    };
  });
}

async function readBody(response: FetchResponseLike, maxBodyBytes: number): Promise<Buffer> {
  const length = response.headers.get('content-length');
  const declared = length === null ? Number.NaN : Number(length);
  if (declared > maxBodyBytes) throw tooLarge(maxBodyBytes);
  if (declared >= 0 && response.arrayBuffer) {
    // A declared length within the limit: one read. (The fetch ends the body at that length.)
    const body = Buffer.from(await response.arrayBuffer());
    if (body.length > maxBodyBytes) throw tooLarge(maxBodyBytes);
    return body;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > maxBodyBytes) throw tooLarge(maxBodyBytes);
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    const start = text.slice(0, 40).replace(/\s+/g, ' ');
    throw new ApiRequestError(text ? `Response is not JSON (starts with ${JSON.stringify(start)})` : 'Response body is empty', 'body');
  }
}

function tooLarge(maxBodyBytes: number): ApiRequestError {
  return new ApiRequestError(`Response body larger than ${maxBodyBytes} bytes`, 'body');
}

/** Transport failures read like socket failures (`Connection refused (connect ECONNREFUSED ...)`). */
function toRequestError(error: unknown): ApiRequestError {
  if (error instanceof ApiRequestError) return error;
  // Node's fetch wraps the socket error as `cause`; node-fetch prefixes it with the URL.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const readable = describeSocketError(cause).replace(/request to \S+ failed, reason: /, '');
  return new ApiRequestError(redactCredentials(readable), 'transport');
}

/**
 * Removes `user:password@` from any URL inside a text, so credentials never reach
 * `last_error`, logs or frames.
 *
 * @example
 * ```ts
 * redactCredentials('request to http://admin:hunter2@10.0.0.2:14002/ failed'); // 'request to http://10.0.0.2:14002/ failed'
 * ```
 */
export function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
}

/**
 * Checks an option that must be an http(s) URL, and returns it parsed; the `RangeError`
 * names the option and shows the URL without its credentials.
 *
 * @example
 * ```ts
 * requireHttpUrl('nodes[0].api.url', 'http://localhost:14002').port; // '14002'
 * ```
 */
export function requireHttpUrl(name: string, value: unknown): URL {
  const text = requireText(name, value);
  const parsed = URL.canParse(text) ? new URL(text) : undefined;
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') {
    throw new RangeError(`${name} must be an http(s) URL; got ${JSON.stringify(redactCredentials(text))}`);
  }
  return parsed;
}

/**
 * Splits the credentials off a base URL: they travel as a Basic auth header and are
 * never displayed. The base has no trailing slash. Throws a `RangeError` naming `url`
 * for anything but an http(s) URL.
 *
 * @example
 * ```ts
 * splitCredentials('http://operator:secret@10.0.0.2:14002/');
 * // { base: 'http://10.0.0.2:14002', headers: { authorization: 'Basic b3BlcmF0b3I6c2VjcmV0' } }
 * ```
 */
export function splitCredentials(url: string): { base: string; headers: Record<string, string> } {
  const parsed = requireHttpUrl('url', url);
  const headers: Record<string, string> = {};
  if (parsed.username || parsed.password) {
    const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  return { base: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`, headers };
}
