import { expect } from 'chai';
import type { ChunkText, FramingDropReason } from '../../lib/index.js';
import { LineFramer } from '../../lib/log-lines/line-framer.js';
import { oneBytePerChunk } from '../support/chunks.js';

/** A framer whose lines are kept as their chunks' text and ranges, read only when asked, after their bytes are overwritten. */
function framer(maxLineBytes = 1024) {
  const drops: FramingDropReason[] = [];
  const kept: Array<[ChunkText, number, number]> = [];
  const lineFramer = new LineFramer(maxLineBytes, (reason) => drops.push(reason));
  const push = (...chunks: Buffer[]): void => {
    for (const chunk of chunks) {
      lineFramer.push(chunk, (_bytes, start, end, text) => kept.push([text, start, end]));
      // Like a socket reading into one reused buffer: the chunk is overwritten once pushed.
      chunk.fill(0x2a);
    }
  };
  const lines = (): string[] => kept.map(([text, start, end]) => text.text(start, end));
  return { push, lines, drops, end: () => lineFramer.end() };
}

describe('LineFramer', () => {
  it('a line that spanned chunks keeps its text after later lines reuse the framer’s carry', () => {
    const { push, lines } = framer();
    push(Buffer.from('1.0 fir'), Buffer.from('st\n2.0 sec'), Buffer.from('ond\n3.0 thi'), Buffer.from('rd\n'));
    // Read only now, after every chunk: no line may alias bytes the framer reused.
    expect(lines()).to.deep.equal(['1.0 first', '2.0 second', '3.0 third']);
  });

  it('a long line that spanned chunks keeps its text after the next long line', () => {
    const { push, lines } = framer(1 << 20);
    const first = `1.0 ${'a'.repeat(40_000)}`;
    const second = `2.0 ${'b'.repeat(40_000)}`;
    push(...[first, second].flatMap((line) => [Buffer.from(line.slice(0, 30_000)), Buffer.from(`${line.slice(30_000)}\n`)]));
    expect(lines()).to.deep.equal([first, second]);
  });

  it('counts bytes exactly: a line of maxLineBytes is kept, also before \\r\\n and across chunks; one byte more is dropped', () => {
    const { push, lines, drops } = framer(10);
    push(Buffer.from('0123456789\n01234567890\n0123456789\r\n'));
    push(Buffer.from('01234'), Buffer.from('56789\r'), Buffer.from('\n'));
    push(Buffer.from('01234'), Buffer.from('567890'), Buffer.from('\nok\n'));
    expect(lines()).to.deep.equal(['0123456789', '0123456789', '0123456789', 'ok']);
    expect(drops).to.deep.equal(['oversize', 'oversize']);
  });

  it('a 100 KB line trickled one byte per chunk is dropped once as oversize, and the next line gets through', () => {
    const { push, lines, drops } = framer(64 * 1024);
    push(...oneBytePerChunk(`1.0 ${'x'.repeat(100_000)}\n2.0 after\n`));
    expect(lines()).to.deep.equal(['2.0 after']);
    expect(drops).to.deep.equal(['oversize']);
  });

  it('a line trickled one byte per chunk, multi-byte characters included, comes out whole', () => {
    const line = `1.0 ${'é🚀'.repeat(2_000)}`;
    const { push, lines, drops } = framer(1 << 20);
    push(...oneBytePerChunk(`${line}\n`));
    expect(lines()).to.deep.equal([line]);
    expect(drops).to.deep.equal([]);
  });

  it('end() drops the partial line once, and the framer starts clean after it', () => {
    const { push, lines, drops, end } = framer();
    push(Buffer.from('1.0 cut'));
    end();
    push(Buffer.from('2.0 whole\n'));
    expect(lines()).to.deep.equal(['2.0 whole']);
    expect(drops).to.deep.equal(['partial']);
  });
});
