import { connect } from 'node:net';

/** What a server answered to raw bytes, and whether it closed the connection. */
export interface RawAnswer {
  readonly response: string;
  readonly closed: boolean;
}

/**
 * Sends `request` as raw bytes on a new connection to 127.0.0.1:`port` and resolves with
 * everything answered once the server closes the connection, or after `ms` with
 * `closed: false` (a server that holds the connection open).
 */
export function rawRequest(port: number, request: string | Buffer, ms = 3000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    // The real timer is the point: it measures whether the kernel sees the server close.
    const holding = setTimeout(() => {
      socket.destroy();
      resolve({ response, closed: false });
    }, ms);
    socket.on('data', (data: Buffer) => (response += data.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(holding);
      resolve({ response, closed: true });
    });
    socket.write(request);
  });
}

/** The status code of a raw HTTP answer (`HTTP/1.1 400 Bad Request` -> 400), or 0. */
export function statusOf(answer: RawAnswer): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer.response)?.[1] ?? 0);
}

/** An upgrade request to `target` with the headers a WebSocket client sends, plus `extra` header lines. */
export function upgradeRequest(target: string, extra: readonly string[] = []): string {
  return [
    `GET ${target} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...extra,
    '',
    '',
  ].join('\r\n');
}
