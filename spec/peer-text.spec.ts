import { expect } from 'chai';
import { PEER_TEXT_MAX_CHARS, peerText } from '../lib/index.js';

describe('peerText', () => {
  it('removes control characters (ESC, BEL, DEL, C1) and invisible format characters', () => {
    expect(peerText('Service Unavailable\u001b]0;owned\u0007\u001b[2J')).to.equal('Service Unavailable]0;owned[2J');
    expect(peerText('a\u007fb\u009bc\u202ed\u200be\ufefff')).to.equal('abcdef');
  });

  it('turns tabs and line breaks into one space, none at the start', () => {
    expect(peerText('\r\nline one\r\n\tline two\n')).to.equal('line one line two');
  });

  it(`cuts at ${PEER_TEXT_MAX_CHARS} characters and says how many it cut`, () => {
    const text = 'a'.repeat(65_000);
    expect(peerText(text)).to.equal(`${'a'.repeat(PEER_TEXT_MAX_CHARS)}…[+${65_000 - PEER_TEXT_MAX_CHARS} chars]`);
    expect(peerText('abcdef', 3)).to.equal('abc…[+3 chars]');
    expect(peerText('abc', 3)).to.equal('abc');
  });

  it('counts characters, not UTF-16 units, and replaces a lone surrogate', () => {
    expect(peerText('😀😀😀', 2)).to.equal('😀😀…[+1 chars]');
    expect(peerText('a\ud800b')).to.equal('a\ufffdb');
  });

  it('leaves ordinary text as it is', () => {
    expect(peerText('Connection refused (connect ECONNREFUSED 127.0.0.1:9001)')).to.equal('Connection refused (connect ECONNREFUSED 127.0.0.1:9001)');
    expect(peerText('')).to.equal('');
  });
});
