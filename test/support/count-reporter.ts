/**
 * Prints the plain line `N passed, N failed` (and `, N skipped`) at the end of a run: CI reads that
 * line, not Vitest's own summary.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class CountReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of modules) {
      // in a file that failed as a whole (it did not load, or a hook threw), a test that did not pass failed
      const moduleFailed = module.state() === 'failed';
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed' || moduleFailed) failedHere++;
        else skipped++;
      }
      if (moduleFailed && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    failed += unhandledErrors.length;
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
