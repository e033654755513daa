/**
 * Prints `tests: N passed, M failed, K skipped`, the form CI reads (.ci/run repeats it as the last
 * line), with jest's own counts so the two never disagree. A test file that cannot even load has
 * no tests to count: it gets a line of its own (and jest exits non-zero).
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const broken = results.testResults.filter((r) => r.testExecError).map((r) => r.testFilePath);
    if (broken.length > 0) process.stderr.write(`\ntest files that failed to run: ${broken.length} (${broken.join(', ')})`);
    process.stderr.write(`\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
