import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { asyncScheduler, interval, noop, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { WebSocket, WebSocketServer } from 'ws';
import type { ConnectionStatusFrame } from '../state/connection-status.js';
import { requireInteger } from '../validate.js';
import { requestGuard, requestTarget } from './request-guard.js';
import { tokenCheck } from './token-check.js';

/** Where frames come from: a `Monitor` fits. */
export interface FrameSource {
  /** Frames to broadcast as they come. */
  readonly frames$: Observable<ConnectionStatusFrame>;
  /** The current frame, sent to connecting clients until the first broadcast. */
  frame(): ConnectionStatusFrame;
}

/** Options of {@link serveFrames}. */
export interface ServeFramesOptions {
  /** Attach to this server (its `upgrade` requests on `path`) instead of listening on our own. */
  readonly server?: Server;
  /** Standalone: the address to bind. Defaults to `127.0.0.1`. */
  readonly host?: string;
  /** Standalone: the port; 0 picks a free one (read it back from `port`). Defaults to 8080. */
  readonly port?: number;
  /** Defaults to `/ws`. */
  readonly path?: string;
  /** A shared secret clients must send as `?token=` or `Authorization: Bearer`; otherwise 401. */
  readonly token?: string;
  /**
   * Browser origins allowed to connect besides same-origin pages (whose `Origin` is the
   * `Host` they connect to); others get 403. Requests without `Origin` (non-browsers) pass.
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * Host names (without port) browsers may connect by, besides IP addresses, `localhost`
   * and the hosts of `allowedOrigins`; a browser connecting by another name gets 421 (DNS
   * rebinding). Defaults to none.
   */
  readonly allowedHosts?: readonly string[];
  /** Ping every this long; a client that has not answered the previous ping is terminated. Defaults to 30000. */
  readonly heartbeatMs?: number;
  /** A client with more than this many bytes queued is dropped (frames are "latest wins"). Defaults to 1 MiB. */
  readonly maxBufferedBytes?: number;
  /** Largest message a client may send; clients have nothing big to say. Defaults to 4096. */
  readonly maxPayload?: number;
  /** Heartbeat timer. Defaults to `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** A running broadcast; see {@link serveFrames}. */
export interface FrameBroadcast {
  /** The port listened on (the attached server's, when attached). */
  readonly port: number;
  /** Connected clients right now. */
  readonly clientCount: number;
  /** Closes every client with 1001 (going away), and the server if it is ours. */
  close(): Promise<void>;
}

/**
 * Serves a monitor's `connection_status` frames to dashboards over WebSocket (SPEC
 * §3.4), standalone or attached to an existing `http.Server`. A new client gets the
 * latest frame at once (the last one broadcast, or the current one before any), then
 * every frame as it comes; each frame is serialised once
 * and the same bytes are sent to every client. Slow clients are dropped rather than
 * buffered without bound, silent ones are found by ping/pong and terminated, messages
 * from clients are ignored, and the token and Origin checks happen at the HTTP upgrade,
 * before the handshake.
 *
 * @example
 * ```ts
 * import { createMonitor, serveFrames } from 'storj-monitor-rx';
 *
 * const monitor = createMonitor(config);
 * const broadcast = await serveFrames(monitor, { port: 8080, token: process.env.MONITOR_TOKEN });
 * monitor.start();
 * // dashboards connect to ws://127.0.0.1:8080/ws?token=...
 * ```
 */
export async function serveFrames(source: FrameSource, options: ServeFramesOptions = {}): Promise<FrameBroadcast> {
  const path = options.path ?? '/ws';
  const heartbeatMs = requireInteger('heartbeatMs', options.heartbeatMs ?? 30_000, 1);
  const maxBufferedBytes = requireInteger('maxBufferedBytes', options.maxBufferedBytes ?? 1024 * 1024, 1);
  const maxPayload = requireInteger('maxPayload', options.maxPayload ?? 4096, 1);
  const owned = options.server === undefined;
  const listenPort = owned ? requireInteger('port', options.port ?? 8080, 0, 65_535) : 0;
  const checkToken = options.token === undefined ? undefined : tokenCheck(options.token);
  const guard = requestGuard({
    ...(options.allowedOrigins && { allowedOrigins: options.allowedOrigins }),
    ...(options.allowedHosts && { allowedHosts: options.allowedHosts }),
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload, clientTracking: true });
  const alive = new WeakSet<WebSocket>();
  const server = options.server ?? createServer((_request, response) => response.writeHead(426, { connection: 'close' }).end());

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = requestTarget(request);
    if (url === undefined) return reject(socket, 400, 'Bad Request');
    if (url.pathname !== path) {
      // On a shared server, other paths belong to other upgrade handlers, if there are any.
      if (owned || server.listeners('upgrade').every((listener) => listener === onUpgrade)) reject(socket, 404, 'Not Found');
      return;
    }
    const verdict = guard(request);
    if (!verdict.ok) return reject(socket, verdict.status, verdict.reason);
    if (checkToken && !checkToken(request, url)) return reject(socket, 401, 'Unauthorized');
    wss.handleUpgrade(request, socket, head, (client) => wss.emit('connection', client, request));
  };
  server.on('upgrade', onUpgrade);

  const send = (client: WebSocket, data: Buffer): void => {
    if (client.readyState !== WebSocket.OPEN) return;
    if (client.bufferedAmount > maxBufferedBytes) {
      client.terminate();
      return;
    }
    client.send(data, { binary: false });
  };
  const serialise = (frame: ConnectionStatusFrame): Buffer => Buffer.from(JSON.stringify(frame));
  /**
   * The bytes of the latest frame broadcast. A connecting client gets them as they are:
   * a crowd of dashboards reconnecting after a restart costs no snapshot and no
   * serialisation each. Before the first broadcast (or after one that nobody got) the
   * current frame is built once and kept until the next broadcast.
   */
  let latest: Buffer | undefined;

  wss.on('connection', (client) => {
    alive.add(client);
    client.on('pong', () => alive.add(client));
    client.on('error', noop);
    latest ??= serialise(source.frame());
    send(client, latest);
  });

  if (owned) {
    // Before any subscription: a port that is taken leaves no timer or subscriber behind.
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  const subscriptions: Subscription[] = [
    source.frames$.subscribe((frame) => {
      if (wss.clients.size === 0) {
        latest = undefined;
        return;
      }
      latest = serialise(frame);
      for (const client of wss.clients) send(client, latest);
    }),
    interval(heartbeatMs, options.scheduler ?? asyncScheduler).subscribe(() => {
      for (const client of wss.clients) {
        if (!alive.has(client)) {
          client.terminate();
          continue;
        }
        alive.delete(client);
        client.ping();
      }
    }),
  ];

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    get clientCount() {
      return wss.clients.size;
    },
    async close() {
      for (const subscription of subscriptions) subscription.unsubscribe();
      server.off('upgrade', onUpgrade);
      const closing = [...wss.clients].map((client) => closed(client));
      for (const client of wss.clients) client.close(1001, 'server going away');
      // A client that does not complete the closing handshake is cut off.
      const cutOff = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, 1000);
      await Promise.all(closing);
      clearTimeout(cutOff);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      if (owned) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

function closed(client: WebSocket): Promise<void> {
  return client.readyState === WebSocket.CLOSED ? Promise.resolve() : new Promise((resolve) => client.once('close', () => resolve()));
}

/** Answers an upgrade with an error status and closes the connection (a peer gone meanwhile is no error). */
function reject(socket: Duplex, status: number, reason: string): void {
  socket.on('error', noop);
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
