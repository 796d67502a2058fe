import { peerText } from '../peer-text.js';
import { redactCredentials } from '../redact-credentials.js';

/** How a request failed: this decides whether the API counts as down (SPEC §3.3). */
export type ApiFailureKind = 'timeout' | 'transport' | 'http' | 'body';

/**
 * One failed request to a node API. `marksUnavailable` is true for failures that mean
 * the API is down (5xx, timeout, transport error, a reply that is not HTTP) and false
 * for those that fail only that query (4xx, a body that is not the expected JSON or is
 * over the size limit).
 *
 * @example
 * ```ts
 * client.satellite(id).subscribe({
 *   error: (e) => e instanceof ApiRequestError && e.status === 404 && console.log('no such satellite'),
 * });
 * ```
 */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(
    message: string,
    readonly kind: ApiFailureKind,
    /** The HTTP status, for `kind: 'http'`. */
    readonly status: number | null = null,
  ) {
    // The message holds what a peer answered (a status phrase, a location): safe to show, whatever it sent.
    super(peerText(redactCredentials(message)));
  }

  get marksUnavailable(): boolean {
    return this.kind === 'timeout' || this.kind === 'transport' || (this.status !== null && this.status >= 500);
  }
}

/** The error of a response body over the limit (declared, streamed or chunked alike). */
export function bodyTooLarge(maxBodyBytes: number): ApiRequestError {
  return new ApiRequestError(`Response body larger than ${maxBodyBytes} bytes`, 'body');
}
