import { normalCdf, normalQuantile } from '../stats/distributions.js';

/**
 * `compare: base` judges after round `rounds` and again after each extra round, up to
 * `maxRounds`: several looks at growing data. Each look may only spend part of α, so that all
 * looks together keep the chance of any false alarm at or below α.
 *
 * The design: an O'Brien–Fleming-type spending function (Lan & DeMets 1983), by the share of the
 * planned rounds done, t = round / maxRounds:  spent(t) = 2 − 2·Φ(z₁₋α/₂ / √t).  The look after
 * round r spends spent(r/max) − spent(previous look); the last look actually made (the rounds
 * ran out, or max-time) spends whatever is left, so all looks spend exactly α. Every look is a
 * Holm step-down over the gated tests still undecided, at that look's share, so by the union
 * bound over looks the run's false-alarm chance is at most α — whatever the looks' correlation.
 * Early looks spend little: they mostly stop cells that are clearly fine; flagrant regressions
 * still pass them. A look that is not the last calls a regression only when the estimate is past
 * the threshold; the last also when the interval reaches past it (compare/verdict.ts).
 */

/** α spent by information fraction `t` (0–1) of a one-sided level-α test. */
export function spentAlpha(alpha: number, t: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return alpha;
  return 2 - 2 * normalCdf(normalQuantile(1 - alpha / 2) / Math.sqrt(t));
}

/** The planned looks: after rounds `first` … `max`. */
export interface LookPlan {
  readonly alpha: number;
  readonly firstRound: number;
  readonly maxRounds: number;
}

/**
 * α of the look after `round` (pure). `last`: no look comes after this one (all of α that earlier
 * looks left is spent here).
 */
export function lookAlpha(plan: LookPlan, round: number, last: boolean): number {
  const previous = round > plan.firstRound ? spentAlpha(plan.alpha, (round - 1) / plan.maxRounds) : 0;
  const upTo = last ? plan.alpha : spentAlpha(plan.alpha, round / plan.maxRounds);
  return Math.max(0, upTo - previous);
}
