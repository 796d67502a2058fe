import { expect } from 'chai';
import { CancellationPairs } from '../../lib/index.js';

describe('CancellationPairs', () => {
  it('pairs a remembered piece once', () => {
    const pairs = new CancellationPairs();
    pairs.remember('A');
    expect(pairs.take('B')).to.equal(false);
    expect(pairs.take('A')).to.equal(true);
    expect(pairs.take('A')).to.equal(false);
  });

  it('remembers the last 64 pieces only (bounded memory)', () => {
    const pairs = new CancellationPairs();
    for (let index = 0; index < 65; index++) pairs.remember(`piece${index}`);
    expect(pairs.take('piece0'), 'overwritten').to.equal(false);
    expect(pairs.take('piece1')).to.equal(true);
    expect(pairs.take('piece64')).to.equal(true);
  });
});
