/** The part of a fetch `Response` this library reads; `cross-fetch` (node-fetch), Node's own fetch and undici all fit. */
export interface FetchResponseLike {
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  /** Read as it arrives, never as a whole: the body limit is enforced on the way ({@link readBody}). Each chunk is given away: it is kept, not copied, and must not be written to afterwards. */
  readonly body: AsyncIterable<Uint8Array> | null;
}

/** The part of a fetch `init` this library passes. */
export interface FetchInitLike {
  readonly method: 'GET';
  readonly headers: Readonly<Record<string, string>>;
  /** Redirects come back as responses: {@link httpJson} follows them itself, by its own rules for credentials. */
  readonly redirect: 'manual';
  /** Aborted on timeout, when the request is abandoned, and when a body is cut off at its limit. */
  readonly signal: AbortSignal;
}

/**
 * A fetch function, for {@link httpJson} and the node API client: `cross-fetch` with a
 * keep-alive agent ({@link KeepAliveFetch}, the default), Node's global `fetch`, undici's,
 * or a test double.
 *
 * @example
 * ```ts
 * const viaGlobal: FetchLike = (url, init) => fetch(url, init) as unknown as Promise<FetchResponseLike>;
 * ```
 */
export type FetchLike = (url: string, init: FetchInitLike) => Promise<FetchResponseLike>;

/**
 * The part of an AbortSignal that node-fetch reads (so cross-fetch in Node, so
 * {@link KeepAliveFetch}): it takes any object of this shape whose class is called
 * `AbortSignal` (`isAbortSignal` in node-fetch lib/index.js at v2.7.0).
 *
 * @example
 * ```ts
 * const signal: AbortSignalLike = new AbortController().signal;
 * ```
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A fetch that takes an {@link AbortSignalLike} as its signal, as {@link KeepAliveFetch}
 * does: `httpJson` sends through it with a signal of its own that keeps one hidden class
 * (`RequestSignal`), reused from one request to the next, where over a {@link FetchLike}
 * each request has an AbortController of its own (README, Performance).
 *
 * @example
 * ```ts
 * const connections: SignalLikeFetch = new KeepAliveFetch();
 * httpJson({ url: 'http://127.0.0.1:14002/api/sno/', fetch: connections, timeoutMs: 10_000, maxBodyBytes: 1 << 22, scheduler: asyncScheduler });
 * ```
 */
export interface SignalLikeFetch {
  readonly fetch: (url: string, init: SignalLikeInit) => Promise<FetchResponseLike>;
}

/**
 * The `init` a {@link SignalLikeFetch} takes: a {@link FetchInitLike} whose signal can be any {@link AbortSignalLike}.
 *
 * @example
 * ```ts
 * const init: SignalLikeInit = { method: 'GET', headers: {}, redirect: 'manual', signal: new AbortController().signal };
 * ```
 */
export interface SignalLikeInit extends Omit<FetchInitLike, 'signal'> {
  readonly signal: AbortSignalLike;
}
