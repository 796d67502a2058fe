import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Options of {@link requestGuard}. */
export interface RequestGuardOptions {
  /**
   * Browser origins allowed besides the page's own (`https://monitor.example.com`); their
   * host names are allowed as `Host` too. Defaults to none: same-origin pages only.
   */
  readonly allowedOrigins?: readonly string[];
  /** Host names (without port) the server answers to besides IP addresses and `localhost`. Defaults to none. */
  readonly allowedHosts?: readonly string[];
  /**
   * Check `Host` on every request, not only on those from browsers (with `Origin`). A
   * server of pages or metrics needs it: a browser sends no `Origin` on a same-origin
   * `GET`, and a DNS-rebinding page is same-origin. Defaults to false (what a WebSocket
   * endpoint needs: browsers always send `Origin` there).
   */
  readonly checkHostAlways?: boolean;
}

/** What {@link requestGuard} decided: the parsed target, or the status to answer (and close) with. */
export type RequestVerdict =
  | { readonly ok: true; readonly url: URL }
  | { readonly ok: false; readonly status: 400 | 403 | 421; readonly reason: 'Bad Request' | 'Forbidden' | 'Misdirected Request' };

/** The request's parts a guard reads. */
export type GuardedRequest = Pick<IncomingMessage, 'url' | 'headers'>;

/** `host`, `host:port`, `[v6]`, `[v6]:port`; one pass, no backtracking. */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::\d{1,5})?$/i;

const BAD_REQUEST: RequestVerdict = { ok: false, status: 400, reason: 'Bad Request' };
const FORBIDDEN: RequestVerdict = { ok: false, status: 403, reason: 'Forbidden' };
const MISDIRECTED: RequestVerdict = { ok: false, status: 421, reason: 'Misdirected Request' };

/**
 * Checks what any HTTP request can send before a handler reads it (SPEC §8): a target
 * that does not parse is a 400; a browser page from another origin than its own or
 * `allowedOrigins` is a 403 (a request without `Origin` is not from a browser page and
 * passes); a `Host` that is not an IP address, `localhost`, an allowed name or the host
 * of an allowed origin is a 421 (DNS rebinding: a hostile name that resolves to this
 * server), checked on browser requests, or on all with `checkHostAlways`. Never throws,
 * whatever the request line and headers; bad options throw a `RangeError` naming the option.
 *
 * @example
 * ```ts
 * const guard = requestGuard({ allowedOrigins: ['https://monitor.example.com'], checkHostAlways: true });
 * createServer((request, response) => {
 *   const verdict = guard(request);
 *   if (!verdict.ok) return void response.writeHead(verdict.status, { connection: 'close' }).end(verdict.reason);
 *   if (verdict.url.pathname === '/metrics') serveMetrics(response);
 * });
 * ```
 */
export function requestGuard(options: RequestGuardOptions = {}): (request: GuardedRequest) => RequestVerdict {
  const allowedOrigins = new Set((options.allowedOrigins ?? []).map((origin, index) => requireOrigin(`allowedOrigins[${index}]`, origin)));
  const allowedHosts = new Set((options.allowedHosts ?? []).map((host, index) => requireHostName(`allowedHosts[${index}]`, host)));
  for (const origin of allowedOrigins) allowedHosts.add(new URL(origin).hostname);
  const checkHostAlways = options.checkHostAlways ?? false;
  return (request) => {
    const url = requestTarget(request);
    if (url === undefined) return BAD_REQUEST;
    const origin = request.headers.origin;
    if (origin === undefined && !checkHostAlways) return { ok: true, url };
    const host = request.headers.host;
    const match = host === undefined ? null : HOST_HEADER.exec(host);
    if (!match) return BAD_REQUEST;
    const hostname = (match[1] ?? '').toLowerCase();
    if (!(isIP(hostname.replace(/^\[|\]$/g, '')) || hostname === 'localhost' || allowedHosts.has(hostname))) return MISDIRECTED;
    if (origin === undefined) return { ok: true, url };
    const page = URL.canParse(origin) ? new URL(origin) : undefined;
    if (page === undefined || page.origin === 'null') return FORBIDDEN;
    if (allowedOrigins.has(page.origin)) return { ok: true, url };
    // Same origin: the page's host (and port) is the one this request was sent to.
    return URL.canParse(`${page.protocol}//${host}`) && new URL(`${page.protocol}//${host}`).host === page.host ? { ok: true, url } : FORBIDDEN;
  };
}

/**
 * The request's target as a URL (relative to `http://localhost`), or `undefined` when it
 * does not parse (`GET http://[ HTTP/1.1`): what a handler reads instead of calling
 * `new URL(request.url)`, which throws.
 *
 * @example
 * ```ts
 * requestTarget({ url: '/ws?token=t' })?.pathname; // '/ws'
 * requestTarget({ url: '//a:99999/ws' }); // undefined
 * ```
 */
export function requestTarget(request: Pick<IncomingMessage, 'url'>): URL | undefined {
  const target = request.url ?? '/';
  return URL.canParse(target, 'http://localhost') ? new URL(target, 'http://localhost') : undefined;
}

function requireOrigin(name: string, value: unknown): string {
  const parsed = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
  const bare = parsed && parsed.origin !== 'null' && !parsed.username && !parsed.password && parsed.pathname === '/' && !parsed.search && !parsed.hash;
  if (!parsed || !bare) {
    throw new RangeError(`${name} must be an origin like https://monitor.example.com (scheme, host, optional port); got ${JSON.stringify(value)}`);
  }
  return parsed.origin;
}

function requireHostName(name: string, value: unknown): string {
  if (typeof value !== 'string' || !HOST_HEADER.test(value) || value.includes(':')) {
    throw new RangeError(`${name} must be a host name without port, like monitor.example.com; got ${JSON.stringify(value)}`);
  }
  return value.toLowerCase();
}
