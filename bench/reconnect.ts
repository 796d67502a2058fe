// 4. Reconnect latency: the forwarder goes down and comes back before the scheduled
// retry, 50 times; how late after the scheduled retry the state reads `connected`.
import { createServer, type Server, type Socket } from 'node:net';
import { ConnectionRegistry, tcpLogSource } from 'storj-monitor-rx';
import { percentile } from './support.js';

export interface ReconnectResult {
  p50_late_ms: number;
  p99_late_ms: number;
  cycles: number;
}

function listen(port: number, sockets: Set<Socket>): Promise<Server> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

export async function runReconnect(quick: boolean): Promise<ReconnectResult> {
  const cycles = quick ? 10 : 50;
  const sockets = new Set<Socket>();
  let server = await listen(0, sockets);
  const port = (server.address() as { port: number }).port;
  const registry = new ConnectionRegistry();
  const late: number[] = [];
  let retryAt = 0;
  let onConnected: () => void = () => undefined;
  registry.transitions$.subscribe(({ event }) => {
    if (event.type === 'disconnected') retryAt = event.retryAt;
    if (event.type === 'connected') onConnected();
  });
  const connected = (): Promise<void> => new Promise((resolve) => (onConnected = resolve));
  const first = connected();
  const subscription = tcpLogSource({ node: 'bench', host: '127.0.0.1', port, registry, backoff: { initialMs: 100, maxMs: 100 } }).subscribe();
  await first;
  try {
    for (let cycle = 0; cycle < cycles; cycle++) {
      const back = connected();
      for (const socket of sockets) socket.end();
      await new Promise((resolve) => server.close(resolve));
      server = await listen(port, sockets);
      await back;
      late.push(Date.now() - retryAt);
    }
  } finally {
    subscription.unsubscribe();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
  return { p50_late_ms: percentile(late, 50), p99_late_ms: percentile(late, 99), cycles };
}
