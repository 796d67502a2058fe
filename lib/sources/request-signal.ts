import type { AbortSignalLike } from './fetch-like.js';

/**
 * An abort signal that is its own controller, for fetches that take any
 * {@link AbortSignalLike} ({@link KeepAliveFetch}'s node-fetch): what `jsonRequester`
 * sends its requests with over such a fetch, one per requester, reused from one request
 * to the next while nothing aborted it and nothing listens to it ({@link idle}).
 *
 * Why not an AbortController: in Node 20 every AbortSignal has a hidden class (V8 map)
 * of its own (`%HaveSameMap` of two new signals is false), so with a signal per client
 * every place that reads a signal (node-fetch's, Node's EventTarget's) sees a thousand
 * maps for a thousand nodes, and each read misses V8's stub cache: adding and removing
 * a listener took ~1.5 µs over 1,000 signals against ~0.25 µs over one (README,
 * Performance). Every RequestSignal has the same map.
 *
 * @example
 * ```ts
 * const signal = new RequestSignal();
 * signal.addEventListener('abort', () => console.log('aborted'));
 * signal.abort(); // aborted
 * signal.aborted; // true
 * ```
 */
export class RequestSignal implements AbortSignalLike {
  private listeners: (() => void)[] = [];
  private wasAborted = false;

  get aborted(): boolean {
    return this.wasAborted;
  }

  /** Never aborted, and no listener on it: a request that ended with it can hand it to the next. */
  get idle(): boolean {
    return !this.wasAborted && this.listeners.length === 0;
  }

  /** As EventTarget's: `abort` listeners only, each at most once; none is called for an abort that came before it. */
  addEventListener(type: string, listener: () => void): void {
    if (type === 'abort' && !this.listeners.includes(listener)) this.listeners.push(listener);
  }

  removeEventListener(type: string, listener: () => void): void {
    const index = type === 'abort' ? this.listeners.indexOf(listener) : -1;
    if (index >= 0) this.listeners.splice(index, 1);
  }

  /**
   * Aborts once: calls every listener there is now, in the order they came. A listener
   * that throws does not stop the others; its error is thrown afterwards on its own
   * (as an EventTarget reports it), not into whoever aborted.
   */
  abort(): void {
    if (this.wasAborted) return;
    this.wasAborted = true;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

// node-fetch 2.x takes a signal whose class is called AbortSignal (`isAbortSignal` in
// node-fetch lib/index.js at v2.7.0, there for polyfills such as abort-controller's).
Object.defineProperty(RequestSignal, 'name', { value: 'AbortSignal' });
