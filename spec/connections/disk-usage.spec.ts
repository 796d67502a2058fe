import { expect } from 'chai';
import fc from 'fast-check';
import { diskUsage, toDashboard } from '../../lib/index.js';
import { fixtureBody } from '../support/node-api-fixtures.js';

describe('diskUsage', () => {
  it('reads the v1.142 shape: available is the allocation, free what is left after pieces and trash', () => {
    expect(diskUsage(toDashboard(fixtureBody('v1.142.3-dashboard')))).to.deep.equal({
      allocatedBytes: 2_000_000_000_000,
      usedBytes: 1_392_398_143_334,
      freeBytes: 2_000_000_000_000 - 1_392_398_143_334 - 42_123_456_789,
      trashBytes: 42_123_456_789,
      overusedBytes: 0,
    });
  });

  it('reads the v1.143+ shape (4e52fd0b2d): used includes the trash, available is the free space', () => {
    expect(diskUsage(toDashboard(fixtureBody('v1.162.3-dashboard')))).to.deep.equal({
      allocatedBytes: 2_000_000_000_000,
      usedBytes: 1_434_521_600_123 - 42_123_456_789,
      freeBytes: 565_478_399_877,
      trashBytes: 42_123_456_789,
      overusedBytes: 0,
    });
  });

  it('a fresh node is all free on both shapes', () => {
    for (const name of ['v1.142.3-dashboard-fresh', 'v1.162.3-dashboard-fresh']) {
      expect(diskUsage(toDashboard(fixtureBody(name))), name).to.deep.equal({
        allocatedBytes: 2_000_000_000_000,
        usedBytes: 0,
        freeBytes: 2_000_000_000_000,
        trashBytes: 0,
        overusedBytes: 0,
      });
    }
  });

  it('property: the same disk reads the same through either shape (free = allocated - used - trash when not overused)', () => {
    fc.assert(
      fc.property(fc.nat(1e13), fc.nat(1e13), fc.nat(1e12), (allocated, pieces, trash) => {
        fc.pre(pieces + trash <= allocated);
        const before = diskUsage({ diskSpace: { used: pieces, available: allocated, trash, overused: 0 } });
        const after = diskUsage({
          diskSpace: { used: pieces + trash, available: allocated - pieces - trash, overused: 0, allocated, trash, reclaimable: 0 },
        });
        expect(after).to.deep.equal(before);
      }),
      { seed: 143 },
    );
  });

  it('null without diskSpace; negative figures read as 0', () => {
    expect(diskUsage({})).to.equal(null);
    expect(diskUsage({ diskSpace: { used: 10, available: -5, overused: 5, allocated: 5, trash: 0, reclaimable: 0 } })).to.include({
      freeBytes: 0,
      overusedBytes: 5,
    });
  });
});
