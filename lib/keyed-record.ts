/**
 * An empty object to key by names from outside (node names, the fields of a peer's
 * JSON): it has no prototype,
 * so every name is a plain key, `__proto__` and `constructor` included (on `{}`,
 * `record['__proto__'] = status` would replace the object's prototype instead, and
 * `record.constructor` would read as a node that is not there). It is still a plain
 * JSON-able object for its users: `JSON.stringify`, `Object.entries`, `for...in` and
 * `record[name]` work as on `{}`.
 *
 * @example
 * ```ts
 * const features = keyedRecord<NodeFeatures>();
 * features['__proto__'] = { logs: true, api: false, mode: 'log-only' };
 * Object.keys(features); // ['__proto__']
 * ```
 */
export function keyedRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
