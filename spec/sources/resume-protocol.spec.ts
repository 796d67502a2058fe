import { expect } from 'chai';
import fc from 'fast-check';
import {
  checkpointRecord,
  formatPosition,
  gapRecord,
  GREETING_RECORD,
  helloRecord,
  parseHello,
  parsePosition,
  parseRecord,
  type ResumePosition,
} from '../../lib/sources/resume-protocol.js';

const position: fc.Arbitrary<ResumePosition> = fc.record({
  stream: fc.stringMatching(/^[A-Za-z0-9]{1,32}$/),
  segment: fc.nat(),
  offset: fc.maxSafeNat(),
  skip: fc.nat(),
});

describe('the resume protocol records', () => {
  it('round-trips every position, hello and record (property, seeded)', () => {
    fc.assert(
      fc.property(position, fc.option(fc.nat({ max: 2 ** 40 })), (at, gap) => {
        expect(parsePosition(formatPosition(at))).to.deep.equal(at);
        expect(parseHello(helloRecord(at).slice(0, -1))).to.deep.equal(at);
        expect(parseRecord(checkpointRecord(at).slice(0, -1))).to.deep.equal({ type: 'at', position: { ...at, skip: 0 } });
        expect(parseRecord(gapRecord(gap).slice(0, -1))).to.deep.equal({ type: 'gap', bytes: gap });
      }),
      { seed: 18 },
    );
    expect(parseHello(helloRecord(null).slice(0, -1))).to.equal(null);
    expect(parseRecord(GREETING_RECORD.slice(0, -1))).to.deep.equal({ type: 'greeting' });
  });

  it('never starts a record with what a plain line starts with', () => {
    for (const record of [GREETING_RECORD, helloRecord(null), checkpointRecord({ stream: 'a', segment: 0, offset: 0, skip: 0 }), gapRecord(null)]) {
      expect(record).to.match(/^#/);
    }
  });

  it('rejects anything else without throwing (property, seeded)', () => {
    for (const text of ['', '-', 'a.1', 'a.1.2.3.4', 'a!.1.2', 'a.-1.2', 'a.01.2', 'a.1.2.x', `a.${'9'.repeat(17)}.0`, `${'a'.repeat(33)}.1.2`]) {
      expect(parsePosition(text), text).to.equal(null);
    }
    for (const text of ['#storj-log-resume 2 -', '#storj-log-resume 1', '#storj-log-resume 1 a.1', 'hello', ''])
      expect(parseHello(text), text).to.equal(undefined);
    for (const text of ['#at a.1.2.3', '#at', '#gap -1', '#gap 1.5', '#what 1', '1.0 a line']) expect(parseRecord(text), text).to.equal(null);
    fc.assert(
      fc.property(fc.string(), (text) => {
        parsePosition(text);
        parseHello(text);
        parseRecord(text);
      }),
      { seed: 18 },
    );
  });
});
