import { describe, expect, it } from 'vitest';
import { encodeHistogram, mergeHistograms, newLatencyHistogram, percentileMs, recordMs, summarizeHistogram } from '../../src/stats/histogram.js';

/** An encoded histogram of `ms` values. */
function histogramOf(ms: readonly number[]): string {
  const h = newLatencyHistogram();
  for (const v of ms) recordMs(h, v);
  return encodeHistogram(h);
}

describe('latency histograms merge exactly', () => {
  it('percentiles of merged histograms are those of the pooled requests (to 0.1%)', () => {
    const a = Array.from({ length: 900 }, (_, i) => 1 + i / 100);
    const b = Array.from({ length: 100 }, (_, i) => 50 + i);
    const merged = mergeHistograms([histogramOf(a), histogramOf(b)]);
    const pooled = [...a, ...b].sort((x, y) => x - y);
    for (const p of [50, 90, 99]) {
      const exact = pooled[Math.ceil((p / 100) * pooled.length) - 1];
      expect(Math.abs(percentileMs(merged, p) - exact) / exact).toBeLessThan(0.002);
    }
    expect(merged.totalCount).toBe(1000);
    // The mean of the two parts' p99s (9.9 and 148) is not the p99 of their requests (139).
    expect(percentileMs(merged, 99)).toBeGreaterThan(130);
  });
  it('an empty histogram summarises to zeros', () => expect(summarizeHistogram(newLatencyHistogram())).toEqual({ p50: 0, p90: 0, p99: 0, max: 0 }));
});
