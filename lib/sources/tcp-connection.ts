import { connect as netConnect, type OnReadOpts, type Socket } from 'node:net';
import { noop, Observable } from 'rxjs';
import { CONNECTED, type Connected } from './connection-signal.js';

/** What {@link TcpConnect} is asked to open. */
export interface TcpConnectRequest {
  readonly host: string;
  readonly port: number;
  /**
   * Set when the connection reads into the shared buffer (`sharedReadBuffer`): pass it
   * on to `net.connect` (the default step does). A socket opened without it emits `data`
   * as usual, one new Buffer per read, and works the same.
   */
  readonly onread?: OnReadOpts;
}

/**
 * Opens the socket of one connection attempt: the replaceable connect/handshake step.
 * It returns a socket that emits `connect` once the link is ready for reading. The
 * default is `net.connect`; a test can inject a socket that never connects, and a
 * protocol that needs a handshake can do it before emitting `connect`.
 *
 * @example
 * ```ts
 * import { connect } from 'node:net';
 * const plain: TcpConnect = ({ host, port }) => connect({ host, port });
 * ```
 */
export type TcpConnect = (request: TcpConnectRequest) => Socket;

/** Options of {@link tcpConnection}. */
export interface TcpConnectionOptions extends Omit<TcpConnectRequest, 'onread'> {
  /** Give up an attempt that has not connected after this long, in ms. Defaults to 10000. */
  readonly connectTimeoutMs?: number;
  /**
   * TCP keepalive idle time, in ms: a peer that vanishes without FIN or RST is
   * detected about 10 s after this (Linux probes every 1 s, 10 times). Defaults to
   * {@link DEFAULT_KEEPALIVE_MS} (10000).
   */
  readonly keepAliveMs?: number;
  /** Fail a connection that has received nothing for this long, in ms; 0 is off. Defaults to 0. */
  readonly idleTimeoutMs?: number;
  /**
   * Read into one 64 KiB buffer shared by every connection that sets this, and emit a
   * view of it per read, instead of a new Buffer per read: no allocation, and none of
   * the page faults that freeing and allocating 64 KiB blocks at gigabit rates costs.
   * A chunk is then valid only while its `next` call runs (the next read of any such
   * connection overwrites it), which is what `forwarderLineBatches` needs; never keep
   * one or hand it to anything asynchronous.
   * Defaults to false.
   */
  readonly sharedReadBuffer?: boolean;
  /** The connect step. Defaults to `net.connect`. */
  readonly connect?: TcpConnect;
}

/**
 * The attempt did not connect within `connectTimeoutMs`.
 *
 * @example
 * ```ts
 * if (error instanceof ConnectTimeoutError) console.log(error.timeoutMs);
 * ```
 */
export class ConnectTimeoutError extends Error {
  override readonly name = 'ConnectTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`Connection timeout: not connected after ${timeoutMs} ms`);
  }
}

/**
 * The connection received nothing for `idleTimeoutMs` (a frozen peer whose kernel
 * still answers, which keepalive cannot see).
 *
 * @example
 * ```ts
 * if (error instanceof IdleTimeoutError) console.log(`silent for ${error.timeoutMs} ms`);
 * ```
 */
export class IdleTimeoutError extends Error {
  override readonly name = 'IdleTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`Idle timeout: no data for ${timeoutMs} ms`);
  }
}

const defaultConnect: TcpConnect = ({ host, port, onread }) => netConnect({ host, port, onread });

/** Safe to share: Node runs one socket's read callback at a time, and each chunk is consumed before it returns. */
let sharedBuffer: Buffer | undefined;

/**
 * The TCP keepalive idle time by default, in ms, of log connections and API sockets:
 * a peer that vanishes without FIN or RST (power loss, a dropped route) is detected
 * about 10 s after this much silence (Linux probes every 1 s, 10 times).
 *
 * @example
 * ```ts
 * tcpConnection({ host, port, keepAliveMs: DEFAULT_KEEPALIVE_MS * 3 });
 * ```
 */
