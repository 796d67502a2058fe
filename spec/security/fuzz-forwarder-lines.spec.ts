import { expect } from 'chai';
import fc from 'fast-check';
import { Subject } from 'rxjs';
import sinon from 'sinon';
import { forwarderLineBatches, type DropReason, type ForwarderLine } from '../../lib/index.js';
import { fuzzParameters } from '../support/fuzz.js';

/** What a forwarder (or anything else on its port) may send: forwarder lines, garbage, breaks, UTF-8 of every length. */
const piece = fc.oneof(
  fc
    .constantFrom('1759735252.123 ', '1.5 ', '12 ', '1.', '.5 ', ' ', '\n', '\r\n', '\r', 'é', '€', '😀', 'INFO\tpiecestore\tdownloaded\t{"Size": 1}')
    .map((text) => Buffer.from(text)),
  fc.string({ unit: 'binary', maxLength: 30 }).map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 30 }).map((bytes) => Buffer.from(bytes)),
);

/** A byte stream, where to cut it into chunks, and the line limit. */
const streams = fc.record({
  bytes: fc.array(piece, { maxLength: 60 }).map((pieces) => Buffer.concat(pieces)),
  cuts: fc.array(fc.nat(), { maxLength: 20 }),
  maxLineBytes: fc.integer({ min: 1, max: 120 }),
});

/** What SPEC §3.1 says becomes of a stream: its lines (the bytes of each) and its drops by reason. */
function expected(bytes: Buffer, maxLineBytes: number): { lines: Buffer[]; drops: Record<DropReason, number> } {
  const drops: Record<DropReason, number> = { malformed: 0, oversize: 0, partial: 0, gap: 0 };
  const lines: Buffer[] = [];
  const segments: Buffer[] = [];
  let start = 0;
  for (let newline = bytes.indexOf(10); newline !== -1; newline = bytes.indexOf(10, start)) {
    segments.push(bytes.subarray(start, newline));
    start = newline + 1;
  }
  for (const segment of segments) {
    const content = segment.at(-1) === 13 ? segment.subarray(0, -1) : segment;
    if (content.length > maxLineBytes) drops.oversize++;
    else if (/^\d+(?:\.\d+)? [\s\S]/.test(content.toString('latin1'))) lines.push(content);
    else drops.malformed++;
  }
  const rest = bytes.length - start;
  if (rest > maxLineBytes + 1) drops.oversize++;
  else if (rest > 0) drops.partial++;
  return { lines, drops };
}

function chunksOf(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const positions = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  return [...positions, bytes.length].map((end, index) => Buffer.from(bytes.subarray(positions[index - 1] ?? 0, end)));
}

/** Frames the chunks as tcpLogSource does, each chunk overwritten once pushed (a reused read buffer); counts what the framer allocates and copies. */
function frame(chunks: readonly Buffer[], maxLineBytes: number) {
  const lines: ForwarderLine[] = [];
  const drops: Record<DropReason, number> = { malformed: 0, oversize: 0, partial: 0, gap: 0 };
  const malformed: string[] = [];
  const counted = { allocated: 0, copied: 0 };
  const allocUnsafe = Buffer.allocUnsafe.bind(Buffer);
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was, and called with call()
  const copy = (Buffer.prototype as Buffer).copy;
  sinon.replace(Buffer, 'allocUnsafe', (size: number) => {
    counted.allocated += size;
    return allocUnsafe(size);
  });
  sinon.replace(Buffer.prototype, 'copy', function (this: Buffer, target: Uint8Array, targetStart?: number, sourceStart = 0, sourceEnd = this.length) {
    counted.copied += Math.max(0, Math.min(sourceEnd, this.length) - sourceStart);
    return copy.call(this, target, targetStart, sourceStart, sourceEnd);
  });
  try {
    const source = new Subject<Buffer>();
    source
      .pipe(
        forwarderLineBatches<never>({
          node: 'node1',
          maxLineBytes,
          onDrop: (reason, text) => {
            drops[reason]++;
            if (text !== undefined) malformed.push(text);
          },
        }),
      )
      .subscribe((batch) => lines.push(...batch));
    for (const chunk of chunks) {
      source.next(chunk);
      chunk.fill(0x2a);
    }
    source.complete();
  } finally {
    sinon.restore();
  }
  return { lines, drops, malformed, counted };
}

describe('fuzz: the line framer and the forwarder-line parser', function () {
  this.timeout(60_000);

  it('any bytes cut anywhere: the lines and drops of SPEC §3.1, nothing longer than maxLineBytes, no throw, linear copies', () => {
    fc.assert(
      fc.property(streams, ({ bytes, cuts, maxLineBytes }) => {
        const want = expected(bytes, maxLineBytes);
        const got = frame(chunksOf(bytes, cuts), maxLineBytes);
        // Equal to SPEC's lines, which are at most maxLineBytes long by construction: nothing longer gets through.
        expect(got.drops).to.deep.equal(want.drops);
        expect(got.lines.map((line) => line.toJSON())).to.deep.equal(
          want.lines.map((content) => {
            const space = content.indexOf(32);
            const timestampText = content.toString('latin1', 0, space);
            return { node: 'node1', timestamp: Number(timestampText), timestampText, line: content.toString('utf8', space + 1) };
          }),
        );
        // Reading the storagenode line never throws either.
        for (const line of got.lines) expect(line.entry.message).to.be.a('string');
        expect(got.counted.copied).to.be.at.most(3 * bytes.length + 512);
        expect(got.counted.allocated).to.be.at.most(4 * bytes.length + 512);
      }),
      fuzzParameters(),
    );
  });

  it('a 64 KiB line trickled byte by byte, or in random chunks: memory and copies stay linear in its size', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '1', ' ', '.', '\r'), minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 200 }),
        (unit, trickle, cuts) => {
          const text = `1.5 ${unit.repeat(Math.ceil(65_536 / unit.length)).slice(0, 65_536)}\n`;
          const bytes = Buffer.from(text, 'latin1');
          const chunks = trickle ? [...bytes].map((byte) => Buffer.from([byte])) : chunksOf(bytes, cuts);
          const got = frame(chunks, 1 << 20);
          expect(got.lines).to.have.length(1);
          expect(got.counted.copied).to.be.at.most(3 * bytes.length + 512);
          expect(got.counted.allocated).to.be.at.most(4 * bytes.length + 512);
        },
      ),
      fuzzParameters(20),
    );
  });
});
