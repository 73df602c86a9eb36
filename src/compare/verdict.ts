import { cv } from '../stats/describe.js';
import { metricOf, type MetricName } from './metrics.js';
import { studentTQuantile } from '../stats/distributions.js';
import { holmAdjust, pairedRatioInterval, unpairedRatioInterval, type NoisePrior, type RatioInterval } from '../stats/inference.js';

/** The samples of one metric of one cell: paired (per-round head/base) or two independent groups. */
export type MetricSamples =
  | { readonly kind: 'paired'; readonly base: readonly number[]; readonly head: readonly number[]; readonly prior?: NoisePrior }
  | { readonly kind: 'unpaired'; readonly base: readonly number[]; readonly head: readonly number[]; readonly prior: NoisePrior };

/** What the statistics say of one metric of one cell. */
export interface MetricVerdict {
  readonly metric: MetricName;
  /** Whether this metric can fail the step (`gate`). */
  readonly gated: boolean;
  /** head / base, with its interval at the Holm-adjusted level. */
  readonly interval: RatioInterval;
  readonly verdict: 'regression' | 'no-regression' | 'improvement' | 'inconclusive';
  /** Observed noise: coefficient of variation of the per-round ratios (paired) or of the head's values. */
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
    return pairedRatioInterval(ratios, confidence, undefined, samples.prior);
  }
  return unpairedRatioInterval(samples.head, samples.base, samples.prior, confidence);
}

function noise(samples: MetricSamples): number {
  if (samples.kind === 'paired') return cv(samples.head.map((h, i) => h / samples.base[i]));
  return cv(samples.head);
}

/** One-sided p of regression: ratio < 1 for higher-is-better metrics, > 1 for the others. */
function pRegressionOf(i: RatioInterval, metric: MetricName): number {
  return metricOf(metric).higherIsBetter ? i.pBelowOne : 1 - i.pBelowOne;
}

/**
 * Verdict of one metric (pure). A regression needs the Holm-adjusted p below alpha (the adjusted
 * interval wholly on the bad side of 1) and the change to reach past the threshold: its estimate
 * past it — or, at a `final` judgment (no more data will come), its interval. So a drop that is
 * real and may be as large as the threshold fails once the data are in, while a look that can
 * still measure more waits for the estimate. "No regression" needs the interval's bad-side bound
 * within the threshold; the rest is inconclusive.
 */
export function metricVerdict(metric: MetricName, i: RatioInterval, threshold: number, significant: boolean, final = true): MetricVerdict['verdict'] {
  if (i.method === 'none' || !Number.isFinite(i.ratio)) return 'inconclusive';
  if (metricOf(metric).higherIsBetter) {
    if (significant && (i.ratio < 1 - threshold || (final && i.low < 1 - threshold))) return 'regression';
    if (i.low > 1 && i.ratio > 1 + threshold) return 'improvement';
    if (i.low >= 1 - threshold) return 'no-regression';
    return 'inconclusive';
  }
  if (significant && (i.ratio > 1 + threshold || (final && i.high > 1 + threshold))) return 'regression';
  if (i.high < 1 && i.ratio < 1 - threshold) return 'improvement';
  if (i.high <= 1 + threshold) return 'no-regression';
  return 'inconclusive';
}

/**
 * Judges a family of metric tests together. Holm's step-down over every gated test of the matrix
 * keeps the chance of any false alarm at or below `alpha`. Intervals are shown at one-sided level
 * `alpha` (two-sided 1 − 2·alpha) and decide "no regression"; misses are not what users fear, so
 * that side needs no adjustment, and verdicts come in fewer rounds.
 * @param final no more data will come for these tests (a stored baseline; the last look)
 */
export function judgeFamily(tests: readonly MetricTest[], alpha: number, regressionAlpha: number = alpha, final = true): MetricVerdict[] {
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
      verdict: metricVerdict(t.metric, i, t.threshold, t.gated && pAdjusted < regressionAlpha, final),
      cv: noise(t.samples),
      minDetectable: Math.max(t.threshold, 1 - Math.exp(-halfWidth)),
      pRegression: pRegressions[k],
      pAdjusted,
    };
  });
}

/**
 * What would settle an inconclusive metric (pure): the half-width its interval needs is the
 * distance from the estimate to the threshold (or, past the threshold, to no change). Rounds or
 * trials shrink only the part of the noise they average; the drift between runs of a stored
 * baseline they cannot.
 */
export function settleAdvice(m: MetricVerdict, samples: MetricSamples, threshold: number): string {
  const i = m.interval;
  if (!Number.isFinite(i.ratio) || !Number.isFinite(i.se)) return 'more samples would settle it';
  const estimate = Math.log(i.ratio);
  const bound = Math.log(metricOf(m.metric).higherIsBetter ? 1 - threshold : 1 + threshold);
  const pastThreshold = metricOf(m.metric).higherIsBetter ? estimate < bound : estimate > bound;
  const gap = Math.abs(pastThreshold ? estimate : estimate - bound);
  const t = studentTQuantile((1 + i.confidence) / 2, i.df);
  const needed = gap / t;
  if (m.metric === 'capacity') {
    return `capacity searches land about ±${Math.round((Math.exp(samples.prior?.withinSd ?? 0) - 1) * 100)}% apart: a longer load.capacity.step narrows that, or compare: base`;
  }
  if (samples.kind === 'paired') {
    const perRound = i.se * Math.sqrt(i.n);
    const rounds = Math.ceil((perRound / Math.max(needed, 1e-9)) ** 2);
    return `about ${rounds} rounds would settle it (compare.max-rounds and compare.max-time allow ${i.n} now), or a quieter runner`;
  }
  const between = samples.prior.betweenSd;
  if (between >= needed) {
    return `more trials cannot settle it: whole runs differ by about ±${Math.round((Math.exp(between) - 1) * 100)}% here; compare: base (both sides in one job) or a quieter runner would`;
  }
  const perTrial = Math.sqrt(Math.max(0, i.se ** 2 - between ** 2) / (1 / Math.max(1, samples.head.length) + 1 / Math.max(1, samples.base.length)));
  const trials = Math.ceil((2 * perTrial ** 2) / (needed ** 2 - between ** 2));
  return `about ${Math.max(trials, i.n + 1)} trials a side would settle it (load.trials), or compare: base`;
}
