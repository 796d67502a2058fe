import createDebug from 'debug';
import type { ForwarderLine } from '../log-lines/forwarder-line.js';
import type { UnrecognizedReason } from '../log-lines/unrecognized-transfer.js';
import { peerText } from '../peer-text.js';

const warn = createDebug('storj-monitor:log-reader:warn');

/** How much of a sample line a drift warning shows, in characters (`peerText`: control characters out, tabs as spaces). */
const SAMPLE_CHARS = 200;

/** What {@link schemaDriftCounter} reports: how many lines of a batch could not be read. */
export type SchemaDriftSink = (count: number) => void;

/**
 * Schema drift of one node's log, batch by batch: counts the `piecestore` lines that look
 * like transfers but could not be read (`entry.unrecognized`), reports the count of each
 * batch that had any, and warns once per node version (as `version()` tells, `unknown`
 * before it is known) with the reason and a sample line, so that an upgrade to a format
 * this library does not know shows as a number and one warning, not as traffic that
 * silently stopped. Reading `entry.unrecognized` parses the fields of every piecestore
 * line, in order, which also pairs two-line cancellations (`piece.duplicateOf`).
 *
 * @example
 * ```ts
 * const check = schemaDriftCounter('node1', () => api.version, (count) => unrecognized += count);
 * check(batch);
 * ```
 */
export function schemaDriftCounter(node: string, version: () => string | null, report: SchemaDriftSink): (batch: readonly ForwarderLine[]) => void {
  const warned = new Set<string>();
  return (batch) => {
    let count = 0;
    let sample: ForwarderLine | undefined;
    let reason: UnrecognizedReason | null = null;
    for (const line of batch) {
      const unread = line.entry.unrecognized;
      if (unread === null) continue;
      count++;
      sample ??= line;
      reason ??= unread;
    }
    if (sample === undefined) return;
    report(count);
    const release = version() ?? 'unknown';
    if (warned.has(release)) return;
    warned.add(release);
    warn(
      '[%s] Storagenode %s writes piecestore lines that look like transfers but cannot be read (%s): this library reads v1.80 to v1.162; they are counted as unrecognized. Sample: %s',
      node,
      release,
      reason,
      JSON.stringify(peerText(sample.line, SAMPLE_CHARS)),
    );
  };
}
