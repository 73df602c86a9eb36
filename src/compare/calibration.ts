import type { TopologyResult } from '../results/types.js';
import { unpairedRatioInterval } from '../stats/inference.js';
import { MACHINE_NOISE } from './noise.js';

/**
 * Cross-hardware: how much faster this machine ran the reference app than the baseline's (now /
 * baseline), per metric, with the interval of that factor.
 */
export interface Calibration {
  readonly rps: number;
  readonly cpu: number | null;
  readonly rpsInterval: { readonly low: number; readonly high: number } | null;
  /** Variance of the log factors, which a comparison calibrated after the cell adds to its own. */
  readonly variance: { readonly rps: number; readonly cpu: number };
  /** Both sides ran the reference app by turns with their trials: each trial is divided by its own. */
  readonly byTurns: boolean;
}

/** The metrics a calibration speaks for. */
export type Gauged = 'rps' | 'cpu';

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
    const a = metric === 'rps' ? trial.rps : trial.cpuMsPer1kRequests;
    const b = metric === 'rps' ? ref[i]?.rps : ref[i]?.cpuMsPer1kRequests;
    if (typeof a === 'number' && typeof b === 'number' && a > 0 && b > 0) out.push(a / b);
  });
  return out;
}

/**
 * How much faster this machine ran the reference app than the baseline's (now / before, per
 * metric), from the calibration cells stored with both; null when either lacks one (pure). Its
 * uncertainty comes from the calibration trials under this machine kind's noise.
 */
export function calibrationRatio(before: TopologyResult, now: TopologyResult, confidence: number): Calibration | null {
  const b = before.calibration;
  const n = now.calibration;
  if (!b || !n) return null;
  const values = (c: typeof b, m: 'rps' | 'cpu'): number[] => c.trials.map((t) => (m === 'rps' ? t.rps : t.cpuMsPer1kRequests)).filter((v): v is number => typeof v === 'number' && v > 0);
  const factor = (m: 'rps' | 'cpu') => {
    const [vb, vn] = [values(b, m), values(n, m)];
    if (!vb.length || !vn.length) return null;
    const t = MACHINE_NOISE.trial[m];
    // Same machine kind's trial noise, no between-run part: the factor is what differs between runs.
    return unpairedRatioInterval(vn, vb, { withinSd: t.sd, withinDf: t.df, betweenSd: 0, betweenDf: 1 }, confidence);
  };
  const rps = factor('rps');
  const cpu = factor('cpu');
  if (!rps) return null;
  return {
    rps: rps.ratio,
    cpu: cpu?.ratio ?? null,
    rpsInterval: Number.isFinite(rps.high) ? { low: rps.low, high: rps.high } : null,
    variance: { rps: rps.se ** 2, cpu: cpu ? cpu.se ** 2 : 0 },
    byTurns: interleaved(before) && interleaved(now),
  };
}
