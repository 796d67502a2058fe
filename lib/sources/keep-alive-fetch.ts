import crossFetch from 'cross-fetch';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { FetchResponseLike, SignalLikeFetch, SignalLikeInit } from './fetch-like.js';
import { DEFAULT_KEEPALIVE_MS } from './tcp-connection.js';

/** cross-fetch in Node is node-fetch, which takes the pool a request goes through as `agent`. */
type NodeFetch = (url: string, init: SignalLikeInit & { readonly agent: HttpAgent }) => Promise<FetchResponseLike>;

/**
 * Connections kept open between requests (a health check every 30 s reuses the last
 * one), at most 4 per origin, with TCP keepalive from the connect on, probing after 10 s
 * of silence (Node's agent hands `keepAliveMsecs` to the socket as its initial delay),
 * so that a dead peer or path is noticed by the kernel between checks.
 */
const AGENT_OPTIONS = { keepAlive: true, keepAliveMsecs: DEFAULT_KEEPALIVE_MS, maxSockets: 4 } as const;

/**
 * `cross-fetch` over keep-alive agents of its own (one for `http:`, one for `https:`,
 * made when first needed): the node API client's default fetch, one per client, so
 * that its connections are its own to drop. Node's `http` client parses the responses
 * (llhttp), Node's TLS checks certificates. Given to `httpJson` as the object (a
 * {@link SignalLikeFetch}), not as its `fetch`, its requests go with a reused
 * `RequestSignal` instead of an AbortController each.
 *
 * @example
 * ```ts
 * const connections = new KeepAliveFetch();
 * httpJson({ url: 'http://127.0.0.1:14002/api/sno/', fetch: connections, timeoutMs: 10_000, maxBodyBytes: 1 << 22, scheduler: asyncScheduler })
 *   .subscribe((dashboard) => console.log(dashboard));
 * // later
 * connections.close();
 * ```
 */
export class KeepAliveFetch implements SignalLikeFetch {
  private http: HttpAgent | undefined;
  private https: HttpsAgent | undefined;

  /**
   * A {@link FetchLike} that also takes any {@link AbortSignalLike} as its signal (node-fetch
   * does): requests go over this object's kept-alive connections. A request
   * sent on a kept-alive connection that the server closed as it went out (its idle
   * timeout, or a restart) is sent once more, on a new connection: it is a `GET`, and no
   * answer was read. Node's agent does not do that itself.
   */
  readonly fetch: SignalLikeFetch['fetch'] = (url, init) => {
    const agent = this.agentFor(url);
    // Asked before sending: the request takes the idle connection.
    const reusing = hasIdleConnection(agent);
    const sent = viaAgent(url, init, agent);
    // A promise chain, not an async function: its frame and promises would stay alive for every request in flight.
    if (!reusing) return sent;
    return sent.catch((error: unknown) => {
      // Not after close() or resetConnections(), which close connections on purpose.
      if (!closedUnanswered(error) || init.signal.aborted || this.current(url) !== agent) throw error;
      return viaAgent(url, init, agent);
    });
  };

  /** By the URL's scheme; a redirect to another scheme comes back here as a request of its own (httpJson follows redirects, not node-fetch). */
  private agentFor(url: string): HttpAgent {
    return this.current(url) ?? (isHttps(url) ? (this.https = new HttpsAgent(AGENT_OPTIONS)) : (this.http = new HttpAgent(AGENT_OPTIONS)));
  }

  private current(url: string): HttpAgent | undefined {
    return isHttps(url) ? this.https : this.http;
  }

  /**
   * The next request goes over a new connection: idle connections close now, those
   * carrying a request close when it ends (it is not disturbed).
   */
  resetConnections(): void {
    for (const agent of [this.http, this.https]) if (agent) retire(agent);
    this.http = undefined;
    this.https = undefined;
  }

  /** Closes every connection now, aborting requests under way; a later request connects again. */
  close(): void {
    this.http?.destroy();
    this.https?.destroy();
    this.http = undefined;
    this.https = undefined;
  }
}

function viaAgent(url: string, init: SignalLikeInit, agent: HttpAgent): Promise<FetchResponseLike> {
  // Each field by name, not `{ ...init, agent }`, which gave every request a hidden class of
  // its own (why: `withFields`, lib/connections/json-fields.ts) and node-fetch's reads of it megamorphic.
  const { method, headers, redirect, signal } = init;
  return (crossFetch as unknown as NodeFetch)(url, { method, headers, redirect, signal, agent });
}

function isHttps(url: string): boolean {
  return /^https:/i.test(url);
}

/** The next request goes out on a connection kept from an earlier one (the agent takes an idle one if it has any). */
function hasIdleConnection(agent: HttpAgent): boolean {
  for (const name in agent.freeSockets) if ((agent.freeSockets[name]?.length ?? 0) > 0) return true;
  return false;
}

/** The connection closed before any answer: `socket hang up` (ECONNRESET) or a write to a closed socket (EPIPE). */
function closedUnanswered(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/** An agent no request goes to any more: its idle sockets close now, its busy ones when their requests end. */
function retire(agent: HttpAgent): void {
  // Node's documented hook: a socket its request is done with goes back to the pool only if this says so.
  agent.keepSocketAlive = () => false;
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}
