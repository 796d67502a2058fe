import { expect } from 'chai';
import fc from 'fast-check';
import { ChunkText, ForwarderLine } from '../../lib/index.js';
import { parseForwarderLineAt } from '../../lib/log-lines/forwarder-line.js';
import { parseForwarderLine } from '../support/parse-forwarder-line.js';

const LINE = '2025-10-06T00:00:14-07:00\tINFO\tpiecestore\tdownloaded\t{"Action": "GET", "Size": 6912}';

describe('parseForwarderLineAt', () => {
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

  it('reads only bytes[start, end) of a larger chunk', () => {
    const bytes = Buffer.from('x\n1.5 hello\n2.5 ');
    const text = new ChunkText(bytes);
    expect(parseForwarderLineAt('n', bytes, 2, 11, text)?.toJSON()).to.deep.equal({ node: 'n', timestamp: 1.5, timestampText: '1.5', line: 'hello' });
    expect(parseForwarderLineAt('n', bytes, 12, 16, text)).to.equal(null);
    expect(parseForwarderLineAt('n', bytes, 12, 15, text)).to.equal(null);
  });

  it('property: any string in, a line or null out, never a throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const line = parseForwarderLine('n', text);
        if (line) expect(`${line.timestampText} ${line.line}`).to.equal(text);
      }),
    );
  });
});

describe('ForwarderLine', () => {
  it('parses the storagenode line lazily, once', () => {
    const line = parseForwarderLine('n', `1.0 ${LINE}`);
    expect(line?.entry).to.equal(line?.entry);
    expect(line?.entry.piece).to.include({ category: 'download', outcome: 'success', size: 6912 });
  });
});
