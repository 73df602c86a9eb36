import type { TopologyResult } from '../results/types.js';
import { unpairedRatioInterval } from '../stats/inference.js';
import { positiveValue, trialValues, type Gauged } from './metrics.js';
import { MACHINE_NOISE } from './noise-figures.js';

/**
 * How much faster the head's machine ran the reference app than the base's (head / base), per
 * metric, with the interval of that factor.
 */
export interface Calibration {
  readonly rps: number;
  readonly cpu: number | null;
  readonly rpsInterval: { readonly low: number; readonly high: number } | null;
  /** Variance of the log factors, which a comparison calibrated after the cell adds to its own. */
  readonly variance: { readonly rps: number; readonly cpu: number };
  /** Both sides ran the reference app by turns with their trials: each trial is divided by its own. */
  readonly byTurns: boolean;
  /** The reference app gauges the machine, not the topology's shape (genericReference). */
  readonly generic: boolean;
}

/**
 * Whether a cell's reference app stands in for the machine only, not for its shape (pure): a
 * `command` topology's is generic (calibration/plan.ts). Across runs it still divides out the
 * machine's speed, less exactly than one of the same shape (noise.ts widens its noise for that).
 */
export function genericReference(t: TopologyResult): boolean {
  return t.kind === 'command';
}

/** Whether a cell's calibration ran by turns with its trials, one reference trial beside each. */
export function interleaved(t: TopologyResult): boolean {
  return t.calibration?.interleaved === true && t.calibration.trials.length === t.trials.length && t.trials.length > 0;
}

/**
 * Per-trial values of a metric divided by the reference app's beside them (pure): the machine's
 * speed at that moment divides out. Pairs missing a value are skipped.
 */
export function normalizedValues(t: TopologyResult, metric: Gauged): number[] {
  const ref = t.calibration?.trials ?? [];
  const out: number[] = [];
  t.trials.forEach((trial, i) => {
    const a = positiveValue(trial, metric);
    const b = ref[i] ? positiveValue(ref[i], metric) : null;
    if (a !== null && b !== null) out.push(a / b);
  });
  return out;
}

/**
 * How much faster the head's machine ran the reference app than the base's (head / base, per
 * metric), from the calibration stored with both; null when either lacks one (pure). Its
 * uncertainty comes from the calibration trials under this machine kind's trial noise.
 */
export function calibrationRatio(base: TopologyResult, head: TopologyResult, confidence: number): Calibration | null {
  const b = base.calibration;
  const h = head.calibration;
  if (!b || !h) return null;
  const factor = (m: Gauged) => {
    const [vb, vh] = [trialValues(b.trials, m), trialValues(h.trials, m)];
    if (!vb.length || !vh.length) return null;
    const t = MACHINE_NOISE.trial[m];
    // Same machine kind's trial noise, no between-run part: the factor is what differs between runs.
    return unpairedRatioInterval(vh, vb, { withinSd: t.sd, withinDf: t.df, betweenSd: 0, betweenDf: 1 }, confidence);
  };
  const rps = factor('rps');
  const cpu = factor('cpu');
  if (!rps) return null;
  return {
    rps: rps.ratio,
    cpu: cpu?.ratio ?? null,
    rpsInterval: Number.isFinite(rps.high) ? { low: rps.low, high: rps.high } : null,
    variance: { rps: rps.se ** 2, cpu: cpu ? cpu.se ** 2 : 0 },
    byTurns: interleaved(base) && interleaved(head),
    generic: genericReference(base) || genericReference(head),
  };
}
