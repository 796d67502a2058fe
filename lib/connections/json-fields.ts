import { ApiRequestError } from '../sources/api-request-error.js';

/** A JSON object as the node sends it; fields beyond those typed are kept. */
export type JsonObject = { readonly [key: string]: unknown };

/** What a field must be, by name, for the error message. */
type Check = readonly [test: (value: unknown) => boolean, what: string];

export const STRING: Check = [(value) => typeof value === 'string', 'a string'];
export const NUMBER: Check = [(value) => typeof value === 'number' && Number.isFinite(value), 'a number'];
export const BOOLEAN: Check = [(value) => typeof value === 'boolean', 'true or false'];
export const TIME_OR_NULL: Check = [(value) => value === null || typeof value === 'string', 'a time or null'];

/**
 * Checks the fields a body has against what storj's structs marshal (a missing field is
 * accepted: older releases lack some); a field of another type is a wrong-shape
 * `ApiRequestError` that names it.
 *
 * @example
 * ```ts
 * checkFields({ used: 1 }, 'diskSpace', { used: NUMBER, trash: NUMBER }); // fine: trash is missing, not wrong
 * ```
 */
export function checkFields(object: JsonObject, path: string, checks: Readonly<Record<string, Check>>): void {
  // `for in`, not Object.entries: this runs on every health check, and the entries are an array each.
  for (const key in checks) {
    const value = object[key];
    const [test, what] = checks[key] as Check;
    if (value !== undefined && !test(value)) throw wrongShape(`${path}.${key}`, what, value);
  }
}

/**
 * Accepts a JSON object; anything else is a wrong-shape error naming `path`.
 *
 * @example
 * ```ts
 * toObject({ a: 1 }); // { a: 1 }
 * ```
 */
export function toObject(body: unknown, path = 'Response'): JsonObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw wrongShape(path, 'a JSON object', body);
  return body as JsonObject;
}

/**
 * An array field as a typed array: `null` or missing (what Go marshals a nil slice as)
 * is `[]`, each element is checked by `item`, anything else is a wrong-shape error.
 *
 * @example
 * ```ts
 * arrayOf(null, 'satellites', toObject); // []
 * ```
 */
export function arrayOf<T>(value: unknown, path: string, item: (element: unknown, path: string) => T): readonly T[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw wrongShape(path, 'an array', value);
  return value.map((element: unknown, index) => item(element, `${path}[${index}]`));
}

/**
 * An optional object field checked by `read`, or `undefined` when missing.
 *
 * @example
 * ```ts
 * optionalObject(body.diskSpace, 'diskSpace', (object) => object);
 * ```
 */
export function optionalObject<T>(value: unknown, path: string, read: (object: JsonObject, path: string) => T): T | undefined {
  return value === undefined ? undefined : read(toObject(value, path), path);
}

/**
 * A copy of `object` with `fields` set on it, added or replacing its own; a field whose
 * value is `undefined` leaves the object's own (or its absence) as it is. What
 * `{ ...object, ...fields }` gives, built key by key: on Node 20 (V8 11.3) an object
 * spread and then given a new key gets a hidden class of its own once the code is
 * optimized (a Map and a DescriptorArray in the old generation, and megamorphic reads of
 * it), while copies made key by key from objects of one shape share one. A `__proto__`
 * key is copied as a field of its own, as a spread copies it, never as the prototype.
 *
 * @example
 * ```ts
 * withFields({ nodeID: '12AB', satellites: null }, { satellites: [], walletFeatures: [] });
 * // { nodeID: '12AB', satellites: [], walletFeatures: [] }
 * ```
 */
export function withFields<T extends JsonObject>(object: JsonObject, fields: T): JsonObject & T {
  const copy: Record<string, unknown> = {};
  // `for in` over own keys, not Object.keys: as in checkFields, no array of keys per health check.
  for (const key in object) if (Object.hasOwn(object, key)) setField(copy, key, object[key]);
  for (const key in fields) if (Object.hasOwn(fields, key) && fields[key] !== undefined) setField(copy, key, fields[key]);
  return copy as JsonObject & T;
}

function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function wrongShape(path: string, what: string, value: unknown): ApiRequestError {
  const got = Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
  return new ApiRequestError(`${path} is not ${what} (got ${got})`, 'body');
}
