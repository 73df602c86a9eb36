import { cv } from '../stats/describe.js';
import { holmAdjust, pairedRatioInterval, welchRatioInterval, type RatioInterval } from '../stats/inference.js';

/** Metrics the statistics look at; `rps` higher is better, `cpu` (ms per 1k requests) and `p99` lower. */
export type MetricName = 'rps' | 'cpu' | 'p99';
export const METRICS: readonly MetricName[] = ['rps', 'cpu', 'p99'];
export const HIGHER_IS_BETTER: Record<MetricName, boolean> = { rps: true, cpu: false, p99: false };

/** The samples of one metric of one cell: paired (per-round head/base) or two independent groups. */
export type MetricSamples =
  | { readonly kind: 'paired'; readonly base: readonly number[]; readonly head: readonly number[] }
  | { readonly kind: 'unpaired'; readonly before: readonly number[]; readonly now: readonly number[] };

/** What the statistics say of one metric of one cell. */
export interface MetricVerdict {
  readonly metric: MetricName;
  /** Whether this metric can fail the step (`gate`). */
  readonly gated: boolean;
  /** now / before (head / base), with its interval at the Holm-adjusted level. */
  readonly interval: RatioInterval;
  readonly verdict: 'regression' | 'no-regression' | 'improvement' | 'inconclusive';
  /** Observed noise: coefficient of variation of the per-round ratios (paired) or of the values now. */
  readonly cv: number;
  /** Smallest change this run could call a regression: max(threshold, the interval's half-width). */
  readonly minDetectable: number;
  /** One-sided p-value of "no regression" against "regression", before adjustment. */
  readonly pRegression: number;
  /** The same, Holm-adjusted over the gated tests of the matrix (1 for reported-only metrics). */
  readonly pAdjusted: number;
}

/** One metric to judge, with its threshold. */
export interface MetricTest {
  readonly cell: string;
  readonly metric: MetricName;
  readonly gated: boolean;
  /** Largest tolerated change for the worse, as a share (0.1 for 10%). */
  readonly threshold: number;
  readonly samples: MetricSamples;
}

function interval(samples: MetricSamples, confidence: number): RatioInterval {
  if (samples.kind === 'paired') {
    const ratios = samples.head.map((h, i) => h / samples.base[i]);
    return pairedRatioInterval(ratios, confidence);
  }
  return welchRatioInterval(samples.now, samples.before, confidence);
}

function noise(samples: MetricSamples): number {
  if (samples.kind === 'paired') return cv(samples.head.map((h, i) => h / samples.base[i]));
  return cv(samples.now);
}

/** One-sided p of regression: ratio < 1 for higher-is-better metrics, > 1 for the others. */
function pRegressionOf(i: RatioInterval, metric: MetricName): number {
  return HIGHER_IS_BETTER[metric] ? i.pBelowOne : 1 - i.pBelowOne;
}

/**
 * Verdict of one metric (pure). A regression needs the Holm-adjusted p below alpha (the
 * adjusted interval wholly on the bad side of 1) and the estimate past the threshold; "no
 * regression" needs the interval's bad-side bound within the threshold.
 */
export function metricVerdict(metric: MetricName, i: RatioInterval, threshold: number, significant: boolean): MetricVerdict['verdict'] {
  if (i.method === 'none' || !Number.isFinite(i.ratio)) return 'inconclusive';
  if (HIGHER_IS_BETTER[metric]) {
    if (significant && i.ratio < 1 - threshold) return 'regression';
    if (i.low > 1 && i.ratio > 1 + threshold) return 'improvement';
    if (i.low >= 1 - threshold) return 'no-regression';
    return 'inconclusive';
  }
  if (significant && i.ratio > 1 + threshold) return 'regression';
  if (i.high < 1 && i.ratio < 1 - threshold) return 'improvement';
  if (i.high <= 1 + threshold) return 'no-regression';
  return 'inconclusive';
}

/**
 * Judges a family of metric tests together. Holm's step-down over every gated test of the matrix
 * keeps the chance of any false alarm at or below `alpha`. Intervals are shown at one-sided level
 * `alpha` (two-sided 1 − 2·alpha) and decide "no regression"; misses are not what users fear, so
 * that side needs no adjustment, and verdicts come in fewer rounds.
 */
export function judgeFamily(tests: readonly MetricTest[], alpha: number): MetricVerdict[] {
  const intervals = tests.map((t) => interval(t.samples, 1 - 2 * alpha));
  const pRegressions = intervals.map((i, k) => pRegressionOf(i, tests[k].metric));
  const gatedIndexes = tests.flatMap((t, k) => (t.gated ? [k] : []));
  const adjusted = holmAdjust(gatedIndexes.map((k) => pRegressions[k]));
  const adjustedOf = new Map(gatedIndexes.map((k, j) => [k, adjusted[j]]));
  return tests.map((t, k) => {
    const i = intervals[k];
    const pAdjusted = adjustedOf.get(k) ?? 1;
    const halfWidth = Number.isFinite(i.high) && i.low > 0 ? (Math.log(i.high) - Math.log(i.low)) / 2 : Infinity;
    return {
      metric: t.metric,
      gated: t.gated,
      interval: i,
      verdict: metricVerdict(t.metric, i, t.threshold, t.gated && pAdjusted < alpha),
      cv: noise(t.samples),
      minDetectable: Math.max(t.threshold, 1 - Math.exp(-halfWidth)),
      pRegression: pRegressions[k],
      pAdjusted,
    };
  });
}
