// A stand-in storage node for the network-interruption spec, run inside a network
// namespace: a log forwarder on :9001 that writes a line every 100 ms to each client,
// and a node API on :14002. Prints "ready" once both listen.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';

const host = process.argv[2] ?? '0.0.0.0';
const clients = new Set<Socket>();
let sequence = 0;

const forwarder = createTcpServer((socket) => {
  clients.add(socket);
  socket.on('error', () => undefined);
  socket.on('close', () => clients.delete(socket));
});
setInterval(() => {
  sequence++;
  for (const socket of clients) socket.write(`${Date.now() / 1000} line ${sequence}\n`);
}, 100);

const api = createHttpServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ nodeID: '1NetnsPeerNodeIdXXXXXXXXXXXXXXX' }));
});

let listening = 0;
const ready = (): void => {
  if (++listening === 2) console.log('ready');
};
forwarder.listen(9001, host, ready);
api.listen(14002, host, ready);
process.on('SIGTERM', () => process.exit(0));
