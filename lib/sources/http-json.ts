import { Observable, Subscription, type SchedulerLike } from 'rxjs';
import { requireText } from '../validate.js';
import { ApiRequestError } from './api-request-error.js';
import type { HttpReply } from './http-response-parser.js';
import { describeSocketError } from './tcp-connection.js';

/**
 * How {@link httpJson} sends one `GET` and receives the whole response: the built-in
 * {@link KeepAliveHttp} (its `request`), or {@link fetchTransport} around a fetch. It
 * emits the response whatever its status, and errors on transport failures;
 * unsubscribing abandons the request.
 *
 * @example
 * ```ts
 * const http = new KeepAliveHttp('http://127.0.0.1:14002');
 * const transport: HttpTransport = http.request;
 * ```
 */
export type HttpTransport = (url: URL, headers: Readonly<Record<string, string>>, maxBodyBytes: number) => Observable<HttpReply>;

/** Options of {@link httpJson}. */
export interface HttpJsonRequest<T = unknown> {
  /** The URL, without credentials (pass them as an `authorization` header). */
  readonly url: string | URL;
  readonly transport: HttpTransport;
  /** Covers the whole exchange: connecting, redirects and the body. */
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly scheduler: SchedulerLike;
  /** Sent besides `accept: application/json`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Checks the parsed body and returns what the request emits; what it throws fails the request. Defaults to the body as it is. */
  readonly accept?: (body: unknown) => T;
}

/** As many as fetch follows. */
const MAX_REDIRECTS = 20;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * One `GET` of a JSON document as a cold Observable: it emits the parsed body of a
 * 2xx response (through `accept`) and completes, or errors with an
 * {@link ApiRequestError}. The timeout (on `scheduler`, so virtual in tests) covers the
 * whole exchange, body included; redirects are followed (up to 20; `authorization` is
 * not sent to another origin); a body over `maxBodyBytes` is rejected; unsubscribing
 * abandons the request. Each subscription is one request, so one `httpJson` can be
 * subscribed again and again (a health check).
 *
 * @example
 * ```ts
 * const http = new KeepAliveHttp('http://127.0.0.1:14002');
 * httpJson({ url: 'http://127.0.0.1:14002/api/sno/', transport: http.request, timeoutMs: 10_000, maxBodyBytes: 1 << 22, scheduler: asyncScheduler })
 *   .subscribe((body) => console.log(body));
 * ```
 */
export function httpJson<T = unknown>(request: HttpJsonRequest<T>): Observable<T> {
  const send = jsonRequester(request);
  return new Observable<T>((subscriber) =>
    send(
      (body) => {
        subscriber.next(body);
        subscriber.complete();
      },
      (error) => subscriber.error(error),
    ),
  );
}

/**
 * Sends the request once per call and calls back once, with the accepted body or the
 * error, unless the function it returns abandons the request first.
 *
 * @example
 * ```ts
 * const check: JsonRequester<SnoDashboard> = jsonRequester({ ...request, accept: toDashboard });
 * const abandon = check((dashboard) => console.log(dashboard.nodeID), (error) => console.warn(error.message));
 * abandon(); // no callback follows
 * ```
 */
export type JsonRequester<T> = (onBody: (body: T) => void, onError: (error: ApiRequestError) => void) => () => void;

/**
 * {@link httpJson} without an Observable around each request, for a loop that sends the
 * same request over and over (the node API client's health checks): same timeout,
 * redirects, limits and errors, and less garbage per request.
 *
 * @example
 * ```ts
 * const check = jsonRequester({ url: 'http://127.0.0.1:14002/api/sno/', transport: http.request, timeoutMs: 10_000, maxBodyBytes: 1 << 22, scheduler: asyncScheduler });
 * const abandon = check((body) => console.log(body), (error) => console.warn(error.message));
 * ```
 */
export function jsonRequester<T = unknown>(request: HttpJsonRequest<T>): JsonRequester<T> {
  const { transport, maxBodyBytes, timeoutMs, scheduler } = request;
  const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
  const headers = { accept: 'application/json', ...request.headers };
  const accept = request.accept ?? ((body: unknown) => body as T);
  return (onBody, onError) => {
    const exchanges = new Subscription();
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      exchanges.unsubscribe();
      return true;
    };
    const fail = (error: unknown): void => {
      if (settle()) onError(toRequestError(error));
    };
    const send = (target: URL, sentHeaders: Readonly<Record<string, string>>, redirects: number): void => {
      const exchange = transport(target, sentHeaders, maxBodyBytes).subscribe({
        next: (reply) => {
          let result: T;
          try {
            if (REDIRECT_STATUSES.has(reply.status) && reply.location !== null) {
              const next = redirectTarget(target, reply, redirects);
              send(next, next.origin === target.origin ? sentHeaders : withoutAuthorization(sentHeaders), redirects + 1);
              return;
            }
            if (reply.status < 200 || reply.status > 299) {
              throw new ApiRequestError(`HTTP ${reply.status}${reply.statusText ? ` ${reply.statusText}` : ''}`, 'http', reply.status);
            }
            result = accept(parseJson(reply.body));
          } catch (error) {
            fail(error);
            return;
          }
          if (settle()) onBody(result);
        },
        error: fail,
      });
      // Already settled (an answer in the same tick): `add` releases it at once.
      exchanges.add(exchange);
    };
    exchanges.add(scheduler.schedule(() => fail(new ApiRequestError(`Connection timeout (no response within ${timeoutMs} ms)`, 'timeout')), timeoutMs));
    send(url, headers, 0);
    return () => void settle();
  };
}

function redirectTarget(from: URL, reply: HttpReply, redirects: number): URL {
  const location = reply.location ?? '';
  if (redirects >= MAX_REDIRECTS) throw new ApiRequestError(`Too many redirects (more than ${MAX_REDIRECTS})`, 'http', reply.status);
  const next = URL.canParse(location, from.href) ? new URL(location, from) : undefined;
  if (next?.protocol !== 'http:' && next?.protocol !== 'https:') {
    throw new ApiRequestError(
      `HTTP ${reply.status} redirect to an unusable location ${JSON.stringify(redactCredentials(location.slice(0, 80)))}`,
      'http',
      reply.status,
    );
  }
  return next;
}

function withoutAuthorization(headers: Readonly<Record<string, string>>): Record<string, string> {
  const { authorization: _dropped, ...rest } = headers;
  return rest;
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
