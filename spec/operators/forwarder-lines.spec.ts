import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { CONNECTED, ForwarderLine, forwarderLines } from '../../lib/index.js';

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
});
