/** Resolves once `condition()` holds (it may be async), checking every `everyMs`; fails clearly after `ms`. */
export async function eventually(condition: () => boolean | Promise<boolean>, ms = 5000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Resolves once `condition()` holds, letting real I/O happen turn by turn while the
 * clock is fake (sinon does not fake setImmediate); fails after `turns` turns.
 *
 * @example
 * ```ts
 * await clock.tickAsync(30_000);
 * await untilTurns(() => node.requests.length > 1);
 * ```
 */
export async function untilTurns(condition: () => boolean, turns = 20_000): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn > turns) throw new Error(`condition not met: ${condition.toString()}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
