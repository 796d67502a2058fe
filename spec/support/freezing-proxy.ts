import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that can freeze: it keeps every connection open (the kernel
 * still ACKs, so keepalive sees a live peer) but stops forwarding in both directions,
 * like a hung process. Only application timeouts can notice.
 */
export class FreezingProxy {
  private frozen = false;
  private readonly pairs = new Set<[Socket, Socket]>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on `port` (0: any free one; a port it listened on before: the proxy is back after a cut). */
  static async start(targetPort: number, port = 0): Promise<FreezingProxy> {
    let proxy: FreezingProxy | undefined;
    const server = createServer((client) => proxy?.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    proxy = new FreezingProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  private accept(client: Socket, targetPort: number): void {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    for (const socket of pair) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
    if (this.frozen) this.freezePair(pair);
  }

  /** Stops forwarding on every connection, current and new, without closing any. */
  freeze(): void {
    this.frozen = true;
    for (const pair of this.pairs) this.freezePair(pair);
  }

  /** Forwards again; connections that were frozen stay frozen until their peers give up on them. */
  thaw(): void {
    this.frozen = false;
  }

  private freezePair([client, upstream]: [Socket, Socket]): void {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  }

  async close(): Promise<void> {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise((resolve) => this.server.close(resolve));
  }
}
