/** Prints `tests: N passed, M failed, K skipped`, the form CI reads (.ci/run repeats it as the last line). */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    // A suite that cannot even load has no failed tests of its own: count it as a failure.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stderr.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
