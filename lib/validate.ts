import { isIP } from 'node:net';
import { redactCredentials } from './redact-credentials.js';

/**
 * Checks an option that must be an integer in `[min, max]`, and returns it. Throws a
 * `RangeError` that names the option (`port must be an integer 1-65535; got 0`), so
 * bad configuration fails at once, before any connection is made.
 *
 * @example
 * ```ts
 * const port = requireInteger('nodes[1].log.port', config.port, 1, 65_535);
 * ```
 */
export function requireInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}-${max}`;
    throw new RangeError(`${name} must be an integer ${range}; got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Checks an option that must be a non-empty string, and returns it; throws a
 * `RangeError` naming the option otherwise.
 *
 * @example
 * ```ts
 * const host = requireText('nodes[0].log.host', config.host);
 * ```
 */
export function requireText(name: string, value: unknown): string {
  return checkText(name, value, describeValue);
}

/** {@link requireText}, showing a bad string as `show` does. */
function checkText(name: string, value: unknown, show: (value: unknown) => string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new RangeError(`${name} must be a non-empty string; got ${show(value)}`);
  }
  if (CONTROL.test(value)) throw new RangeError(`${name} must not contain control characters; got ${show(value)}`);
  return value;
}

/**
 * Checks an option that must be a boolean, and returns it; throws a `RangeError` naming
 * the option otherwise.
 *
 * @example
 * ```ts
 * const detect = requireBoolean('detectSchemaDrift', options.detectSchemaDrift ?? false);
 * ```
 */
export function requireBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new RangeError(`${name} must be true or false; got ${describeValue(value)}`);
  return value;
}

/**
 * Checks an option that must be a host to connect to: a host name or an IP address
 * (IPv6 without brackets), with no scheme, port, path or whitespace; throws a
 * `RangeError` naming the option otherwise.
 *
 * @example
 * ```ts
 * requireHost('nodes[0].log.host', '192.168.1.100'); // '192.168.1.100'
 * requireHost('nodes[0].log.host', 'file:///x'); // RangeError: nodes[0].log.host must be a host name or IP address ...
 * ```
 */
export function requireHost(name: string, value: unknown): string {
  const text = requireText(name, value);
  const labels = text.replace(/\.$/, '').split('.');
  if (isIP(text) === 0 && (text.length > 253 || !labels.every((label) => HOST_LABEL.test(label)))) {
    throw new RangeError(`${name} must be a host name or IP address (no scheme, port or path; IPv6 without brackets); got ${describeValue(text)}`);
  }
  return text;
}

/**
 * Checks an option that must be an http(s) URL, and returns it parsed. The port, when
 * given, is 1-65535; a query or fragment is refused (paths are appended to the URL, so
 * they would be dropped), so is an `@` in the path (a password with a `/` in it);
 * credentials must be valid percent-encoding. The `RangeError`
 * names the option and never shows the credentials, even of a URL that does not parse.
 *
 * @example
 * ```ts
 * requireHttpUrl('nodes[0].api.url', 'http://localhost:14002').port; // '14002'
 * ```
 */
export function requireHttpUrl(name: string, value: unknown): URL {
  const text = checkText(name, value, (bad) => describeValue(typeof bad === 'string' ? withoutCredentials(bad) : bad));
  const parsed = URL.canParse(text) ? new URL(text) : undefined;
  const got = `got ${describeValue(withoutCredentials(text))}`;
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') throw new RangeError(`${name} must be an http(s) URL; ${got}`);
  if (parsed.port === '0') throw new RangeError(`${name} must have a port 1-65535; ${got}`);
  // `http://user:pa/ss@host` parses as host `user`, path `/ss@host`: a password with `/` not percent-encoded.
  if (parsed.pathname.includes('@')) throw new RangeError(`${name} has an @ after its host (write / ? # in a password as %2F %3F %23); ${got}`);
  if (/[?#]/.test(parsed.href)) throw new RangeError(`${name} must not have a query or fragment (API paths are appended to it); ${got}`);
  if (!isPercentEncoded(parsed.username) || !isPercentEncoded(parsed.password)) {
    throw new RangeError(`${name} has a user name or password that is not valid percent-encoding (write % as %25); ${got}`);
  }
  return parsed;
}

/**
 * Checks an option that must be a finite number in `[min, max]`, and returns it; throws
 * a `RangeError` naming the option otherwise (`latencyFactor must be a number 1-1000; got 0`).
 *
 * @example
 * ```ts
 * const ratio = requireFinite('lineRate.collapseRatio', options.collapseRatio ?? 0.1, 0, 1);
 * ```
 */
export function requireFinite(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}-${max}`;
    throw new RangeError(`${name} must be a number ${range}; got ${describeValue(value)}`);
  }
  return value;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const HOST_LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i;
const SHOWN_CHARS = 100;

/** What JSON.stringify leaves as it is but a terminal acts on: DEL, C1 controls, bidirectional and invisible format characters. */
const UNESCAPED = /[\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * A value as an error message shows it: a string quoted and escaped (every control
 * character, also those JSON leaves as they are), at most 100 characters of it; an
 * object or array by its kind only.
 *
 * @example
 * ```ts
 * describeValue('a\u009bb'); // '"a\\u009bb"'
 * describeValue({ port: 1 }); // 'an object'
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}…` : value);
    return quoted.replace(UNESCAPED, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' && value !== null ? 'an object' : String(value);
}

/** A URL (parsed or not) without anything that could be a user name or password: what precedes its last `@` goes. */
function withoutCredentials(text: string): string {
  const redacted = redactCredentials(text);
  const at = redacted.lastIndexOf('@');
  return at === -1 ? redacted : `…${redacted.slice(at)}`;
}

function isPercentEncoded(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}
