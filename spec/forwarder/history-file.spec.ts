import { expect } from 'chai';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadHistory, newHistory, saveHistory } from '../../lib/forwarder/history-file.js';
import { beginSegment } from '../../lib/forwarder/segment-history.js';
import { tempDirectory } from '../support/log-writer.js';

describe('the forwarder history file (real files)', () => {
  let directory: ReturnType<typeof tempDirectory>;
  beforeEach(() => (directory = tempDirectory()));
  afterEach(() => directory.remove());

  it('saves and loads a history, creating the state directory, leaving no temporary file', async () => {
    const stateDir = join(directory.path, 'a', 'b');
    const history = beginSegment(newHistory(), { dev: 1, ino: 2, head: '', name: 'node.log', end: 0 }, 16);
    await saveHistory(stateDir, '/var/log/node.log', history);
    expect(await loadHistory(stateDir, '/var/log/node.log')).to.deep.equal(history);
    expect(await loadHistory(stateDir, '/var/log/other.log')).to.equal(null);
    expect(readdirSync(stateDir)).to.deep.equal(['forwarder-history.json']);
  });

  it('treats a missing, corrupt or foreign file as no history, without throwing', async () => {
    const stateDir = join(directory.path, 'state');
    expect(await loadHistory(stateDir, '/f')).to.equal(null);
    mkdirSync(stateDir);
    const file = join(stateDir, 'forwarder-history.json');
    const segment = { seq: 0, dev: 1, ino: 2, head: '', name: 'node.log', end: 0, sealed: false, tailLost: false };
    for (const content of [
      '',
      '{',
      'null',
      '[]',
      JSON.stringify({ version: 2, file: '/f', stream: 'a', segments: [] }),
      JSON.stringify({ version: 1, file: '/f', stream: 'not hex!', segments: [] }),
      JSON.stringify({ version: 1, file: '/f', stream: 'a', segments: [{ ...segment, name: '../etc/passwd' }] }),
      JSON.stringify({ version: 1, file: '/f', stream: 'a', segments: [{ ...segment, end: -1 }] }),
      JSON.stringify({ version: 1, file: '/f', stream: 'a', segments: [{ ...segment, sealed: 'yes' }] }),
    ]) {
      writeFileSync(file, content);
      expect(await loadHistory(stateDir, '/f'), content).to.equal(null);
    }
    writeFileSync(file, JSON.stringify({ version: 1, file: '/f', stream: 'a', segments: [segment] }));
    expect(await loadHistory(stateDir, '/f')).to.deep.equal({ stream: 'a', segments: [segment] });
  });
});
