import { expect } from 'chai';
import fc from 'fast-check';
import { PEER_TEXT_MAX_CHARS, peerText, redactCredentials } from '../../lib/index.js';
import { CpuPerByte, fuzzParameters, repeated } from '../support/fuzz.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u;
const SECRET = 'S3KR1T';

/** Text around URLs whose passwords hold SECRET (and @, :, /, %, ?, #: anything but what ends a URL in a text). */
const textWithCredentials = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('\u001b[2J', '\u0007', '\r\n', '\t', '://', '@', ' '),
      fc
        .record({
          scheme: fc.constantFrom('http', 'https', 'ftp', 'x+y'),
          user: fc.string({ unit: fc.constantFrom('a', 'b', '%', '4', '0', ':'), maxLength: 6 }),
          password: fc.string({ unit: fc.constantFrom('p', '@', ':', '/', '%', 'z', '?', '#', '[', '.'), maxLength: 8 }),
          rest: fc.string({ unit: fc.constantFrom('h', '.', ':', '9', '/', '[', ']', '?', '='), maxLength: 12 }),
        })
        .map(({ scheme, user, password, rest }) => `${scheme}://${user}:${password}${SECRET}${password}@${rest}`),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

/** Every character of `kept` is the text's next one still unread (a space may stand for a break, U+FFFD for half a character): nothing was added. */
function isDrawnFrom(kept: string, text: string): boolean {
  const wanted = [...kept];
  let next = 0;
  for (const char of text) {
    const want = wanted[next];
    if (want === undefined) break;
    // eslint-disable-next-line no-control-regex -- the breaks peerText turns into a space
    if (char === want || (want === ' ' && /[\t\n\r\u000b\u000c]/.test(char)) || (want === '\ufffd' && char.length === 1 && /[\ud800-\udfff]/.test(char)))
      next++;
  }
  return next === wanted.length;
}

describe('fuzz: peerText and redactCredentials', function () {
  this.timeout(60_000);

  it('redactCredentials never leaves a password in the text, whatever surrounds the URL', () => {
    fc.assert(
      fc.property(textWithCredentials, (text) => {
        const redacted = redactCredentials(text);
        expect(redacted).not.to.include(SECRET);
        expect(redacted.length).to.be.at.most(text.length);
      }),
      fuzzParameters(),
    );
  });

  it(`peerText leaves no control or format character and at most ${PEER_TEXT_MAX_CHARS} characters of the peer's text`, () => {
    fc.assert(
      fc.property(fc.oneof(textWithCredentials, fc.string({ unit: 'binary', maxLength: 600 })), fc.integer({ min: 1, max: 300 }), (text, maxChars) => {
        const shown = peerText(text, maxChars);
        expect(shown).not.to.match(UNSAFE);
        const [kept = '', marker] = shown.split('…[+');
        expect([...kept].length).to.be.at.most(maxChars);
        if (marker !== undefined) expect(marker).to.match(/^\d+ chars\]$/);
        expect(isDrawnFrom(kept, text)).to.equal(true);
        expect(Buffer.from(shown, 'utf8').toString('utf8')).to.equal(shown);
      }),
      fuzzParameters(),
    );
  });

  it('both take linear time: 64 KiB of any repeated unit, at most 5 µs of CPU per byte', () => {
    const cpu = new CpuPerByte();
    fc.assert(
      fc.property(repeated(fc.string({ unit: fc.constantFrom('a', '1', ':', '/', '@', '.', '\u001b', ' ', 'é'), minLength: 1, maxLength: 6 })), (text) => {
        cpu.measure(text.length, () => peerText(redactCredentials(text)));
      }),
      fuzzParameters(40),
    );
    expect(cpu.microsPerByte).to.be.below(5);
  });
});
