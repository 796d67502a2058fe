import { expect } from 'chai';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { connect, Server as NetServer } from 'node:net';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import sinon from 'sinon';
import { WebSocket, WebSocketServer } from 'ws';
import { initialLogReaderStatus, serveFrames, type ConnectionStatusFrame, type FrameBroadcast, type ServeFramesOptions } from '../../lib/index.js';
import { listen } from '../support/listen.js';
import { rawRequest, statusOf, upgradeRequest } from '../support/raw-request.js';
import { eventually } from '../support/wait.js';

const frameOf = (nodes: number, padding = ''): ConnectionStatusFrame => ({
  type: 'connection_status',
  states: Object.fromEntries(Array.from({ length: nodes }, (_, index) => [`node${index}${padding}`, { log_reader: initialLogReaderStatus('10.0.0.2', 9001) }])),
});

/** A frame source the test drives, and the real ws clients it opened. */
function setup() {
  const frames$ = new Subject<ConnectionStatusFrame>();
  let current = frameOf(1);
  const clients: WebSocket[] = [];
  const source = { frames$, frame: () => current };
  return {
    frames$,
    source,
    clients,
    setCurrent: (frame: ConnectionStatusFrame) => (current = frame),
    /** Opens a client; resolves with it and the messages it receives. */
    open: (url: string, options?: ConstructorParameters<typeof WebSocket>[2]) => {
      const client = new WebSocket(url, options);
      clients.push(client);
      const messages: ConnectionStatusFrame[] = [];
      client.on('message', (data) => messages.push(JSON.parse((data as Buffer).toString('utf8')) as ConnectionStatusFrame));
      client.on('error', () => undefined);
      return { client, messages, opened: new Promise<void>((resolve, reject) => (client.once('open', resolve), client.once('error', reject))) };
    },
  };
}

/** Resolves with the HTTP status a rejected upgrade got. */
function rejectedWith(url: string, options?: ConstructorParameters<typeof WebSocket>[2]): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(url, options);
    client.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      client.terminate();
    });
    client.on('open', () => reject(new Error('the upgrade was accepted')));
    client.on('error', () => undefined);
  });
}

const closeCode = (client: WebSocket): Promise<number> => new Promise((resolve) => client.once('close', (code) => resolve(code)));

/** What serveFrames rejected with. */
const refusal = (promise: Promise<FrameBroadcast>): Promise<unknown> =>
  promise.then(
    async (started) => {
      await started.close();
      throw new Error('serveFrames started');
    },
    (error: unknown) => error,
  );

/** The raw socket under a ws client, to pause its reading. */
const socketOf = (client: WebSocket): import('node:net').Socket => (client as unknown as { _socket: import('node:net').Socket })._socket;

