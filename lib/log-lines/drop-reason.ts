import type { FramingDropReason } from './line-framer.js';

/**
 * Why a log line was dropped instead of emitted (SPEC §3.1): framing (`oversize`,
 * `partial`), not `<unix_ts> <line>` (`malformed`), or lines a resuming forwarder no
 * longer has (`gap`: rotated away and deleted, truncated; counted per gap, their size
 * in bytes beside it).
 *
 * @example
 * ```ts
 * const dropped: Record<DropReason, number> = { malformed: 0, oversize: 0, partial: 0, gap: 0 };
 * ```
 */
export type DropReason = FramingDropReason | 'malformed' | 'gap';
