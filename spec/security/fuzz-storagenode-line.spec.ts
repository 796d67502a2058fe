import { expect } from 'chai';
import fc from 'fast-check';
import { parseStorageNodeLine } from '../../lib/index.js';
import { CpuPerByte, fuzzParameters, repeated } from '../support/fuzz.js';

const KEYS = [
  'Piece ID',
  'Satellite ID',
  'Action',
  'Size',
  'Offset',
  'Remote Address',
  'SatelliteID',
  'piece_id',
  'satellite_id',
  'action',
  'size',
  'remote_address',
  'reason',
  'error',
  '__proto__',
  'constructor',
  'toString',
];
const MESSAGES = [
  'downloaded',
  'uploaded',
  'download started',
  'upload started',
  'download canceled',
  'upload failed',
  'deleted',
  'delete failed',
  'upload rejected, too many requests',
];
const text = fc.string({ unit: 'binary', maxLength: 24 });
const fieldsJson = fc.oneof(
  fc
    .dictionary(fc.oneof(fc.constantFrom(...KEYS), text), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('GET', 'PUT', 'GET_AUDIT', 'DELETE')))
    .map((fields) => JSON.stringify(fields)),
  fc.constantFrom('{"__proto__": {"Size": 5, "Action": "GET"}}', '{"Size": 1e400}', '{"Size": -1, "Action": {}}', '{', '[]', 'null', '{"a":'),
  text,
);
/** Storagenode lines of every shape SPEC §3.2 names, pieces of them, and anything else. */
const lines = fc.oneof(
  fc
    .tuple(
      fc.option(fc.constantFrom('2025-10-06T00:00:14-07:00', '2023-06-01T10:15:04.207+0200', '2025-13-99T', '1')),
      fc.option(fc.constantFrom('DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'info')),
      fc.option(fc.constantFrom('piecestore', 'orders', 'collector', '')),
      fc.option(fc.constantFrom('piecestore/endpoint.go:123', 'x.go:', '.go:1')),
      fc.oneof(fc.constantFrom(...MESSAGES), text),
      fc.option(fieldsJson),
    )
    .map((parts) => parts.filter((part) => part !== null).join('\t')),
  fc
    .record({
      L: fc.constantFrom('INFO', 'DEBUG', 'x'),
      M: fc.oneof(fc.constantFrom(...MESSAGES), text),
      N: fc.constantFrom('piecestore', 'x'),
      extra: fieldsJson,
    })
    .map(({ extra, ...entry }) => JSON.stringify(entry).slice(0, -1) + (extra.startsWith('{') && extra.length > 2 ? `,${extra.slice(1)}` : '}')),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

/** Everything the public API reads from a line, as JSON. */
function readAll(line: string): string {
  const parsed = parseStorageNodeLine(line);
  const read = {
    time: parsed.time,
    level: parsed.level,
    logger: parsed.logger,
    caller: parsed.caller,
    message: parsed.message,
    fields: parsed.fields,
    piece: parsed.piece,
    unrecognized: parsed.unrecognized,
  };
  // Tab-separated lines are cut, never rewritten (a JSON-encoded line's parts are decoded).
  if (!line.startsWith('{'))
    for (const part of [read.time, read.level, read.logger, read.caller, read.message]) if (part !== null) expect(line).to.include(part);
  // Only the line's own keys: a "__proto__" key is a field, not the prototype of the fields.
  const keys: string[] = [];
  for (const key in read.fields) keys.push(key);
  expect(keys).to.deep.equal(Object.keys(read.fields));
  return JSON.stringify(read);
}

describe('fuzz: parseStorageNodeLine', function () {
  this.timeout(60_000);

  it('any line: no throw, every part read from the line, output bounded by the line', () => {
    fc.assert(
      fc.property(lines, (line) => {
        // Each part of the line is in the output a few times at most (message, fields, piece), JSON-escaped (x6 at worst).
        expect(readAll(line).length).to.be.at.most(24 * line.length + 1024);
      }),
      fuzzParameters(),
    );
  });

  it('takes linear time: 64 KiB of any repeated piece of a line, at most 5 µs of CPU per byte', () => {
    const cpu = new CpuPerByte();
    const unit = fc.oneof(
      fc.constantFrom('\t', '{', '"', ':', '2025-10-06T', '\\', '[', '.go:1\t', 'piecestore\t'),
      lines.map((line) => line.slice(0, 12)),
    );
    fc.assert(
      fc.property(repeated(unit), (line) => {
        cpu.measure(line.length, () => readAll(line));
      }),
      fuzzParameters(40),
    );
    expect(cpu.microsPerByte).to.be.below(5);
  });
});
