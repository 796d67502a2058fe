import { expect } from 'chai';
import fc from 'fast-check';
import { ApiRequestError } from '../../lib/index.js';
import { HttpResponseParser } from '../../lib/sources/http-response-parser.js';

/** Feeds the parts one by one; returns the reply, whether the connection is reusable, and the error if any. */
function parse(parts: readonly string[], options: { maxBodyBytes?: number; close?: boolean } = {}) {
  const parser = new HttpResponseParser(options.maxBodyBytes ?? 1 << 20);
  try {
    for (const part of parts) {
      const reply = parser.push(Buffer.from(part, 'latin1'));
      if (reply) return { reply: { ...reply, body: reply.body.toString('latin1') }, reusable: parser.reusable, error: undefined };
    }
    if (!options.close) return { reply: undefined, reusable: false, error: undefined };
    const reply = parser.end();
    return { reply: { ...reply, body: reply.body.toString('latin1') }, reusable: parser.reusable, error: undefined };
  } catch (error) {
    expect(error).to.be.instanceOf(ApiRequestError);
    return { reply: undefined, reusable: false, error: error as ApiRequestError };
  }
}

const FIXED = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"nodeID":1}\n';
const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\n{"nod\r\n8\r\neID":1}\n\r\n0\r\nX-Trailer: y\r\n\r\n';
const UNTIL_CLOSE = 'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"nodeID":1}\n';

describe('HttpResponseParser', () => {
  it('reads a Content-Length body and keeps an HTTP/1.1 connection', () => {
    expect(parse([FIXED])).to.deep.equal({
      reply: { status: 200, statusText: 'OK', location: null, body: '{"nodeID":1}\n' },
      reusable: true,
      error: undefined,
    });
  });

  it('reads a chunked body (extensions and trailers ignored)', () => {
    expect(parse([CHUNKED]).reply).to.deep.include({ status: 200, body: '{"nodeID":1}\n' });
    expect(parse([CHUNKED]).reusable).to.equal(true);
  });

  it('reads a body delimited by the connection closing, which is then not reusable', () => {
    expect(parse([UNTIL_CLOSE]).reply).to.equal(undefined);
    expect(parse([UNTIL_CLOSE], { close: true })).to.deep.include({
      reusable: false,
      reply: { status: 200, statusText: 'OK', location: null, body: '{"nodeID":1}\n' },
    });
  });

  it('gives the same reply however the bytes are split (one byte at a time included)', () => {
    for (const response of [FIXED, CHUNKED]) {
      const whole = parse([response]);
      expect(parse([...response])).to.deep.equal(whole);
      fc.assert(
        fc.property(fc.uniqueArray(fc.integer({ min: 1, max: response.length - 1 }), { maxLength: 12 }), (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), response.length];
          const parts = points.slice(1).map((end, index) => response.slice(points[index], end));
          expect(parse(parts)).to.deep.equal(whole);
        }),
      );
    }
  });

  it('reads a 60 KiB head and a chunked body trickled a byte at a time', () => {
    const response = `HTTP/1.1 200 OK\r\nX-Padding: ${'p'.repeat(60 * 1024)}\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{"a\r\n4\r\n":1}\r\n0\r\n\r\n`;
    expect(parse([...response])).to.deep.include({ reply: { status: 200, statusText: 'OK', location: null, body: '{"a":1}' }, reusable: true });
  });

  it('skips 1xx interim responses, and reads 204/304 as empty', () => {
    expect(parse([`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${FIXED}`]).reply).to.deep.include({
      status: 200,
      body: '{"nodeID":1}\n',
    });
    expect(parse(['HTTP/1.1 204 No Content\r\n\r\n'])).to.deep.include({
      reply: { status: 204, statusText: 'No Content', location: null, body: '' },
      reusable: true,
    });
  });

  it('reports a redirect’s location and a status without reason text', () => {
    expect(parse(['HTTP/1.1 301\r\nLOCATION: /api/sno/\r\ncontent-length: 0\r\n\r\n']).reply).to.deep.equal({
      status: 301,
      statusText: '',
      location: '/api/sno/',
      body: '',
    });
  });

  it('does not reuse a connection the server closes, or one that sent more than asked', () => {
    expect(parse(['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}']).reusable).to.equal(false);
    expect(parse(['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}']).reusable).to.equal(true);
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}extra']).reusable).to.equal(false);
  });

  it('refuses a declared body over the limit before reading it, and a chunked or close-delimited one as it grows', () => {
    const tooLarge = 'Response body larger than 10 bytes';
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n'], { maxBodyBytes: 10 }).error).to.include({ kind: 'body', message: tooLarge });
    expect(parse(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n123456\r\n', '6\r\n'], { maxBodyBytes: 10 }).error?.message).to.equal(tooLarge);
    expect(parse(['HTTP/1.0 200 OK\r\n\r\n123456', '123456'], { maxBodyBytes: 10 }).error?.message).to.equal(tooLarge);
  });

  it('fails plainly on what is not HTTP, marking the API unavailable', () => {
    const cases: Array<[string[], RegExp]> = [
      [['SSH-2.0-OpenSSH_9.6\r\n\r\n'], /^Malformed HTTP response \(not an HTTP\/1.x status line: "SSH-2.0-OpenSSH_9.6"\)$/],
      [['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n'], /bad header line/],
      [['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n'], /bad content-length/],
      [['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'], /bad content-length/],
      [['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n'], /unsupported transfer-encoding/],
      [['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'], /bad chunk size/],
      [['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX'], /chunk not followed by CRLF/],
      [['HTTP/1.1 101 Switching Protocols\r\n\r\n'], /switched protocols/],
      [['HTTP/1.1 200 OK\r\n', 'x'.repeat(70 * 1024)], /head larger than 65536 bytes/],
    ];
    for (const [parts, message] of cases) {
      const { error } = parse(parts);
      expect(error, parts[0]).to.include({ kind: 'transport', marksUnavailable: true });
      expect(error?.message).to.match(message);
    }
  });

  it('a connection that closes early says whether anything was answered', () => {
    expect(parse([], { close: true }).error?.message).to.equal('Connection closed by the API before it answered');
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{"a"'], { close: true }).error?.message).to.equal(
      'Connection closed by the API before the response was complete',
    );
  });

  it('never throws anything but an ApiRequestError on garbage', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 6 }), (chunks) => {
        const parser = new HttpResponseParser(1000);
        try {
          for (const chunk of chunks) parser.push(Buffer.from(chunk));
          parser.end();
        } catch (error) {
          expect(error).to.be.instanceOf(ApiRequestError);
        }
      }),
    );
  });
});
