import type { FramingDropReason } from './line-framer.js';

/**
 * Why a log line was dropped instead of emitted (SPEC §3.1): framing (`oversize`,
 * `partial`), or not `<unix_ts> <line>` (`malformed`).
 *
 * @example
 * ```ts
 * const dropped: Record<DropReason, number> = { malformed: 0, oversize: 0, partial: 0 };
 * ```
 */
export type DropReason = FramingDropReason | 'malformed';
