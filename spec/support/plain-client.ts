import { connect, type Socket } from 'node:net';

/**
 * A raw TCP client that sends nothing (a plain monitor, `nc`): everything it received.
 * It resolves a few ms after connecting, so that a forwarder in this process has run its
 * accept callback (and set where the client's "now" is) before the test writes.
 */
export async function plainClient(port: number): Promise<{ socket: Socket; text: () => string; lines: () => string[] }> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise((resolve) => socket.once('connect', resolve));
  await new Promise((resolve) => setTimeout(resolve, 10));
  const text = (): string => Buffer.concat(chunks).toString('utf8');
  return { socket, text, lines: () => text().split('\n').slice(0, -1) };
}
