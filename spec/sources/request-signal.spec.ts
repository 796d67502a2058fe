import { expect } from 'chai';
import { RequestSignal } from '../../lib/sources/request-signal.js';

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

  it("a listener that removes itself when called (as node-fetch's does) does not keep the next one from being called", () => {
    const signal = new RequestSignal();
    const calls: string[] = [];
    const first = (): void => {
      calls.push('first');
      signal.removeEventListener('abort', first);
    };
    signal.addEventListener('abort', first);
    signal.addEventListener('abort', () => calls.push('second'));
    signal.abort();
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
