import { expect } from 'chai';
import fc from 'fast-check';
import sinon from 'sinon';
import { ChunkText } from '../../lib/index.js';

/** The byte ranges of `lines` joined by `\n`, as a framer would hand them over. */
function ranges(lines: readonly string[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let offset = 0;
  for (const line of lines) {
    const length = Buffer.byteLength(line);
    out.push([offset, offset + length]);
    offset += length + 1;
  }
  return out;
}

describe('ChunkText', () => {
  it('decodes an ASCII chunk once, for all of its lines', () => {
    const bytes = Buffer.from('1.5 hello\n2.5 world\n');
    const decode = sinon.spy(bytes, 'toString');
    const chunk = new ChunkText(bytes);
    expect([chunk.text(0, 9), chunk.text(10, 19), chunk.text(4, 9)]).to.deep.equal(['1.5 hello', '2.5 world', 'hello']);
    expect(decode.callCount).to.equal(1);
  });

  it('keeps its text when the bytes are overwritten after it was made, ASCII or not', () => {
    const lines = ['1.0 Ünïcödé ✓', '2.0 🚀 ok', '3.0 plain'];
    for (const bytes of [Buffer.from('1.0 ascii\n2.0 only\n'), Buffer.from(lines.map((line) => `${line}\n`).join(''))]) {
      const expected = bytes.toString('utf8').split('\n').slice(0, -1);
      const chunk = new ChunkText(bytes);
      bytes.fill(0xff);
      expect(ranges(expected).map(([start, end]) => chunk.text(start, end))).to.deep.equal(expected);
    }
  });

  it('turns invalid UTF-8 into U+FFFD', () => {
    const chunk = new ChunkText(Buffer.concat([Buffer.from('1.0 bad '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\n2.0 good\n')]));
    expect(chunk.text(0, 11)).to.equal('1.0 bad \uFFFD\uFFFD\uFFFD');
    expect(chunk.text(12, 20)).to.equal('2.0 good');
  });

  it('property: every line of any chunk reads back as written, after its bytes are overwritten', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', 'é', '🚀', ' ', '1', '.', '\t', '{', '"') })), (lines) => {
        const bytes = Buffer.from(lines.map((line) => `${line}\n`).join(''));
        const chunk = new ChunkText(bytes);
        bytes.fill(0);
        expect(ranges(lines).map(([start, end]) => chunk.text(start, end))).to.deep.equal(lines);
      }),
    );
  });
});
