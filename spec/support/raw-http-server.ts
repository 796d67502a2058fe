import { createServer, type Server, type Socket } from 'node:net';
import { listen } from './listen.js';

/**
 * A raw TCP server speaking just enough HTTP for these tests: `answer` gets each request's
 * head, the socket and the connection's number, and writes what it likes.
 */
export class RawHttpServer {
  readonly connections: Socket[] = [];
  readonly requests: string[] = [];
  closedConnections = 0;
  answer: (head: string, socket: Socket, connection: number) => void = (_head, socket) => socket.write(ok('{"ok":true}'));
  private readonly server: Server;
  port = 0;

  constructor() {
    this.server = createServer((socket) => {
      const connection = this.connections.push(socket) - 1;
      socket.on('close', () => this.closedConnections++);
      socket.on('error', () => undefined);
      let buffered = '';
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
          const head = buffered.slice(0, end);
          buffered = buffered.slice(end + 4);
          this.requests.push(head);
          this.answer(head, socket, connection);
        }
      });
    });
  }

  static async start(): Promise<RawHttpServer> {
    const server = new RawHttpServer();
    server.port = await listen(server.server, 0);
    return server;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const ok = (body: string, extra = ''): string =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
