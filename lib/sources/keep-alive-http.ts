import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { defer, finalize, Observable } from 'rxjs';
import { requireInteger } from '../validate.js';
import type { HttpTransport } from './http-json.js';
import { Connection, type Exchange, type PoolHooks } from './http-connection.js';
import type { HttpReply } from './http-response-parser.js';
import type { TcpConnect } from './tcp-connection.js';

/** Options of {@link KeepAliveHttp}. */
export interface KeepAliveHttpOptions {
  /** Connections opened to the origin at most; further requests wait for a free one. Defaults to 4. */
  readonly maxConnections?: number;
  /** TCP keepalive idle time of every connection, in ms. Defaults to 10000. */
  readonly keepAliveMs?: number;
  /** Opens a connection. Defaults to `net.connect` for `http:` and `tls.connect` for `https:`. */
  readonly connect?: TcpConnect;
}

/**
 * `GET` requests to one origin over a few kept-alive HTTP/1.1 connections: the node API
 * client's default transport. A health check writes one small request on a connection
 * that is already open and reads the answer with {@link HttpResponseParser}; between
 * checks nothing runs but the kernel's TCP keepalive. This is about three times
 * cheaper per request than Node's `http` client, which matters when one monitor checks
 * a thousand nodes (see README, Performance). A request whose reused connection turns
 * out to be closed by the server (its keep-alive timeout) is sent once more on a new
 * connection; it is a `GET`, so that is safe. Unsubscribing from a request that is
 * under way closes its connection. Redirects are not followed here; {@link httpJson}
 * does that.
 *
 * @example
 * ```ts
 * const http = new KeepAliveHttp('http://127.0.0.1:14002');
 * http.request(new URL('http://127.0.0.1:14002/api/sno/'), { accept: 'application/json' }, 1 << 20)
 *   .subscribe((reply) => console.log(reply.status, reply.body.toString()));
 * // when done with that origin
 * http.close();
 * ```
 */
export class KeepAliveHttp {
  /** The origin requests go to, e.g. `http://127.0.0.1:14002`. */
  readonly origin: string;
  private readonly hostHeader: string;
  private readonly maxConnections: number;
  private readonly keepAliveMs: number;
  private readonly connect: TcpConnect | undefined;
  private readonly openSocket: () => Socket;
  private readonly idle: Connection[] = [];
  private readonly queue: Exchange[] = [];
  private open = 0;
  /** Advanced by `close()`: connections opened before it are not kept. */
  private generation = 0;
  private lastTarget: { readonly href: string; readonly path: string } = { href: '', path: '' };
  private lastRequest: { readonly path: string; readonly headers: Readonly<Record<string, string>>; readonly bytes: Buffer } = {
    path: '',
    headers: {},
    bytes: Buffer.alloc(0),
  };

