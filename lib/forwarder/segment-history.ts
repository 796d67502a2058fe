import type { ResumePosition } from '../sources/resume-protocol.js';

/**
 * One file of the forwarder's history: the log file as it was between two rotations.
 * It is found again by its inode or by its first bytes (`head`), whatever its name
 * became (`node.log.1` after a rename, a copy made by `copytruncate`).
 */
export interface Segment {
  /** Its place in the history, counting up from 0. */
  readonly seq: number;
  readonly dev: number;
  readonly ino: number;
  /** Its first bytes (up to `HEAD_BYTES`), base64. */
  readonly head: string;
  /** Its name in the log's directory when last seen. */
  readonly name: string;
  /** The end of its last complete line: everything before it can be sent. */
  readonly end: number;
  /** A newer file has taken its place; it grows no more. */
  readonly sealed: boolean;
  /**
   * It was sealed without being found again (deleted, or truncated with no copy left):
   * whatever was written to it after `end` is lost, an amount nobody knows.
   */
  readonly tailLost: boolean;
}

/** Every file the forwarder has followed, oldest first; the last one is the one being tailed. */
export interface ForwarderHistory {
  /** Random, made with the history: a position of another history means nothing here. */
  readonly stream: string;
  readonly segments: readonly Segment[];
}

/** What a new segment is made of: the file's identity and what is known of it. */
export type SegmentFile = Omit<Segment, 'seq' | 'sealed' | 'tailLost'>;

/** Where a client's lines start: a segment, a byte in it, lines to skip there, and what is lost on the way. */
export interface ReplayStart {
  readonly seq: number;
  readonly offset: number;
  readonly skip: number;
  /** Bytes of the asked-for data that are gone: `undefined` none, `null` an unknown amount. */
  readonly gap: number | null | undefined;
}

/**
 * The history with `file` as its newest segment, the one being tailed (the one before it
 * must have been sealed), and only the newest `maxSegments` segments kept: that is the
 * replay window.
 *
 * @example
 * ```ts
 * const history = beginSegment({ stream: 'a1', segments: [] }, { dev: 1, ino: 7, head: '', name: 'node.log', end: 0 }, 16);
 * history.segments[0]?.seq; // 0
 * ```
 */
export function beginSegment(history: ForwarderHistory, file: SegmentFile, maxSegments: number): ForwarderHistory {
  const last = history.segments.at(-1);
  const segment: Segment = { ...file, seq: last === undefined ? 0 : last.seq + 1, sealed: false, tailLost: false };
  return { stream: history.stream, segments: [...history.segments, segment].slice(-maxSegments) };
}

/**
 * The history with its newest segment changed (`end` grew, `head` became longer, the
 * file turned out to have another name) and, with `seal`, sealed (`'tail lost'`: its
 * file could not be found again).
 *
 * @example
 * ```ts
 * updateNewest(history, { end: 4096 }).segments.at(-1)?.end; // 4096
 * ```
 */
export function updateNewest(history: ForwarderHistory, changes: Partial<SegmentFile>, seal: boolean | 'tail lost' = false): ForwarderHistory {
  const newest = history.segments.at(-1);
  if (newest === undefined) return history;
  const sealed = { ...newest, ...changes, sealed: newest.sealed || seal !== false, tailLost: newest.tailLost || seal === 'tail lost' };
  return { stream: history.stream, segments: [...history.segments.slice(0, -1), sealed] };
}

/**
 * Where the lines after `position` start in `history` (a pure decision; whether the
 * files are still there is found out while reading). No position: the live end ("from
 * now on"). A position of another stream, newer than the history, or past the end of a
 * rotated file: the live end, with a gap of unknown size. Older than the window: the oldest segment's start, with a gap
 * of unknown size.
 *
 * @example
 * ```ts
 * replayStart(history, { stream: history.stream, segment: 0, offset: 10, skip: 1 }); // { seq: 0, offset: 10, skip: 1, gap: undefined }
 * replayStart(history, null); // the live end
 * ```
 */
export function replayStart(history: ForwarderHistory, position: ResumePosition | null): ReplayStart {
  const { segments } = history;
  const newest = segments.at(-1);
  const oldest = segments[0];
  if (newest === undefined || oldest === undefined) return { seq: 0, offset: 0, skip: 0, gap: position === null ? undefined : null };
  const live = (gap: null | undefined): ReplayStart => ({ seq: newest.seq, offset: newest.end, skip: 0, gap });
  if (position === null) return live(undefined);
  if (position.stream !== history.stream || position.segment > newest.seq) return live(null);
  if (position.segment < oldest.seq) return { seq: oldest.seq, offset: 0, skip: 0, gap: null };
  const segment = segments[position.segment - oldest.seq];
  // The file being tailed may hold more than the tailer has seen yet; a rotated one may not.
  if (segment === undefined || (segment.sealed && position.offset > segment.end)) return live(null);
  return { seq: segment.seq, offset: position.offset, skip: position.skip, gap: undefined };
}

/**
 * The segment numbered `seq`, if the window still holds it.
 *
 * @example
 * ```ts
 * segmentAt(history, 0)?.name; // 'node.log'
 * ```
 */
export function segmentAt(history: ForwarderHistory, seq: number): Segment | undefined {
  const oldest = history.segments[0];
  return oldest === undefined ? undefined : history.segments[seq - oldest.seq];
}
