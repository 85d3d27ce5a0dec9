// Duration strings of experiment files (`250ms`, `30s`, `5m`, `1h30m`) and their compact display form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/util/duration.js';

const DAY_S = 24 * 60 * 60;

// What a user may write, and what must be refused rather than guessed.
describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['1.5s', 1_500],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['thirty', '30', '-1s', '', '5 m', 's', '1.s', '30sec', '1h 30m', '30S'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

// The form shown in progress lines and reports: short, and readable back as a duration.
describe('formatDuration', () => {
  it.each([
    [850, '850ms'],
    [2_500, '2.5s'],
    [1_000, '1s'],
    [45_000, '45s'],
    [60_000, '1m'],
    [200_000, '3m20s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('never shows 60 seconds', () => {
    expect(formatDuration(119_700)).toBe('2m');
  });

  it('shows a missing or non-finite value as "-"', () => {
    expect(formatDuration(null)).toBe('-');
    expect(formatDuration(undefined)).toBe('-');
    expect(formatDuration(Number.NaN)).toBe('-');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('-');
  });
});

// Anything formatted can be pasted back into an experiment file and means (nearly) the same time.
describe('format then parse', () => {
  it('round-trips any whole number of seconds up to a day within 1s', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: DAY_S }), (seconds) => {
        const text = formatDuration(seconds * 1000);
        const back = parseDuration(text);
        expect(back, text).not.toBeNull();
        expect(Math.abs((back as number) - seconds * 1000), text).toBeLessThanOrEqual(1000);
      }),
    );
  });

  it('round-trips any whole number of milliseconds up to a day within 1s', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: DAY_S * 1000 }), (ms) => {
        const text = formatDuration(ms);
        const back = parseDuration(text);
        expect(back, text).not.toBeNull();
        expect(Math.abs((back as number) - ms), text).toBeLessThanOrEqual(1000);
      }),
    );
  });
});