  constructor(origin: string | URL, options: KeepAliveHttpOptions = {}) {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`origin must be an http(s) URL; got ${JSON.stringify(url.origin)}`);
    this.origin = url.origin;
    this.hostHeader = url.host;
    this.maxConnections = requireInteger('maxConnections', options.maxConnections ?? 4, 1);
    this.keepAliveMs = requireInteger('keepAliveMs', options.keepAliveMs ?? 10_000, 0);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const connect = options.connect;
    this.connect = connect;
    this.openSocket = connect
      ? () => connect({ host, port })
      : url.protocol === 'https:'
        ? () => tlsConnect({ host, port, ALPNProtocols: ['http/1.1'], ...(isIP(host) === 0 && { servername: host }) })
        : () => netConnect({ host, port });
  }

  /**
   * One `GET` as a cold Observable (an {@link HttpTransport}, so it can be handed to
   * {@link httpJson} as it is): it emits the whole response, whatever its status, and
   * completes; it errors on a transport failure, a reply that is not HTTP, or a body
   * over `maxBodyBytes` (an `ApiRequestError`). A URL of another origin (a redirect
   * elsewhere) goes over a connection of its own, closed afterwards.
   */
  readonly request: HttpTransport = (url, headers, maxBodyBytes) => {
    // A health check asks for the same URL every time: its origin and path are worked out once.
    if (url.href !== this.lastTarget.href) {
      if (url.origin !== this.origin) return this.elsewhere(url, headers, maxBodyBytes);
      this.lastTarget = { href: url.href, path: `${url.pathname}${url.search}` };
    }
    return this.get(this.lastTarget.path, headers, maxBodyBytes);
  };

  /** A request to another origin (a redirect elsewhere), over a connection of its own, closed afterwards. */
  private elsewhere(url: URL, headers: Readonly<Record<string, string>>, maxBodyBytes: number): Observable<HttpReply> {
    return defer(() => {
      const elsewhere = new KeepAliveHttp(url, { maxConnections: 1, keepAliveMs: this.keepAliveMs, ...(this.connect && { connect: this.connect }) });
      return elsewhere.request(url, headers, maxBodyBytes).pipe(finalize(() => elsewhere.close()));
    });
  }

  private get(path: string, headers: Readonly<Record<string, string>>, maxBodyBytes: number): Observable<HttpReply> {
    return new Observable<HttpReply>((subscriber) => {
      const exchange: Exchange = {
        bytes: this.requestBytes(path, headers),
        maxBodyBytes,
        retried: false,
        connection: undefined,
        done: (error, reply) => {
          exchange.connection = undefined;
          if (error) {
            subscriber.error(error);
          } else if (reply) {
            subscriber.next(reply);
            subscriber.complete();
          }
        },
      };
      this.queue.push(exchange);
      this.dispatch();
      return () => {
        const waiting = this.queue.indexOf(exchange);
        if (waiting !== -1) this.queue.splice(waiting, 1);
        // Half a response cannot be skipped on HTTP/1.1: the connection goes with the request.
        exchange.connection?.abandon();
      };
    });
  }

  /** Closes the idle connections now and the busy ones as their requests end; later requests open new ones. */
  close(): void {
    this.generation++;
    for (const connection of this.idle.splice(0)) connection.abandon();
  }

  /** Starts queued requests on idle connections, or new ones while under the limit. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      let connection = this.idle.pop();
      if (connection === undefined) {
        if (this.open >= this.maxConnections) return;
        connection = this.openConnection();
      }
      const exchange = this.queue.shift() as Exchange;
      connection.send(exchange);
    }
  }

  private openConnection(): Connection {
    const socket = this.openSocket();
    socket.setNoDelay(true);
    socket.setKeepAlive(true, this.keepAliveMs);
    this.open++;
    return new Connection(socket, this.pool, this.generation);
  }

  /** What the connections tell their pool. */
  private readonly pool: PoolHooks = {
    release: (connection) => {
      if (connection.generation === this.generation) this.idle.push(connection);
      else connection.abandon();
      this.dispatch();
    },
    forget: (connection) => {
      this.open--;
      const index = this.idle.indexOf(connection);
      if (index !== -1) this.idle.splice(index, 1);
      this.dispatch();
    },
    resend: (exchange) => {
      exchange.retried = true;
      this.queue.unshift(exchange);
      this.dispatch();
    },
  };

  /** Throws a `RangeError` for a header that would break the request apart (CR or LF in it). */
  private requestBytes(path: string, headers: Readonly<Record<string, string>>): Buffer {
    // A health check asks the same thing every time: its bytes are built once.
    const last = this.lastRequest;
    if (path === last.path && headers === last.headers) return last.bytes;
    let text = `GET ${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\nUser-Agent: storj-monitor-rx\r\n`;
    for (const name in headers) {
      const value = headers[name] ?? '';
      if (/[\r\n:]/.test(name) || /[\r\n]/.test(value))
        throw new RangeError(`header ${JSON.stringify(name)} must not contain CR or LF (nor a colon in its name)`);
      text += `${name}: ${value}\r\n`;
    }
    if (/[\s]/.test(path)) throw new RangeError(`path must not contain whitespace; got ${JSON.stringify(path)}`);
    const bytes = Buffer.from(`${text}\r\n`, 'latin1');
    this.lastRequest = { path, headers, bytes };
    return bytes;
  }
}
