import { expect } from 'chai';
import fc from 'fast-check';
import { from, lastValueFrom, Observable, toArray } from 'rxjs';
import { CONNECTED, ForwarderLine, forwarderLineBatches, forwarderLines, parseForwarderLine, type DropReason } from '../../lib/index.js';

const LINE = '2025-10-06T00:00:14-07:00\tINFO\tpiecestore\tdownloaded\t{"Action": "GET", "Size": 6912}';

describe('parseForwarderLine', () => {
  it('splits `<unix_ts> <line>` at the first space and keeps the timestamp text', () => {
    const line = parseForwarderLine('node1', `1759735252.123 ${LINE}`);
    expect(line).to.be.instanceOf(ForwarderLine);
    expect(line).to.include({ node: 'node1', timestamp: 1759735252.123, timestampText: '1759735252.123', line: LINE });
  });

  it('keeps a 16-digit timestamp exactly as received, beyond double precision', () => {
    const line = parseForwarderLine('n', '1759735252.123456789 x');
    expect(line?.timestampText).to.equal('1759735252.123456789');
    expect(line?.timestamp).to.be.closeTo(1759735252.123457, 1e-6);
  });

  it('accepts integer timestamps and keeps further spaces in the line', () => {
    expect(parseForwarderLine('n', '1759735252  two spaces')?.line).to.equal(' two spaces');
  });

  const malformed = [
    '',
    'hello',
    ' 1.0 x',
    '1.0',
    '1.0 ',
    'abc def',
    '1..0 x',
    '.5 x',
    '5. x',
    '1.2.3 x',
    '-1.0 x',
    '1e9 x',
    '0x10 x',
    'Infinity x',
    '1,5 x',
    '1.0\tx',
  ];
  for (const text of malformed) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      expect(parseForwarderLine('n', text)).to.equal(null);
    });
  }

  it('property: any string in, a line or null out, never a throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const line = parseForwarderLine('n', text);
        if (line) expect(`${line.timestampText} ${line.line}`).to.equal(text);
      }),
    );
  });
});

describe('forwarderLines', () => {
  it('emits parsed lines, reports malformed ones, and passes signals through', async () => {
    const malformed: string[] = [];
    const out = await lastValueFrom(
      from([CONNECTED, '1.5 a', 'garbage', '2.5 b'] as const).pipe(
        forwarderLines<typeof CONNECTED>({ node: 'node7', onMalformed: (text) => malformed.push(text) }),
        toArray(),
      ),
    );
    expect(out[0]).to.equal(CONNECTED);
    expect(out.slice(1).map((line) => (line instanceof ForwarderLine ? [line.node, line.timestamp, line.line] : line))).to.deep.equal([
      ['node7', 1.5, 'a'],
      ['node7', 2.5, 'b'],
    ]);
    expect(malformed).to.deep.equal(['garbage']);
  });

  it('parses the storagenode line lazily, once', () => {
    const line = parseForwarderLine('n', `1.0 ${LINE}`);
    expect(line?.entry).to.equal(line?.entry);
    expect(line?.entry.piece).to.include({ category: 'download', outcome: 'success', size: 6912 });
  });
});

describe('forwarderLineBatches', () => {
  it('emits one batch per chunk, lines read after later chunks keep their text, and malformed ones are reported with theirs', async () => {
    const drops: Array<[DropReason, string | undefined]> = [];
    const chunks = [Buffer.from('1.5 plain ascii\n2.5 Ünï'), Buffer.from('cödé 🚀\nnot a line\n3.5 '), Buffer.from('last\n')];
    const out = await lastValueFrom(
      from([CONNECTED, ...chunks] as const).pipe(
        forwarderLineBatches<typeof CONNECTED>({ node: 'node3', onDrop: (reason, text) => drops.push([reason, text]) }),
        toArray(),
      ),
    );
    expect(out[0]).to.equal(CONNECTED);
    // Read only after every chunk went through.
    const batches = out.slice(1).map((batch) => (Array.isArray(batch) ? batch.map((line) => [line.node, line.timestampText, line.line]) : batch));
    expect(batches).to.deep.equal([[['node3', '1.5', 'plain ascii']], [['node3', '2.5', 'Ünïcödé 🚀']], [['node3', '3.5', 'last']]]);
    expect(drops).to.deep.equal([['malformed', 'not a line']]);
  });

  it('property: chunks delivered through one reused buffer, cut anywhere, give every line as sent, read at the end', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'é', '🚀', ' ', '\t', '{', '"', '1') }), { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        (texts, sizes) => {
          const sent = texts.map((text, index) => `${index}.5 x${text}`);
          const whole = Buffer.from(sent.map((line) => `${line}\n`).join(''));
          // Like a socket reading into one shared buffer: each chunk is a view of it, overwritten by the next.
          const shared = Buffer.alloc(64);
          const lines: ForwarderLine[] = [];
          const source = new Observable<Buffer>((subscriber) => {
            for (let offset = 0, index = 0; offset < whole.length; index++) {
              const size = Math.min(sizes[index % sizes.length] ?? 1, whole.length - offset);
              whole.copy(shared, 0, offset, offset + size);
              subscriber.next(shared.subarray(0, size));
              shared.fill(0x2a);
              offset += size;
            }
            subscriber.complete();
          });
          source.pipe(forwarderLineBatches<never>({ node: 'n' })).subscribe((batch) => lines.push(...batch));
          expect(lines.map((line) => `${line.timestampText} ${line.line}`)).to.deep.equal(sent);
        },
      ),
    );
  });
});
