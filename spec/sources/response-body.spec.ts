import { expect } from 'chai';
import crossFetch from 'cross-fetch';
import fc from 'fast-check';
import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { asyncScheduler, lastValueFrom } from 'rxjs';
import { httpJson, type FetchLike, type FetchResponseLike } from '../../lib/index.js';
import { readBody } from '../../lib/sources/response-body.js';
import { RawHttpServer } from '../support/raw-http-server.js';
import { eventually } from '../support/wait.js';

/** A response of these chunks, counting how many the reader pulled. */
function response(chunks: readonly Uint8Array[], contentLength: string | null = null): FetchResponseLike & { readonly pulled: () => number } {
  let pulled = 0;
  return {
    status: 200,
    statusText: 'OK',
    headers: { get: (name: string) => (name === 'content-length' ? contentLength : null) },
    pulled: () => pulled,
    body: (async function* () {
      for (const chunk of chunks) {
        pulled++;
        // Each chunk arrives later, as from a socket.
        yield await Promise.resolve(chunk);
      }
    })(),
  };
}

describe('readBody', () => {
  it('refuses a declared length over the limit without reading, and stops reading at the limit', async () => {
    const declared = response([Buffer.from('{}')], '5000');
    expect(await readBody(declared, 1000)).to.equal(null);
    expect(declared.pulled()).to.equal(0);
    const streamed = response([Buffer.alloc(600), Buffer.alloc(600), Buffer.alloc(600)]);
    expect(await readBody(streamed, 1000)).to.equal(null);
    expect(streamed.pulled()).to.equal(2);
  });

  /** A response whose body is a Node stream (as node-fetch's), written chunk by chunk on later turns. */
  function streamed(chunks: readonly Uint8Array[], contentLength: string | null = null): FetchResponseLike & { readonly stream: PassThrough } {
    // No error listener of its own (node-fetch's Body has one): readBody leaves none of its errors unhandled.
    const stream = new PassThrough();
    void (async () => {
      for (const chunk of chunks) {
        await new Promise((resolve) => setImmediate(resolve));
        if (stream.destroyed) return;
        stream.write(chunk);
      }
      stream.end();
    })();
    return { status: 200, statusText: 'OK', headers: { get: (name: string) => (name === 'content-length' ? contentLength : null) }, body: stream, stream };
  }

  it('reads a body cut anywhere back as it was sent, or null exactly when it is over the limit, from a Node stream or any async iterable (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 2048 }),
        fc.boolean(),
        fc.boolean(),
        async (chunks, limit, declare, asStream) => {
          const whole = Buffer.concat(chunks);
          const length = declare ? String(whole.length) : null;
          const answer = asStream ? streamed(chunks, length) : response(chunks, length);
          const body = await readBody(answer, limit);
          if (whole.length > limit) expect(body).to.equal(null);
          else expect(body?.equals(whole)).to.equal(true);
          if (!('stream' in answer)) return;
          // A declared length over the limit is refused unread; otherwise it stopped reading: the rest is not pulled through.
          if (whole.length > limit) expect(answer.stream.destroyed).to.equal(!declare);
          expect(answer.stream.listenerCount('data')).to.equal(0);
        },
      ),
      { seed: 17, numRuns: 500 },
    );
  });

  it('a body that comes in one chunk is that chunk, not a copy', async () => {
    const chunk = Buffer.from('{"nodeID":"12AB"}');
    const body = await readBody(streamed([chunk]), 1000);
    expect(body?.buffer).to.equal(chunk.buffer);
    expect(body?.byteOffset).to.equal(chunk.byteOffset);
  });

  it('a Node stream that failed or closed before it was read fails the read, and one that fails while read too', async () => {
    // Failed in the turn that brought the head, its 'error' event not emitted yet (as node-fetch's body when the parser finds a bad chunk).
    const failed = streamed([]);
    failed.stream.destroy(new Error('HPE_INVALID_CHUNK_SIZE'));
    await readBody(failed, 1000).then(
      () => expect.fail('should have failed'),
      (error: Error) => expect(error.message).to.equal('HPE_INVALID_CHUNK_SIZE'),
    );
    const closed = streamed([]);
    closed.stream.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    await readBody(closed, 1000).then(
      () => expect.fail('should have failed'),
      (error: Error) => expect(error.message).to.equal('Response body closed before its end'),
    );
    const cut = streamed([Buffer.from('{"node'), Buffer.from('ID":"12AB"}')]);
    const reading = readBody(cut, 1000);
    cut.stream.once('data', () => cut.stream.destroy());
    await reading.then(
      () => expect.fail('should have failed'),
      (error: Error) => expect(error.message).to.equal('Response body closed before its end'),
    );
    const broken = streamed([Buffer.from('{"node'), Buffer.from('ID":"12AB"}')]);
    const breaking = readBody(broken, 1000);
    broken.stream.once('data', () => broken.stream.destroy(new Error('ECONNRESET')));
    await breaking.then(
      () => expect.fail('should have failed'),
      (error: Error) => expect(error.message).to.equal('ECONNRESET'),
    );
  });

  it('reads a stream someone paused, and an error after the read or after giving up throws nowhere', async () => {
    const paused = streamed([Buffer.from('{}')]);
    paused.stream.pause();
    expect((await readBody(paused, 1000))?.toString()).to.equal('{}');
    // A later error lands on the listener readBody left.
    paused.stream.emit('error', new Error('late'));
    const over = streamed([Buffer.alloc(600), Buffer.alloc(600)]);
    expect(await readBody(over, 1000)).to.equal(null);
    over.stream.emit('error', new Error('late'));
    // One that fails while it is read is destroyed, as `for await` leaves it.
    const failing = streamed([Buffer.from('{"node'), Buffer.from('ID":"12AB"}')]);
    const reading = readBody(failing, 1000);
    failing.stream.once('data', () => failing.stream.emit('error', new Error('EPIPE')));
    await reading.then(
      () => expect.fail('should have failed'),
      (error: Error) => expect(error.message).to.equal('EPIPE'),
    );
    expect(failing.stream.destroyed).to.equal(true);
  });

  it('reads a response without a body as empty', async () => {
    expect(await readBody({ ...response([]), body: null }, 10)).to.deep.equal(Buffer.alloc(0));
  });
});