export const DEFAULT_KEEPALIVE_MS = 10_000;

/**
 * How long a connection attempt may take before it fails with {@link ConnectTimeoutError}
 * (SPEC §5: 10 s), unless `connectTimeoutMs` says otherwise.
 *
 * @example
 * ```ts
 * tcpConnection({ host, port, connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS / 2 });
 * ```
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * One TCP connection as a cold Observable: each subscription opens a socket, emits
 * {@link CONNECTED} when it connects, then every chunk received; it completes when the
 * peer closes and errors on any failure (refused, reset, timeouts, DNS, unreachable).
 * It never writes to the peer: the reference log forwarder drops clients that do.
 * Unsubscribing destroys the socket at once.
 *
 * @example
 * ```ts
 * import { tcpConnection, retryWithState } from 'storj-monitor-rx';
 *
 * tcpConnection({ host: '192.168.1.100', port: 9001, idleTimeoutMs: 120_000 })
 *   .pipe(retryWithState({ onEvent: console.log }))
 *   .subscribe((chunk) => process.stdout.write(chunk));
 * ```
 */
export function tcpConnection(options: TcpConnectionOptions): Observable<Connected | Buffer> {
  // The Observable keeps these values, not `options`: tcpLogSource's `{ ...socket,
  // sharedReadBuffer: true }` has a hidden class of its own (see `withFields`), ~240 B per source.
  const { host, port } = options;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEPALIVE_MS;
  const idleTimeoutMs = options.idleTimeoutMs ?? 0;
  const sharedReadBuffer = options.sharedReadBuffer ?? false;
  const open = options.connect ?? defaultConnect;

  return new Observable<Connected | Buffer>((subscriber) => {
    let connected = false;
    // `next` serves both read paths and `complete` both ends: one closure (56 B) each, not
    // two, in every connection for as long as it lives.
    const next = (chunk: Buffer): void => subscriber.next(chunk);
    const complete = (): void => subscriber.complete();
    const socket = open(sharedReadBuffer ? { host, port, onread: sharedReads(next) } : { host, port });
    socket.setKeepAlive(true, keepAliveMs);
    socket.setNoDelay(true);
    socket.setTimeout(connectTimeoutMs);

    socket.on('connect', () => {
      connected = true;
      socket.setTimeout(idleTimeoutMs);
      subscriber.next(CONNECTED);
    });
    socket.on('data', next);
    socket.on('timeout', () => {
      socket.destroy(connected ? new IdleTimeoutError(idleTimeoutMs) : new ConnectTimeoutError(connectTimeoutMs));
    });
    socket.on('end', complete);
    socket.on('error', (error) => subscriber.error(error));
    socket.on('close', complete);

    return () => {
      socket.removeAllListeners();
      // A late error from a socket we are done with must not become an uncaught exception.
      socket.on('error', noop);
      socket.destroy();
    };
  });
}

const ERROR_LABELS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  ENOTFOUND: 'Host not found',
  EAI_AGAIN: 'Host not found (DNS lookup failed)',
  EHOSTUNREACH: 'Host unreachable',
  ENETUNREACH: 'Network unreachable',
  EPIPE: 'Connection broken',
};

/**
 * A readable `last_error` for a socket failure: what happened, then Node's own words,
 * e.g. `Connection refused (connect ECONNREFUSED 127.0.0.1:9001)`.
 *
 * @example
 * ```ts
 * describeSocketError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
 * // 'Connection reset by peer (read ECONNRESET)'
 * ```
 */
export function describeSocketError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const label = code === undefined ? undefined : ERROR_LABELS[code];
  return label ? `${label} (${error.message})` : error.message;
}

/** Reads into the one shared buffer, handing each read on as a view of it. */
function sharedReads(next: (chunk: Buffer) => void): OnReadOpts {
  const buffer = (sharedBuffer ??= Buffer.allocUnsafe(64 * 1024));
  return {
    buffer,
    callback: (bytes) => {
      next(buffer.subarray(0, bytes));
      return true;
    },
  };
}
