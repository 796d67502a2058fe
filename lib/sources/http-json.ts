import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { requireHttpUrl } from '../validate.js';
import { ApiRequestError, bodyTooLarge } from './api-request-error.js';
import type { FetchLike, FetchResponseLike, SignalLikeFetch } from './fetch-like.js';
import { RequestSignal } from './request-signal.js';
import { readBody } from './response-body.js';
import { describeSocketError } from './tcp-connection.js';

/** Options of {@link httpJson}. */
export interface HttpJsonRequest<T = unknown> {
  /** The URL, without credentials (pass them as an `authorization` header). */
  readonly url: string | URL;
  /**
   * Sends each `GET`: a {@link KeepAliveFetch} (or any {@link SignalLikeFetch}), whose
   * requests go with one reused {@link RequestSignal}; or a {@link FetchLike} (Node's
   * global `fetch`, undici's, a test double), whose requests each have an AbortController.
   */
  readonly fetch: FetchLike | SignalLikeFetch;
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
/** Of a body that is not the answer (a redirect's, an error's), at most this much is read; past it, the connection goes. */
const SIDE_BODY_BYTES = 16 * 1024;

/**
 * One `GET` of a JSON document as a cold Observable: it emits the parsed body of a
 * 2xx response (through `accept`) and completes, or errors with an
 * {@link ApiRequestError}. The timeout (on `scheduler`, so virtual in tests) covers the
 * whole exchange, body included; redirects are followed here, not by the fetch (up to
 * 20; `authorization` is not sent to another origin); a body over `maxBodyBytes` is
 * rejected as it streams; unsubscribing aborts the request. Each subscription is one
 * request, so one `httpJson` can be subscribed again and again (a health check).
 *
 * @example
 * ```ts
 * const connections = new KeepAliveFetch();
 * httpJson({ url: 'http://127.0.0.1:14002/api/sno/', fetch: connections, timeoutMs: 10_000, maxBodyBytes: 1 << 22, scheduler: asyncScheduler })
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
 * const check = jsonRequester({ url: 'http://127.0.0.1:14002/api/sno/', fetch: connections, timeoutMs: 10_000, maxBodyBytes: 1 << 22, scheduler: asyncScheduler });
 * const abandon = check((body) => console.log(body), (error) => console.warn(error.message));
 * ```
 */
export function jsonRequester<T = unknown>(request: HttpJsonRequest<T>): JsonRequester<T> {
  const plan: RequestPlan<T> = {
    fetch: request.fetch,
    maxBodyBytes: request.maxBodyBytes,
    timeoutMs: request.timeoutMs,
    scheduler: request.scheduler,
    // Kept as text: a URL object is ~160 bytes of heap per client; one is made only to follow a redirect.
    url: typeof request.url === 'string' ? new URL(request.url).href : request.url.href,
    headers: { accept: 'application/json', ...request.headers },
    accept: request.accept ?? ((body: unknown) => body as T),
    secrets: secretsOf(request.headers?.authorization),
    spare: undefined,
  };
  return (onBody, onError) => {
    const exchange = new JsonExchange(plan, onBody, onError);
    return () => exchange.abandon();
  };
}

/** What every request of one {@link jsonRequester} shares: its request, defaulted and resolved once. */
interface RequestPlan<T> extends Pick<HttpJsonRequest<T>, 'fetch' | 'maxBodyBytes' | 'timeoutMs' | 'scheduler'> {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly accept: (body: unknown) => T;
  readonly secrets: readonly string[];
  /** The signal of the last request that ended well over a {@link SignalLikeFetch}, once the fetch had let go of it ({@link RequestSignal.idle}). */
  spare: RequestSignal | undefined;
}

/**
 * One request of a {@link jsonRequester}, from its first exchange to its one callback:
 * one object with methods, not a handful of closures, since a thousand health checks
 * are in flight at once in each round and whatever they hold then is what V8's young
 * collections promote.
 */
class JsonExchange<T> {
  private settled = false;
  /** The exchange under way (one per redirect): aborted when the request ends early. */
  private controller: AbortController | RequestSignal | undefined;
  private readonly timeout: Subscription;

  constructor(
    private readonly plan: RequestPlan<T>,
    private readonly onBody: (body: T) => void,
    private readonly onError: (error: ApiRequestError) => void,
  ) {
    this.timeout = plan.scheduler.schedule(timedOut, plan.timeoutMs, this);
    this.answer().then(
      (result) => this.succeed(result),
      (error: unknown) => this.fail(error),
    );
  }

  abandon(): void {
    if (this.settle()) this.controller?.abort();
  }

  timedOut(): void {
    this.fail(new ApiRequestError(`Connection timeout (no response within ${this.plan.timeoutMs} ms)`, 'timeout'));
  }

  private fail(error: unknown): void {
    if (!this.settle()) return;
    // Of an exchange that ended (its body read), nothing is left to abort: its connection stays open for the next request.
    this.controller?.abort();
    this.onError(withoutSecrets(toRequestError(error), this.plan.secrets));
  }

  private succeed(result: T): void {
    if (!this.settle()) return;
    // Settled, this request never aborts its signal again; with no listener left on it, no
    // earlier response can be cut off by a later request's abort. node-fetch removes its
    // listener when the HTTP response ends, before the body's own end, except for a
    // compressed body that ends early (zlib stops at the end of its stream while bytes
    // after it are still coming): that signal is not reused.
    this.plan.spare = this.idleSignal() ?? this.plan.spare;
    this.onBody(result);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.timeout.unsubscribe();
    return true;
  }

