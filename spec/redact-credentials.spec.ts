import { expect } from 'chai';
import { redactCredentials } from '../lib/index.js';

describe('redactCredentials', () => {
  const cases: Array<[string, string]> = [
    ['request to http://admin:hunter2@10.0.0.2:14002/ failed', 'request to http://10.0.0.2:14002/ failed'],
    ['https://only-user@host/ and http://a:b@c/', 'https://host/ and http://c/'],
    ['no url here', 'no url here'],
    ['an @ elsewhere: user@example.com', 'an @ elsewhere: user@example.com'],
    // URLs that do not parse: everything up to the last @ is userinfo to a parser.
    ['http://user:p@ss@[bad', 'http://[bad'],
    ['got "http://user:a/b@host:1" then', 'got "http://host:1" then'],
    ['<http://u:p@h>', '<http://h>'],
    ['http://u:p@h http://v:q@i', 'http://h http://i'],
    ['://u:p@h', '://h'],
    ['http://host/path', 'http://host/path'],
  ];
  for (const [text, redacted] of cases) {
    it(`${JSON.stringify(text)} -> ${JSON.stringify(redacted)}`, () => expect(redactCredentials(text)).to.equal(redacted));
  }

  it('reads a 1 MB text of letters, @ and :// in one pass (the regex it replaces took seconds on 65,000 letters)', () => {
    const text = `${'a'.repeat(500_000)}://${'b@'.repeat(250_000)}`;
    expect(redactCredentials(text)).to.equal(`${'a'.repeat(500_000)}://`);
  });
});
