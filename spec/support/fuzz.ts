import fc from 'fast-check';

/**
 * The fuzzed attack suite's settings: every property runs `FUZZ_RUNS` cases (10,000 by
 * default) from `FUZZ_SEED`, so a run is reproducible; a failure prints its seed and
 * path, and `FUZZ_SEED=<seed> npx mocha spec/security/...` replays it. `FUZZ_RUNS` may
 * be raised for a longer hunt.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 16);
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

/** fast-check's parameters for a property of the suite; `numRuns` smaller for big inputs. */
export function fuzzParameters<T>(numRuns = FUZZ_RUNS): fc.Parameters<T> {
  return { seed: FUZZ_SEED, numRuns, endOnFailure: true };
}

/**
 * CPU time per input byte, the worst of many inputs: the bound on "time per input byte"
 * of the suite. It is process CPU time (`process.cpuUsage`), not wall time, so other processes
 * on the machine move it little. The suites assert at most 5 µs per byte on 64 KiB
 * adversarial inputs: fifty times what the linear code takes here (0.1 µs per byte at
 * most), and a sixth of what the quadratic regex `redactCredentials` replaced took on
 * 65,000 letters (31 µs per byte, 2 s for one status phrase).
 */
export class CpuPerByte {
  private worst = 0;

  /** Runs `work` on an input of `bytes` bytes, keeping the worst CPU time per byte seen. */
  measure<T>(bytes: number, work: () => T): T {
    const start = process.cpuUsage();
    const result = work();
    const used = process.cpuUsage(start);
    this.worst = Math.max(this.worst, (used.user + used.system) / Math.max(1, bytes));
    return result;
  }

  /** The most microseconds per byte any one input took (a mean would hide the one input a regex backtracks on). */
  get microsPerByte(): number {
    return this.worst;
  }
}

/** Adversarial big inputs: a short random unit repeated to about `size` characters (runs of one class are what backtracking regexes choke on). */
export function repeated(unit: fc.Arbitrary<string>, size = 64 * 1024): fc.Arbitrary<string> {
  return unit.filter((text) => text.length > 0).map((text) => text.repeat(Math.ceil(size / text.length)).slice(0, size));
}
