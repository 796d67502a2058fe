import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * A check of the shared secret a request must carry, as `?token=` in its target or as
 * `Authorization: Bearer ...`: what `serveFrames` asks of WebSocket clients, for other
 * routes that serve the same data (the example CLI's `/history.json`). The digests are
 * compared in constant time, so the token cannot be guessed byte by byte from timings.
 *
 * @example
 * ```ts
 * const authorised = tokenCheck(process.env.MONITOR_TOKEN ?? '');
 * if (!authorised(request, url)) return void response.writeHead(401).end();
 * ```
 */
export function tokenCheck(token: string): (request: Pick<IncomingMessage, 'headers'>, url: URL) => boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  const expected = digest(token);
  return (request, url) => {
    const candidate = url.searchParams.get('token') ?? bearer(request);
    return candidate !== null && timingSafeEqual(digest(candidate), expected);
  };
}

function bearer(request: Pick<IncomingMessage, 'headers'>): string | null {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : null;
}
