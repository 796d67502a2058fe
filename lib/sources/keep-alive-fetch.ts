import crossFetch from 'cross-fetch';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { FetchInitLike, FetchLike, FetchResponseLike } from './fetch-like.js';

/** cross-fetch in Node is node-fetch, which takes the pool a request goes through as `agent` (a function of the URL). */
type NodeFetch = (url: string, init: FetchInitLike & { readonly agent: (url: URL) => HttpAgent }) => Promise<FetchResponseLike>;

/**
 * Connections kept open between requests (a health check every 30 s reuses the last
 * one), at most 4 per origin, with TCP keepalive from the connect on, probing after 10 s
 * of silence (Node's agent hands `keepAliveMsecs` to the socket as its initial delay),
 * so that a dead peer or path is noticed by the kernel between checks.
 */
const AGENT_OPTIONS = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 4 } as const;

/**
 * `cross-fetch` over keep-alive agents of its own (one for `http:`, one for `https:`,
 * made when first needed): the node API client's default fetch, one per client, so
 * that its connections are its own to drop. Node's `http` client parses the responses
 * (llhttp), Node's TLS checks certificates.
 *
 * @example
 * ```ts
 * const connections = new KeepAliveFetch();
 * httpJson({ url: 'http://127.0.0.1:14002/api/sno/', fetch: connections.fetch, timeoutMs: 10_000, maxBodyBytes: 1 << 22, scheduler: asyncScheduler })
 *   .subscribe((dashboard) => console.log(dashboard));
 * // later
 * connections.close();
 * ```
 */
export class KeepAliveFetch {
  private http: HttpAgent | undefined;
  private https: HttpsAgent | undefined;

  /** A {@link FetchLike}: requests go over this object's kept-alive connections. */
  readonly fetch: FetchLike = (url, init) => (crossFetch as unknown as NodeFetch)(url, { ...init, agent: this.agentFor });

  private readonly agentFor = (url: URL): HttpAgent =>
    url.protocol === 'https:' ? (this.https ??= new HttpsAgent(AGENT_OPTIONS)) : (this.http ??= new HttpAgent(AGENT_OPTIONS));

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

/** An agent no request goes to any more: its idle sockets close now, its busy ones when their requests end. */
function retire(agent: HttpAgent): void {
  // Node's documented hook: a socket its request is done with goes back to the pool only if this says so.
  agent.keepSocketAlive = () => false;
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}
