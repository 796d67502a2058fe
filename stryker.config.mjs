// StrykerJS: `npm run mutate` mutates one folder of lib/ at a time (MUTATE=state npx stryker run
// for one) and runs that folder's specs against each mutant. Not in CI: it takes minutes per folder.
// The command runner, because @stryker-mutator/mocha-runner does not load mocha 12 (Stryker 9,
// the last for Node 20); each mutant is one `mocha --bail` process, so no per-test coverage.
const folder = process.env.MUTATE ?? 'state';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: { command: `npx mocha --bail --reporter dot 'spec/${folder}/**/*.spec.ts'` },
  mutate: [`lib/${folder}/**/*.ts`],
  concurrency: 2,
  timeoutMS: 10000,
  ignorePatterns: ['dist', '.bench', '.scratch', 'reports', '*.png'],
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${folder}.json` },
  htmlReporter: { fileName: `reports/mutation/${folder}.html` },
  tempDirName: `.stryker-tmp/${folder}`,
  cleanTempDir: 'always',
};
