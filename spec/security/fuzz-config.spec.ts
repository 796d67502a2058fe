import { expect } from 'chai';
import fc from 'fast-check';
import { isIP } from 'node:net';
import { resolveMonitorConfig } from '../../lib/index.js';
import { fuzzParameters } from '../support/fuzz.js';

/** Every generated password holds this; no error message may. */
const SECRET = 'S3KR1T';
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** A field path, as messages start: `nodes[1].log.port`, `logReader."\u001b[31mx"`. */
const FIELD = /^([\w$]+|"(?:[^"\\]|\\.)*")(\[\d+\])?(\.([\w$]+|"(?:[^"\\]|\\.)*"))* /;

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
/** Mostly `good` (so checks further in are reached), sometimes `bad`. */
const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) => fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: bad });
const text = fc.string({ unit: 'binary', maxLength: 16 });
const anything = fc.anything({ maxDepth: 1, withNullPrototype: true });

/** API URLs, well-formed or not, always with a password that holds SECRET before an `@`. */
const apiUrl = fc
  .record({
    scheme: mostly(pick('http', 'https'), pick('HTTP', 'ftp', 'javascript', '')),
    separator: mostly(pick('://'), pick(':/', '//', ':', '')),
    user: fc.string({ unit: pick('a', '%', 'z', '2', ':', '@'), maxLength: 5 }),
    password: fc.string({
      unit: mostly(pick('p', '4', '%25', '%40'), pick('%', 'z', '@', ':', '/', '?', '#', ' ', '"', '\n', '\u0000', '[', '\\')),
      maxLength: 6,
    }),
    host: mostly(pick('127.0.0.1', '[::1]', 'node.lan'), pick('[', '', 'a b', '%zz')),
    port: mostly(pick('', ':14002', ':1'), pick(':0', ':65536', ':x')),
    rest: mostly(pick('', '/', '/api/'), pick('?x=1', '#top', '/%zz', '?')),
  })
  .map(({ scheme, separator, user, password, host, port, rest }) => `${scheme}${separator}${user}:${password}${SECRET}${password}@${host}${port}${rest}`);

const port = mostly(fc.integer({ min: 1, max: 65_535 }), fc.oneof(fc.integer({ min: -2, max: 70_000 }), pick(0, 65_536, 1.5, Number.NaN), anything));
const host = mostly(
  pick('127.0.0.1', '::1', 'node.lan', 'node-1.example.com'),
  fc.oneof(pick('file:///x', '127.0.0.1\n', '10.0.0.2:9001', '[::1]', 'a'.repeat(300), 'a..b'), text),
);
const node = fc
  .record({
    name: mostly(pick('node1', 'node2', '__proto__', 'constructor', 'toString'), fc.oneof(text, pick(' ', '', 'a\u001b[2J'))),
    log: fc.option(mostly(fc.record({ host, port }), anything)),
    api: fc.option(mostly(fc.record({ url: apiUrl }), fc.oneof(anything, fc.record({ url: text })))),
  })
  .map(({ name, log, api }) => ({ name, ...(log !== null && { log }), ...(api !== null && { api }) }));
const numbers = (keys: readonly string[]) =>
  mostly(
    fc.dictionary(pick(...keys), mostly(fc.integer({ min: 0, max: 400_000 }), anything), { maxKeys: 3 }),
    fc.oneof(anything, fc.dictionary(text, fc.integer(), { maxKeys: 2 })),
  );
const configs = mostly(
  fc.record(
    {
      nodes: mostly(fc.array(node, { minLength: 1, maxLength: 3 }), anything),
      logReader: numbers(['initialBackoffMs', 'maxBackoffMs', 'maxReconnectAttempts', 'connectTimeoutMs', 'keepAliveMs', 'idleTimeoutMs', 'maxLineBytes']),
      apiClient: numbers(['healthCheckIntervalMs', 'timeoutMs', 'initialBackoffMs', 'maxBackoffMs', 'maxReconnectAttempts']),
      broadcastIntervalMs: mostly(fc.integer({ min: 1, max: 20_000 }), anything),
    },
    { requiredKeys: ['nodes'] },
  ),
  fc.oneof(fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true }), fc.dictionary(text, anything, { maxKeys: 3 })),
);

describe('fuzz: config validation', function () {
  this.timeout(60_000);

  it('any config: checked and filled in, or a RangeError that names the field, shows no password and no control character', () => {
    fc.assert(
      fc.property(configs, (config) => {
        let resolved;
        try {
          resolved = resolveMonitorConfig(config);
        } catch (error) {
          expect(error).to.be.instanceOf(RangeError);
          const { message } = error as RangeError;
          expect(message).to.match(FIELD);
          expect(message).not.to.include(SECRET);
          expect(message).not.to.match(CONTROL);
          expect(message.length).to.be.at.most(600);
          return;
        }
        for (const { name, log, api } of resolved.nodes) {
          expect(name).not.to.match(CONTROL);
          if (log) expect(isIP(log.host) !== 0 || !/[\s/:[\]@]/.test(log.host)).to.equal(true);
          if (log) expect(log.port).to.be.within(1, 65_535);
          if (api) {
            const url = new URL(api.url);
            expect(url.protocol).to.be.oneOf(['http:', 'https:']);
            expect(url.port).not.to.equal('0');
            expect(url.search + url.hash).to.equal('');
            expect(url.host + url.pathname).not.to.include(SECRET);
            expect(() => decodeURIComponent(url.password)).not.to.throw();
          }
        }
      }),
      fuzzParameters(),
    );
  });
});
