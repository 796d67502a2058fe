import { expect } from 'chai';
import fc from 'fast-check';
import { inShard, shardOf } from '../../lib/index.js';

const names = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }), { minLength: 1, maxLength: 200 });
const counts = fc.integer({ min: 1, max: 64 });
const options = { seed: 22, numRuns: 300 };

describe('shardOf / inShard', () => {
  it('N shards cover every node exactly once (property)', () => {
    fc.assert(
      fc.property(names, counts, (fleet, count) => {
        const shards = Array.from({ length: count }, (_, index) => fleet.filter((name) => inShard(name, { index: index + 1, count })));
        expect(shards.flat().sort()).to.deep.equal([...fleet].sort());
      }),
      options,
    );
  });

  it('a node’s shard depends on its name and the count only, so it stays put when others are added (property)', () => {
    fc.assert(
      fc.property(names, names, counts, (fleet, others, count) => {
        const alone = fleet.map((name) => shardOf(name, count));
        const crowded = [...others, ...fleet].map((name) => shardOf(name, count)).slice(others.length);
        expect(crowded).to.deep.equal(alone);
      }),
      options,
    );
  });

  it('going from N to N + 1 shards moves a node only to the new shard (property)', () => {
    fc.assert(
      fc.property(names, counts, (fleet, count) => {
        for (const name of fleet) {
          const after = shardOf(name, count + 1);
          if (after !== shardOf(name, count)) expect(after).to.equal(count + 1);
        }
      }),
      options,
    );
  });

  it('spreads a fleet evenly and gives the same answer in every process (fixed values)', () => {
    const spread = [0, 0, 0, 0];
    for (let index = 0; index < 10_000; index++) spread[shardOf(`node${index}`, 4) - 1]! += 1;
    for (const share of spread) expect(share).to.be.within(2300, 2700);
    // Pinned: a change of hash would move every operator's nodes between their monitors.
    expect(['node1', 'node2', 'storagenode-03', 'Ünïcode'].map((name) => shardOf(name, 7))).to.deep.equal(PINNED);
    expect(shardOf('anything', 1)).to.equal(1);
    expect(inShard('anything', undefined)).to.equal(true);
  });
});

const PINNED = [6, 7, 4, 7];
