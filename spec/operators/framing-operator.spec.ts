import { expect } from 'chai';
import fc from 'fast-check';
import { from, lastValueFrom, Observable, toArray } from 'rxjs';
import { CONNECTED, type FramingDropReason } from '../../lib/index.js';
import { oneBytePerChunk } from '../support/chunks.js';
import { textLines } from '../support/text-lines.js';

/** Frames the chunks; returns what came out and what was dropped. */
async function frame(chunks: Array<Buffer | typeof CONNECTED>, maxLineBytes?: number, fail = false) {
  const drops: FramingDropReason[] = [];
  const source = new Observable<Buffer | typeof CONNECTED>((subscriber) => {
    for (const chunk of chunks) subscriber.next(chunk);
    if (fail) subscriber.error(new Error('read ECONNRESET'));
    else subscriber.complete();
  });
  const lines: Array<string | typeof CONNECTED> = [];
  let error: unknown;
  await new Promise<void>((done) => {
    source.pipe(textLines<typeof CONNECTED>(maxLineBytes, (reason) => drops.push(reason))).subscribe({
      next: (line) => lines.push(line),
      error: (caught: unknown) => {
        error = caught;
        done();
      },
      complete: done,
    });
  });
  return { lines, drops, error };
}

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('framingOperator (through textLines, the simplest framing operator)', () => {
  it('splits lines, accepts \\r\\n, and passes the CONNECTED signal through in order', async () => {
    const { lines, drops } = await frame([CONNECTED, bytes('1.0 a\r\n2.0 b\n'), bytes('3.0 c\n')]);
    expect(lines).to.deep.equal([CONNECTED, '1.0 a', '2.0 b', '3.0 c']);
    expect(drops).to.deep.equal([]);
  });

  it('reassembles lines split one byte per chunk, also inside UTF-8 sequences', async () => {
    const text = '1759735252.1 download started ✓ Ünïcödé 🚀\r\n1759735252.2 ok\n';
    const { lines } = await frame(oneBytePerChunk(text));
    expect(lines).to.deep.equal(['1759735252.1 download started ✓ Ünïcödé 🚀', '1759735252.2 ok']);
  });

  it('turns invalid UTF-8 into U+FFFD and keeps going', async () => {
    const { lines } = await frame([Buffer.concat([bytes('1.0 bad '), Buffer.from([0xff, 0xfe, 0xc3]), bytes('\n2.0 good\n')])]);
    expect(lines).to.deep.equal(['1.0 bad \uFFFD\uFFFD\uFFFD', '2.0 good']);
  });

  it('drops a partial line at the end of the stream and counts it', async () => {
    const { lines, drops } = await frame([bytes('1.0 a\n2.0 cut in the mid')]);
    expect(lines).to.deep.equal(['1.0 a']);
    expect(drops).to.deep.equal(['partial']);
  });

  it('drops a partial line when the stream fails, and passes the error on', async () => {
    const { lines, drops, error } = await frame([bytes('1.0 a\n2.0 cut')], undefined, true);
    expect(lines).to.deep.equal(['1.0 a']);
    expect(drops).to.deep.equal(['partial']);
    expect((error as Error).message).to.equal('read ECONNRESET');
  });

  it('drops a 5 MB line without newline, resynchronises at the next \\n, and keeps good lines', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const huge = Array.from({ length: 80 }, () => chunk);
    const { lines, drops } = await frame([bytes('1.0 before\n2.0 '), ...huge, bytes('tail of the huge line\n3.0 after\n')]);
    expect(lines).to.deep.equal(['1.0 before', '3.0 after']);
    expect(drops).to.deep.equal(['oversize']);
  });

  it('counts a whole line over the limit in one chunk as oversize, by UTF-8 bytes', async () => {
    // 'é' is 2 bytes: 6 characters, 12 bytes.
    const { lines, drops } = await frame([bytes('éééééé\nshort\n')], 10);
    expect(lines).to.deep.equal(['short']);
    expect(drops).to.deep.equal(['oversize']);
  });

  it('does not count an oversize line that the stream then cuts as partial too', async () => {
    const { drops } = await frame([Buffer.alloc(100, 'y')], 10);
    expect(drops).to.deep.equal(['oversize']);
  });

  it('property: any chunking of any text yields the lines of the whole text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'é', '🚀', '\n', '\r\n', ' ', '1', '.') }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        async (pieces, sizes) => {
          const text = pieces.join('');
          const whole = bytes(text);
          const chunks: Buffer[] = [];
          for (let offset = 0, index = 0; offset < whole.length; index++) {
            const size = sizes[index % sizes.length] ?? 1;
            chunks.push(whole.subarray(offset, offset + size));
            offset += size;
          }
          const complete = text.lastIndexOf('\n') + 1;
          const expected = text
            .slice(0, complete)
            .split('\n')
            .slice(0, -1)
            .map((line) => line.replace(/\r$/, ''));
          const { lines, drops } = await frame(chunks);
          expect(lines).to.deep.equal(expected);
          expect(drops).to.deep.equal(complete === text.length ? [] : ['partial']);
        },
      ),
    );
  });

  it('frames 100,000 lines from large chunks without loss or reordering', async () => {
    const text = Array.from({ length: 100_000 }, (_, index) => `${index}.5 line ${index}\n`).join('');
    const whole = bytes(text);
    const chunks = Array.from({ length: Math.ceil(whole.length / 65_536) }, (_, index) => whole.subarray(index * 65_536, (index + 1) * 65_536));
    const lines = await lastValueFrom(from(chunks).pipe(textLines(), toArray()));
    expect(lines).to.have.length(100_000);
    expect(lines.every((line, index) => line === `${index}.5 line ${index}`)).to.equal(true);
  });
});
