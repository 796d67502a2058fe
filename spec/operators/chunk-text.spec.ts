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
  it('decodes an ASCII chunk once for all of its lines', () => {
    const bytes = Buffer.from('1.5 hello\n2.5 world\n');
    const decode = sinon.spy(bytes, 'toString');
    const chunk = new ChunkText(bytes);
    expect([chunk.text(0, 9), chunk.text(10, 19), chunk.text(4, 9)]).to.deep.equal(['1.5 hello', '2.5 world', 'hello']);
    expect(decode.callCount).to.equal(1);
  });

  it('decodes nothing until a line is read', () => {
    const bytes = Buffer.from('1.5 hello\n');
    const decode = sinon.spy(bytes, 'toString');
    new ChunkText(bytes);
    expect(decode.callCount).to.equal(0);
  });

  it('decodes each line of a chunk that is not ASCII on its own, as UTF-8', () => {
    const lines = ['1.0 Ünïcödé ✓', '2.0 🚀 ok', '3.0 plain'];
    const bytes = Buffer.from(lines.map((line) => `${line}\n`).join(''));
    const decode = sinon.spy(bytes, 'toString');
    const chunk = new ChunkText(bytes);
    expect(ranges(lines).map(([start, end]) => chunk.text(start, end))).to.deep.equal(lines);
    expect(decode.callCount).to.equal(3);
  });

  it('turns invalid UTF-8 into U+FFFD', () => {
    const chunk = new ChunkText(Buffer.concat([Buffer.from('1.0 bad '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\n2.0 good\n')]));
    expect(chunk.text(0, 11)).to.equal('1.0 bad \uFFFD\uFFFD\uFFFD');
    expect(chunk.text(12, 20)).to.equal('2.0 good');
  });

  it('property: every line of any chunk reads back as written', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', 'é', '🚀', ' ', '1', '.', '\t', '{', '"') })), (lines) => {
        const chunk = new ChunkText(Buffer.from(lines.map((line) => `${line}\n`).join('')));
        expect(ranges(lines).map(([start, end]) => chunk.text(start, end))).to.deep.equal(lines);
      }),
    );
  });
});