  /** The next response, over a new exchange: none once the request has ended. */
  private send(target: string, headers: Readonly<Record<string, string>>): Promise<FetchResponseLike> {
    if (this.settled) throw ABANDONED;
    const { fetch } = this.plan;
    if (typeof fetch === 'function') {
      const controller = new AbortController();
      this.controller = controller;
      return fetch(target, { method: 'GET', headers, redirect: 'manual', signal: controller.signal });
    }
    // A redirect's hop goes with the last hop's signal when that one's answer let go of it; the first, with the spare.
    const signal = this.idleSignal() ?? this.plan.spare ?? new RequestSignal();
    if (signal === this.plan.spare) this.plan.spare = undefined;
    this.controller = signal;
    return fetch.fetch(target, { method: 'GET', headers, redirect: 'manual', signal });
  }

  /** The last exchange's RequestSignal, when its answer let go of it and nothing aborted it ({@link RequestSignal.idle}). */
  private idleSignal(): RequestSignal | undefined {
    return this.controller instanceof RequestSignal && this.controller.idle ? this.controller : undefined;
  }

  private async answer(): Promise<T> {
    const { maxBodyBytes } = this.plan;
    let target = this.plan.url;
    let sent = this.plan.headers;
    for (let redirects = 0; ; redirects++) {
      const response = await this.send(target, sent);
      const { status } = response;
      const ok = status >= 200 && status <= 299;
      const body = await readBody(response, ok ? maxBodyBytes : Math.min(maxBodyBytes, SIDE_BODY_BYTES));
      if (body === null && ok) throw bodyTooLarge(maxBodyBytes);
      // The rest of a redirect's body is not worth reading: its connection goes instead.
      if (body === null) this.controller?.abort();
      const location = REDIRECT_STATUSES.has(status) ? response.headers.get('location') : null;
      if (location === null) {
        if (!ok) throw new ApiRequestError(httpFailure(status, response.statusText, body), 'http', status);
        return this.plan.accept(parseJson(body ?? Buffer.alloc(0)));
      }
      const from = new URL(target);
      const next = redirectTarget(from, status, location, redirects);
      if (next.origin !== from.origin) sent = withoutAuthorization(sent);
      target = next.href;
    }
  }
}

/** The timeout's work, given its request as the action's state: no closure per request. */
function timedOut<T>(exchange?: JsonExchange<T>): void {
  exchange?.timedOut();
}

/** Thrown into a request that ended (timeout, abandoned) to stop it before its next redirect; never seen by anyone. */
const ABANDONED = new ApiRequestError('Request abandoned', 'transport');

function redirectTarget(from: URL, status: number, location: string, redirects: number): URL {
  if (redirects >= MAX_REDIRECTS) throw new ApiRequestError(`Too many redirects (more than ${MAX_REDIRECTS})`, 'http', status);
  const next = URL.canParse(location, from.href) ? new URL(location, from) : undefined;
  // Credentials in a redirect target would be sent (node-fetch turns them into Basic auth): not followed.
  if ((next?.protocol !== 'http:' && next?.protocol !== 'https:') || next.username !== '' || next.password !== '') {
    // ApiRequestError takes any credentials out of its message.
    throw new ApiRequestError(`HTTP ${status} redirect to an unusable location ${JSON.stringify(location.slice(0, 80))}`, 'http', status);
  }
  return next;
}

/**
 * What the `authorization` header carries, in every form a peer could send it back in
 * (its error text, a status phrase): the header's credentials and, for Basic, the
 * decoded `user:password` and the password (when it is long enough not to be an
 * ordinary word).
 */
function secretsOf(authorization: string | undefined): readonly string[] {
  const credentials = authorization?.replace(/^\S+\s+/, '') ?? '';
  if (credentials === '') return [];
  const decoded = /^basic\s/i.test(authorization ?? '') ? Buffer.from(credentials, 'base64').toString('utf8') : '';
  const password = decoded.slice(decoded.indexOf(':') + 1);
  return [credentials, decoded, password].filter((secret) => secret.length >= MIN_SECRET_CHARS);
}

/** Shorter passwords cannot be told from ordinary text (and are no secret to anyone who tries). */
const MIN_SECRET_CHARS = 4;

/** The error with every secret of ours in its message replaced by `***`. */
function withoutSecrets(error: ApiRequestError, secrets: readonly string[]): ApiRequestError {
  let message = error.message;
  for (const secret of secrets) message = message.replaceAll(secret, '***');
  return message === error.message ? error : new ApiRequestError(message, error.kind, error.status);
}

/**
 * `HTTP 404 Not Found: <the node's reason>`. A storagenode's console API answers its
 * errors as `{"error": "<reason>"}` (storj/storj `storagenode/console/consoleapi/`:
 * `serveJSONError` in storagenode.go at commit 2a0b7f1589 and in payouts.go at
 * 6ba8f6c8a9); any other body is not shown.
 */
function httpFailure(status: number, statusText: string, body: Buffer | null): string {
  const head = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  const reason = body === null ? undefined : nodeReason(body);
  return reason === undefined ? head : `${head}: ${reason}`;
}

function nodeReason(body: Buffer): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const reason = typeof parsed === 'object' && parsed !== null && 'error' in parsed ? parsed.error : undefined;
  return typeof reason === 'string' && reason.trim() !== '' ? reason.trim() : undefined;
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
  return new ApiRequestError(readable, 'transport');
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
