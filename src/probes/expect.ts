/** Evaluates a probe's expectations and says which one failed, for the sample's detail. */
import {
  compareNumber,
  compareString,
  describeNumber,
  describeString,
  type NumberComparison,
  type StringComparison,
} from '../spec/comparators.js';

/** The first failed expectation as `status 503, expected between 200..299`, or null when all hold. */
export function firstNumberMismatch(
  checks: [name: string, actual: number | undefined, expected: NumberComparison | undefined][],
): string | null {
  for (const [name, actual, expected] of checks) {
    if (expected === undefined) continue;
    if (actual === undefined || !compareNumber(actual, expected)) {
      return `${name} ${actual === undefined ? 'missing' : round(actual)}, expected ${describeNumber(expected)}`;
    }
  }
  return null;
}

export function firstStringMismatch(
  checks: [name: string, actual: string | undefined, expected: StringComparison | undefined][],
): string | null {
  for (const [name, actual, expected] of checks) {
    if (expected === undefined) continue;
    if (actual === undefined || !compareString(actual, expected)) {
      const shown = actual === undefined ? 'missing' : JSON.stringify(actual.slice(0, 80));
      return `${name} ${shown}, expected ${describeString(expected)}`;
    }
  }
  return null;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
