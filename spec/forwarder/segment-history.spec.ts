import { expect } from 'chai';
import { beginSegment, replayStart, segmentAt, updateNewest, type ForwarderHistory, type SegmentFile } from '../../lib/forwarder/segment-history.js';

const file = (ino: number, end: number): SegmentFile => ({ dev: 1, ino, head: 'aGVhZA==', name: 'node.log', end });

/** A history of `count` files of 100 bytes each, the last one being tailed. */
function historyOf(count: number, maxSegments = 16): ForwarderHistory {
  let history: ForwarderHistory = { stream: 's1', segments: [] };
  for (let index = 0; index < count; index++) {
    if (index > 0) history = updateNewest(history, {}, true);
    history = beginSegment(history, file(index + 10, 100), maxSegments);
  }
  return history;
}

describe('segment history (pure)', () => {
  it('numbers segments, keeps the newest maxSegments, and changes only the newest', () => {
    const history = historyOf(5, 3);
    expect(history.segments.map((segment) => [segment.seq, segment.sealed])).to.deep.equal([
      [2, true],
      [3, true],
      [4, false],
    ]);
    const grown = updateNewest(history, { end: 150 });
    expect(grown.segments.at(-1)?.end).to.equal(150);
    expect(history.segments.at(-1)?.end).to.equal(100);
    expect(segmentAt(grown, 3)?.ino).to.equal(13);
    expect(segmentAt(grown, 1)).to.equal(undefined);
    expect(updateNewest(history, {}, 'tail lost').segments.at(-1)).to.include({ sealed: true, tailLost: true });
  });

  it('starts a client at its position, at the live end without one, and says when part of it is gone', () => {
    const history = historyOf(5, 3);
    expect(replayStart(history, null)).to.deep.equal({ seq: 4, offset: 100, skip: 0, gap: undefined });
    expect(replayStart(history, { stream: 's1', segment: 3, offset: 40, skip: 2 })).to.deep.equal({ seq: 3, offset: 40, skip: 2, gap: undefined });
    // Older than the window: from the oldest kept, with a gap of unknown size.
    expect(replayStart(history, { stream: 's1', segment: 0, offset: 40, skip: 0 })).to.deep.equal({ seq: 2, offset: 0, skip: 0, gap: null });
    // Past what the tailer has seen of the file being tailed: readers read what is there.
    expect(replayStart(history, { stream: 's1', segment: 4, offset: 150, skip: 0 })).to.deep.equal({ seq: 4, offset: 150, skip: 0, gap: undefined });
    // Another history, a segment not yet made, past the end of a rotated file: from now, with a gap.
    for (const position of [
      { stream: 'other', segment: 3, offset: 40, skip: 0 },
      { stream: 's1', segment: 9, offset: 0, skip: 0 },
      { stream: 's1', segment: 3, offset: 101, skip: 0 },
    ]) {
      expect(replayStart(history, position)).to.deep.equal({ seq: 4, offset: 100, skip: 0, gap: null });
    }
    expect(replayStart({ stream: 's1', segments: [] }, null)).to.deep.equal({ seq: 0, offset: 0, skip: 0, gap: undefined });
  });
});
