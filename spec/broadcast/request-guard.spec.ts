import { expect } from 'chai';
import { requestGuard, requestTarget, type GuardedRequest } from '../../lib/index.js';

const request = (url: string, headers: GuardedRequest['headers'] = {}): GuardedRequest => ({ url, headers });
const statusOf = (verdict: ReturnType<ReturnType<typeof requestGuard>>): number => (verdict.ok ? 200 : verdict.status);

describe('requestTarget', () => {
  it('parses a target relative to http://localhost, and returns undefined for one that does not parse', () => {
    expect(requestTarget({ url: '/ws?token=t' })?.searchParams.get('token')).to.equal('t');
    expect(requestTarget({ url: 'http://other/ws' })?.pathname).to.equal('/ws');
    for (const url of ['http://[', '//a:99999/ws', 'http://a:99999/']) expect(requestTarget({ url })).to.equal(undefined);
  });
});

describe('requestGuard', () => {
  it('answers a target that does not parse with 400', () => {
    expect(requestGuard()(request('http://['))).to.deep.equal({ ok: false, status: 400, reason: 'Bad Request' });
  });

  it('lets requests without Origin through without looking at Host, unless checkHostAlways', () => {
    const guard = requestGuard();
    expect(statusOf(guard(request('/ws', { host: 'anything.example' })))).to.equal(200);
    expect(statusOf(guard(request('/ws')))).to.equal(200);
    const strict = requestGuard({ checkHostAlways: true });
    expect(statusOf(strict(request('/metrics', { host: 'attacker.example:8080' })))).to.equal(421);
    expect(statusOf(strict(request('/metrics')))).to.equal(400);
    expect(statusOf(strict(request('/metrics', { host: 'a b' })))).to.equal(400);
  });

  const hosts: Array<[string, number]> = [
    ['127.0.0.1:8080', 200],
    ['127.0.0.1', 200],
    ['[::1]:8080', 200],
    ['LOCALHOST:8080', 200],
    ['192.168.1.10:8080', 200],
    ['monitor.lan:8080', 200],
    ['attacker.example:8080', 421],
    ['localhost.attacker.example', 421],
    ['user@127.0.0.1', 400],
    ['127.0.0.1/path', 400],
    ['', 400],
  ];
  for (const [host, status] of hosts) {
    it(`Host ${JSON.stringify(host)} -> ${status} (allowedHosts: monitor.lan)`, () => {
      expect(statusOf(requestGuard({ allowedHosts: ['monitor.lan'], checkHostAlways: true })(request('/', { host })))).to.equal(status);
    });
  }

  it('lets same-origin pages in, refuses other origins and opaque ones with 403', () => {
    const guard = requestGuard();
    const from = (origin: string, host = '127.0.0.1:8080') => statusOf(guard(request('/ws', { origin, host })));
    expect(from('http://127.0.0.1:8080')).to.equal(200);
    expect(from('http://localhost:8080', 'localhost:8080')).to.equal(200);
    expect(from('http://127.0.0.1:8081')).to.equal(403);
    expect(from('https://evil.example')).to.equal(403);
    expect(from('null')).to.equal(403);
    expect(from('not a url')).to.equal(403);
    expect(from('http://127.0.0.1', '127.0.0.1:80')).to.equal(200);
  });

  it('answers with the status and its reason phrase', () => {
    const guard = requestGuard();
    expect(guard(request('/ws', { origin: 'https://evil.example', host: '127.0.0.1' }))).to.deep.equal({ ok: false, status: 403, reason: 'Forbidden' });
    expect(guard(request('/ws', { origin: 'http://evil.example', host: 'evil.example' }))).to.deep.equal({
      ok: false,
      status: 421,
      reason: 'Misdirected Request',
    });
  });

  it('refuses pages of an opaque origin even when their host matches (file://)', () => {
    expect(statusOf(requestGuard()(request('/ws', { origin: 'file://127.0.0.1', host: '127.0.0.1' })))).to.equal(403);
  });

  it('stops DNS rebinding: a same-origin page on a name that is not ours gets 421', () => {
    expect(statusOf(requestGuard()(request('/ws', { origin: 'http://attacker.example:8080', host: 'attacker.example:8080' })))).to.equal(421);
  });

  it('lets allowed origins in, and allows their host names', () => {
    const guard = requestGuard({ allowedOrigins: ['https://dash.example'] });
    expect(statusOf(guard(request('/ws', { origin: 'https://dash.example', host: '127.0.0.1:8080' })))).to.equal(200);
    expect(statusOf(guard(request('/ws', { origin: 'https://dash.example', host: 'dash.example' })))).to.equal(200);
    expect(statusOf(guard(request('/ws', { origin: 'https://other.example', host: '127.0.0.1:8080' })))).to.equal(403);
  });

  const badOptions: Array<[string, object, RegExp]> = [
    ['an origin with a path', { allowedOrigins: ['https://dash.example/x'] }, /^allowedOrigins\[0\] must be an origin/],
    ['an origin that is not a URL', { allowedOrigins: ['dash.example'] }, /^allowedOrigins\[0\] must be an origin/],
    ['a host with a port', { allowedHosts: ['monitor.lan:80'] }, /^allowedHosts\[0\] must be a host name without port/],
    ['a host with a scheme', { allowedHosts: ['ok', 'http://x'] }, /^allowedHosts\[1\] must be a host name/],
    ['a host with a space', { allowedHosts: ['a b'] }, /^allowedHosts\[0\] must be a host name/],
    ['a host that is not a string', { allowedHosts: [5] }, /^allowedHosts\[0\] must be a host name/],
    ['an opaque origin', { allowedOrigins: ['file:///'] }, /^allowedOrigins\[0\] must be an origin/],
    ['an origin that is a URL object, not a string', { allowedOrigins: [new URL('https://dash.example')] }, /^allowedOrigins\[0\] must be an origin/],
  ];
  for (const [what, options, message] of badOptions) {
    it(`refuses ${what} with a RangeError naming the option`, () => expect(() => requestGuard(options)).to.throw(RangeError, message));
  }
});
