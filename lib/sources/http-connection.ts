import type { Socket } from 'node:net';
import { HttpResponseParser, type HttpReply } from './http-response-parser.js';

/** One queued or running request. */
export interface Exchange {
  /** The request as it goes on the wire. */
  readonly bytes: Buffer;
  readonly maxBodyBytes: number;
  readonly done: (error: Error | null, reply?: HttpReply) => void;
  /** The first try went out on a reused connection: if that closes before answering, try once more on a new one. */
  retried: boolean;
  connection: Connection | undefined;
}

/** What a {@link Connection} tells the pool that owns it ({@link KeepAliveHttp}). */
export interface PoolHooks {
  /** The connection finished an exchange and may carry the next one. */
  release(connection: Connection): void;
  /** The connection closed (by either side). */
  forget(connection: Connection): void;
  /** A reused connection closed before answering: send the request again on a new one. */
  resend(exchange: Exchange): void;
}

/**
 * One HTTP/1.1 connection of a {@link KeepAliveHttp}: a socket with its listeners
 * attached once, carrying one {@link Exchange} at a time, read by an
 * {@link HttpResponseParser}. It hands itself back to the pool when an answer leaves it
 * reusable, closes when it does not, and asks the pool to resend a request that a
 * reused connection dropped before answering. Internal to the package.
 *
 * @example
 * ```ts
 * const connection = new Connection(net.connect(14002, '10.0.0.2'), hooks, 0);
 * connection.send(exchange); // exchange.done(null, reply) follows
 * ```
 */
export class Connection {
  private exchange: Exchange | undefined;
  private parser: HttpResponseParser | undefined;
  /** An exchange completed on it before: a close before answering may be the server's keep-alive timeout. */
  private reused = false;

  constructor(
    private readonly socket: Socket,
    private readonly pool: PoolHooks,
    /** The pool's generation when it opened. */
    readonly generation: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (error) => this.failed(error));
    socket.on('close', () => this.closed());
  }

  send(exchange: Exchange): void {
    this.exchange = exchange;
    exchange.connection = this;
    this.parser = new HttpResponseParser(exchange.maxBodyBytes);
    this.socket.write(exchange.bytes);
  }

  /** Drops the exchange under way without a word to it, and closes. */
  abandon(): void {
    this.exchange = undefined;
    this.parser = undefined;
    this.socket.destroy();
  }

  private received(chunk: Buffer): void {
    const { exchange, parser } = this;
    if (!exchange || !parser) {
      // Nothing was asked: a server that talks out of turn is not trusted with the next request.
      this.socket.destroy();
      return;
    }
    let reply: HttpReply | undefined;
    try {
      reply = parser.push(chunk);
    } catch (error) {
      this.socket.destroy();
      this.settle(error as Error);
      return;
    }
    if (reply === undefined) return;
    this.exchange = undefined;
    this.parser = undefined;
    // Back to the pool before the answer is delivered, so a consumer that closes the pool on it closes this one too.
    if (parser.reusable) {
      this.reused = true;
      this.pool.release(this);
    } else {
      this.socket.destroy();
    }
    exchange.done(null, reply);
  }

  /** A socket error; `close` follows. */
  private failed(error: Error): void {
    if (!this.resent()) this.settle(error);
  }

  private closed(): void {
    this.pool.forget(this);
    const parser = this.parser;
    if (!parser || this.resent()) return;
    let reply: HttpReply;
    try {
      reply = parser.end();
    } catch (error) {
      this.settle(error as Error);
      return;
    }
    this.settle(null, reply);
  }

  /** The server closed this kept-alive connection as the request went out: not an answer, so ask again once. */
  private resent(): boolean {
    const { exchange, parser } = this;
    if (!exchange || !parser || !this.reused || exchange.retried || parser.started) return false;
    this.exchange = undefined;
    this.parser = undefined;
    exchange.connection = undefined;
    this.pool.resend(exchange);
    return true;
  }

  private settle(error: Error | null, reply?: HttpReply): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.parser = undefined;
    exchange?.done(error, reply);
  }
}
