import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from './percentiles.js';

/**
 * Latency histograms (HdrHistogram: microseconds, 3 significant digits, so every percentile is
 * within 0.1% of the exact one). Trials, rounds and endpoints merge by adding their histograms,
 * which is exact; a median of per-trial percentiles is not the percentile of the merged requests.
 */
export type LatencyHistogram = Histogram;

const SIGNIFICANT_DIGITS = 3 as const;
/** An hour in µs: longer than any request timeout the config allows. */
const HIGHEST_US = 3_600_000_000;

/** An empty latency histogram. */
export function newLatencyHistogram(): LatencyHistogram {
  return build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    useWebAssembly: false,
  });
}

/** Records one latency, in ms. */
export function recordMs(h: LatencyHistogram, ms: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))));
}

/** The histogram as compressed base64 (HdrHistogram's V2 encoding: a few hundred bytes). */
export function encodeHistogram(h: LatencyHistogram): string {
  return encodeIntoCompressedBase64(h);
}

/**
 * A histogram from its encoding. Only own results and trusted baselines are decoded (the report
 * job never decodes an artifact's histograms); the schema caps their length.
 */
export function decodeHistogram(encoded: string): LatencyHistogram {
  return decodeFromCompressedBase64(encoded, 32, false);
}

/** The sum of encoded histograms: the histogram of all their requests. */
export function mergeHistograms(encoded: readonly string[]): LatencyHistogram {
  const total = newLatencyHistogram();
  for (const e of encoded) total.add(decodeHistogram(e));
  return total;
}

const ms = (us: number): number => Math.round(us / 10) / 100;

/** The value at percentile `p` (0–100) in ms, rounded to 0.01 ms; 0 when empty. */
export function percentileMs(h: LatencyHistogram, p: number): number {
  return h.totalCount === 0 ? 0 : ms(h.getValueAtPercentile(p));
}

/** p50, p90, p99 and max, in ms. */
export function summarizeHistogram(h: LatencyHistogram): LatencySummary {
  return { p50: percentileMs(h, 50), p90: percentileMs(h, 90), p99: percentileMs(h, 99), max: h.totalCount === 0 ? 0 : ms(h.maxValue) };
}

/** The value at each of `percentiles`, in ms. */
export function percentilesMs(h: LatencyHistogram, percentiles: readonly number[]): number[] {
  return percentiles.map((p) => (p >= 100 ? (h.totalCount === 0 ? 0 : ms(h.maxValue)) : percentileMs(h, p)));
}

/** Mean latency in ms (for Little's law checks). */
export function meanMs(h: LatencyHistogram): number {
  return h.totalCount === 0 ? 0 : h.mean / 1000;
}
