import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { schemaDriftCounter, type ForwarderLine } from '../../lib/index.js';
import { withDebugLogs } from '../support/debug-logs.js';
import { parseForwarderLine } from '../support/parse-forwarder-line.js';

const at = (text: string): ForwarderLine => {
  const line = parseForwarderLine('node1', `1764582422.5 ${text}`);
  if (line === null) throw new Error('bad test line');
  return line;
};
const FUTURE =
  '2027-03-01T10:00:00Z\tINFO\tpiecestore\tdownloaded\t{"process": "storagenode", "pieceID": "X", "satelliteID": "S", "action": "GET", "bytes": 512}';
const FUTURE_MESSAGE = '2027-03-01T10:00:00Z\tINFO\tpiecestore\tdownload finished\t{"piece_id": "X", "size": 512}';
const CURRENT = '2026-11-30T21:47:02-08:00\tINFO\tpiecestore\tdownloaded\t{"process": "storagenode", "piece_id": "X", "action": "GET", "size": 512}';

const WARN = 'storj-monitor:log-reader:warn';

describe('schemaDriftCounter', () => {
  it('counts nothing in the lines of any release v1.80 .. v1.162 (every fixture)', () => {
    const counts: number[] = [];
    const check = schemaDriftCounter(
      'node1',
      () => null,
      (count) => counts.push(count),
    );
    const folder = new URL('../fixtures/storagenode-logs/', import.meta.url);
    for (const name of readdirSync(folder)) {
      const { lines } = JSON.parse(readFileSync(new URL(name, folder), 'utf8')) as { lines: Array<{ line: string }> };
      check(lines.map(({ line }) => at(line)));
    }
    expect(counts).to.deep.equal([]);
  });

  it('counts the unreadable lines of each batch, and warns once per version with the reason and a sample', async () => {
    await withDebugLogs(WARN, (warnings) => {
      let version: string | null = null;
      const counts: number[] = [];
      const check = schemaDriftCounter(
        'node1',
        () => version,
        (count) => counts.push(count),
      );
      check([at(CURRENT), at(FUTURE), at(FUTURE), at(CURRENT)]);
      check([at(FUTURE_MESSAGE)]);
      check([at(CURRENT)]);
      expect(counts).to.deep.equal([2, 1]);
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.include('[node1] Storagenode unknown writes piecestore lines that look like transfers but cannot be read (unknown_fields)');
      expect(warnings[0]).to.include(JSON.stringify(FUTURE.replaceAll('\t', ' ')));
      version = '1.170.1';
      check([at(FUTURE_MESSAGE)]);
      check([at(FUTURE)]);
      expect(warnings).to.have.length(2);
      expect(warnings[1]).to.include('Storagenode 1.170.1 writes').and.include('(unknown_message)');
    });
  });

  it('the sample is one JSON string through peerText: control characters out, tabs as spaces, cut at 200 characters', async () => {
    await withDebugLogs(WARN, (warnings) => {
      const hostile = `2027-03-01T10:00:00Z\tINFO\tpiecestore\tdownload finished\x1b]0;owned\x07${'z'.repeat(400)}\t{}`;
      schemaDriftCounter(
        'node1',
        () => null,
        () => undefined,
      )([at(hostile)]);
      expect(warnings[0]).to.not.include('\x1b').and.not.include('\x07');
      expect(warnings[0]).to.include('download finished]0;owned').and.include('…[+');
    });
  });
});
