/** Resolves once `condition()` holds (it may be async), checking every `everyMs`; fails clearly after `ms`. */
export async function eventually(condition: () => boolean | Promise<boolean>, ms = 5000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
