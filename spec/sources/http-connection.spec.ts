import { expect } from 'chai';
import { lastValueFrom } from 'rxjs';
import { ApiRequestError, KeepAliveHttp, type HttpReply } from '../../lib/index.js';
import { ok, RawHttpServer, text } from '../support/raw-http-server.js';
import { eventually } from '../support/wait.js';

// A Connection is internal: it is driven here through its pool, one connection at a time.
describe('Connection of a KeepAliveHttp (a raw server on 127.0.0.1)', () => {
  let server: RawHttpServer;
  let http: KeepAliveHttp;
  beforeEach(async () => {
    server = await RawHttpServer.start();
    http = new KeepAliveHttp(server.origin, { maxConnections: 1 });
  });
  afterEach(async () => {
    http.close();
    await server.stop();
  });
  const get = (path = '/api/sno/'): Promise<HttpReply> => lastValueFrom(http.request(new URL(path, server.origin), {}, 1 << 20));
  const failure = async (path?: string): Promise<Error> =>
    get(path).then(
      () => expect.fail('should have failed'),
      (error: Error) => error,
    );

  it('sends a request again, once, when a reused connection turns out closed (the server’s keep-alive timeout)', async () => {
    server.answer = (_head, socket, connection) => {
      // The first connection answers once, then closes on the next request, as an idle-timed-out server does.
      if (connection === 0 && server.requests.length > 1) socket.destroy();
      else socket.write(ok(`{"connection":${connection}}`));
    };
    expect(text(await get())).to.equal('{"connection":0}');
    expect(text(await get())).to.equal('{"connection":1}');
    expect(server.connections).to.have.length(2);
  });

  it('does not send again on a new connection that closes unanswered, nor a second time', async () => {
    server.answer = (_head, socket) => socket.destroy();
    expect((await failure()).message).to.equal('Connection closed by the API before it answered');
    expect(server.requests).to.have.length(1);

    const answered = new Set<number>();
    server.answer = (_head, socket, connection) => {
      // Each connection answers its first request only, then closes on the next.
      if (answered.has(connection)) socket.destroy();
      else socket.write(ok('{}'));
      answered.add(connection);
    };
    await get();
    server.answer = (_head, socket) => socket.destroy();
    expect((await failure()).message).to.equal('Connection closed by the API before it answered');
    expect(server.requests).to.have.length(4); // the failed one, the answered one, then one send and one resend
  });

  it('a connection reset mid-answer is a transport error, and the next request connects again', async () => {
    server.answer = (_head, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"half');
      setImmediate(() => socket.resetAndDestroy());
    };
    const error = await failure();
    expect(error.message).to.match(/^Connection reset by peer|Connection closed by the API before the response was complete/);
    server.answer = (_head, socket) => socket.write(ok('{}'));
    expect(text(await get())).to.equal('{}');
    expect(server.connections).to.have.length(2);
  });

  it('drops a connection on which the server talks out of turn, and one whose answer it cannot trust', async () => {
    await get();
    server.connections[0]?.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
    await eventually(() => server.closedConnections === 1);
    server.answer = (_head, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}{}');
    expect(text(await get())).to.equal('{}');
    await eventually(() => server.closedConnections === 2);
  });

  it('fails a reply that is not HTTP as a transport error', async () => {
    server.answer = (_head, socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n');
    const error = await failure();
    expect(error).to.be.instanceOf(ApiRequestError).and.include({ kind: 'transport' });
  });
});
