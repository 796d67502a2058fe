import { expect } from 'chai';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResumeCursor } from '../../lib/connections/resume-cursor.js';
import { withDebugLogs } from '../support/debug-logs.js';
import { tempDirectory } from '../support/log-writer.js';

const AT = { stream: 's1', segment: 3, offset: 120, skip: 0 };

describe('ResumeCursor (real files in a temp directory)', () => {
  let directory: ReturnType<typeof tempDirectory>;
  beforeEach(() => (directory = tempDirectory()));
  afterEach(() => directory.remove());

  it('without a file: no position at first, lines before any checkpoint count for nothing, then a checkpoint and the lines after it; saving touches no disk', () =>
    withDebugLogs('storj-monitor:log-reader:warn', (logs) => {
      const cursor = new ResumeCursor();
      expect(cursor.position).to.equal(null);
      cursor.advance();
      expect(cursor.position).to.equal(null);
      cursor.checkpoint({ ...AT, skip: 7 });
      expect(cursor.position).to.deep.equal(AT);
      cursor.advance();
      cursor.advance();
      expect(cursor.position).to.deep.equal({ ...AT, skip: 2 });
      expect(() => cursor.save()).not.to.throw();
      cursor.clear();
      expect(cursor.position).to.equal(null);
      expect(() => cursor.save()).not.to.throw();
      expect(logs).to.deep.equal([]);
    }));

  it('saves the position into its file (creating the folders), and a new cursor on that file starts there', () => {
    const file = join(directory.path, 'state', 'node1.position');
    const cursor = new ResumeCursor(file);
    expect(cursor.position).to.equal(null);
    cursor.checkpoint(AT);
    cursor.advance();
    cursor.save();
    expect(readFileSync(file, 'utf8')).to.equal('s1.3.120.1\n');
    expect(existsSync(`${file}.tmp`)).to.equal(false);
    expect(new ResumeCursor(file).position).to.deep.equal({ ...AT, skip: 1 });
  });

  it('writes only when the position changed since the last write', () => {
    const file = join(directory.path, 'p');
    writeFileSync(file, 's1.3.120.0\n');
    const cursor = new ResumeCursor(file);
    rmSync(file);
    cursor.save(); // the position read is the one saved
    expect(existsSync(file)).to.equal(false);
    cursor.advance();
    cursor.save();
    rmSync(file);
    cursor.save();
    expect(existsSync(file)).to.equal(false);
  });

  it('cleared, it saves "-" (no position, as in the hello), which a new cursor reads as none', () => {
    const file = join(directory.path, 'p');
    writeFileSync(file, 's1.3.120.4\n');
    const cursor = new ResumeCursor(file);
    expect(cursor.position).to.deep.equal({ ...AT, skip: 4 });
    cursor.clear();
    expect(cursor.position).to.equal(null);
    cursor.save();
    expect(readFileSync(file, 'utf8')).to.equal('-\n');
    expect(new ResumeCursor(file).position).to.equal(null);
  });

  it('a missing, empty or corrupt file is no position (the forwarder then sends from now on)', () => {
    const file = join(directory.path, 'p');
    expect(new ResumeCursor(file).position).to.equal(null);
    for (const text of ['', '\n', 'garbage', 's1.3', 's1.3.120.4.5', 's-1.3.120.4', 's1.3.99999999999999999.0', '\u0000\u00ff\n']) {
      writeFileSync(file, text);
      expect(new ResumeCursor(file).position, JSON.stringify(text)).to.equal(null);
    }
    expect(new ResumeCursor(directory.path).position).to.equal(null); // a folder, not a file
  });

  it('a file that cannot be written: saving does not throw, the position is kept in memory and written once it can be, warned once while writes fail', async () => {
    const blocker = join(directory.path, 'blocker');
    writeFileSync(blocker, 'a file where the folder should be');
    const file = join(blocker, 'node1.position');
    const printed = await withDebugLogs('storj-monitor:log-reader:warn', (logs) => {
      const cursor = new ResumeCursor(file);
      cursor.checkpoint(AT);
      expect(() => cursor.save()).not.to.throw();
      cursor.advance();
      cursor.save();
      expect(cursor.position).to.deep.equal({ ...AT, skip: 1 });
      expect(logs).to.have.length(1);
      rmSync(blocker);
      cursor.save(); // unchanged since the failed write, written now
      expect(readFileSync(file, 'utf8')).to.equal('s1.3.120.1\n');
      rmSync(blocker, { recursive: true });
      writeFileSync(blocker, '');
      cursor.advance();
      cursor.save();
      return [...logs];
    });
    expect(printed).to.have.length(2);
    for (const line of printed) expect(line).to.include(`Cannot write the position file ${file}: `).and.include('kept in memory');
  });
});
