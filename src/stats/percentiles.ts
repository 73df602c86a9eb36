/** Latency percentiles in ms. */
export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile of ascending `sorted` values; 0 when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Sorted copy of several sample arrays, pooled. */
export function pooledSorted(parts: readonly ArrayLike<number>[]): Float64Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Float64Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part instanceof Float64Array ? part : Float64Array.from(part as ArrayLike<number>), at);
    at += part.length;
  }
  return out.sort();
}

/** p50, p90, p99 and max of pooled samples, rounded to 0.01 ms. */
export function summarizeLatency(parts: readonly ArrayLike<number>[]): LatencySummary {
  const sorted = pooledSorted(parts);
  const r = (v: number): number => Math.round(v * 100) / 100;
  return {
    p50: r(percentile(sorted, 50)),
    p90: r(percentile(sorted, 90)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted.length ? sorted[sorted.length - 1] : 0),
  };
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
