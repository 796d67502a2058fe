import { createServer, type Server, type Socket } from 'node:net';
import { filter, firstValueFrom, type Observable, timeout } from 'rxjs';
import type { ConnectionStates, NodeConnectionStates } from '../../lib/index.js';
import { listen } from './listen.js';

/** A stand-in log forwarder on 127.0.0.1: a real TCP server whose clients the test drives. */
export class TestForwarder {
  readonly clients: Socket[] = [];
  /** Connections accepted since the start, closed ones included. */
  connections = 0;
  /** Bytes the clients sent: the reference forwarder drops a client that sends any. */
  receivedFromClients = 0;
  private server: Server | undefined;
  private connectionWaiters: Array<(socket: Socket) => void> = [];

  private constructor(public port: number) {}

  /** Starts listening on `port` (0: any free port, read back into `port`). */
  static async start(port = 0): Promise<TestForwarder> {
    const forwarder = new TestForwarder(port);
    await forwarder.listen();
    return forwarder;
  }

  /** Listens again on the same port, after `stop()`. */
  async listen(): Promise<void> {
    const server = createServer((socket) => {
      this.connections++;
      this.clients.push(socket);
      socket.on('data', (chunk) => (this.receivedFromClients += chunk.length));
      socket.on('error', () => undefined);
      socket.on('close', () => this.clients.splice(this.clients.indexOf(socket), 1));
      this.connectionWaiters.shift()?.(socket);
    });
    this.port = await listen(server, this.port);
    this.server = server;
  }

  /** The next client to connect (or the newest one, if one is connected and unclaimed). */
  nextClient(): Promise<Socket> {
    return new Promise((resolve) => this.connectionWaiters.push(resolve));
  }

  /** Writes to every connected client. */
  send(data: string | Buffer): void {
    for (const client of this.clients) client.write(data);
  }

  /** Stops listening and closes every client cleanly (FIN), like a restarted forwarder. */
  async stop(): Promise<void> {
    for (const client of [...this.clients]) client.end();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /**
   * Stops listening and resets every client (RST). A client that has already ended its
   * side (a peer that closed first gets an automatic FIN back) is destroyed instead: on a
   * socket still shutting down, libuv's uv_tcp_close_reset refuses with EINVAL and Node
   * (v20) leaves the handle marked closing but never closed, so the process spins at exit.
   */
  async kill(): Promise<void> {
    for (const client of [...this.clients]) {
      if (client.writableEnded) client.destroy();
      else client.resetAndDestroy();
    }
    await this.stop();
  }
}

/** A port on 127.0.0.1 that nothing listens on: connecting to it is refused. */
export async function refusedPort(): Promise<number> {
  const forwarder = await TestForwarder.start();
  await forwarder.stop();
  return forwarder.port;
}

/** The first value of `source$` that passes `predicate`, or a clear failure after `ms`. */
export function firstMatch<T>(source$: Observable<T>, predicate: (value: T) => boolean, ms = 5000): Promise<T> {
  return firstValueFrom(source$.pipe(filter(predicate), timeout({ first: ms })));
}

type StatusOf<C extends keyof NodeConnectionStates> = NonNullable<NodeConnectionStates[C]>;

/**
 * The first status of `node`'s `component` in `states$` that passes `predicate`: waiting
 * for a source to reach a state, whichever source it is.
 */
export async function statusMatch<C extends keyof NodeConnectionStates>(
  states$: Observable<ConnectionStates>,
  node: string,
  component: C,
  predicate: (status: StatusOf<C>) => boolean,
): Promise<StatusOf<C>> {
  const matching = (states: ConnectionStates): StatusOf<C> | undefined => {
    const status = states[node]?.[component];
    return status !== undefined && predicate(status) ? status : undefined;
  };
  return matching(await firstMatch(states$, (states) => matching(states) !== undefined)) as StatusOf<C>;
}