describe('serveFrames (real ws clients on 127.0.0.1)', () => {
  let broadcast: FrameBroadcast | undefined;
  let harness: ReturnType<typeof setup>;
  beforeEach(() => (harness = setup()));
  afterEach(async () => {
    await broadcast?.close();
    broadcast = undefined;
    for (const client of harness.clients) client.terminate();
  });

  const serve = async (options: ServeFramesOptions = {}): Promise<string> => {
    broadcast = await serveFrames(harness.source, { port: 0, ...options });
    return `ws://127.0.0.1:${broadcast.port}/ws`;
  };

  it('sends a new client the current frame at once, then every frame to every client', async () => {
    const url = await serve();
    const first = harness.open(url);
    const second = harness.open(url);
    await Promise.all([first.opened, second.opened]);
    await eventually(() => first.messages.length === 1 && second.messages.length === 1);
    expect(first.messages[0]).to.deep.equal(frameOf(1));
    harness.frames$.next(frameOf(2));
    harness.frames$.next(frameOf(3));
    await eventually(() => first.messages.length === 3 && second.messages.length === 3);
    expect(second.messages.map((frame) => Object.keys(frame.states).length)).to.deep.equal([1, 2, 3]);
  });

  it('sends connecting clients the bytes of the latest broadcast, without building a frame each', async () => {
    const url = await serve();
    const first = harness.open(url);
    await first.opened;
    harness.frames$.next(frameOf(2));
    harness.setCurrent(frameOf(9));
    let built = 0;
    const frame = harness.source.frame;
    harness.source.frame = () => (built++, frame());
    const crowd = Array.from({ length: 20 }, () => harness.open(url));
    await Promise.all(crowd.map(({ opened }) => opened));
    await eventually(() => crowd.every(({ messages }) => messages.length === 1));
    expect(crowd.every(({ messages }) => Object.keys(messages[0]?.states ?? {}).length === 2)).to.equal(true);
    expect(built).to.equal(0);
  });

  it('before any broadcast reaches a client, a new client gets the current frame', async () => {
    const url = await serve();
    harness.frames$.next(frameOf(2));
    harness.setCurrent(frameOf(7));
    const late = harness.open(url);
    await late.opened;
    await eventually(() => late.messages.length === 1);
    expect(Object.keys(late.messages[0]?.states ?? {})).to.have.length(7);
  });

  it('serialises each frame once for all clients', async () => {
    const url = await serve();
    const clients = Array.from({ length: 5 }, () => harness.open(url));
    await Promise.all(clients.map(({ opened }) => opened));
    const original = JSON.stringify;
    let calls = 0;
    JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
      calls++;
      return original(...args);
    }) as typeof JSON.stringify;
    try {
      harness.frames$.next(frameOf(4));
    } finally {
      JSON.stringify = original;
    }
    expect(calls).to.equal(1);
    await eventually(() => clients.every(({ messages }) => messages.length === 2));
  });

  it('survives 200 clients connecting and disconnecting while frames flow', async () => {
    const url = await serve();
    const flowing = setInterval(() => harness.frames$.next(frameOf(10)), 2);
    try {
      const stayer = harness.open(url);
      await stayer.opened;
      await Promise.all(
        Array.from({ length: 200 }, async (_, index) => {
          const { client, opened } = harness.open(url);
          await opened;
          if (index % 2) client.close();
          else client.terminate();
        }),
      );
      await eventually(() => broadcast!.clientCount === 1);
      const received = stayer.messages.length;
      await eventually(() => stayer.messages.length > received + 5);
    } finally {
      clearInterval(flowing);
    }
  });

  it('drops a client that never reads once its queue passes maxBufferedBytes; others keep receiving', async () => {
    const url = await serve({ maxBufferedBytes: 64 * 1024 });
    const stalled = harness.open(url);
    const healthy = harness.open(url);
    await Promise.all([stalled.opened, healthy.opened]);
    const socket = (stalled.client as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    const big = frameOf(2000, 'x'.repeat(60));
    const stalledClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let sent = 0;
    while (broadcast!.clientCount === 2 && sent < 2000) {
      harness.frames$.next(big);
      sent++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(broadcast!.clientCount).to.equal(1);
    socket.resume();
    await stalledClosed;
    await eventually(() => healthy.messages.length === sent + 1);
  });

  it('terminates a client that stops answering pings', async () => {
    const url = await serve({ heartbeatMs: 30 });
    const silent = harness.open(url);
    const lively = harness.open(url);
    await Promise.all([silent.opened, lively.opened]);
    const socket = (silent.client as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    await eventually(() => broadcast!.clientCount === 1);
    // Three more heartbeats (real ones: the pongs travel over real sockets) spare the client that answers.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lively.client.readyState).to.equal(WebSocket.OPEN);
  });

  it('ignores client messages, closes a client sending oversize messages (1009), and survives garbage frames', async () => {
    const url = await serve({ maxPayload: 1024 });
    const chatty = harness.open(url);
    const big = harness.open(url);
    const watcher = harness.open(url);
    await Promise.all([chatty.opened, big.opened, watcher.opened]);
    chatty.client.send('hello, server');
    chatty.client.send(Buffer.from([0, 1, 2, 255]));
    const code = closeCode(big.client);
    big.client.send('x'.repeat(10_000));
    expect(await code).to.equal(1009);

    const raw = connect(broadcast!.port, '127.0.0.1');
    raw.on('error', () => undefined);
    await new Promise((resolve) => raw.once('connect', resolve));
    raw.write(
      'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    await new Promise((resolve) => raw.once('data', resolve));
    raw.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37]));
    await new Promise((resolve) => raw.once('close', resolve));

    harness.frames$.next(frameOf(5));
    await eventually(() => watcher.messages.length === 2 && chatty.messages.length === 2);
    expect(chatty.client.readyState).to.equal(WebSocket.OPEN);
  });

  it('checks the token at the upgrade: 401 without or with a wrong one; ?token= or Bearer pass', async () => {
    const url = await serve({ token: 's3cret' });
    expect(await rejectedWith(url)).to.equal(401);
    expect(await rejectedWith(`${url}?token=wrong`)).to.equal(401);
    expect(await rejectedWith(url, { headers: { authorization: 'Bearer nope' } })).to.equal(401);
    // Seven characters, but not `Bearer `: the token after them is not taken.
    expect(await rejectedWith(url, { headers: { authorization: 'Token: s3cret' } })).to.equal(401);
    await harness.open(`${url}?token=s3cret`).opened;
    await harness.open(url, { headers: { authorization: 'Bearer s3cret' } }).opened;
    expect(broadcast!.clientCount).to.equal(2);
  });

  it('checks the Origin at the upgrade: 403 for others; allowed origins and non-browsers pass', async () => {
    const url = await serve({ allowedOrigins: ['http://dashboard.local'] });
    expect(await rejectedWith(url, { origin: 'http://evil.example' })).to.equal(403);
    await harness.open(url, { origin: 'http://dashboard.local' }).opened;
    await harness.open(url).opened;
  });

  it('answers 404 to other paths and 426 to plain HTTP when standalone', async () => {
    const url = await serve();
    expect(await rejectedWith(url.replace('/ws', '/other'))).to.equal(404);
    const response = await fetch(url.replace('ws:', 'http:'));
    expect(response.status).to.equal(426);
  });

  it('closes every client with 1001 (going away)', async () => {
    const url = await serve();
    const clients = [harness.open(url), harness.open(url)];
    await Promise.all(clients.map(({ opened }) => opened));
    const codes = Promise.all(clients.map(({ client }) => once(client, 'close') as Promise<[number, Buffer]>));
    await broadcast!.close();
    broadcast = undefined;
    expect((await codes).map(([code, reason]) => `${code} ${reason.toString()}`)).to.deep.equal(['1001 server going away', '1001 server going away']);
  });

  it('cuts off a client that does not answer the closing handshake after 1 s (virtual time: sinon fake timers)', async () => {
    const url = await serve();
    const stalled = harness.open(url);
    await stalled.opened;
    socketOf(stalled.client).pause();
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const closing = broadcast!.close();
      broadcast = undefined;
      let done = false;
      const settle = (): void => {
        done = true;
      };
      void closing.then(settle, settle);
      await clock.tickAsync(999);
      expect(done).to.equal(false);
      await clock.tickAsync(1);
      await closing;
    } finally {
      clock.restore();
    }
  });

  it('sends frames as text messages', async () => {
    const url = await serve();
    const { client } = harness.open(url);
    const [, isBinary] = (await once(client, 'message')) as [Buffer, boolean];
    expect(isBinary).to.equal(false);
  });

  it('pings every 30 s by default on the given scheduler, and terminates a client that did not answer the last ping', async () => {
    const scheduler = new VirtualTimeScheduler();
    const advanceTo = (ms: number): void => {
      scheduler.maxFrames = ms;
      scheduler.flush();
    };
    const url = await serve({ scheduler });
    const lively = harness.open(url);
    const silent = harness.open(url);
    await Promise.all([lively.opened, silent.opened]);
    let pings = 0;
    lively.client.on('ping', () => pings++);
    socketOf(silent.client).pause();
    advanceTo(29_999);
    // A ping of our own comes back after anything the server sent before it: none by 29.999 s.
    lively.client.ping();
    await once(lively.client, 'pong');
    expect(pings, 'no ping before 30 s').to.equal(0);
    advanceTo(30_000);
    await eventually(() => pings === 1);
    // A ping of our own comes back after the server has read the pong sent before it.
    lively.client.ping();
    await once(lively.client, 'pong');
    expect(broadcast!.clientCount).to.equal(2);
    advanceTo(60_000);
    await eventually(() => pings === 2 && broadcast!.clientCount === 1);
    expect(lively.client.readyState).to.equal(WebSocket.OPEN);
  });

  const badOptions: Array<[ServeFramesOptions, string]> = [
    [{ heartbeatMs: 0 }, 'heartbeatMs'],
    [{ maxBufferedBytes: 0 }, 'maxBufferedBytes'],
    [{ maxPayload: 1.5 }, 'maxPayload'],
    [{ port: 65_536 }, 'port'],
    [{ port: -1 }, 'port'],
  ];
  for (const [options, field] of badOptions) {
    it(`refuses ${JSON.stringify(options)} with a RangeError naming ${field}, leaving nothing subscribed`, async () => {
      const error = await refusal(serveFrames(harness.source, options));
      expect(error).to.be.instanceOf(RangeError);
      expect((error as RangeError).message).to.match(new RegExp(`^${field} must`));
      expect(harness.frames$.observed).to.equal(false);
    });
  }

  it('rejects when its port is taken, leaving nothing subscribed', async () => {
    const occupier = new NetServer();
    const taken = await listen(occupier, 0);
    try {
      const error = await refusal(serveFrames(harness.source, { port: taken }));
      expect(error).to.have.property('code', 'EADDRINUSE');
      expect(harness.frames$.observed).to.equal(false);
    } finally {
      await new Promise((resolve) => occupier.close(resolve));
    }
  });

  it('listens on the port asked for, on 127.0.0.1 unless host says otherwise', async () => {
    const probe = new NetServer();
    const free = await listen(probe, 0);
    await new Promise((resolve) => probe.close(resolve));
    const listening = sinon.spy(NetServer.prototype, 'listen');
    try {
      broadcast = await serveFrames(harness.source, { port: free });
      expect(broadcast.port).to.equal(free);
      expect(listening.lastCall.args.slice(0, 2)).to.deep.equal([free, '127.0.0.1']);
      await broadcast.close();
      broadcast = await serveFrames(harness.source, { port: 0, host: 'localhost' });
      expect(listening.lastCall.args.slice(0, 2)).to.deep.equal([0, 'localhost']);
    } finally {
      listening.restore();
    }
  });

  it('answers plain HTTP with 426 and closes the connection', async () => {
    await serve();
    const answer = await rawRequest(broadcast!.port, 'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(statusOf(answer)).to.equal(426);
    expect(answer.response).to.match(/\r\nconnection: close\r\n/i);
    expect(answer.closed).to.equal(true);
  });

  const refusedUpgrades: Array<[string, string]> = [
    ['http://[', 'HTTP/1.1 400 Bad Request'],
    ['/other', 'HTTP/1.1 404 Not Found'],
    ['/ws', 'HTTP/1.1 401 Unauthorized'],
  ];
  for (const [target, statusLine] of refusedUpgrades) {
    it(`answers an upgrade to ${target} with ${statusLine} and closes`, async () => {
      await serve({ token: 't' });
      const answer = await rawRequest(broadcast!.port, upgradeRequest(target));
      expect(answer.response.split('\r\n')[0]).to.equal(statusLine);
      expect(answer.closed).to.equal(true);
    });
  }

  it('closes a refused upgrade’s connection itself, not waiting for the client to end its side', async () => {
    await serve();
    const socket = connect({ port: broadcast!.port, host: '127.0.0.1', allowHalfOpen: true });
    socket.on('data', () => undefined);
    socket.write(upgradeRequest('/other'));
    await once(socket, 'end');
    // Our side stays open: writing to a connection the server has closed gets a reset.
    let giveUp: NodeJS.Timeout | undefined;
    const reset = new Promise<boolean>((resolve) => {
      socket.once('close', () => resolve(true));
      // The real timer is the point: whether the kernel sees the server's socket gone.
      giveUp = setTimeout(() => resolve(false), 3000);
    });
    socket.on('error', () => undefined);
    const writing = setInterval(() => socket.write('x'), 5);
    try {
      expect(await reset).to.equal(true);
    } finally {
      clearTimeout(giveUp);
      clearInterval(writing);
      socket.destroy();
    }
  });

  it('lets browsers connect by a name in allowedHosts; others by name get 421', async () => {
    const url = await serve({ allowedHosts: ['monitor.lan'] });
    const by = (name: string) => ({ origin: `http://${name}:${broadcast!.port}`, headers: { host: `${name}:${broadcast!.port}` } });
    await harness.open(url, by('monitor.lan')).opened;
    expect(await rejectedWith(url, by('rebound.example'))).to.equal(421);
  });

  describe('attached to an existing http.Server', () => {
    let server: Server;
    beforeEach(async () => {
      server = createServer((_request, response) => response.end('the app'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterEach(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('serves frames on its path and leaves the app’s requests alone', async () => {
      broadcast = await serveFrames(harness.source, { server, path: '/status' });
      const port = (server.address() as { port: number }).port;
      expect(broadcast.port).to.equal(port);
      const { opened, messages } = harness.open(`ws://127.0.0.1:${port}/status`);
      await opened;
      await eventually(() => messages.length === 1);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).to.equal('the app');
      await broadcast.close();
      broadcast = undefined;
      expect(server.listening).to.equal(true);
      expect(server.listenerCount('upgrade')).to.equal(0);
    });

    it('answers 404 to other paths when it is the only upgrade handler', async () => {
      broadcast = await serveFrames(harness.source, { server, path: '/status' });
      expect(await rejectedWith(`ws://127.0.0.1:${broadcast.port}/other`)).to.equal(404);
    });

    it('leaves other paths to the server’s other upgrade handler', async () => {
      broadcast = await serveFrames(harness.source, { server, path: '/status' });
      const other = new WebSocketServer({ noServer: true });
      server.on('upgrade', (request, socket, head) => other.handleUpgrade(request, socket, head, (client) => client.send(JSON.stringify(frameOf(3)))));
      try {
        const { opened, messages } = harness.open(`ws://127.0.0.1:${broadcast.port}/other`);
        await opened;
        await eventually(() => messages.length === 1);
        expect(messages[0]).to.deep.equal(frameOf(3));
      } finally {
        for (const client of other.clients) client.terminate();
        await new Promise((resolve) => other.close(resolve));
      }
    });

    it('reports port 0 on a server that is not listening, or listening on a Unix socket', async () => {
      broadcast = await serveFrames(harness.source, { server: createServer() });
      expect(broadcast.port).to.equal(0);
      await broadcast.close();
      const directory = await mkdtemp(join(tmpdir(), 'serve-frames-'));
      const unix = createServer();
      await new Promise<void>((resolve) => unix.listen(join(directory, 'socket'), resolve));
      try {
        broadcast = await serveFrames(harness.source, { server: unix });
        expect(broadcast.port).to.equal(0);
      } finally {
        await broadcast?.close();
        broadcast = undefined;
        await new Promise((resolve) => unix.close(resolve));
        await rm(directory, { recursive: true, force: true });
      }
    });
  });
});
