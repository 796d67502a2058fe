// StrykerJS: `npm run mutate` mutates one folder of lib/ at a time (MUTATE=state npx stryker run
// for one) and runs that folder's specs against each mutant. Not in CI: it takes minutes per folder.
// The command runner, because @stryker-mutator/mocha-runner does not load mocha 12 (Stryker 9,
// the last for Node 20); each mutant is one `mocha --bail` process, so no per-test coverage.
// A part of a folder: PART names its reports, SPECS narrows the specs run (a space-separated
// list of globs), and `--mutate FILES` picks its files, e.g.
//   MUTATE=state PART=alerts SPECS='spec/state/alerts.spec.ts' npx stryker run --mutate lib/state/alerts.ts
// A narrower spec set can only lower the score (fewer specs to kill a mutant), never raise it.
const folder = process.env.MUTATE ?? 'state';
const part = process.env.PART ?? folder;
const specs = (process.env.SPECS ?? `spec/${folder}/**/*.spec.ts`)
  .split(/\s+/)
  .filter((glob) => glob !== '')
  .map((glob) => `'${glob}'`)
  .join(' ');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: { command: `npx mocha --bail --reporter dot ${specs}` },
  mutate: [`lib/${folder}/**/*.ts`],
  concurrency: 2,
  timeoutMS: 10000,
  ignorePatterns: ['dist', '.bench', '.scratch', 'reports', '*.png'],
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${part}.json` },
  htmlReporter: { fileName: `reports/mutation/${part}.html` },
  tempDirName: `.stryker-tmp/${part}`,
  cleanTempDir: 'always',
};
