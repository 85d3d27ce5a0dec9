/** Percentiles by the nearest-rank method: the value is always one that was observed. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}
