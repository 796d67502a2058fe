import { expect } from 'chai';

/**
 * Every state a pure transition passes through from `initial` over `inputs`, in order
 * (an array's `scan`), checking on the way that `step` never mutates the state it is given.
 *
 * @example
 * ```ts
 * const histories = scanStates([600, 0, 0], NO_LINE_BUCKETS, (history, lines) => judgeLineBucket(history, lines, rule));
 * expect(histories.at(-1)?.quiet).to.equal(2);
 * ```
 */
export function scanStates<State, Input>(inputs: readonly Input[], initial: State, step: (state: State, input: Input) => State): State[] {
  const states: State[] = [];
  let state = initial;
  for (const input of inputs) {
    const before = JSON.stringify(state);
    const next = step(state, input);
    expect(JSON.stringify(state), 'the transition mutated its input').to.equal(before);
    states.push((state = next));
  }
  return states;
}
