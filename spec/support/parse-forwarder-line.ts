import { ChunkText, type CancellationPairs, type ForwarderLine } from '../../lib/index.js';
import { parseForwarderLineAt } from '../../lib/log-lines/forwarder-line.js';

/** `text` parsed as the one line of a chunk of its own, as `forwarderLineBatches` would. */
export function parseForwarderLine(node: string, text: string, pairs?: CancellationPairs): ForwarderLine | null {
  const bytes = Buffer.from(text, 'utf8');
  return parseForwarderLineAt(node, bytes, 0, bytes.length, new ChunkText(bytes), pairs);
}
