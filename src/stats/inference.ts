import { mean, stddev } from './describe.js';
import { studentTCdf, studentTQuantile } from './distributions.js';

/** An estimate of a ratio (higher is better or worse by metric) with a two-sided interval. */
export interface RatioInterval {
  /** Point estimate: geometric mean of the ratios (paired) or ratio of geometric means (Welch). */
  readonly ratio: number;
  readonly low: number;
  readonly high: number;
  /** Confidence of the interval, e.g. 0.95. */
  readonly confidence: number;
  /** One-sided p-value of "ratio ≥ 1" against "ratio < 1". */
  readonly pBelowOne: number;
  readonly method: 'paired-t' | 'welch-t' | 'noise-model' | 'bootstrap' | 'none';
  /** Samples per side (paired: rounds). */
  readonly n: number;
  /** Standard error of the log ratio, and its degrees of freedom (NaN without an interval). */
  readonly se: number;
  readonly df: number;
}

/**
 * What is known of the noise before this run's own spread is seen, on the log scale, each with
 * the degrees of freedom it is worth (from the corpus it was fitted on, or a baseline's history).
 */
export interface NoisePrior {
  /** sd of one measurement around its run's mean (a trial; a paired round's log ratio). */
  readonly withinSd: number;
  readonly withinDf: number;
  /** sd of the difference of two runs' means that no spread within a run shows (0 when paired). */
  readonly betweenSd: number;
  readonly betweenDf: number;
}

/** A deterministic random source (mulberry32) for reproducible bootstraps and shuffles. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sample skewness (adjusted Fisher–Pearson); 0 below 3 values. */
export function skewness(values: readonly number[]): number {
  const n = values.length;
  if (n < 3) return 0;
  const m = mean(values);
  const s = stddev(values);
  if (s === 0) return 0;
  const g = values.reduce((acc, v) => acc + ((v - m) / s) ** 3, 0) / n;
  return ((g * Math.sqrt(n * (n - 1))) / (n - 2)) * ((n - 1) / n) ** 1.5;
}

/** Rounds below which the bootstrap is never used (it understates spread on few samples). */
export const BOOTSTRAP_MIN_N = 8;
/** |skewness| of the log ratios above which the bootstrap replaces the t interval. */
export const BOOTSTRAP_SKEW = 1;

function none(n: number, confidence: number): RatioInterval {
  return { ratio: NaN, low: 0, high: Infinity, confidence, pBelowOne: 1, method: 'none', n, se: NaN, df: NaN };
}

function sumSquares(values: readonly number[]): number {
  const m = mean(values);
  return values.reduce((s, v) => s + (v - m) ** 2, 0);
}

/** A t interval of a mean log ratio `m` with standard error `se` and `df` degrees of freedom. */
function tInterval(m: number, se: number, df: number, confidence: number, n: number, method: RatioInterval['method']): RatioInterval {
  if (se === 0) return { ratio: Math.exp(m), low: Math.exp(m), high: Math.exp(m), confidence, pBelowOne: m < 0 ? 0 : 1, method, n, se, df };
  const t = studentTQuantile((1 + confidence) / 2, df);
  return { ratio: Math.exp(m), low: Math.exp(m - t * se), high: Math.exp(m + t * se), confidence, pBelowOne: studentTCdf(m / se, df), method, n, se, df };
}

/**
 * Paired comparison of per-round ratios: the interval of the mean log ratio, exponentiated.
 * Student's t on the log ratios, or a percentile bootstrap when there are enough rounds and
 * their log ratios are skewed.
 */
