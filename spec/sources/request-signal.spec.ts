import { expect } from 'chai';
import { KeepAliveFetch } from '../../lib/index.js';
import { RequestSignal } from '../../lib/sources/request-signal.js';
import { TestNodeApi } from '../support/node-api.js';
import { eventually } from '../support/wait.js';

describe('RequestSignal', () => {
  it('calls each abort listener once, in the order they came, and only on the first abort', () => {
    const signal = new RequestSignal();
    const calls: string[] = [];
    const first = (): number => calls.push('first');
    signal.addEventListener('abort', first);
    signal.addEventListener('abort', first);
    signal.addEventListener('abort', () => calls.push('second'));
    signal.addEventListener('close', () => calls.push('not an abort'));
    expect(signal.aborted).to.equal(false);
    signal.abort();
    signal.abort();
    expect(signal.aborted).to.equal(true);
    expect(calls).to.deep.equal(['first', 'second']);
  });

  it('a listener removed, or added after the abort, is not called', () => {
    const signal = new RequestSignal();
    const calls: string[] = [];
    const removed = (): number => calls.push('removed');
    signal.addEventListener('abort', removed);
    signal.removeEventListener('abort', removed);
    signal.removeEventListener('abort', () => calls.push('never added'));
    signal.abort();
    signal.addEventListener('abort', () => calls.push('late'));
    expect(calls).to.deep.equal([]);
  });

  it('is idle while never aborted and nothing listens', () => {
    const signal = new RequestSignal();
    const listener = (): void => undefined;
    expect(signal.idle).to.equal(true);
    signal.addEventListener('abort', listener);
    expect(signal.idle).to.equal(false);
    signal.removeEventListener('abort', listener);
    expect(signal.idle).to.equal(true);
    signal.abort();
    expect(signal.idle).to.equal(false);
  });

  it('a listener that throws does not stop the others; its error is thrown afterwards on its own, not into abort()', async () => {
    const signal = new RequestSignal();
    const calls: string[] = [];
    signal.addEventListener('abort', () => {
      throw new Error('listener failed');
    });
    signal.addEventListener('abort', () => calls.push('after'));
    // Mocha's own handler would count the error against this test: set aside while it is caught here.
    const handlers = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    try {
      const thrown = new Promise<Error>((resolve) => process.once('uncaughtException', resolve));
      expect(() => signal.abort()).to.not.throw();
      expect(calls).to.deep.equal(['after']);
      expect((await thrown).message).to.equal('listener failed');
    } finally {
      for (const handler of handlers) process.on('uncaughtException', handler);
    }
  });

  it('all RequestSignals share one constructor name node-fetch recognises (AbortSignal)', () => {
    expect(RequestSignal.name).to.equal('AbortSignal');
    expect((Object.getPrototypeOf(new RequestSignal()) as { constructor: { name: string } }).constructor.name).to.equal('AbortSignal');
  });
});

describe('RequestSignal with KeepAliveFetch (node-fetch; a real HTTP server on 127.0.0.1)', () => {
  let api: TestNodeApi;
  let connections: KeepAliveFetch;
  beforeEach(async () => {
    api = await TestNodeApi.start();
    connections = new KeepAliveFetch();
  });
  afterEach(async () => {
    connections.close();
    await api.stop();
  });
  const send = (signal: RequestSignal) => connections.fetch(`${api.url}/api/sno/`, { method: 'GET', headers: {}, redirect: 'manual', signal });

  it('node-fetch takes it, and lets go of it when the answer has come', async () => {
    const signal = new RequestSignal();
    const response = await send(signal);
    expect(response.status).to.equal(200);
    for await (const _chunk of response.body ?? []) void _chunk;
    expect(signal.idle).to.equal(true);
  });

  it('aborting it aborts a request under way, whose connection closes', async () => {
    api.behaviour = () => undefined;
    const signal = new RequestSignal();
    const sent = send(signal).then(
      () => expect.fail('should have failed'),
      (error: unknown) => error,
    );
    await eventually(() => api.requests.length === 1);
    signal.abort();
    expect(await sent).to.include({ name: 'AbortError' });
    await eventually(() => api.requests[0]?.socket.destroyed === true);
  });

  it('aborted before it is sent, nothing goes out', async () => {
    const signal = new RequestSignal();
    signal.abort();
    const error = await send(signal).then(
      () => expect.fail('should have failed'),
      (caught: unknown) => caught,
    );
    expect(error).to.include({ name: 'AbortError' });
    // A request after it is the first the server sees, over the first connection.
    const later = await send(new RequestSignal());
    expect(later.status).to.equal(200);
    expect(api.requests).to.have.length(1);
    expect(api.connections).to.equal(1);
  });
});
