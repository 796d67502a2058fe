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
    throw new RangeError(`${name} must be an integer ${range}; got ${describe(value)}`);
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
  if (typeof value !== 'string' || value.trim() === '') {
    throw new RangeError(`${name} must be a non-empty string; got ${describe(value)}`);
  }
  if (CONTROL.test(value)) throw new RangeError(`${name} must not contain control characters; got ${describe(value)}`);
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
  if (typeof value !== 'boolean') throw new RangeError(`${name} must be true or false; got ${describe(value)}`);
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
    throw new RangeError(`${name} must be a host name or IP address (no scheme, port or path; IPv6 without brackets); got ${describe(text)}`);
  }
  return text;
}

/**
 * Checks an option that must be an http(s) URL, and returns it parsed. The port, when
 * given, is 1-65535; a query or fragment is refused (paths are appended to the URL, so
 * they would be dropped); credentials must be valid percent-encoding. The `RangeError`
 * names the option and never shows the credentials, even of a URL that does not parse.
 *
 * @example
 * ```ts
 * requireHttpUrl('nodes[0].api.url', 'http://localhost:14002').port; // '14002'
 * ```
 */
export function requireHttpUrl(name: string, value: unknown): URL {
  const text = requireText(name, value);
  const parsed = URL.canParse(text) ? new URL(text) : undefined;
  const got = `got ${describe(withoutCredentials(text))}`;
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') throw new RangeError(`${name} must be an http(s) URL; ${got}`);
  if (parsed.port === '0') throw new RangeError(`${name} must have a port 1-65535; ${got}`);
  if (/[?#]/.test(parsed.href)) throw new RangeError(`${name} must not have a query or fragment (API paths are appended to it); ${got}`);
  if (!isPercentEncoded(parsed.username) || !isPercentEncoded(parsed.password)) {
    throw new RangeError(`${name} has a user name or password that is not valid percent-encoding (write % as %25); ${got}`);
  }
  return parsed;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const HOST_LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i;
const SHOWN_CHARS = 100;

/** A value as an error message shows it: strings quoted and escaped, at most 100 characters of them. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}…` : value);
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
