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