export function pairedRatioInterval(ratios: readonly number[], confidence: number, random: () => number = seededRandom(1), prior?: NoisePrior): RatioInterval {
  const logs = ratios.filter((r) => r > 0 && Number.isFinite(r)).map(Math.log);
  const n = logs.length;
  const m = mean(logs);
  if (prior && n >= 1) {
    // The rounds' own spread, pooled with the prior's: three rounds that happen to agree do not
    // make a narrow interval, and one round can still be judged against the known noise.
    const df = n - 1 + prior.withinDf;
    const variance = (sumSquares(logs) + prior.withinDf * prior.withinSd ** 2) / df;
    return tInterval(m, Math.sqrt(variance / n), df, confidence, n, 'paired-t');
  }
  if (n < 2) return { ...none(n, confidence), ratio: n === 1 ? Math.exp(logs[0]) : NaN };
  const se = stddev(logs) / Math.sqrt(n);
  const df = n - 1;
  const pBelowOne = se === 0 ? (m < 0 ? 0 : 1) : studentTCdf(m / se, df);
  if (n >= BOOTSTRAP_MIN_N && Math.abs(skewness(logs)) > BOOTSTRAP_SKEW) {
    const resamples = 4000;
    const means = new Float64Array(resamples);
    for (let b = 0; b < resamples; b++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += logs[Math.floor(random() * n)];
      means[b] = sum / n;
    }
    means.sort();
    const lowIndex = Math.floor(((1 - confidence) / 2) * resamples);
    const highIndex = Math.min(resamples - 1, Math.ceil(((1 + confidence) / 2) * resamples) - 1);
    const below = means.filter((x) => x >= 0).length / resamples;
    return {
      ratio: Math.exp(m),
      low: Math.exp(means[lowIndex]),
      high: Math.exp(means[highIndex]),
      confidence,
      pBelowOne: below,
      method: 'bootstrap',
      n,
      se,
      df,
    };
  }
  const t = studentTQuantile((1 + confidence) / 2, df);
  return { ratio: Math.exp(m), low: Math.exp(m - t * se), high: Math.exp(m + t * se), confidence, pBelowOne, method: 'paired-t', n, se, df };
}

/**
 * Unpaired comparison of two runs (a stored baseline and now) under a noise model: the trials'
 * spread pooled with the prior's, plus the between-run drift no trial spread shows. With one trial
 * a side the prior alone gives the interval, so a flagrant change is judged and a small one is not.
 * Degrees of freedom by Welch–Satterthwaite over the two variance parts.
 */
export function unpairedRatioInterval(now: readonly number[], before: readonly number[], prior: NoisePrior, confidence: number): RatioInterval {
  const a = now.filter((v) => v > 0).map(Math.log);
  const b = before.filter((v) => v > 0).map(Math.log);
  const n = Math.min(a.length, b.length);
  if (a.length === 0 || b.length === 0) return none(n, confidence);
  const ownDf = a.length - 1 + (b.length - 1);
  const withinDf = ownDf + prior.withinDf;
  const within = (sumSquares(a) + sumSquares(b) + prior.withinDf * prior.withinSd ** 2) / withinDf;
  const trialPart = within * (1 / a.length + 1 / b.length);
  const betweenPart = prior.betweenSd ** 2;
  const variance = trialPart + betweenPart;
  const df = variance ** 2 / (trialPart ** 2 / withinDf + (betweenPart > 0 ? betweenPart ** 2 / prior.betweenDf : 0));
  return tInterval(mean(a) - mean(b), Math.sqrt(variance), df, confidence, n, 'noise-model');
}

/**
 * Unpaired comparison (stored baseline): Welch's t on log values of `now` against `before`;
 * the ratio is of geometric means, now / before.
 */
export function welchRatioInterval(now: readonly number[], before: readonly number[], confidence: number): RatioInterval {
  const a = now.filter((v) => v > 0).map(Math.log);
  const b = before.filter((v) => v > 0).map(Math.log);
  const n = Math.min(a.length, b.length);
  if (a.length < 2 || b.length < 2) {
    const ratio = a.length && b.length ? Math.exp(mean(a) - mean(b)) : NaN;
    return { ...none(n, confidence), ratio };
  }
  const va = stddev(a) ** 2 / a.length;
  const vb = stddev(b) ** 2 / b.length;
  const se = Math.sqrt(va + vb);
  const df = se === 0 ? Infinity : (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return tInterval(mean(a) - mean(b), se, df, confidence, n, 'welch-t');
}

/** Holm's step-down adjusted p-values, in the input's order. */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