describe('readBody through cross-fetch (a raw server on 127.0.0.1)', function () {
  // Half a million chunks go through Node's parser and streams: seconds on a loaded machine.
  this.timeout(60_000);
  let server: RawHttpServer;
  let agent: Agent;
  /** cross-fetch over an agent of this test's own, so that the test sees its socket. */
  const fetch: FetchLike = (url, init) => (crossFetch as unknown as (url: string, init: object) => ReturnType<FetchLike>)(url, { ...init, agent });
  beforeEach(async () => {
    server = await RawHttpServer.start();
    agent = new Agent({ keepAlive: true });
  });
  afterEach(async () => {
    agent.destroy();
    await server.stop();
  });
  const get = (maxBodyBytes: number) =>
    lastValueFrom(httpJson({ url: `${server.origin}/api/sno/`, fetch, scheduler: asyncScheduler, timeoutMs: 50_000, maxBodyBytes }));
  const clientSocket = (): Socket | undefined => Object.values(agent.sockets)[0]?.[0];

  it('a body of 1-byte chunks costs about its size in memory, not a hundred times that', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const bytes = 500_000;
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    // A JSON string, one byte per chunk; the last chunk is held back until memory is measured.
    const chunks = Buffer.from(`1\r\n"\r\n${'1\r\na\r\n'.repeat(bytes - 2)}1\r\n"\r\n`);
    let finish!: () => void;
    server.answer = (_head, socket) => {
      socket.write(head);
      socket.write(chunks);
      finish = () => socket.write('0\r\n\r\n');
    };
    gc();
    const before = process.memoryUsage();
    const body = get(4 * bytes);
    // Every byte has been read from the socket, and what the reader had not taken yet is taken.
    await eventually(() => clientSocket()?.bytesRead === head.length + chunks.length, 50_000);
    for (let tick = 0; tick < 10; tick++) await new Promise((resolve) => setImmediate(resolve));
    gc();
    const after = process.memoryUsage();
    finish();
    expect(await body).to.equal(`${'a'.repeat(bytes - 2)}`);
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    // Gathered as 'data' events deliver them (node-fetch's arrayBuffer() does), it was ~190 bytes per byte; read into one buffer, at most twice its size plus slack.
    expect(grown).to.be.below(3 * bytes + (2 << 20));
  });

  it('stops reading at the limit and drops the connection: nothing is buffered past it', async () => {
    let closed = false;
    server.answer = (_head, socket) => {
      socket.on('close', () => (closed = true));
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      // An endless body, written as fast as it is read.
      const block = Buffer.from(`4000\r\n${'x'.repeat(0x4000)}\r\n`);
      const more = (): void => {
        while (!socket.destroyed && socket.write(block));
        if (!socket.destroyed) socket.once('drain', more);
      };
      more();
    };
    const error = await get(100_000).then(
      () => expect.fail('should have failed'),
      (caught: Error) => caught,
    );
    expect(error.message).to.equal('Response body larger than 100000 bytes');
    // Closed by us, not left unread in the pool (where it would hold one of the agent's sockets for good).
    await eventually(() => closed);
    expect(Object.keys(agent.sockets).length + Object.keys(agent.freeSockets).length).to.equal(0);
  });
});
