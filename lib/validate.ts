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

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
