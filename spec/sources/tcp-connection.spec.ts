import { expect } from 'chai';
import { Socket } from 'node:net';
import { lastValueFrom, map, toArray } from 'rxjs';
import { CONNECTED, ConnectTimeoutError, describeSocketError, IdleTimeoutError, tcpConnection } from '../../lib/index.js';
import { refusedPort, TestForwarder } from '../support/forwarder.js';
import { textLines } from '../support/text-lines.js';

describe('tcpConnection (real sockets on 127.0.0.1)', () => {
  let forwarder: TestForwarder;
  beforeEach(async () => (forwarder = await TestForwarder.start()));
  afterEach(async () => forwarder.kill());

  it('emits CONNECTED, then the chunks, and completes when the peer closes', async () => {
    const served = forwarder.nextClient().then((client) => client.end('1.0 hello\n'));
    const values = await lastValueFrom(tcpConnection({ host: '127.0.0.1', port: forwarder.port }).pipe(toArray()));
    expect(values[0]).to.equal(CONNECTED);
    expect(Buffer.concat(values.slice(1) as Buffer[]).toString()).to.equal('1.0 hello\n');
    expect(forwarder.receivedFromClients).to.equal(0);
    await served;
  });

  it('with sharedReadBuffer, emits each read as a view of one reused buffer, which framing consumes at once', async () => {
    const lines = Array.from({ length: 20_000 }, (_, index) => `1.${index} line ${index}`);
    const served = forwarder.nextClient().then((client) => client.end(lines.map((line) => `${line}\n`).join('')));
    const memory = new Set<ArrayBufferLike>();
    const received = await lastValueFrom(
      tcpConnection({ host: '127.0.0.1', port: forwarder.port, sharedReadBuffer: true }).pipe(
        map((value) => (Buffer.isBuffer(value) ? (memory.add(value.buffer), value) : value)),
        textLines<typeof CONNECTED>(),
        toArray(),
      ),
    );
    expect(received).to.deep.equal([CONNECTED, ...lines]);
    // About 600 KB in many reads, all into the same memory.
    expect(memory.size).to.equal(1);
    await served;
  });

  it('with sharedReadBuffer, data keeps the idle timeout from firing, and silence fires it', async () => {
    // Node's own socket timer, refreshed by each read: real time, 0.3 s.
    const served = forwarder.nextClient().then((client) => {
      let sent = 0;
      const ticker = setInterval(() => (++sent <= 8 ? client.write(`1.${sent} tick\n`) : clearInterval(ticker)), 25);
      client.on('close', () => clearInterval(ticker));
    });
    const values: unknown[] = [];
    const error = await lastValueFrom(
      tcpConnection({ host: '127.0.0.1', port: forwarder.port, idleTimeoutMs: 100, sharedReadBuffer: true }).pipe(
        textLines<typeof CONNECTED>(),
        map((value) => values.push(value)),
      ),
    ).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(IdleTimeoutError);
    expect(values).to.deep.equal([CONNECTED, ...Array.from({ length: 8 }, (_, index) => `1.${index + 1} tick`)]);
    await served;
  });

  it('errors with a refused connection, described readably', async () => {
    const port = await refusedPort();
    const error = await lastValueFrom(tcpConnection({ host: '127.0.0.1', port })).catch((caught: unknown) => caught);
    expect((error as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
    expect(describeSocketError(error)).to.match(/^Connection refused \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
  });

  it('errors with a reset, described readably', async () => {
    const served = forwarder.nextClient().then((client) => client.write('1.0 half a li', () => client.resetAndDestroy()));
    const error = await lastValueFrom(tcpConnection({ host: '127.0.0.1', port: forwarder.port })).catch((caught: unknown) => caught);
    expect(describeSocketError(error)).to.match(/^Connection reset by peer/);
    await served;
  });

  it('errors with host not found for a name that does not resolve', async () => {
    const error = await lastValueFrom(tcpConnection({ host: 'no-such-host.invalid', port: 9001 })).catch((caught: unknown) => caught);
    expect(describeSocketError(error)).to.match(/^Host not found/);
  });

  it('times out a connect that never completes (injected connect step)', async () => {
    let opened: Socket | undefined;
    const error = await lastValueFrom(tcpConnection({ host: '192.0.2.1', port: 9001, connectTimeoutMs: 50, connect: () => (opened = new Socket()) })).catch(
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(ConnectTimeoutError);
    expect(describeSocketError(error)).to.equal('Connection timeout: not connected after 50 ms');
    expect(opened?.destroyed).to.equal(true);
  });

  it('times out a peer that accepts and never sends, when idleTimeoutMs is set', async () => {
    const error = await lastValueFrom(tcpConnection({ host: '127.0.0.1', port: forwarder.port, idleTimeoutMs: 100 })).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(IdleTimeoutError);
    expect((error as Error).message).to.equal('Idle timeout: no data for 100 ms');
  });

  it('destroys the socket at once on unsubscribe, so the peer sees the close', async () => {
    const client = forwarder.nextClient();
    const subscription = tcpConnection({ host: '127.0.0.1', port: forwarder.port }).subscribe();
    const server = await client;
    const closed = new Promise((resolve) => server.once('close', resolve));
    subscription.unsubscribe();
    await closed;
  });

  it('turns on TCP keepalive with the configured idle time', async () => {
    let opened: Socket | undefined;
    const connected = new Promise<void>((resolve) => {
      tcpConnection({
        host: '127.0.0.1',
        port: forwarder.port,
        keepAliveMs: 3000,
        connect: (request) => {
          opened = new Socket();
          const setKeepAlive = opened.setKeepAlive.bind(opened);
          opened.setKeepAlive = (enable?: boolean, delay?: number) => {
            expect([enable, delay]).to.deep.equal([true, 3000]);
            resolve();
            return setKeepAlive(enable, delay);
          };
          return opened.connect(request.port, request.host);
        },
      })
        .subscribe()
        .unsubscribe();
    });
    await connected;
  });
});
