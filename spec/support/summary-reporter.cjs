'use strict';
// Mocha's spec reporter, plus one closing line that CI reads: "mocha: N passed, M failed".
// The counts are mocha's own (runner.stats). With MOCHA_SUMMARY_FILE set, the same counts
// are also written there as JSON, so .ci/run can repeat the line as its last.
const fs = require('node:fs');
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      const line = `mocha: ${passes} passed, ${failures} failed` + (pending ? `, ${pending} skipped` : '');
      process.stdout.write(`${line}\n`);
      if (process.env.MOCHA_SUMMARY_FILE) {
        fs.writeFileSync(process.env.MOCHA_SUMMARY_FILE, JSON.stringify({ passes, failures, pending, line }));
      }
    });
  }
}

module.exports = SummaryReporter;
